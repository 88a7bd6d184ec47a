/*
 * The loop: one pselect(2) over the listening sockets with a 1.0 s tick.
 * Signals are blocked except inside pselect, so a SIGTERM that arrives
 * between the check of the flag and the wait still ends the wait.
 */
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/timex.h>

#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "ratelimit.h"
#include "common/rfc868.h"
#include "serve.h"

#define ACCEPT_BATCH	64	/* per wake-up, so one protocol cannot starve */
#define UDP_BATCH	64	/* datagrams a recvmmsg */
#define UDP_ROUNDS	4	/* recvmmsg calls a wake-up */
#define LIMIT_LOGS_PER_MINUTE 10	/* forged sources must not flood syslog */
/* A request's IPV6_PKTINFO, and IP_PKTINFO too on a dual-stack socket. */
#define PKTINFO_SPACE	(CMSG_SPACE(sizeof(struct in6_pktinfo)) + \
			CMSG_SPACE(sizeof(struct in_pktinfo)))

static volatile sig_atomic_t quit_signal;
static volatile sig_atomic_t hangup;
static volatile sig_atomic_t dump_counters;

/* Why this wake-up has no reply: a clock no one should be told. */
enum silence {
	ANSWERING,
	NO_CLOCK,		/* it cannot be read */
	BELOW_FLOOR,		/* it reads before this release */
	UNSYNCED,		/* -S: the kernel says it is not synchronized */
	SILENCES
};

/* What SIGUSR1 reports: every query counted once, by what became of it. */
static struct {
	unsigned long long tcp_answered, udp_answered;
	unsigned long long low_port, bogus_source;	/* UDP, dropped */
	unsigned long long over_source_rate, over_global_rate;
	unsigned long long accept_errors, send_errors, recv_errors;
	unsigned long long silenced[SILENCES];	/* left unanswered, by why */
	unsigned long long not_unicast;		/* UDP to broadcast, multicast */
} count;
static uint64_t started_ms;
static uint64_t now_ms;			/* CLOCK_MONOTONIC, per wake-up */
static uint64_t limit_log_minute;
static int limit_logs;

static sigset_t waitmask;		/* the signals we act on, unblocked */

static enum silence silence, silence_said;
static int require_sync;		/* -S */
static void sync_read(uint64_t);
static int synced = 1;			/* -S: as last read, once a second */
static uint64_t synced_read_ms;
static int monotonic_failure_logged;

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

static void
on_usr1(int sig)
{
	(void)sig;
	dump_counters = 1;
}

/*
 * The monotonic clock in ms, never 0 (the limiter's "unused"). Should it
 * fail, time stands still at its last reading: the limiter then refills
 * nothing, which errs on the safe side. 0 only when it never worked.
 */
static uint64_t
monotonic_ms(void)
{
	static uint64_t last;
	struct timespec now;

	if (clock_gettime(CLOCK_MONOTONIC, &now) == -1) {
		if (!monotonic_failure_logged)
			log_warn("cannot read the monotonic clock");
		monotonic_failure_logged = 1;
		return last;
	}
	monotonic_failure_logged = 0;
	last = (uint64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000 + 1;
	return last;
}

/*
 * Installs the handlers and blocks their signals until pselect waits,
 * starts the uptime clock, and (-S, sync_required) reads whether the
 * clock is synchronized. Called before the sockets open, so a signal
 * sent as soon as the daemon says it listens is held for the loop, not
 * taken by the default action.
 */
void
serve_init(int sync_required)
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
	sa.sa_handler = on_usr1;
	sigaction(SIGUSR1, &sa, NULL);

	sigemptyset(&blocked);
	sigaddset(&blocked, SIGTERM);
	sigaddset(&blocked, SIGINT);
	sigaddset(&blocked, SIGHUP);
	sigaddset(&blocked, SIGUSR1);
	sigprocmask(SIG_BLOCK, &blocked, &waitmask);
	sigdelset(&waitmask, SIGTERM);
	sigdelset(&waitmask, SIGINT);
	sigdelset(&waitmask, SIGHUP);
	sigdelset(&waitmask, SIGUSR1);
	/* The limiter and the pauses cannot work without it. */
	if ((started_ms = monotonic_ms()) == 0)
		fatalx("cannot read the monotonic clock");
	require_sync = sync_required;
	sync_read(started_ms);
}

