/*
 * timed's options. Every option is read even after a bad one, so that the
 * caller knows of -i and -d before it says anything: under inetd, stderr
 * is the client's socket, and an error belongs in syslog.
 */
#include <sys/socket.h>

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "options.h"
#include "ratelimit.h"
#include "../common/optflag.h"
#include "../common/rfc868.h"
#include "../common/why.h"

#define RATE_MAX	100000

/* A parse under way: where its first error goes, and what it has seen. */
struct parse {
	struct why *why;
	int failed;
	int port_given;
};

static void first_error(struct parse *, const char *, ...)
    __attribute__((format(printf, 2, 3)));

/* The first error only: it is the one a user fixes first. */
static void
first_error(struct parse *p, const char *fmt, ...)
{
	va_list ap;

	if (p->failed)
		return;
	p->failed = 1;
	va_start(ap, fmt);
	vsnprintf(p->why->text, sizeof(p->why->text), fmt, ap);
	va_end(ap);
}

/* An error the usage line answers: why stays empty. */
static void
usage_error(struct parse *p)
{
	p->failed = 1;
}

/* The options that only turn something on. */
static const struct option_flag flags[] = {
	{ '4', offsetof(struct timed_options, only4) },
	{ '6', offsetof(struct timed_options, only6) },
	{ 'T', offsetof(struct timed_options, tcp_only) },
	{ 'U', offsetof(struct timed_options, udp_only) },
	{ 'd', offsetof(struct timed_options, debug) },
	{ 'F', offsetof(struct timed_options, unfiltered) },
	{ 'f', offsetof(struct timed_options, foreground) },
	{ 'i', offsetof(struct timed_options, inetd) },
	{ 'S', offsetof(struct timed_options, require_sync) },
	{ 't', offsetof(struct timed_options, check_only) },
	{ 'V', offsetof(struct timed_options, version) },
};

/* The options with a value, and getopt's refusals (':', '?'). */
static void
value_option(int ch, char *arg, struct timed_options *o, struct parse *p)
{
	const char *errstr;

	switch (ch) {
	case 'l':
		if (o->spec.naddresses == LISTEN_ADDRESSES_MAX)
			first_error(p, "too many -l addresses (at most %d)",
			    LISTEN_ADDRESSES_MAX);
		else
			o->spec.addresses[o->spec.naddresses++] = arg;
		break;
	case 'P':
		o->pidfile = arg;
		break;
	case 'p':
		p->port_given = 1;
		if (port_parse(arg, &o->spec.port, &errstr) == -1)
			first_error(p, "port %s is %s", arg, errstr);
		break;
	case 'r':
		o->rate = strtonum(arg, 0, RATE_MAX, &errstr);
		if (errstr != NULL)
			first_error(p, "rate %s is %s", arg, errstr);
		break;
	case 'u':
		o->username = arg;
		break;
	case ':':
		o->bad_option = optopt;
		o->bad_option_missing = 1;
		usage_error(p);
		break;
	default:
		o->bad_option = optopt;
		usage_error(p);
		break;
	}
}

/* What the options mean together, and what they exclude. */
static void
options_combine(struct timed_options *o, struct parse *p)
{
	o->spec_given = o->only4 || o->only6 || o->tcp_only || o->udp_only ||
	    o->spec.naddresses > 0 || p->port_given;
	if (o->only4 && o->only6)
		first_error(p, "-4 and -6 exclude each other; give neither for "
		    "both");
	if (o->tcp_only && o->udp_only)
		first_error(p, "-T and -U exclude each other; give neither for "
		    "both");
	if (o->inetd && o->spec_given)
		first_error(p, "-i takes its socket from inetd: -4 -6 -l -p -T "
		    "-U do not apply");
	o->spec.family = o->only4 ? AF_INET : o->only6 ? AF_INET6 : AF_UNSPEC;
	o->spec.tcp = !o->udp_only;
	o->spec.udp = !o->tcp_only;
}

/*
 * Parses argv into *o. Returns 0; or -1 with a message in why, empty when
 * the usage line is the answer. *o holds every option read either way.
 */
int
timed_options(int argc, char *argv[], struct timed_options *o, struct why *why)
{
	struct parse p = { .why = why };
	int ch;

	memset(o, 0, sizeof(*o));
	o->spec.port = RFC868_PORT;
	o->rate = LIMIT_RATE_DEFAULT;
	o->username = USER_DEFAULT;
	why->text[0] = '\0';
	o->help = option_help_asked(argc, argv);
	opterr = 0;		/* the caller reports, where it belongs */
	optreset = 1;
	optind = 1;
	while ((ch = getopt(argc, argv, ":46dFfil:P:p:r:StTUu:V")) != -1)
		if (!option_flag_set(flags, sizeof(flags) / sizeof(flags[0]),
		    ch, o))
			value_option(ch, optarg, o, &p);
	/*
	 * -t judges a start: --help and -V start nothing, and a service
	 * whose check passed them would exit at once.
	 */
	if (o->check_only && (o->help || o->version)) {
		p.failed = 0;
		first_error(&p, "-t checks the options of a start: %s starts "
		    "no server", o->help ? "--help" : "-V");
		return -1;
	}
	if (o->help) {			/* whatever else was given */
		why->text[0] = '\0';
		return 0;
	}
	if (optind != argc)
		usage_error(&p);
	options_combine(o, &p);
	return p.failed ? -1 : 0;
}
