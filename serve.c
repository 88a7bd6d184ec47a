/*
 * The loop: one pselect(2) over the listening sockets with a 1.0 s tick.
 * Signals are blocked except inside pselect, so a SIGTERM that arrives
 * between the check of the flag and the wait still ends the wait.
 */
#include <sys/select.h>
#include <sys/socket.h>

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "rfc868.h"
#include "timed.h"

#define ACCEPT_BATCH	64	/* per wake-up, so one protocol cannot starve */
#define UDP_BATCH	64	/* the other */

static volatile sig_atomic_t quit_signal;
static volatile sig_atomic_t hangup;

static sigset_t waitmask;		/* the signals we act on, unblocked */

static int accept_paused;		/* out of descriptors or memory */
static struct timespec accept_resume;	/* CLOCK_MONOTONIC */
static int accept_pause_logged;
static int clock_failure_logged;

static void
on_quit(int sig)
{
	quit_signal = sig;
}

static void
on_hangup(int sig)
{
	(void)sig;
	hangup = 1;
}

/*
 * Installs the handlers and blocks their signals until pselect waits. Called
 * before the sockets open, so a signal sent as soon as the daemon says it
 * listens is held for the loop, not taken by the default action.
 */
void
serve_signals(void)
{
	struct sigaction sa;
	sigset_t blocked;

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = SIG_IGN;	/* a vanished client is not fatal */
	sigaction(SIGPIPE, &sa, NULL);
	sa.sa_handler = on_quit;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = on_hangup;
	sigaction(SIGHUP, &sa, NULL);

	sigemptyset(&blocked);
	sigaddset(&blocked, SIGTERM);
	sigaddset(&blocked, SIGINT);
	sigaddset(&blocked, SIGHUP);
	sigprocmask(SIG_BLOCK, &blocked, &waitmask);
	sigdelset(&waitmask, SIGTERM);
	sigdelset(&waitmask, SIGINT);
	sigdelset(&waitmask, SIGHUP);
}

/*
 * The reply for this wake-up. clock_gettime, not time(3): its failure is
 * distinct from a value. RFC 868: a server that cannot tell the time sends
 * nothing, never a 0 that clients would read as 2036.
 */
static int
reply_now(unsigned char reply[RFC868_SIZE])
{
	struct timespec now;

	if (clock_gettime(CLOCK_REALTIME, &now) == -1) {
		if (!clock_failure_logged)
			log_warn("cannot read the clock, not answering");
		clock_failure_logged = 1;
		return -1;
	}
	clock_failure_logged = 0;
	rfc868_pack(rfc868_from_unix(now.tv_sec), reply);
	return 0;
}

static void
log_peer(const char *proto, const struct sockaddr_storage *peer)
{
	char host[ADDR_TEXT_MAX];
	unsigned port;

	if (!log_debug_enabled())
		return;
	addr_text((const struct sockaddr *)peer, host, sizeof(host), &port);
	log_debug("%s from %s port %u", proto, host, port);
}

/*
 * Out of descriptors or buffers: the listening socket stays readable, so
 * stop watching it until a second has passed rather than spin on accept.
 */
static void
accept_pause(const struct listener *l)
{
	if (!accept_pause_logged)
		log_warn("accept on %s, pausing for a second", l->name);
	accept_pause_logged = 1;
	accept_paused = 1;
	clock_gettime(CLOCK_MONOTONIC, &accept_resume);
	accept_resume.tv_sec += 1;
}

static void
accept_pause_check(void)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	if (now.tv_sec > accept_resume.tv_sec ||
	    (now.tv_sec == accept_resume.tv_sec &&
	    now.tv_nsec >= accept_resume.tv_nsec))
		accept_paused = 0;
}

static void
serve_tcp(const struct listener *l, const unsigned char *reply)
{
	struct sockaddr_storage peer;
	socklen_t peerlen;
	int i, fd;

	for (i = 0; i < ACCEPT_BATCH; i++) {
		peerlen = sizeof(peer);
		fd = accept4(l->fd, (struct sockaddr *)&peer, &peerlen,
		    SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd == -1) {
			switch (errno) {
			case EAGAIN:
				return;
			/* Gone before we took it, or its network is. */
			case EINTR:
			case ECONNABORTED:
			case EPROTO:
			case EPERM:
			case ENETDOWN:
			case ENOPROTOOPT:
			case EHOSTDOWN:
			case ENONET:
			case EHOSTUNREACH:
			case EOPNOTSUPP:
			case ENETUNREACH:
				continue;
			default:	/* EMFILE, ENFILE, ENOBUFS, ENOMEM */
				accept_pause(l);
				return;
			}
		}
		accept_pause_logged = 0;
		log_peer("tcp", &peer);
		/* 4 bytes fit any new socket's send buffer: no partial write. */
		if (reply != NULL && send(fd, reply, RFC868_SIZE,
		    MSG_NOSIGNAL) != RFC868_SIZE)
			log_debug("tcp send: %s", strerror(errno));
		close(fd);
	}
}

static void
serve_udp(const struct listener *l, const unsigned char *reply)
{
	struct sockaddr_storage peer;
	socklen_t peerlen;
	unsigned char request[64];	/* any content, any size, is a query */
	int i;

	for (i = 0; i < UDP_BATCH; i++) {
		peerlen = sizeof(peer);
		if (recvfrom(l->fd, request, sizeof(request), 0,
		    (struct sockaddr *)&peer, &peerlen) == -1) {
			if (errno == EAGAIN)
				return;
			if (errno == EINTR || errno == ECONNREFUSED)
				continue;
			log_warn("recvfrom on %s", l->name);
			return;
		}
		log_peer("udp", &peer);
		/* A full buffer (EAGAIN, ENOBUFS) loses this reply, not the loop. */
		if (reply != NULL && sendto(l->fd, reply, RFC868_SIZE, 0,
		    (struct sockaddr *)&peer, peerlen) == -1)
			log_debug("udp sendto: %s", strerror(errno));
	}
}

void
serve(struct listener *listeners, size_t n)
{
	unsigned char reply[RFC868_SIZE];
	struct timespec tick;
	fd_set readable;
	size_t i;
	int maxfd, ready, have_reply;

	while (!quit_signal) {
		if (hangup) {
			hangup = 0;
			log_info("SIGHUP: nothing to reload");
		}
		if (accept_paused)
			accept_pause_check();
		FD_ZERO(&readable);
		maxfd = -1;
		for (i = 0; i < n; i++) {
			if (accept_paused && listeners[i].socktype == SOCK_STREAM)
				continue;
			FD_SET(listeners[i].fd, &readable);
			if (listeners[i].fd > maxfd)
				maxfd = listeners[i].fd;
		}
		tick.tv_sec = 1;
		tick.tv_nsec = 0;
		ready = pselect(maxfd + 1, &readable, NULL, NULL, &tick,
		    &waitmask);
		if (ready == -1) {
			if (errno == EINTR)
				continue;
			fatal("pselect");
		}
		if (ready == 0) {
			log_debug("still waiting");
			continue;
		}
		have_reply = reply_now(reply) == 0;
		for (i = 0; i < n; i++) {
			if (!FD_ISSET(listeners[i].fd, &readable))
				continue;
			if (listeners[i].socktype == SOCK_STREAM)
				serve_tcp(&listeners[i],
				    have_reply ? reply : NULL);
			else
				serve_udp(&listeners[i],
				    have_reply ? reply : NULL);
		}
	}
	log_info("exiting on signal %d", (int)quit_signal);
}