static void
counters_log(void)
{
	log_info("counters: tcp %llu answered, udp %llu answered; dropped: "
	    "%llu low port, %llu bogus source, %llu over source rate, %llu "
	    "over global rate, %llu without clock, %llu before the floor, "
	    "%llu unsynchronized, %llu not unicast; errors: %llu accept, "
	    "%llu send, %llu recv; %llu log lines lost; up %llu s",
	    count.tcp_answered, count.udp_answered, count.low_port,
	    count.bogus_source, count.over_source_rate, count.over_global_rate,
	    count.silenced[NO_CLOCK], count.silenced[BELOW_FLOOR],
	    count.silenced[UNSYNCED],
	    count.not_unicast, count.accept_errors,
	    count.send_errors, count.recv_errors, log_dropped(),
	    (unsigned long long)(monotonic_ms() - started_ms) / 1000);
}

/*
 * Whether peer may have a reply over socktype, counting a refusal. The
 * first refusal of
 * a source in a minute is logged, ten lines a minute at most in all.
 */
static int
within_limits(int socktype, const struct sockaddr_storage *peer)
{
	char host[ADDR_TEXT_MAX];
	int log;

	switch (limit_take(socktype, (const struct sockaddr *)peer, now_ms,
	    &log)) {
	case LIMIT_OK:
		return 1;
	case LIMIT_GLOBAL:
		count.over_global_rate++;
		return 0;
	case LIMIT_SOURCE:
		count.over_source_rate++;
		break;
	}
	if (now_ms / 60000 != limit_log_minute) {
		limit_log_minute = now_ms / 60000;
		limit_logs = 0;
	}
	if (log && limit_logs++ < LIMIT_LOGS_PER_MINUTE)
		log_info("%s over its rate limit, not answered for now",
		    addr_text((const struct sockaddr *)peer, host,
		    sizeof(host), NULL));
	return 0;
}

/* "2026-11-23 00:00:00 UTC", for the log. */
static const char *
utc_text(time_t t, char *buf, size_t size)
{
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(buf, size, "%Y-%m-%d %H:%M:%S UTC", &tm) == 0)
		snprintf(buf, size, "%lld", (long long)t);
	return buf;
}

/*
 * -S: whether the kernel says the clock is synchronized (as chrony, ntpd
 * and systemd-timesyncd leave it, and timedatectl reads it): ntp_adjtime
 * with no mode only reads. Read at most once a second, on the loop's own
 * wake-ups, never per query. A refusal (a seccomp filter) is not a yes.
 */
static void
sync_read(uint64_t now)
{
	struct timex tx;
	int state;

	if (!require_sync || (synced_read_ms != 0 && now - synced_read_ms <
	    1000))
		return;
	synced_read_ms = now;
	memset(&tx, 0, sizeof(tx));
	if ((state = ntp_adjtime(&tx)) == -1) {
		if (synced)
			log_warn("-S: cannot read whether the clock is "
			    "synchronized, so not answering");
		synced = 0;
		return;
	}
	synced = state != TIME_ERROR && !(tx.status & STA_UNSYNC);
}

/* Says each change of silence once: why it began, and that it ended. */
static void
silence_say(const struct timespec *now)
{
	char reading[64], floor[64];

	if (silence == silence_said)
		return;
	utc_text(now->tv_sec, reading, sizeof(reading));
	utc_text(TIME_FLOOR, floor, sizeof(floor));
	switch (silence) {
	case ANSWERING:
		log_info("answering again: the clock reads %s", reading);
		break;
	case NO_CLOCK:
		log_warn("cannot read the clock, not answering");
		break;
	case BELOW_FLOOR:
		log_warnx("the clock reads %s, before %s (this release): not "
		    "answering until it is set", reading, floor);
		break;
	case UNSYNCED:
		log_warnx("the kernel says the clock is not synchronized: not "
		    "answering until it is (-S)");
		break;
	case SILENCES:		/* a count, not a state */
		break;
	}
	silence_said = silence;
}

/*
 * The reply for this wake-up. clock_gettime, not time(3): its failure is
 * distinct from a value. RFC 868's way to say "I do not know the time" is
 * to send nothing, never a 0 that clients would read as 2036: so without a
 * clock, with a clock before this release (a board without a battery
 * boots to 1970, and every client would follow it), and with -S while the
 * clock is not synchronized, timed stays silent.
 */
