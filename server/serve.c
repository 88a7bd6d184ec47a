/*
 * The loop: one pselect(2) over the listening sockets with a 1.0 s tick.
 * Signals are blocked except inside pselect, so a SIGTERM that arrives
 * between the check of the flag and the wait still ends the wait. But
 * pselect lets a pending signal in only when it waits: with a socket
 * ready at once it returns and restores the mask, the handler never run.
 * So a pass that found work takes what is pending itself (signals_take()),
 * and a socket that never empties cannot keep SIGTERM out.
 */
#include <sys/select.h>
#include <sys/socket.h>

#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../common/platform.h"
#include "../common/rfc868.h"
#include "../common/utc.h"
#include "fitness.h"
#include "log.h"
#include "ratelimit.h"
#include "serve.h"

#define ACCEPT_BATCH	64	/* per wake-up, so one protocol cannot starve */
#define UDP_BATCH	64	/* datagrams a recvmmsg */
#define UDP_ROUNDS	4	/* recvmmsg calls a wake-up */
/* A request's IPV6_PKTINFO, and IP_PKTINFO too on a dual-stack socket. */
#define PKTINFO_SPACE	(CMSG_SPACE(sizeof(struct in6_pktinfo)) + \
			CMSG_SPACE(sizeof(struct in_pktinfo)))

static volatile sig_atomic_t quit_signal;
static volatile sig_atomic_t hangup;
static volatile sig_atomic_t dump_counters;
static sigset_t waitmask;		/* the signals we act on, unblocked */
static sigset_t acted_on;		/* those signals */
/* The ports timed serves UDP on: a request from one is its own reply. */
static unsigned udp_ports[LISTEN_MAX];
static size_t udp_nports;

/* What SIGUSR1 reports: every query counted once, by what became of it. */
static struct {
	unsigned long long tcp_answered, udp_answered;
	unsigned long long low_port, bogus_source;	/* UDP, dropped */
	unsigned long long over_source_rate, over_global_rate;
	unsigned long long accept_errors, send_errors, recv_errors;
	unsigned long long silenced[CLOCK_VERDICTS];	/* unanswered, by why */
	unsigned long long not_unicast;		/* UDP to broadcast, multicast */
} count;

/* The loop's own clock. */
static struct {
	uint64_t started_ms;
	uint64_t now_ms;		/* CLOCK_MONOTONIC, per wake-up */
	uint64_t last_ms;		/* the last reading that worked */
	int failure_logged;		/* the monotonic clock's */
} loop;

/* The wall clock's fitness as the loop knows it. */
static struct {
	int sync_required;		/* -S */
	int synced;			/* the kernel's state, as last read */
	uint64_t synced_read_ms;
	enum fitness said;		/* the verdict last announced */
} wall;

/*
 * One recvmmsg's worth of datagrams, and the replies to them: the headers
 * are set up once (udp_batch_init), and a round resets only what recvmmsg
 * overwrote. The content of a request is ignored, so every one lands in
 * one small buffer.
 */
static struct {
	struct mmsghdr in[UDP_BATCH], out[UDP_BATCH];
	struct sockaddr_storage peers[UDP_BATCH];
	/* size_t: a cmsghdr's alignment; CMSG_SPACE is a multiple of it. */
	size_t in_control[UDP_BATCH][PKTINFO_SPACE / sizeof(size_t)];
	size_t out_control[UDP_BATCH][PKTINFO_SPACE / sizeof(size_t)];
	unsigned char request[64];
	struct iovec request_iov;
	unsigned char reply[RFC868_SIZE];
	struct iovec reply_iov;
} batch;

/* Where a request was sent, from the control messages that came with it. */
struct destination {
	struct sockaddr_storage addr;
	unsigned ifindex;		/* IPv6: the interface it came in on */
	struct in_addr local;		/* IPv4: the address to answer from */
	int have_local;
};

/* The handler of every signal the loop acts on; it only sets a flag. */
static void
on_signal(int sig)
{
	switch (sig) {
	case SIGTERM:
	case SIGINT:
		quit_signal = sig;
		break;
	case SIGHUP:
		hangup = 1;
		break;
	case SIGUSR1:
		dump_counters = 1;
		break;
	}
}

/*
 * The signals pending, taken without waiting (see the top of the file):
 * one system call a busy pass, none when pselect waited.
 */
static void
signals_take(void)
{
	static const struct timespec now = { 0, 0 };
	int sig;

	while ((sig = sigtimedwait(&acted_on, NULL, &now)) > 0)
		on_signal(sig);
}

/*
 * The monotonic clock in ms, never 0 (the limiter's "unused"). Should it
 * fail, time stands still at its last reading: the limiter then refills
 * nothing, which errs on the safe side. 0 only when it never worked.
 */
