/*
 * timed's options. Every option is read even after a bad one, so that the
 * caller knows of -i and -d before it says anything: under inetd, stderr
 * is the client's socket, and an error belongs in syslog.
 */
#include <sys/socket.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "options.h"
#include "ratelimit.h"
#include "common/rfc868.h"

#define RATE_MAX	100000

static void first_error(char *, size_t, int *, const char *, ...)
    __attribute__((format(printf, 4, 5)));

/* The first error only: it is the one a user fixes first. */
static void
first_error(char *err, size_t errlen, int *failed, const char *fmt, ...)
{
	va_list ap;

	if (*failed)
		return;
	*failed = 1;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* An error the usage line answers: err stays empty. */
static void
usage_error(int *failed)
{
	*failed = 1;
}

/*
 * Parses argv into *o. Returns 0; or -1 with a message in err, empty when
 * the usage line is the answer. *o holds every option read either way.
 */
int
timed_options(int argc, char *argv[], struct timed_options *o, char *err,
    size_t errlen)
{
	const char *errstr;
	int ch, failed = 0, only4 = 0, only6 = 0, tcp_only = 0, udp_only = 0;

	memset(o, 0, sizeof(*o));
	o->spec.port = RFC868_PORT;
	o->rate = LIMIT_RATE_DEFAULT;
	o->username = USER_DEFAULT;
	*err = '\0';
	opterr = 0;		/* the caller reports, where it belongs */
	optreset = 1;
	optind = 1;
	while ((ch = getopt(argc, argv, ":46dfil:P:p:r:STUu:V")) != -1) {
		switch (ch) {
		case '4':
			only4 = o->spec_given = 1;
			break;
		case '6':
			only6 = o->spec_given = 1;
			break;
		case 'd':
			o->debug = 1;
			break;
		case 'f':
			o->foreground = 1;
			break;
		case 'i':
			o->inetd = 1;
			break;
		case 'l':
			o->spec_given = 1;
			if (o->spec.naddresses == LISTEN_ADDRESSES_MAX) {
				first_error(err, errlen, &failed, "too many -l "
				    "addresses (at most %d)",
				    LISTEN_ADDRESSES_MAX);
				break;
			}
			o->spec.addresses[o->spec.naddresses++] = optarg;
			break;
		case 'P':
			o->pidfile = optarg;
			break;
		case 'p':
			o->spec_given = 1;
			if (port_parse(optarg, &o->spec.port, &errstr) == -1)
				first_error(err, errlen, &failed,
				    "port %s is %s", optarg, errstr);
			break;
		case 'r':
			o->rate = strtonum(optarg, 0, RATE_MAX, &errstr);
			if (errstr != NULL)
				first_error(err, errlen, &failed,
				    "rate %s is %s", optarg, errstr);
			break;
		case 'S':
			o->require_sync = 1;
			break;
		case 'T':
			tcp_only = o->spec_given = 1;
			break;
		case 'U':
			udp_only = o->spec_given = 1;
			break;
		case 'u':
			o->username = optarg;
			break;
		case 'V':
			o->version = 1;
			break;
		case ':':
			o->bad_option = optopt;
			o->bad_option_missing = 1;
			usage_error(&failed);
			break;
		default:
			o->bad_option = optopt;
			usage_error(&failed);
			break;
		}
	}
	if (optind != argc)
		usage_error(&failed);
	if (only4 && only6)
		first_error(err, errlen, &failed, "-4 and -6 exclude each "
		    "other; give neither for both");
	if (tcp_only && udp_only)
		first_error(err, errlen, &failed, "-T and -U exclude each "
		    "other; give neither for both");
	if (o->inetd && o->spec_given)
		first_error(err, errlen, &failed, "-i takes its socket from "
		    "inetd: -4 -6 -l -p -T -U do not apply");
	o->spec.family = only4 ? AF_INET : only6 ? AF_INET6 : AF_UNSPEC;
	o->spec.tcp = !udp_only;
	o->spec.udp = !tcp_only;
	return failed ? -1 : 0;
}