static int
reply_now(unsigned char reply[RFC868_SIZE])
{
	struct timespec now = { 0, 0 };

	if (clock_gettime(CLOCK_REALTIME, &now) == -1)
		silence = NO_CLOCK;
	else if (now.tv_sec < TIME_FLOOR)
		silence = BELOW_FLOOR;
	else if (!synced)
		silence = UNSYNCED;
	else
		silence = ANSWERING;
	silence_say(&now);
	if (silence != ANSWERING)
		return -1;
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
 * A fault that leaves a socket readable (accept out of descriptors or
 * buffers, an error recvmmsg keeps returning): stop watching it for a
 * second rather than spin, and say so once until it works again. errno is
 * the fault's.
 */
static void
listener_pause(struct listener *l, const char *what)
{
	if (!l->fault_logged)
		log_warn("%s on %s, pausing for a second", what, l->name);
	l->fault_logged = 1;
	l->resume_ms = monotonic_ms() + 1000;
}

/* 4 bytes fit any new socket's send buffer: no partial write. */
static void
reply_tcp(int fd, const unsigned char *reply)
{
	if (send(fd, reply, RFC868_SIZE, MSG_NOSIGNAL) == RFC868_SIZE)
		count.tcp_answered++;
	else {
		count.send_errors++;
		log_debug("tcp send: %s", strerror(errno));
	}
}

/*
 * A connection is answered, or closed without a byte: without a clock
 * (taking nothing from its source's allowance), or over its rate. The
 * clock is read once the connection is accepted, never before its client
 * asked: a client that times its queries (timeclient -x) relies on it.
 */
static void
serve_tcp(struct listener *l)
{
	unsigned char reply[RFC868_SIZE];
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
				continue;
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
				count.accept_errors++;
				continue;
			default:	/* EMFILE, ENFILE, ENOBUFS, ENOMEM */
				count.accept_errors++;
				listener_pause(l, "accept");
				return;
			}
		}
		l->fault_logged = 0;
		log_peer("tcp", &peer);
		if (reply_now(reply) == -1)
			count.silenced[silence]++;
		else if (within_limits(SOCK_STREAM, &peer))
			reply_tcp(fd, reply);
		close(fd);
	}
}

/*
 * Where a request was sent, from the IPV6_PKTINFO or IP_PKTINFO the socket
 * adds (listen.c asks for them), into *dst; the local address the kernel
 * would answer from, for IPv4, into *local. Returns 0, or -1 when it is not
 * known: the socket gave neither, or gave zeros, as it does for a datagram
 * queued before the option was set (inetd and systemd hand over a socket
 * that holds the request that woke them).
 */
static int
request_destination(struct msghdr *msg, struct sockaddr_storage *dst,
    unsigned *ifindex, struct in_addr *local, int *have_local)
{
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)dst;
	struct sockaddr_in *sin = (struct sockaddr_in *)dst;
	struct in6_pktinfo pi6;
	struct in_pktinfo pi;
	struct cmsghdr *c;
	int found = 0;

	*have_local = 0;
	for (c = CMSG_FIRSTHDR(msg); c != NULL; c = CMSG_NXTHDR(msg, c)) {
		if (c->cmsg_level == IPPROTO_IPV6 &&
		    c->cmsg_type == IPV6_PKTINFO) {
			memcpy(&pi6, CMSG_DATA(c), sizeof(pi6));
			memset(sin6, 0, sizeof(*sin6));
			sin6->sin6_family = AF_INET6;
			sin6->sin6_addr = pi6.ipi6_addr;
			*ifindex = pi6.ipi6_ifindex;
			found = 1;
		} else if (c->cmsg_level == IPPROTO_IP &&
		    c->cmsg_type == IP_PKTINFO) {
			memcpy(&pi, CMSG_DATA(c), sizeof(pi));
			*local = pi.ipi_spec_dst;
			*have_local = 1;
			if (found)	/* a dual-stack socket's IPv4 client */
				continue;
			memset(sin, 0, sizeof(*sin));
			sin->sin_family = AF_INET;
			sin->sin_addr = pi.ipi_addr;
			*ifindex = 0;
			found = 1;
		}
	}
	if (!found || (dst->ss_family == AF_INET6 ?
	    IN6_IS_ADDR_UNSPECIFIED(&sin6->sin6_addr) ||
	    (IN6_IS_ADDR_V4MAPPED(&sin6->sin6_addr) &&
	    sin6->sin6_addr.s6_addr32[3] == 0) :
	    sin->sin_addr.s_addr == INADDR_ANY))
		return -1;
	if (*have_local && local->s_addr == INADDR_ANY)
		*have_local = 0;
	return 0;
}

