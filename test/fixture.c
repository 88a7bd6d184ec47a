/*
 * The daemon a test runs. timed -d -p 0 says the port the kernel chose,
 * which is read back; the quiet one (no line a client, for floods) is
 * given sockets the test bound and holds, as systemd gives them. Either
 * way no other run can take the port in between.
 */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <check.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fixture.h"
#include "net.h"

struct proc daemon_proc;

/*
 * Starts "timed -d -p 0 -u nobody args..." and reads back the port it
 * logged (-u matters only to root, as in CI). Returns 0, or -1 with the
 * daemon stopped.
 */
int
timed_start(struct proc *p, unsigned *port, const char *const args[],
    const char *const env[])
{
	const char *argv[32] = { timed_path(), "-d", "-p", "0", "-u", "nobody" };
	size_t n = 6, i;

	for (i = 0; args != NULL && args[i] != NULL && n < 31; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	if (proc_start(p, argv, env, NULL) == -1)
		return -1;
	if (timed_port(p, port) == -1) {
		proc_stop(p);
		return -1;
	}
	return 0;
}

/*
 * Waits until a timed started in debug mode says it serves, and reads back
 * the port of its first socket. Returns 0, or -1.
 */
int
timed_port(struct proc *p, unsigned *port)
{
	const char *found;

	if (!proc_wait_text(p, "serving on", 5000))
		return -1;
	found = strstr(p->err, " port ");
	if (found == NULL || sscanf(found, " port %u", port) != 1)
		return -1;
	return 0;
}

/* The daemon of the test, as timed_start() starts it; its port. */
unsigned
daemon_up(const char *const args[], const char *const env[])
{
	unsigned port = 0;

	ck_assert_msg(timed_start(&daemon_proc, &port, args, env) == 0,
	    "timed did not start: %s", daemon_proc.err);
	return port;
}

static int handed[2] = { -1, -1 };	/* TCP, UDP, until handed over */

/*
 * A TCP (listening) and a UDP socket of family, bound to loopback on one
 * port the kernel chose, held by the test until a timed started with
 * sockets_handed_over() has them. Returns the port.
 */
unsigned
sockets_hold(int family)
{
	unsigned port;
	int i;

	for (i = 0; i < 16; i++) {	/* a free TCP port whose UDP is free too */
		ck_assert_int_eq(port_free(family, SOCK_STREAM, &port,
		    &handed[0]), 0);
		if (port_bind(family, SOCK_DGRAM, port, &handed[1]) == 0)
			return port;
		close(handed[0]);
	}
	ck_abort_msg("no port free for both TCP and UDP");
	return 0;
}

/*
 * Child setup: the held sockets as descriptors 3 and 4, said as systemd
 * says (LISTEN_PID, LISTEN_FDS); timed reads them before it detaches.
 */
void
sockets_handed_over(void)
{
	char pid[16];
	int i, high[2];

	for (i = 0; i < 2; i++)		/* out of 3 and 4's way first */
		high[i] = fcntl(handed[i], F_DUPFD, 10);
	for (i = 0; i < 2; i++)
		dup2(high[i], 3 + i);
	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	setenv("LISTEN_PID", pid, 1);
	setenv("LISTEN_FDS", "2", 1);
}

/* Once the child has them: the test's copies go. */
void
sockets_release(void)
{
	close(handed[0]);
	close(handed[1]);
	handed[0] = handed[1] = -1;
}

/*
 * "timed -f -u nobody extra..." on sockets_hold()'s sockets: no line a
 * client, so a flood writes nothing. Waits until it answers over TCP;
 * returns the port.
 */
unsigned
daemon_up_quiet(int family, const char *const extra[])
{
	const char *argv[16] = { timed_path(), "-f", "-u", "nobody" };
	unsigned char reply[8];
	unsigned port;
	size_t n = 4, i;

	for (i = 0; extra != NULL && extra[i] != NULL && n < 15; i++)
		argv[n++] = extra[i];
	argv[n] = NULL;
	port = sockets_hold(family);
	ck_assert_int_eq(proc_start(&daemon_proc, argv, NULL,
	    sockets_handed_over), 0);
	sockets_release();
	/* Connections wait in the backlog until timed takes the socket. */
	for (i = 0; i < 3; i++) {
		if (tcp_query(family, port, reply, sizeof(reply), 5000) == 4)
			return port;
		proc_wait_exit(&daemon_proc, 20);
		ck_assert_msg(!daemon_proc.exited, "timed ended: %s",
		    daemon_proc.err);
	}
	ck_abort_msg("timed did not answer: %s", daemon_proc.err);
	return 0;
}

/* The teardown of every case that runs a daemon. */
void
daemon_stop(void)
{
	proc_stop(&daemon_proc);
}

/* SIGUSR1's line into *c: 0, or -1 when it is not one. */
int
counters_parse(const char *line, struct counters *c)
{
	const char *at = line != NULL ? strstr(line, "counters: ") : NULL;

	if (at == NULL || sscanf(at, "counters: tcp %llu answered, udp %llu "
	    "answered; dropped: %llu low port, %llu bogus source, %llu over "
	    "source rate, %llu over global rate, %llu without clock, %llu "
	    "before the floor, %llu unsynchronized, %llu not unicast; errors: "
	    "%llu accept, %llu send, %llu recv; %llu log lines lost; up %llu s",
	    &c->tcp, &c->udp, &c->low_port, &c->bogus, &c->source_rate,
	    &c->global_rate, &c->without_clock, &c->before_floor, &c->unsynced,
	    &c->not_unicast, &c->accept_errors, &c->send_errors,
	    &c->recv_errors, &c->log_lost, &c->up) != 15)
		return -1;
	return 0;
}

/* The counters of the daemon in debug mode, asked with SIGUSR1. */
void
counters_read(struct counters *c)
{
	const char *line;
	size_t before = daemon_proc.errlen;

	ck_assert_int_eq(kill(daemon_proc.pid, SIGUSR1), 0);
	/* Waits read on from the signal, or from the line once it began. */
	for (;;) {
		line = strstr(daemon_proc.err + before, "counters: ");
		if (line != NULL && strstr(line, " s\n") != NULL)
			break;
		ck_assert(proc_wait_text_from(&daemon_proc, line != NULL ?
		    (size_t)(line - daemon_proc.err) : before, line != NULL ?
		    " s\n" : "counters: ", 2000));
	}
	ck_assert_msg(counters_parse(line, c) == 0, "%s", line);
}

/*
 * Whether a daemon's stderr said nothing but the warning that it runs as
 * nobody, which the tests' daemons do (it is the user every system has).
 */
int
stderr_quiet(const struct proc *p)
{
	static const char warning[] = "timed: running as nobody, whom other "
	    "daemons share:";
	const char *nl;

	if (p->errlen == 0)
		return 1;
	nl = strchr(p->err, '\n');
	return strncmp(p->err, warning, sizeof(warning) - 1) == 0 &&
	    nl != NULL && nl[1] == '\0';
}
