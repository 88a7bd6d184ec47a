/*
 * timed: an RFC 868 time server. Sends the seconds since 1900 as 4 bytes to
 * every TCP connection and every UDP datagram, on port 37.
 *
 * Startup order: options; signals; sockets handed over by inetd or systemd,
 * and no other descriptor; the log (syslog at once under inetd, whose
 * stderr is a client); the user to become; the pidfile (a second instance
 * stops here); our own sockets; the drop of root; detaching, with the
 * parent waiting until the child is ready; the loop.
 */
#include <sys/socket.h>

#include <err.h>
#include <stdio.h>
#include <stdlib.h>
#include <syslog.h>
#include <unistd.h>

#include "daemon.h"
#include "listen.h"
#include "log.h"
#include "options.h"
#include "privdrop.h"
#include "ratelimit.h"
#include "serve.h"

#define CHROOT_DIR	"/var/empty"
#define PIDFILE_DEFAULT	"/run/timed/timed.pid"
#define INETD_IDLE_S	5	/* inetd "wait": exit when idle this long */

static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr, "usage: %s %s\n", getprogname(), TIMED_USAGE);
	exit(1);
}

/*
 * A bad command line: said on stderr, or under inetd (without -d) in
 * syslog, since stderr is then the client's socket.
 */
static void __attribute__((noreturn))
options_refused(const struct timed_options *o, const char *err)
{
	if (o->inetd && !o->debug) {
		log_init(0, LOG_DAEMON);
		log_to_syslog();
		if (*err != '\0')
			fatalx("%s", err);
		fatalx("usage: %s %s", getprogname(), TIMED_USAGE);
	}
	if (*err != '\0')
		errx(1, "%s", err);
	usage();
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
		errx(1, "socket activation: %s", err);
	closefrom(STDERR_FILENO + 1 + n);
	if (n > 0 && spec_given)
		warnx("sockets come from systemd: ignoring -4 -6 -l -p -T -U");
	return n;
}

int
main(int argc, char *argv[])
{
	struct timed_options o;
	struct listener listeners[LISTEN_MAX];
	struct run_user user;
	char err[256], warn[256];
	int as_root, detach, connected = 0, n = 0;
	size_t i;

	if (timed_options(argc, argv, &o, err, sizeof(err)) == -1)
		options_refused(&o, err);
	if (o.version) {
		printf("timed %s\n", VERSION);
		return 0;
	}
	as_root = geteuid() == 0;
	detach = !o.debug && !o.foreground && !o.inetd;

	serve_init(o.require_sync);
	/* Stray descriptors go before the log's is opened, not after. */
	if (o.inetd)
		closefrom(STDERR_FILENO + 1);
	else
		n = sockets_activated(o.spec_given, listeners);
	log_init(o.debug, LOG_DAEMON);
	if (o.inetd && !o.debug)
		log_to_syslog();	/* stderr may be the socket */
	if (o.inetd) {
		if (listen_inherit(STDIN_FILENO, &listeners[0], &connected,
		    err, sizeof(err)) == -1)
			fatalx("-i: %s", err);
		n = 1;
	}
	if (as_root && privdrop_lookup(o.username, &user, err,
	    sizeof(err)) == -1)
		fatalx("%s", err);
	if (o.pidfile == NULL && detach && as_root)
		daemon_pidfile(PIDFILE_DEFAULT, &user, 1);
	else if (o.pidfile != NULL)
		daemon_pidfile(o.pidfile, NULL, 0);

	if (n == 0) {
		n = listen_open(&o.spec, listeners, LISTEN_MAX, err,
		    sizeof(err), warn, sizeof(warn));
		if (n == -1)
			fatalx("%s", err);
		if (*warn != '\0')
			log_warnx("%s", warn);
	}
	limit_init(o.rate, arc4random());
	if (detach)
		daemon_prepare();
	if (as_root && privdrop(&user, CHROOT_DIR, err, sizeof(err)) == -1)
		fatalx("%s", err);
	if (o.inetd && connected)
		return serve_connection(STDIN_FILENO);
	if (detach)
		daemon_detach();
	daemon_ready();
	if (!o.debug)
		log_to_syslog();	/* a good start is a quiet one */
	for (i = 0; i < (size_t)n && !o.inetd; i++)
		log_info("listening on %s", listeners[i].name);
	log_info("timed %s serving on %d socket%s", VERSION, n,
	    n == 1 ? "" : "s");

	serve(listeners, n, o.inetd ? INETD_IDLE_S : 0);
	listen_close(listeners, n);
	return 0;
}