static uint64_t
monotonic_ms(void)
{
	struct timespec now;

	if (clock_gettime(CLOCK_MONOTONIC, &now) == -1) {
		if (!loop.failure_logged)
			log_warn("cannot read the monotonic clock");
		loop.failure_logged = 1;
		return loop.last_ms;
	}
	loop.failure_logged = 0;
	loop.last_ms = (uint64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000 + 1;
	return loop.last_ms;
}

static void udp_batch_init(void);
static void sync_read(uint64_t);

/*
 * Starts the uptime clock, and (-S, sync_required) reads whether the
 * clock is synchronized. A vanished client is not fatal (SIGPIPE).
 */
void
serve_init(int sync_required)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	/* The limiter and the pauses cannot work without it. */
	if ((loop.started_ms = monotonic_ms()) == 0)
		fatalx("cannot read the monotonic clock");
	wall.sync_required = sync_required;
	wall.synced = 1;
	sync_read(loop.started_ms);
	udp_batch_init();
}

/*
 * Installs the handlers and blocks their signals until pselect waits.
 * Called once the sockets are open, before the daemon says it listens,
 * so a signal sent as soon as it says so is held for the loop, not taken
 * by the default action; and not before, so that Ctrl-C or SIGTERM ends
 * a start that waits on the resolver (-l NAME) at once.
 */
void
serve_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);

	sigemptyset(&acted_on);
	sigaddset(&acted_on, SIGTERM);
	sigaddset(&acted_on, SIGINT);
	sigaddset(&acted_on, SIGHUP);
	sigaddset(&acted_on, SIGUSR1);
	sigprocmask(SIG_BLOCK, &acted_on, &waitmask);
	sigdelset(&waitmask, SIGTERM);
	sigdelset(&waitmask, SIGINT);
	sigdelset(&waitmask, SIGHUP);
	sigdelset(&waitmask, SIGUSR1);
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
	    count.silenced[CLOCK_UNREADABLE], count.silenced[CLOCK_BEFORE_FLOOR],
	    count.silenced[CLOCK_UNSYNCED],
	    count.not_unicast, count.accept_errors,
	    count.send_errors, count.recv_errors, log_dropped(),
	    (unsigned long long)(monotonic_ms() - loop.started_ms) / 1000);
}

/*
 * Whether peer may have a reply over socktype, counting a refusal, and
 * logging one when the limiter says so.
 */
