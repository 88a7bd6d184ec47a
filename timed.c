/*
 * timed: an RFC 868 time server. Sends the seconds since 1900 as 4 bytes to
 * every TCP connection and every UDP datagram, on port 37.
 *
 * Startup order: stdio made valid, before anything else is opened; options;
 * the descriptors inherited (systemd's sockets; no other one stays); the
 * log, whose destination is decided there once (err(3) only before it);
 * inetd's socket; the user to become; the pidfile (a second instance
 * stops here); our own sockets; the signals held for the loop (not while
 * a name resolves, which Ctrl-C must end); detaching, with the parent
 * waiting until the child is ready; the pid written and the drop of root;
 * the loop.
 */
#include <sys/socket.h>

#include <err.h>
#include <stdio.h>
#include <stdlib.h>
#include <syslog.h>
#include <unistd.h>

#include "common/sysfilter.h"
#include "server/daemon.h"
#include "server/listen.h"
#include "server/log.h"
#include "server/options.h"
#include "server/privdrop.h"
#include "server/ratelimit.h"
#include "server/serve.h"
#include "server/syscalls.h"

#define CHROOT_DIR	"/var/empty"
#define PIDFILE_DEFAULT	"/run/timed/timed.pid"
#define INETD_IDLE_S	5	/* inetd "wait": exit when idle this long */

static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr, "usage: %s %s\n", getprogname(), TIMED_USAGE);
	exit(1);
}

/* --help: the usage line and a line an option; timed(8) is the reference. */
static void __attribute__((noreturn))
help(void)
{
	printf("usage: %s %s\n"
	    "  -4          listen on IPv4 only\n"
	    "  -6          listen on IPv6 only\n"
	    "  -d          debug: stay in the foreground, log to stderr\n"
	    "  -F          no system call filter (for strace, a debugger)\n"
	    "  -f          stay in the foreground, log to syslog\n"
	    "  -i          run from inetd: descriptor 0 is the socket\n"
	    "  -S          answer only while the clock is synchronized\n"
	    "  -t          check the options, do nothing, exit 0 if good\n"
	    "  -T          serve TCP only\n"
	    "  -U          serve UDP only\n"
	    "  -V          print the version\n"
	    "  -l address  listen on this address (up to 16 times)\n"
	    "  -P pidfile  write and lock this pidfile\n"
	    "  -p port     listen on this port (37, time)\n"
	    "  -r rate     replies a second to one source (10; 0: no limits)\n"
	    "  -u user     become this user after binding, as root (_timed)\n"
	    "See timed(8).\n", getprogname(), TIMED_USAGE);
	exit(fflush(stdout) == 0 ? 0 : 1);
}

/*
 * -t: the options checked as a start would check them (the addresses to
 * listen on, the user to become, the pidfile's name, directory and file),
 * and nothing done: no socket, no pidfile made or locked, no change of
 * user. For the service's ExecStartPre and the init
 * script, so that a typo fails a restart rather than closing port 37.
 */
static void __attribute__((noreturn))
check_only(const struct timed_options *o)
{
	struct run_user user;
	struct why why;
	socklen_t len = sizeof(int);
	int type;

	if (!o->inetd && listen_check(&o->spec, &why) == -1)
		errx(1, "%s", why.text);
	/* As a start would: -i outside inetd has no socket to serve. */
	if (o->inetd && getsockopt(STDIN_FILENO, SOL_SOCKET, SO_TYPE, &type,
	    &len) == -1)
		errx(1, "-i: descriptor 0 is not a socket: -i is for inetd, "
		    "which gives one");
	if (geteuid() == 0 && privdrop_lookup(o->username, &user, &why) == -1)
		errx(1, "%s", why.text);
	if (o->pidfile != NULL)
		daemon_pidfile_check(o->pidfile, 0);
	else if (!o->debug && !o->foreground && !o->inetd && geteuid() == 0)
		daemon_pidfile_check(PIDFILE_DEFAULT, 1);
	exit(0);
}

/*
 * A bad command line: said on stderr, or under inetd (without -d or -t) in
 * syslog, since stderr is then the client's socket.
 */
static void __attribute__((noreturn))
options_refused(const struct timed_options *o, const char *message)
{
	/* -t is asked by a person or a script: its answer is on stderr. */
	if (o->inetd && !o->debug && !o->check_only) {
		log_init(0, 1, LOG_DAEMON);
		if (*message != '\0')
			fatalx("%s", message);
		fatalx("usage: %s %s", getprogname(), TIMED_USAGE);
	}
	if (*message != '\0')
		errx(1, "%s", message);
	usage();
}