/*
 * The control message that makes a reply leave from the address its
 * request was sent to: on a host with several addresses the kernel would
 * otherwise pick one by the route back, and clients that check (rdate -u,
 * a connected socket) would wait for ever. The interface is named only for
 * a link-local address, which needs it. Returns the control's length.
 */
static size_t
reply_source(const struct sockaddr_storage *dst, unsigned ifindex,
    void *control)
{
	const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)dst;
	const struct sockaddr_in *sin = (const struct sockaddr_in *)dst;
	struct cmsghdr *c = control;
	struct in6_pktinfo pi6;
	struct in_pktinfo pi;

	if (dst->ss_family == AF_INET) {
		memset(&pi, 0, sizeof(pi));
		pi.ipi_spec_dst = sin->sin_addr;
		c->cmsg_level = IPPROTO_IP;
		c->cmsg_type = IP_PKTINFO;
		c->cmsg_len = CMSG_LEN(sizeof(pi));
		memcpy(CMSG_DATA(c), &pi, sizeof(pi));
		return CMSG_SPACE(sizeof(pi));
	}
	memset(&pi6, 0, sizeof(pi6));
	pi6.ipi6_addr = sin6->sin6_addr;
	if (IN6_IS_ADDR_LINKLOCAL(&pi6.ipi6_addr))
		pi6.ipi6_ifindex = ifindex;
	c->cmsg_level = IPPROTO_IPV6;
	c->cmsg_type = IPV6_PKTINFO;
	c->cmsg_len = CMSG_LEN(sizeof(pi6));
	memcpy(CMSG_DATA(c), &pi6, sizeof(pi6));
	return CMSG_SPACE(sizeof(pi6));
}

/*
 * Sends the batch's replies; sendmmsg stops at the first that fails, which
 * is counted and skipped.
 */
static void
send_replies(int fd, struct mmsghdr *out, int n)
{
	int done = 0, sent;

	while (done < n) {
		sent = sendmmsg(fd, out + done, n - done, 0);
		if (sent == -1) {
			if (errno == EINTR)
				continue;
			/* A full buffer (EAGAIN, ENOBUFS) loses one reply. */
			count.send_errors++;
			log_debug("udp sendmmsg: %s", strerror(errno));
			done++;
			continue;
		}
		count.udp_answered += sent;
		done += sent;
	}
}

/*
 * Whether a request from peer, sent to dst (NULL: not known) deserves a
 * reply, counting why not. local: see destination_unicast().
 */
static int
udp_answerable(const struct listener *l, const struct sockaddr_storage *peer,
    const struct sockaddr_storage *dst, const struct in_addr *local,
    int clock_ok)
{
	switch (source_check((const struct sockaddr *)peer, l->dual_stack)) {
	case SOURCE_LOW_PORT:
		count.low_port++;
		return 0;
	case SOURCE_BOGUS:
		count.bogus_source++;
		return 0;
	case SOURCE_OK:
		break;
	}
	if (dst != NULL && !destination_unicast((const struct sockaddr *)dst,
	    local)) {
		count.not_unicast++;
		return 0;
	}
	if (!clock_ok) {
		count.silenced[silence]++;
		return 0;
	}
	return within_limits(SOCK_DGRAM, peer);
}

/*
 * Datagrams in batches: one recvmmsg and one sendmmsg for up to UDP_BATCH
 * requests, a few batches a wake-up so TCP is not starved. The content is
 * ignored, so every request lands in one small buffer. The headers are set
 * up once; a round resets only what recvmmsg overwrote.
 */
