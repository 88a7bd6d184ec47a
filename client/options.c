/* timeclient's options and its date format, apart from main() for tests. */
#include <sys/socket.h>

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../common/addr.h"
#include "../common/optflag.h"
#include "../common/why.h"
#include "options.h"
#include "subsecond.h"

/* The options that only turn something on. */
static const struct option_flag flags[] = {
	{ 'a', offsetof(struct client_options, slew) },
	{ 'c', offsetof(struct client_options, leaps) },
	{ 'F', offsetof(struct client_options, unfiltered) },
	{ 'm', offsetof(struct client_options, majority) },
	{ 'n', offsetof(struct client_options, query.sntp) },
	{ 'p', offsetof(struct client_options, print_only) },
	{ 'q', offsetof(struct client_options, query_only) },
	{ 's', offsetof(struct client_options, set_only) },
	{ 'u', offsetof(struct client_options, query.udp) },
	{ 'v', offsetof(struct client_options, verbose) },
	{ 'x', offsetof(struct client_options, subsecond) },
	{ 'V', offsetof(struct client_options, version) },
};

/*
 * A number option's value, from min to max, or -1 with "-C ARG is why"
 * in why.
 */
static long long
number_option(int ch, const char *arg, long long min, long long max,
    struct why *why)
{
	const char *errstr;
	long long number = strtonum(arg, min, max, &errstr);

	if (errstr == NULL)
		return number;
	why_set(why, "-%c %s is %s", ch, arg, errstr);
	return -1;
}

/*
 * The options with a value, -4 and -6, and getopt's refusals (':', '?').
 * Returns 0, or -1 with a message in why, empty when the usage line is
 * the answer.
 */
static int
value_option(int ch, const char *arg, struct client_options *o, struct why *why)
{
	const char *errstr;
	long long n;

	switch (ch) {
	case '4':
		o->query.family = AF_INET;
		return 0;
	case '6':
		o->query.family = AF_INET6;
		return 0;
	case 'b':
		if ((n = number_option(ch, arg, 0, 86400LL * 365, why)) == -1)
			return -1;
		o->step_above = n > 0 ? n : -1;	/* rdate: -b 0 is no -b */
		return 0;
	case 'g':
		if ((n = number_option(ch, arg, 0, SUBSECOND_LAG_MS_MAX,
		    why)) == -1)
			return -1;
		o->lag_ms = n;
		o->lag_given = 1;
		return 0;
	case 't':
		if ((n = number_option(ch, arg, 0, 86400000, why)) == -1)
			return -1;
		o->max_delay_ms = n;
		return 0;
	case 'w':
		if ((n = number_option(ch, arg, 1, 86400, why)) == -1)
			return -1;
		o->query.timeout_ms = n * 1000;
		return 0;
	case 'o':
		if (port_parse(arg, &o->query.port, &errstr) == -1) {
			why_set(why, "port %s is %s", arg, errstr);
			return -1;
		}
		/* 0 is timed's "any port"; a server has a real one. */
		if (o->query.port == 0) {
			why_set(why, "port %s is too small", arg);
			return -1;
		}
		return 0;
	case ':':
		o->bad_option_missing = 1;
		/* FALLTHROUGH */
	default:
		o->bad_option = optopt;
		return -1;
	}
}

/*
 * rdate's options, and -w for the deadline rdate lacks. Returns 0; or -1
 * with a message in why, empty when only the usage line fits (and then
 * o->bad_option is the letter getopt refused, if any). Like timed's
 * parser, it prints nothing: the caller says what is wrong.
 */
int
client_options(int argc, char *argv[], struct client_options *o, struct why *why)
{
	int ch;

	memset(o, 0, sizeof(*o));
	o->query.family = AF_UNSPEC;
	o->query.timeout_ms = CLIENT_DEADLINE_S * 1000L;
	o->step_above = -1;
	o->lag_ms = SUBSECOND_LAG_MS;
	why->text[0] = '\0';
	if ((o->help = option_help_asked(argc, argv)))
		return 0;
	opterr = 0;		/* the caller reports, as timed's parser does */
	optreset = 1;
	optind = 1;
	while ((ch = getopt(argc, argv, ":46ab:cFg:mno:pqst:uvw:xV")) != -1)
		if (!option_flag_set(flags, sizeof(flags) / sizeof(flags[0]),
		    ch, o) && value_option(ch, optarg, o, why) == -1)
			return -1;
	if (o->subsecond && o->query.sntp) {
		why_set(why, "-x and -n exclude each other: SNTP "
		    "already tells the time to a fraction of a second");
		return -1;
	}
	if (o->query_only && (o->set_only || o->slew || o->step_above >= 0)) {
		why_set(why, "-q only asks: it never sets the clock, which %s "
		    "would", o->set_only ? "-s" : o->slew ? "-a" : "-b");
		return -1;
	}
	o->print_only |= o->query_only;
	if (o->lag_given && !o->subsecond) {
		why_set(why, "-g goes with -x: it is how late the server's "
		    "second may change, which only -x measures");
		return -1;
	}
	o->hosts = argv + optind;
	o->nhosts = argc - optind;
	/* -s alone keeps the last good time (lastgood.c). */
	return o->nhosts == 0 && !o->version && !(o->set_only &&
	    !o->print_only) ? -1 : 0;
}

/* rdate's format: "Mon Nov 23 07:28:37 UTC 2026", in the local zone. */
size_t
client_format_time(time_t t, char *buf, size_t size)
{
	struct tm tm;

	if (localtime_r(&t, &tm) == NULL)
		return 0;
	return strftime(buf, size, "%a %b %e %H:%M:%S %Z %Y", &tm);
}

/*
 * ns as seconds with decimals places, as the adjustment is printed; a
 * value that rounds to zero is "0.000", never "-0.000".
 */
const char *
client_format_seconds(int64_t ns, int decimals, char *buf, size_t size)
{
	snprintf(buf, size, "%.*f", decimals, (double)ns / 1e9);
	if (buf[0] == '-' && strspn(buf + 1, "0.") == strlen(buf + 1))
		memmove(buf, buf + 1, strlen(buf));
	return buf;
}