/*
 * The descriptors inherited: under inetd only 0-2 (the socket), under
 * systemd the sockets it handed over; every other one is closed, before
 * the log's is opened. Returns how many sockets systemd gave.
 */
static int
descriptors_inherited(const struct timed_options *o,
    struct listener *listeners)
{
	struct why why;
	int n;

	if (o->inetd) {
		closefrom(STDERR_FILENO + 1);
		return 0;
	}
	n = listen_activated(listeners, LISTEN_MAX, &why);
	if (n == -1)
		errx(1, "socket activation: %s", why.text);
	closefrom(STDERR_FILENO + 1 + n);
	if (n > 0 && o->spec_given)
		warnx("sockets come from systemd: ignoring -4 -6 -l -p -T -U; "
		    "to listen elsewhere, give timed.socket a drop-in (see "
		    "timed(8), SYSTEMD)");
	return n;
}

/* inetd's descriptor 0: a connection (*connected), or a socket to serve. */
static int
inetd_socket(struct listener *listener, int *connected)
{
	struct why why;

	if (listen_inherit(STDIN_FILENO, listener, connected, &why) == -1)
		fatalx("-i: %s", why.text);
	return 1;
}

/* Our own sockets, as the options ask. */
static int
sockets_open(const struct timed_options *o, struct listener *listeners)
{
	struct why why;
	int n;

	n = listen_open(&o->spec, listeners, LISTEN_MAX, &why);
	if (n == -1)
		fatalx("%s", why.text);
	if (why.note[0] != '\0')
		log_warnx("%s", why.note);
	return n;
}

/*
 * Detached (when it detaches), the pid written, root dropped: from here
 * on timed holds nothing outside its new root that the user it becomes
 * could turn against root.
 */
static void
confine(const struct run_user *user, int detach, int as_root, int shared)
{
	struct why why;

	if (detach)
		daemon_detach();
	/* Said after the fork: the parent, which waits for ready, shows it. */
	if (shared)
		log_warnx("running as nobody, whom other daemons share: any of "
		    "their processes may signal timed or limit its resources "
		    "(prlimit); give timed a user of its own, -u _timed");
	/* Root, about to leave, cannot remove the pidfile later. */
	daemon_pidfile_write(!as_root);
	if (as_root && privdrop(user, CHROOT_DIR, &why) == -1)
		fatalx("%s", why.text);
}

int
main(int argc, char *argv[])
{
	struct timed_options o;
	struct listener listeners[LISTEN_MAX];
	struct run_user user;
	struct why why;
	int as_root, detach, shared, connected = 0, n;
	size_t i;

	daemon_stdio_open();
	if (timed_options(argc, argv, &o, &why) == -1)
		options_refused(&o, why.text);
	if (o.help)
		help();
	if (o.version) {
		printf("timed %s (%s)\n", VERSION, sysfilter_built() ?
		    "system call filter: seccomp" : "no system call filter: "
		    "built without libseccomp");
		return 0;
	}
	if (o.check_only)
		check_only(&o);
	as_root = geteuid() == 0;
	detach = !o.debug && !o.foreground && !o.inetd;

	n = descriptors_inherited(&o, listeners);
	log_init(o.debug, o.inetd, LOG_DAEMON);
	serve_init(o.require_sync);
	if (o.inetd)
		n = inetd_socket(&listeners[0], &connected);
	if (as_root && privdrop_lookup(o.username, &user, &why) == -1)
		fatalx("%s", why.text);
	/* Looked up now: the name service is out of reach once confined. */
	shared = privdrop_user_shared(as_root ? user.uid : geteuid());
	if (o.pidfile != NULL)
		daemon_pidfile(o.pidfile, 0);
	else if (detach && as_root)
		daemon_pidfile(PIDFILE_DEFAULT, 1);
	if (n == 0)
		n = sockets_open(&o, listeners);
	serve_signals();
	limit_init(o.rate, arc4random());
	confine(&user, detach, as_root, shared);
	if (!o.unfiltered && syscalls_confine(o.require_sync,
	    daemon_pidfile_directory(), &why) == -1)
		fatalx("%s; -F serves without it", why.text);
	if (o.inetd && connected)
		return serve_connection(STDIN_FILENO);

	daemon_ready();
	for (i = 0; i < (size_t)n && !o.inetd; i++)
		log_info("listening on %s", listeners[i].name);
	log_info("timed %s serving on %d socket%s", VERSION, n,
	    n == 1 ? "" : "s");
	serve(listeners, n, o.inetd ? INETD_IDLE_S : 0);
	listen_close(listeners, n);
	return 0;
}