static int
within_limits(int socktype, const struct sockaddr_storage *peer)
{
	char host[ADDR_TEXT_MAX];
	int log;

	switch (limit_take(socktype, (const struct sockaddr *)peer, loop.now_ms,
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
	if (log)
		log_info("%s over its rate limit, not answered for now",
		    addr_text_numeric((const struct sockaddr *)peer, host,
		    sizeof(host), NULL));
	return 0;
}

/*
 * -S: the kernel's word on the clock (common/platform.c), read at most
 * once a second, on the loop's own wake-ups, never per query. A refusal
 * (a seccomp filter, a sandbox) is not a yes.
 */
static void
sync_read(uint64_t now)
{
	int synced;

	if (!wall.sync_required || (wall.synced_read_ms != 0 &&
	    now - wall.synced_read_ms < 1000))
		return;
	wall.synced_read_ms = now;
	if ((synced = platform_clock_synced()) == -1) {
		if (wall.synced)
			log_warn("-S: cannot read whether the clock is "
			    "synchronized, so not answering");
		synced = 0;
	}
	wall.synced = synced;
}

/*
 * Reads the wall clock and judges it (fitness.c). clock_gettime, not
 * time(3): its failure is distinct from a value, and time(3) lags the
 * precise clock by up to a tick.
 */
static enum fitness
clock_judge(struct clock_reading *r)
{
	r->readable = clock_gettime(CLOCK_REALTIME, &r->now) == 0;
	r->sync_required = wall.sync_required;
	r->synced = wall.synced;
	return fitness_verdict(r, TIME_FLOOR);
}

/* Says each change of verdict once: why silence began, and that it ended. */
static void
verdict_announce(enum fitness verdict, const struct clock_reading *r)
{
	char reading[64], floor[64];

	if (verdict == wall.said)
		return;
	wall.said = verdict;
	utc_text(r->now.tv_sec, UTC_SECONDS, reading, sizeof(reading));
	utc_text(TIME_FLOOR, UTC_SECONDS, floor, sizeof(floor));
	switch (verdict) {
	case CLOCK_FIT:
		log_info("answering again: the clock reads %s", reading);
		break;
	case CLOCK_UNREADABLE:
		log_warnx("cannot read the clock, not answering");
		break;
	case CLOCK_BEFORE_FLOOR:
		log_warnx("the clock reads %s, before %s (this release): not "
		    "answering until it is set", reading, floor);
		break;
	case CLOCK_UNSYNCED:
		log_warnx("the kernel says the clock is not synchronized: not "
		    "answering until it is (-S)");
		break;
	case CLOCK_VERDICTS:		/* a count, not a verdict */
		break;
	}
}

/* The clock after a request came: its verdict, said if it changed. */
static enum fitness
clock_now(unsigned char reply[RFC868_SIZE])
{
	struct clock_reading r;
	enum fitness verdict = clock_judge(&r);

	verdict_announce(verdict, &r);
	if (verdict == CLOCK_FIT)
		rfc868_pack(rfc868_from_unix(r.now.tv_sec), reply);
	return verdict;
}

static void
log_peer(const char *proto, const struct sockaddr_storage *peer)
{
	char host[ADDR_TEXT_MAX];
	unsigned port;

	if (!log_debug_enabled())
		return;
	addr_text_numeric((const struct sockaddr *)peer, host, sizeof(host),
	    &port);
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
 * An accepted connection, under the verdict on the clock read once it was
 * accepted: answered, or closed without a byte, without a clock (taking
 * nothing from its source's allowance) or over its rate.
 */
static void
tcp_answer(int fd, const struct sockaddr_storage *peer, enum fitness verdict,
    const unsigned char *reply)
{
	if (verdict != CLOCK_FIT)
		count.silenced[verdict]++;
	else if (within_limits(SOCK_STREAM, peer))
		reply_tcp(fd, reply);
	close(fd);
}

/*
 * Accepts what is waiting. The clock is read once a connection is
 * accepted, never before its client asked: a client that times its
 * queries (timeclient -x) relies on it.
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
		tcp_answer(fd, &peer, clock_now(reply), reply);
	}
}

/*
 * Where a request was sent, from the IPV6_PKTINFO or IP_PKTINFO the socket
 * adds (listen.c asks for them); for IPv4 also the local address the
 * kernel would answer from. Returns 0, or -1 when it is not known: the
 * socket gave neither, or gave zeros, as it does for a datagram queued
 * before the option was set (inetd and systemd hand over a socket that
 * holds the request that woke them).
 */
static int
request_destination(struct msghdr *msg, struct destination *d)
{
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&d->addr;
	struct sockaddr_in *sin = (struct sockaddr_in *)&d->addr;
	struct in6_pktinfo pi6;
	struct in_pktinfo pi;
	struct cmsghdr *c;
	uint32_t a;
	int found = 0;

	d->have_local = 0;
	for (c = CMSG_FIRSTHDR(msg); c != NULL; c = CMSG_NXTHDR(msg, c)) {
		if (c->cmsg_level == IPPROTO_IPV6 &&
		    c->cmsg_type == IPV6_PKTINFO) {
			memcpy(&pi6, CMSG_DATA(c), sizeof(pi6));
			memset(sin6, 0, sizeof(*sin6));
			sin6->sin6_family = AF_INET6;
			sin6->sin6_addr = pi6.ipi6_addr;
			d->ifindex = pi6.ipi6_ifindex;
			found = 1;
		} else if (c->cmsg_level == IPPROTO_IP &&
		    c->cmsg_type == IP_PKTINFO) {
			memcpy(&pi, CMSG_DATA(c), sizeof(pi));
			d->local = pi.ipi_spec_dst;
			d->have_local = d->local.s_addr != INADDR_ANY;
			if (found)	/* a dual-stack socket's IPv4 client */
				continue;
			memset(sin, 0, sizeof(*sin));
			sin->sin_family = AF_INET;
			sin->sin_addr = pi.ipi_addr;
			d->ifindex = 0;
			found = 1;
		}
	}
	if (!found)
		return -1;
	if (addr_ipv4((struct sockaddr *)&d->addr, &a))
		return a == INADDR_ANY ? -1 : 0;
	return IN6_IS_ADDR_UNSPECIFIED(&sin6->sin6_addr) ? -1 : 0;
}

/*
 * The control message that makes a reply leave from the address its
 * request was sent to: on a host with several addresses the kernel would
 * otherwise pick one by the route back, and clients that check (rdate -u,
 * a connected socket) would wait for ever. The interface is named only for
 * a link-local address, which needs it. Returns the control's length.
 */
static size_t
reply_source(const struct destination *dst, void *control)
{
	const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)&dst->addr;
	const struct sockaddr_in *sin = (const struct sockaddr_in *)&dst->addr;
	struct cmsghdr *c = control;
	struct in6_pktinfo pi6;
	struct in_pktinfo pi;

	if (dst->addr.ss_family == AF_INET) {
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
		pi6.ipi6_ifindex = dst->ifindex;
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
 * Whether a request from peer, sent to dst (NULL: not known), deserves a
 * reply under verdict, counting why not.
 */
static int
udp_answerable(const struct listener *l, const struct sockaddr_storage *peer,
    const struct destination *dst, enum fitness verdict)
{
	switch (source_check((const struct sockaddr *)peer, l->dual_stack,
	    udp_ports, udp_nports)) {
	case SOURCE_LOW_PORT:
		count.low_port++;
		return 0;
	case SOURCE_OWN_PORT:		/* no client has it either */
	case SOURCE_BOGUS:
		count.bogus_source++;
		return 0;
	case SOURCE_OK:
		break;
	}
	if (dst != NULL && !destination_unicast((const struct sockaddr *)
	    &dst->addr, dst->have_local ? &dst->local : NULL)) {
		count.not_unicast++;
		return 0;
	}
	if (verdict != CLOCK_FIT) {
		count.silenced[verdict]++;
		return 0;
	}
	return within_limits(SOCK_DGRAM, peer);
}

/* The headers of the batch, set up once. */
static void
udp_batch_init(void)
{
	int i;

	batch.request_iov.iov_base = batch.request;
	batch.request_iov.iov_len = sizeof(batch.request);
	batch.reply_iov.iov_base = batch.reply;
	batch.reply_iov.iov_len = sizeof(batch.reply);
	for (i = 0; i < UDP_BATCH; i++) {
		batch.in[i].msg_hdr.msg_name = &batch.peers[i];
		batch.in[i].msg_hdr.msg_iov = &batch.request_iov;
		batch.in[i].msg_hdr.msg_iovlen = 1;
		batch.in[i].msg_hdr.msg_control = batch.in_control[i];
		batch.out[i].msg_hdr.msg_iov = &batch.reply_iov;
		batch.out[i].msg_hdr.msg_iovlen = 1;
		batch.out[i].msg_hdr.msg_control = batch.out_control[i];
	}
}

/* The n requests of the batch, under verdict: the replies they deserve. */
static void
udp_answer_batch(struct listener *l, int n, enum fitness verdict)
{
	struct destination dst;
	int i, nout, have_dst;

	for (i = nout = 0; i < n; i++) {
		log_peer("udp", &batch.peers[i]);
		have_dst = request_destination(&batch.in[i].msg_hdr, &dst) == 0;
		if (!udp_answerable(l, &batch.peers[i], have_dst ? &dst : NULL,
		    verdict))
			continue;
		batch.out[nout].msg_hdr.msg_name = &batch.peers[i];
		batch.out[nout].msg_hdr.msg_namelen =
		    batch.in[i].msg_hdr.msg_namelen;
		batch.out[nout].msg_hdr.msg_controllen = have_dst ?
		    reply_source(&dst, batch.out_control[nout]) : 0;
		nout++;
	}
	send_replies(l->fd, batch.out, nout);
}

/*
 * Datagrams in batches: one recvmmsg and one sendmmsg for up to UDP_BATCH
 * requests, a few batches a wake-up so TCP is not starved. The clock is
 * read after each batch came: after every request in it.
 */
static void
serve_udp(struct listener *l)
{
	int i, n, round;

	for (round = 0; round < UDP_ROUNDS; round++) {
		for (i = 0; i < UDP_BATCH; i++) {
			batch.in[i].msg_hdr.msg_namelen = sizeof(batch.peers[i]);
			batch.in[i].msg_hdr.msg_controllen =
			    sizeof(batch.in_control[i]);
		}
		n = recvmmsg(l->fd, batch.in, UDP_BATCH, MSG_DONTWAIT, NULL);
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
		udp_answer_batch(l, n, clock_now(batch.reply));
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
	struct clock_reading r;
	struct timespec tick;
	fd_set readable;
	size_t i;
	int maxfd, ready, idle = 0;

	for (i = udp_nports = 0; i < n && udp_nports < LISTEN_MAX; i++)
		if (listeners[i].socktype == SOCK_DGRAM)
			udp_ports[udp_nports++] = listeners[i].port;
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
		loop.now_ms = monotonic_ms();
		sync_read(loop.now_ms);
		if (ready == 0) {
			log_debug("still waiting");
			/* A change of the clock's state is said even when idle. */
			verdict_announce(clock_judge(&r), &r);
			if (idle_exit > 0 && ++idle >= idle_exit) {
				log_debug("idle for %d s, exiting", idle);
				return;
			}
			continue;
		}
		idle = 0;
		signals_take();
		if (quit_signal)
			break;
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

	if (clock_now(reply) != CLOCK_FIT)
		return 1;
	reply_tcp(fd, reply);
	return count.tcp_answered == 1 ? 0 : 1;
}
