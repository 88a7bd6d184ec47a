/*
 * timed: an RFC 868 time server. Sends the seconds since 1900 as 4 bytes to
 * every TCP connection and every UDP datagram, on port 37.
 *
 * Startup order: options; sockets handed over by inetd or systemd, and no
 * other descriptor; syslog; the user to become; the pidfile (a second instance
 * stops here); our own sockets; the drop of root; detaching; the loop.
 */
#include <sys/socket.h>

#include <err.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <syslog.h>
#include <unistd.h>

#include "addr.h"
#include "limits.h"
#include "log.h"
#include "rfc868.h"
#include "timed.h"

#define USER_DEFAULT	"_timed"
#define CHROOT_DIR	"/var/empty"
#define PIDFILE_DEFAULT	"/run/timed/timed.pid"
#define INETD_IDLE_S	5	/* inetd "wait": exit when idle this long */

static void
usage(void)
{
	fprintf(stderr, "usage: %s [-46dfiTUV] [-l address] [-P pidfile] "
	    "[-p port] [-r rate] [-u user]\n", getprogname());
	exit(1);
}

/* inetd's socket, descriptor 0: a connection, or one to listen on. */
static void
inetd_socket(struct listener *listener, int *connected)
{
	char err[256];

	closefrom(STDERR_FILENO + 1);
	if (listen_inherit(STDIN_FILENO, listener, connected, err,
	    sizeof(err)) == -1)
		fatalx("-i: %s", err);
}

/*
 * The sockets systemd handed over, if any; the descriptors after them are
 * closed, so nothing inherited by chance stays open.
 */
static int
sockets_activated(int spec_given, struct listener *listeners)
{
	char err[256];
	int n;

	n = listen_activated(listeners, LISTEN_MAX, err, sizeof(err));
	if (n == -1)
		fatalx("socket activation: %s", err);
	closefrom(STDERR_FILENO + 1 + n);
	if (n > 0 && spec_given)
		log_warnx("sockets come from systemd: ignoring -4 -6 -l -p -T -U");
	return n;
}

int
main(int argc, char *argv[])
{
	struct listen_spec spec = {
		.family = AF_UNSPEC, .tcp = 1, .udp = 1, .port = RFC868_PORT
	};
	struct listener listeners[LISTEN_MAX];
	struct run_user user;
	char err[256];
	const char *errstr, *username = USER_DEFAULT, *pidfile = NULL;
	int ch, debug = 0, foreground = 0, inetd = 0, spec_given = 0;
	int only4 = 0, only6 = 0, tcp_only = 0, udp_only = 0;
	int as_root, detach, connected = 0, n = 0, devnull = -1;
	long long rate = LIMIT_RATE_DEFAULT;
	size_t i;

	while ((ch = getopt(argc, argv, "46dfil:P:p:r:TUu:V")) != -1) {
		switch (ch) {
		case '4':
			only4 = spec_given = 1;
			break;
		case '6':
			only6 = spec_given = 1;
			break;
		case 'd':
			debug = 1;
			break;
		case 'f':
			foreground = 1;
			break;
		case 'i':
			inetd = 1;
			break;
		case 'l':
			if (spec.naddresses == ADDRESSES_MAX)
				errx(1, "too many -l addresses (at most %d)",
				    ADDRESSES_MAX);
			spec.addresses[spec.naddresses++] = optarg;
			spec_given = 1;
			break;
		case 'P':
			pidfile = optarg;
			break;
		case 'p':
			if (port_parse(optarg, &spec.port, &errstr) == -1)
				errx(1, "port %s is %s", optarg, errstr);
			spec_given = 1;
			break;
		case 'r':
			rate = strtonum(optarg, 0, 100000, &errstr);
			if (errstr != NULL)
				errx(1, "rate %s is %s", optarg, errstr);
			break;
		case 'T':
			tcp_only = spec_given = 1;
			break;
		case 'U':
			udp_only = spec_given = 1;
			break;
		case 'u':
			username = optarg;
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
	if (inetd && spec_given)
		errx(1, "-i takes its socket from inetd: -4 -6 -l -p -T -U "
		    "do not apply");
	spec.family = only4 ? AF_INET : only6 ? AF_INET6 : AF_UNSPEC;
	spec.tcp = !udp_only;
	spec.udp = !tcp_only;
	as_root = geteuid() == 0;
	detach = !debug && !foreground && !inetd;

	serve_init();
	/* Stray descriptors go before syslog's is opened, not after. */
	if (inetd) {
		inetd_socket(&listeners[0], &connected);
		n = 1;
	} else
		n = sockets_activated(spec_given, listeners);
	log_init(debug, LOG_DAEMON);
	if (inetd && !debug)
		log_to_syslog();	/* stderr may be the socket */
	if (as_root)
		privdrop_user(username, &user);
	if (pidfile == NULL && detach && as_root)
		service_pidfile(PIDFILE_DEFAULT, &user, 1);
	else if (pidfile != NULL)
		service_pidfile(pidfile, NULL, 0);

	if (!inetd && n == 0 &&
	    (n = listen_open(&spec, listeners, LISTEN_MAX, err, sizeof(err))) == -1)
		fatalx("%s", err);
	limit_init(rate, arc4random());
	if (detach && (devnull = open("/dev/null", O_RDWR)) == -1)
		fatal("/dev/null");
	if (as_root)
		privdrop(&user, CHROOT_DIR);
	if (inetd && connected)
		return serve_connection(STDIN_FILENO);
	if (detach)
		service_detach(devnull);
	service_pidfile_write();
	if (!debug)
		log_to_syslog();	/* a good start is a quiet one */
	for (i = 0; i < (size_t)n && !inetd; i++)
		log_info("listening on %s", listeners[i].name);
	log_info("timed %s serving on %d socket%s", VERSION, n,
	    n == 1 ? "" : "s");

	serve(listeners, n, inetd ? INETD_IDLE_S : 0);
	listen_close(listeners, n);
	return 0;
}
