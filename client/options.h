/* timeclient's options and its date format, apart from main() so tests call them. */
#ifndef CLIENT_H
#define CLIENT_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "query.h"
#include "../common/why.h"

#define CLIENT_USAGE \
	"[-46acFmnpqsuvxV] [-b sec] [-g msec] [-o port] [-t msec] [-w sec] " \
	"[host ...]"
#define CLIENT_DEADLINE_S	10

/* Exit statuses (timeclient(1), EXIT STATUS); 1 and 2 are rdate's. */
#define EXIT_TROUBLE	1	/* usage, or trouble of this host's own */
#define EXIT_TOO_SLOW	2	/* the only answers were slower than -t */
#define EXIT_NO_ANSWER	3	/* none in time (or too few for -x) */
#define EXIT_REFUSED	4	/* answers came and were not believed */
#define EXIT_NOT_SET	5	/* the clock could not be set */

struct client_options {
	struct query_options query;
	int print_only;		/* -p, or -q */
	int query_only;		/* -q */
	int set_only;		/* -s */
	int slew;		/* -a */
	long step_above;	/* -b: step past this many seconds; -1: unset */
	int leaps;		/* -c */
	int unfiltered;		/* -F: the network side without its filter */
	int majority;		/* -m */
	long max_delay_ms;	/* -t; 0: no limit */
	int verbose;		/* -v */
	int subsecond;		/* -x */
	long lag_ms;		/* -g: how late the server's second may be */
	int lag_given;
	int version;		/* -V */
	int help;		/* --help */
	char **hosts;
	int nhosts;
	int bad_option;		/* an unknown letter, or one */
	int bad_option_missing;	/* missing its argument */
};

int client_options(int, char *[], struct client_options *, struct why *);
size_t client_format_time(time_t, char *, size_t);
const char *client_format_seconds(int64_t, int, char *, size_t);

#endif
