/*
 * timed: an RFC 868 time server. Sends the seconds since 1900 as 4 bytes to
 * every TCP connection and every UDP datagram, on port 37.
 */
#include <sys/socket.h>

#include <err.h>
#include <stdio.h>
#include <stdlib.h>
#include <syslog.h>
#include <unistd.h>

#include "addr.h"
#include "log.h"
#include "rfc868.h"
#include "timed.h"

static void
usage(void)
{
	fprintf(stderr, "usage: %s [-46dTUV] [-l address] [-p port]\n",
	    getprogname());
	exit(1);
}

int
main(int argc, char *argv[])
{
	struct listen_spec spec = {
		.family = AF_UNSPEC, .tcp = 1, .udp = 1, .port = RFC868_PORT
	};
	struct listener listeners[LISTEN_MAX];
	char err[256];
	const char *errstr;
	int ch, debug = 0, n, only4 = 0, only6 = 0, tcp_only = 0, udp_only = 0;
	size_t i;

	while ((ch = getopt(argc, argv, "46dl:p:TUV")) != -1) {
		switch (ch) {
		case '4':
			only4 = 1;
			break;
		case '6':
			only6 = 1;
			break;
		case 'd':
			debug = 1;
			break;
		case 'l':
			if (spec.naddresses == ADDRESSES_MAX)
				errx(1, "too many -l addresses (at most %d)",
				    ADDRESSES_MAX);
			spec.addresses[spec.naddresses++] = optarg;
			break;
		case 'p':
			if (port_parse(optarg, &spec.port, &errstr) == -1)
				errx(1, "port %s is %s", optarg, errstr);
			break;
		case 'T':
			tcp_only = 1;
			break;
		case 'U':
			udp_only = 1;
			break;
		case 'V':
			printf("timed %s\n", VERSION);
			return 0;
		default:
			usage();
		}
	}
	argc -= optind;
	if (argc != 0)
		usage();
	if (only4 && only6)
		errx(1, "-4 and -6 exclude each other; give neither for both");
	if (tcp_only && udp_only)
		errx(1, "-T and -U exclude each other; give neither for both");
	spec.family = only4 ? AF_INET : only6 ? AF_INET6 : AF_UNSPEC;
	spec.tcp = !udp_only;
	spec.udp = !tcp_only;

	serve_signals();
	log_init(1, debug, LOG_DAEMON);	/* startup problems reach stderr */
	n = listen_open(&spec, listeners, LISTEN_MAX, err, sizeof(err));
	if (n == -1)
		errx(1, "%s", err);
	for (i = 0; i < (size_t)n; i++)
		log_info("listening on %s", listeners[i].name);
	if (!debug)
		log_init(0, 0, LOG_DAEMON);

	serve(listeners, n);
	listen_close(listeners, n);
	return 0;
}
