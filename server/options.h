/* timed's options, parsed apart from main() so tests and fuzzers call it. */
#ifndef OPTIONS_H
#define OPTIONS_H

#include <stddef.h>

#include "../common/why.h"
#include "../timed.h"

#define TIMED_USAGE	"[-46dFfiStTUV] [-l address] [-P pidfile] [-p port] " \
			"[-r rate] [-u user]"
#define USER_DEFAULT	"_timed"

struct timed_options {
	struct listen_spec spec;	/* -4 -6 -l -p -T -U */
	int spec_given;			/* any of those: not for -i or systemd */
	int only4, only6;		/* -4 -6, as given */
	int tcp_only, udp_only;		/* -T -U, as given */
	int debug, foreground, inetd;	/* -d -f -i */
	int unfiltered;			/* -F: no system call filter */
	const char *pidfile;		/* -P; NULL: the default, if any */
	long long rate;			/* -r */
	int require_sync;		/* -S */
	int check_only;			/* -t */
	const char *username;		/* -u */
	int version;			/* -V */
	int help;			/* --help */
	int bad_option;			/* an unknown letter, or one */
	int bad_option_missing;		/* missing its argument */
};

int timed_options(int, char *[], struct timed_options *, struct why *);

#endif
