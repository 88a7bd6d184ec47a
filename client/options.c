/* timeclient's options and its date format, apart from main() for tests. */
#include <sys/socket.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../common/addr.h"
#include "options.h"

/*
 * rdate's options, and -w for the deadline rdate lacks. Returns 0; or -1
 * with a message in err, empty when only the usage line fits (and then
 * o->bad_option is the letter getopt refused, if any). Like timed's
 * parser, it prints nothing: the caller says what is wrong.
 */
int
client_options(int argc, char *argv[], struct client_options *o, char *err,
    size_t errlen)
{
	const char *errstr;
	long long number;
	int ch;

	memset(o, 0, sizeof(*o));
	o->query.family = AF_UNSPEC;
	o->query.timeout_ms = CLIENT_DEADLINE_S * 1000L;
	o->step_above = -1;
	*err = '\0';
	opterr = 0;		/* the caller reports, as timed's parser does */
	optreset = 1;
	optind = 1;
	while ((ch = getopt(argc, argv, ":46ab:cno:pst:uvw:x")) != -1) {
		switch (ch) {
		case '4':
			o->query.family = AF_INET;
			break;
		case '6':
			o->query.family = AF_INET6;
			break;
		case 'a':
			o->slew = 1;
			break;
		case 'b':
			number = strtonum(optarg, 0, 86400LL * 365, &errstr);
			if (errstr != NULL) {
				snprintf(err, errlen, "-b %s is %s", optarg,
				    errstr);
				return -1;
			}
			o->step_above = number;
			break;
		case 'c':
			o->leaps = 1;
			break;
		case 'n':
			o->query.sntp = 1;
			break;
		case 'o':
			if (port_parse(optarg, &o->query.port, &errstr) == -1) {
				snprintf(err, errlen, "port %s is %s", optarg,
				    errstr);
				return -1;
			}
			/* 0 is timed's "any port"; a server has a real one. */
			if (o->query.port == 0) {
				snprintf(err, errlen, "port %s is too small",
				    optarg);
				return -1;
			}
			break;
		case 'p':
			o->print_only = 1;
			break;
		case 's':
			o->set_only = 1;
			break;
		case 't':
			o->max_delay_ms = strtonum(optarg, 0, 86400000, &errstr);
			if (errstr != NULL) {
				snprintf(err, errlen, "-t %s is %s", optarg,
				    errstr);
				return -1;
			}
			break;
		case 'u':
			o->query.udp = 1;
			break;
		case 'v':
			o->verbose = 1;
			break;
		case 'w':
			number = strtonum(optarg, 1, 86400, &errstr);
			if (errstr != NULL) {
				snprintf(err, errlen, "-w %s is %s", optarg,
				    errstr);
				return -1;
			}
			o->query.timeout_ms = number * 1000;
			break;
		case 'x':
			o->subsecond = 1;
			break;
		case ':':
			o->bad_option = optopt;
			o->bad_option_missing = 1;
			return -1;
		default:
			o->bad_option = optopt;
			return -1;
		}
	}
	if (o->subsecond && o->query.sntp) {
		snprintf(err, errlen, "-x and -n exclude each other: SNTP "
		    "already tells the time to the microsecond");
		return -1;
	}
	o->hosts = argv + optind;
	o->nhosts = argc - optind;
	if (o->nhosts == 0)
		return -1;
	return 0;
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