static void
serve_udp(struct listener *l)
{
	static struct mmsghdr in[UDP_BATCH], out[UDP_BATCH];
	static struct sockaddr_storage peers[UDP_BATCH];
	/* size_t: a cmsghdr's alignment; CMSG_SPACE is a multiple of it. */
	static size_t in_control[UDP_BATCH][PKTINFO_SPACE / sizeof(size_t)];
	static size_t out_control[UDP_BATCH][PKTINFO_SPACE / sizeof(size_t)];
	static unsigned char request[64];
	static struct iovec request_iov = { request, sizeof(request) };
	static unsigned char reply[RFC868_SIZE];
	static struct iovec reply_iov = { reply, sizeof(reply) };
	static int ready;
	struct sockaddr_storage dst;
	struct in_addr local;
	unsigned ifindex = 0;
	int i, n, nout, round, have_dst, have_local, clock_ok;

	if (!ready) {
		for (i = 0; i < UDP_BATCH; i++) {
			in[i].msg_hdr.msg_name = &peers[i];
			in[i].msg_hdr.msg_iov = &request_iov;
			in[i].msg_hdr.msg_iovlen = 1;
			in[i].msg_hdr.msg_control = in_control[i];
			out[i].msg_hdr.msg_iov = &reply_iov;
			out[i].msg_hdr.msg_iovlen = 1;
			out[i].msg_hdr.msg_control = out_control[i];
		}
		ready = 1;
	}
	for (round = 0; round < UDP_ROUNDS; round++) {
		for (i = 0; i < UDP_BATCH; i++) {
			in[i].msg_hdr.msg_namelen = sizeof(peers[i]);
			in[i].msg_hdr.msg_controllen = sizeof(in_control[i]);
		}
		n = recvmmsg(l->fd, in, UDP_BATCH, MSG_DONTWAIT, NULL);
		if (n == -1) {
			if (errno == EAGAIN)
				return;
			if (errno == EINTR)
				continue;
			count.recv_errors++;
			/* An ICMP error of an earlier reply: passes. */
			if (errno != ECONNREFUSED)
				listener_pause(l, "recvmmsg");
			return;
		}
		l->fault_logged = 0;
		/* Read after the batch came: after every request in it. */
		clock_ok = reply_now(reply) == 0;
		for (i = nout = 0; i < n; i++) {
			log_peer("udp", &peers[i]);
			have_dst = request_destination(&in[i].msg_hdr, &dst,
			    &ifindex, &local, &have_local) == 0;
			if (!udp_answerable(l, &peers[i], have_dst ? &dst : NULL,
			    have_local ? &local : NULL, clock_ok))
				continue;
			out[nout].msg_hdr.msg_name = &peers[i];
			out[nout].msg_hdr.msg_namelen = in[i].msg_hdr.msg_namelen;
			out[nout].msg_hdr.msg_controllen = have_dst ?
			    reply_source(&dst, ifindex, out_control[nout]) : 0;
			nout++;
		}
		send_replies(l->fd, out, nout);
		if (n < UDP_BATCH)
			return;		/* the queue is empty */
	}
}

/*
 * Serves until SIGTERM or SIGINT; or, with idle_exit (inetd's "wait"), once
 * that many seconds passed with nothing to do.
 */
void
serve(struct listener *listeners, size_t n, int idle_exit)
{
	unsigned char reply[RFC868_SIZE];
	struct timespec tick;
	fd_set readable;
	size_t i;
	int maxfd, ready, idle = 0;

	while (!quit_signal) {
		if (hangup) {
			hangup = 0;
			log_info("SIGHUP: nothing to reload");
		}
		if (dump_counters) {
			dump_counters = 0;
			counters_log();
		}
		FD_ZERO(&readable);
		maxfd = -1;
		for (i = 0; i < n; i++) {
			if (listeners[i].resume_ms != 0) {	/* paused */
				if (monotonic_ms() < listeners[i].resume_ms)
					continue;
				listeners[i].resume_ms = 0;
			}
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
		now_ms = monotonic_ms();
		sync_read(now_ms);
		if (ready == 0) {
			log_debug("still waiting");
			/* A change of the clock's state is said even when idle. */
			reply_now(reply);
			if (idle_exit > 0 && ++idle >= idle_exit) {
				log_debug("idle for %d s, exiting", idle);
				return;
			}
			continue;
		}
		idle = 0;
		for (i = 0; i < n; i++) {
			if (!FD_ISSET(listeners[i].fd, &readable))
				continue;
			if (listeners[i].socktype == SOCK_STREAM)
				serve_tcp(&listeners[i]);
			else
				serve_udp(&listeners[i]);
		}
	}
	log_info("exiting on signal %d", (int)quit_signal);
}

/* inetd's "nowait": one connection, already accepted, on fd. */
int
serve_connection(int fd)
{
	unsigned char reply[RFC868_SIZE];

	if (reply_now(reply) == -1)
		return 1;
	reply_tcp(fd, reply);
	return count.tcp_answered == 1 ? 0 : 1;
}
