/*
 * timed: an RFC 868 time server. Sends the seconds since 1900 as 4 bytes to
 * every TCP connection and every UDP datagram, on port 37.
 *
 * Startup order: stdio made valid, before anything else is opened; options;
 * sockets handed over by inetd or systemd, and no other descriptor; the
 * log, whose destination is decided there once (err(3) only before it);
 * signals; the user to become; the pidfile (a second instance stops
 * here); our own sockets; detaching, with the parent waiting until the
 * child is ready; the pid written and the drop of root; the loop.
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
options_refused(const struct timed_options *o, const char *message)
{
	if (o->inetd && !o->debug) {
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
 * The sockets systemd handed over, if any; the descriptors after them are
 * closed, so nothing inherited by chance stays open.
 */
static int
sockets_activated(int spec_given, struct listener *listeners)
{
	char why[256];
	int n;

	n = listen_activated(listeners, LISTEN_MAX, why, sizeof(why));
	if (n == -1)
		errx(1, "socket activation: %s", why);
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
	char why[256], note[256];
	int as_root, detach, connected = 0, n = 0;
	size_t i;

	daemon_stdio_open();
	if (timed_options(argc, argv, &o, why, sizeof(why)) == -1)
		options_refused(&o, why);
	if (o.version) {
		printf("timed %s\n", VERSION);
		return 0;
	}
	as_root = geteuid() == 0;
	detach = !o.debug && !o.foreground && !o.inetd;

	/* Stray descriptors go before the log's is opened, not after. */
	if (o.inetd)
		closefrom(STDERR_FILENO + 1);
	else
		n = sockets_activated(o.spec_given, listeners);
	log_init(o.debug, o.inetd, LOG_DAEMON);
	serve_init(o.require_sync);
	if (o.inetd) {
		if (listen_inherit(STDIN_FILENO, &listeners[0], &connected,
		    why, sizeof(why)) == -1)
			fatalx("-i: %s", why);
		n = 1;
	}
	if (as_root && privdrop_lookup(o.username, &user, why,
	    sizeof(why)) == -1)
		fatalx("%s", why);
	if (o.pidfile != NULL)
		daemon_pidfile(o.pidfile, 0);
	else if (detach && as_root)
		daemon_pidfile(PIDFILE_DEFAULT, 1);

	if (n == 0) {
		n = listen_open(&o.spec, listeners, LISTEN_MAX, why,
		    sizeof(why), note, sizeof(note));
		if (n == -1)
			fatalx("%s", why);
		if (*note != '\0')
			log_warnx("%s", note);
	}
	limit_init(o.rate, arc4random());
	if (detach)
		daemon_detach();
	/* Root, about to leave, cannot remove the pidfile later. */
	daemon_pidfile_write(!as_root);
	if (as_root && privdrop(&user, CHROOT_DIR, why, sizeof(why)) == -1)
		fatalx("%s", why);
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
