/*
 * One host, one deadline. rdate waits forever on a server that accepts and
 * never sends, or on a silent UDP port; here every step (resolving,
 * connecting, reading) is bounded by the deadline of the whole query, and
 * each address a name resolves to gets its share of what is left.
 *
 * Errors are returned, never printed: what the caller wants said along the
 * way (-v) goes through its note function. The one exception is a clock
 * that cannot be read, which ends the program (clock_ns).
 */
#include <sys/socket.h>
#include <sys/wait.h>

#include <err.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "query.h"
#include "../common/record.h"
#include "../common/rfc868.h"
#include "../common/why.h"
#include "sntp.h"
#include "subsecond.h"

#define TIMED_OUT	QUERY_TIMED_OUT	/* an exchange ran out of its time */
#define REFUSED		(-3)	/* an answer came, and was not usable */
#define RESEND_MS	1000	/* UDP: first resend; doubles after each */
#define SENDS_MAX	16	/* UDP: requests remembered, resends past it */
#define EXTRA_MAX	(1 << 20)	/* bytes past the time counted, for -v */
#define EXTRA_MS	200	/* TCP: how long bytes past the time are awaited */
#define PROBE_SPIN_NS	2000000		/* -x: awake this long before a send */
#define HOST_SHOWN	96	/* of a name in a message: room for the reason */

/* The UDP requests of one exchange: each one's cookie and send time. */
struct sends {
	size_t n;
	uint64_t cookie[SENDS_MAX];	/* SNTP */
	int64_t sent_ns[SENDS_MAX];
	long long sent_ms[SENDS_MAX];	/* monotonic, for the delay */
};

/*
 * A clock, read or the end of the program: timeclient cannot bound a wait
 * or stamp an exchange without it, and a deadline read from garbage would
 * be no deadline at all.
 */
static int64_t
clock_ns(clockid_t id)
{
	struct timespec ts;

	if (clock_gettime(id, &ts) == -1)
		err(1, "cannot read the %s clock", id == CLOCK_MONOTONIC ?
		    "monotonic" : "wall");
	return (int64_t)ts.tv_sec * NS_PER_SECOND + ts.tv_nsec;
}

/* Monotonic ms; query_host's deadlines are on this clock. */
long long
query_clock_ms(void)
{
	return clock_ns(CLOCK_MONOTONIC) / 1000000;
}

/* The realtime clock in Unix ns: what -x and the exchanges stamp with. */
int64_t
query_realtime_ns(void)
{
	return clock_ns(CLOCK_REALTIME);
}

/* A host name as a message shows it: a long one cut, so the reason fits. */
static const char *
host_shown(const char *host)
{
	static char shown[HOST_SHOWN + 4];

	if (strlen(host) <= HOST_SHOWN)
		return host;
	snprintf(shown, sizeof(shown), "%.*s...", HOST_SHOWN, host);
	return shown;
}

static int
left_ms(long long deadline)
{
	long long left = deadline - query_clock_ms();

	return left > 0 ? (int)left : 0;
}

static void
note(const struct query_options *o, const char *fmt, ...)
{
	char text[256];
	va_list ap;

	if (o->note == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	o->note(text);
}

/* The child's part of a lookup: getaddrinfo, its result into fd. */
static void __attribute__((noreturn))
resolve_child(const char *host, struct addrinfo *hints, int fd)
{
	struct addr_list a;
	struct addrinfo *res;
	char buf[sizeof(int) + sizeof(a)];
	int error;

	memset(&a, 0, sizeof(a));
	hints->ai_flags = 0;
	if ((error = getaddrinfo(host, NULL, hints, &res)) == 0) {
		addr_list_add_all(&a, res);
		freeaddrinfo(res);
	}
	memcpy(buf, &error, sizeof(error));
	memcpy(buf + sizeof(error), &a, sizeof(a));
	_exit(write(fd, buf, sizeof(buf)) == (ssize_t)sizeof(buf) ? 0 : 1);
}

/*
 * Reads the child's result by the deadline; the child is reaped, killed
 * first if late. The getaddrinfo error into *error; -1 when none came.
 */
static int
resolve_wait(pid_t pid, int fd, long long deadline, struct addr_list *a,
    int *error)
{
	char buf[sizeof(int) + sizeof(*a)];
	ssize_t got;

	got = record_read(fd, buf, sizeof(buf), deadline, 0);
	if (got != (ssize_t)sizeof(buf))
		kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	if (got != (ssize_t)sizeof(buf))
		return -1;
	memcpy(error, buf, sizeof(*error));
	memcpy(a, buf + sizeof(*error), sizeof(*a));
	return 0;
}

/*
 * getaddrinfo(3) has no timeout, and a resolver that does not answer makes
 * it wait half a minute; so names (not numeric addresses) are looked up in a
 * child, which is killed when the deadline passes.
 */
static int
resolve(const char *host, int family, int socktype, long long deadline,
    struct addr_list *a, struct why *why)
{
	struct addrinfo hints, *res;
	pid_t pid;
	int fds[2], error, got;

	memset(&hints, 0, sizeof(hints));
	memset(a, 0, sizeof(*a));
	hints.ai_family = family;
	hints.ai_socktype = socktype;
	hints.ai_flags = AI_NUMERICHOST;
	if (getaddrinfo(host, NULL, &hints, &res) == 0) {
		addr_list_add_all(a, res);
		freeaddrinfo(res);
		return a->n > 0 ? 0 : -1;
	}
	if (pipe(fds) == -1) {
		why_set(why, "%s: cannot look up: %s", host_shown(host),
		    strerror(errno));
		return -1;
	}
	if ((pid = fork()) == -1) {
		why_set(why, "%s: cannot look up: %s", host_shown(host),
		    strerror(errno));
		close(fds[0]);
		close(fds[1]);
		return -1;
	}
	if (pid == 0) {
		close(fds[0]);
		resolve_child(host, &hints, fds[1]);
	}
	close(fds[1]);
	got = resolve_wait(pid, fds[0], deadline, a, &error);
	close(fds[0]);
	if (got == -1)
		why_set(why, "%s: no answer from the resolver in time",
		    host_shown(host));
	else if (error != 0)
		why_set(why, "%s: %s", host_shown(host), gai_strerror(error));
	else if (a->n == 0 || a->n > ADDR_LIST_MAX)
		why_set(why, "%s: no IPv4 or IPv6 address", host_shown(host));
	else
		return 0;
	return -1;
}

/* Waits for events on fd until the deadline. 0 when it passed first. */
static int
wait_for(int fd, short events, long long deadline)
{
	struct pollfd pfd = { .fd = fd, .events = events };
	int ready;

	do {
		ready = poll(&pfd, 1, left_ms(deadline));
	} while (ready == -1 && errno == EINTR);
	return ready > 0;
}

/*
 * The bytes that came after the time, counted (up to EXTRA_MAX) and thrown
 * away, for -v: an inetutils-inetd sends 8, a hostile server a megabyte.
 * Awaited EXTRA_MS at most: they are not the answer.
 */
static void
tcp_count_rest(int fd, struct answer *ans, long long deadline)
{
	char scrap[4096];
	ssize_t n;

	/* A server that keeps sending, or never closes, costs this much. */
	if (query_clock_ms() + EXTRA_MS < deadline)
		deadline = query_clock_ms() + EXTRA_MS;
	while (ans->size < EXTRA_MAX && left_ms(deadline) > 0) {
		n = recv(fd, scrap, sizeof(scrap), MSG_DONTWAIT);
		if (n > 0) {
			ans->size += n;
			continue;
		}
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && errno == EAGAIN && wait_for(fd, POLLIN,
		    deadline))
			continue;
		return;
	}
}

/* Whether the connection under way was made by the deadline: 0, or why. */
static int
tcp_connected(int fd, long long deadline, struct why *why)
{
	socklen_t len = sizeof(int);
	int error = 0;

	if (!wait_for(fd, POLLOUT, deadline)) {
		why_set(why, "no connection in time");
		return TIMED_OUT;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &len) == -1 ||
	    error != 0) {
		why_set(why, "connect: %s", strerror(error ? error : errno));
		return -1;
	}
	return 0;
}

/*
 * RFC 868 over TCP: connect, read until 4 bytes or EOF. TCP keeps no message
 * boundaries, so a server that sends a byte at a time is read whole.
 */
static int
tcp_exchange(int fd, struct answer *ans, long long start, long long deadline,
    struct why *why)
{
	ssize_t n;
	int r;

	if ((r = tcp_connected(fd, deadline, why)) != 0)
		return r;
	/*
	 * The server may accept, read its clock and send before poll wakes
	 * us (the handshake ends in the kernels): the bound is asked from
	 * before connect, as causality holds it. The round trip that aims
	 * -x's probes starts once connected: a first SYN lost and sent
	 * again is not in the exchange.
	 */
	ans->asked_ns = ans->sent_ns;
	ans->sent_ns = query_realtime_ns();
	while (ans->length < RFC868_SIZE) {
		if (!wait_for(fd, POLLIN, deadline)) {
			/* Bytes came, too few: as short as if it had closed. */
			if (ans->length > 0) {
				why_set(why, "short reply: %zu bytes, then "
				    "nothing in time", ans->length);
				return REFUSED;
			}
			why_set(why, "no answer in time");
			return TIMED_OUT;
		}
		n = read(fd, ans->reply + ans->length,
		    sizeof(ans->reply) - ans->length);
		if (n == 0)
			break;
		if (n == -1 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n == -1) {
			why_set(why, "read: %s", strerror(errno));
			return -1;
		}
		ans->length += n;
	}
	ans->received_ns = query_realtime_ns();
	/* The delay is to the time's last byte, as rdate counts it. */
	ans->delay_ms = query_clock_ms() - start;
	ans->size = ans->length;
	if (ans->length == 0) {
		why_set(why, "closed without sending the time");
		return -1;
	}
	if (ans->length < RFC868_SIZE) {
		why_set(why, "short reply: %zu bytes", ans->length);
		return REFUSED;
	}
	tcp_count_rest(fd, ans, deadline);
	return 0;
}

/* Sends one more request, remembering its cookie and time. */
static int
udp_send(int fd, const struct query_options *o, struct sends *s, struct why *why)
{
	unsigned char request[SNTP_SIZE] = { 0 };
	size_t reqlen = 0, i = s->n < SENDS_MAX ? s->n : SENDS_MAX - 1;

	if (o->sntp) {
		arc4random_buf(&s->cookie[i], sizeof(s->cookie[i]));
		sntp_request(request, s->cookie[i]);
		reqlen = SNTP_SIZE;
	}
	s->sent_ms[i] = query_clock_ms();
	s->sent_ns[i] = query_realtime_ns();
	if (send(fd, request, reqlen, 0) == -1) {
		why_set(why, "send: %s", strerror(errno));
		return -1;
	}
	s->n = i + 1;
	return 0;
}

/*
 * Whether a datagram answers one of our requests; 1 with *ans complete, 0
 * for a stray (ignored, and said in stray), -1 for a final refusal.
 *
 * An SNTP reply names its request by the cookie it echoes, so its own send
 * time is used, whichever request it answers. An RFC 868 reply names none
 * (see below).
 */
static int
udp_answer(const unsigned char *dgram, size_t size,
    const struct query_options *o, const struct sends *s, struct answer *ans,
    char *stray, size_t straylen, struct why *why)
{
	int which;

	if (!o->sntp) {
		if (size < RFC868_SIZE) {
			snprintf(stray, straylen, "a %zu-byte datagram", size);
			return 0;
		}
		/*
		 * No one knows which request this answers; the server read its
		 * clock after the first left, and most likely after the last
		 * (the others lost): the one the whole-second estimate takes,
		 * so a lost first request costs no needless step.
		 */
		ans->asked_ns = s->sent_ns[0];
		ans->sent_ns = s->sent_ns[s->n - 1];
		ans->delay_ms = query_clock_ms() - s->sent_ms[0];
		return 1;
	}
	which = sntp_which(dgram, size, s->cookie, s->n);
	if (which == -1) {
		snprintf(stray, straylen, "a %zu-byte datagram not answering "
		    "us", size);
		return 0;
	}
	ans->asked_ns = ans->sent_ns = s->sent_ns[which];
	ans->delay_ms = query_clock_ms() - s->sent_ms[which];
	if (sntp_reply(dgram, size, ans->sent_ns, ans->received_ns,
	    &ans->sntp_offset_ns, why) == -1)
		return REFUSED;
	return 1;
}

/*
 * A datagram exchange, resent while no answer comes: the first resend after
 * a second, then at doubling intervals, all within the deadline. The socket
 * is connected, so only the server's datagrams arrive, and a port that is
 * closed answers at once with ECONNREFUSED. Datagrams that answer none of
 * our requests are ignored until the deadline.
 */
static int
udp_exchange(int fd, const struct query_options *o, struct answer *ans,
    long long deadline, struct why *why)
{
	struct sends s;
	char stray[64] = "";
	long long resend_at;
	long interval = RESEND_MS;
	ssize_t n;
	int answered;

	memset(&s, 0, sizeof(s));
	for (;;) {
		if (udp_send(fd, o, &s, why) == -1)
			return -1;
		resend_at = query_clock_ms() + interval;
		if (resend_at > deadline)
			resend_at = deadline;
		interval *= 2;
		while (wait_for(fd, POLLIN, resend_at)) {
			/* MSG_TRUNC: the datagram's true size, for -v. */
			n = recv(fd, ans->reply, sizeof(ans->reply), MSG_TRUNC);
			ans->received_ns = query_realtime_ns();
			if (n == -1 && (errno == EINTR || errno == EAGAIN))
				continue;
			if (n == -1) {
				why_set(why, "%s", strerror(errno));
				return -1;
			}
			ans->size = n;
			ans->length = (size_t)n < sizeof(ans->reply) ? (size_t)n :
			    sizeof(ans->reply);
			answered = udp_answer(ans->reply, ans->length, o, &s, ans,
			    stray, sizeof(stray), why);
			if (answered != 0)
				return answered == 1 ? 0 : answered;
		}
		if (query_clock_ms() >= deadline) {
			if (*stray != '\0')
				why_set(why, "no answer in time (%s came "
				    "instead)", stray);
			else
				why_set(why, "no answer in time");
			return TIMED_OUT;
		}
	}
}

static int
query_socktype(const struct query_options *o)
{
	return o->udp || o->sntp ? SOCK_DGRAM : SOCK_STREAM;
}

/*
 * Asks one address; 0 with *ans filled, or -1 (TIMED_OUT when its time ran
 * out) with the reason in why. The network delay runs from the first packet
 * sent to this address, not from the name's lookup.
 */
static int
query_address(const struct sockaddr_storage *addr, socklen_t len,
    const struct query_options *o, struct answer *ans, long long deadline,
    struct why *why)
{
	int socktype = query_socktype(o);
	long long start;
	int fd, ok;

	fd = socket(addr->ss_family, socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0);
	if (fd == -1) {
		why_set(why, "socket: %s", strerror(errno));
		return -1;
	}
	start = query_clock_ms();
	ans->sent_ns = query_realtime_ns();
	if (connect(fd, (const struct sockaddr *)addr, len) == -1 &&
	    errno != EINPROGRESS) {
		why_set(why, "connect: %s", strerror(errno));
		close(fd);
		return -1;
	}
	if (socktype == SOCK_STREAM) {
		ok = tcp_exchange(fd, ans, start, deadline, why);
	} else
		ok = udp_exchange(fd, o, ans, deadline, why);
	close(fd);
	return ok;
}

/* The port asked: -o, or the protocol's own. */
static unsigned
query_port(const struct query_options *o)
{
	return o->port != 0 ? o->port : o->sntp ? SNTP_PORT : RFC868_PORT;
}

/*
 * The addresses of host to ask (the first ADDR_LIST_MAX), resolved by the
 * deadline (monotonic ms). Returns 0, or -1 with why.
 */
int
query_addresses(const char *host, const struct query_options *o,
    long long deadline, struct addr_list *a, struct why *why)
{
	if (resolve(host, o->family, query_socktype(o), deadline, a, why) == -1)
		return -1;
	if (a->left_out > 0)
		note(o, "%s: %zu more addresses not tried (the first %d are)",
		    host, a->left_out, ADDR_LIST_MAX);
	return 0;
}

/*
 * Asks one address of host by the deadline. Returns 0 with *ans filled;
 * or -1, QUERY_REFUSED (an answer, not usable) or TIMED_OUT, with why
 * (the address's own failure, without the host).
 */
int
query_one(const struct sockaddr_storage *addr, socklen_t len,
    const struct query_options *o, struct answer *ans, long long deadline,
    struct why *why)
{
	struct sockaddr_storage to;
	char text[ADDR_TEXT_MAX];
	unsigned port = query_port(o);
	int result;

	memcpy(&to, addr, sizeof(to));
	addr_set_port(&to, port);
	/* Numeric: naming a link's interface takes an ioctl, filtered out. */
	addr_text_numeric((struct sockaddr *)&to, text, sizeof(text), NULL);
	memset(ans, 0, sizeof(*ans));
	snprintf(ans->peer, sizeof(ans->peer), "%s port %u", text, port);
	result = query_address(&to, len, o, ans, deadline, why);
	if (result == 0) {
		memcpy(&ans->addr, &to, sizeof(ans->addr));
		ans->addrlen = len;
	}
	return result == REFUSED ? QUERY_REFUSED : result;
}

/*
 * Asks host for the time, trying each of its addresses in turn until one
 * answers. Returns 0 with *ans filled, or -1 with why.
 */
int
query_host(const char *host, const struct query_options *o,
    struct answer *ans, struct why *why)
{
	long long deadline = query_clock_ms() + o->timeout_ms, share;
	struct addr_list a;
	struct why one;			/* one address's failure */
	char text[ADDR_TEXT_MAX], instead[96];
	unsigned port = query_port(o);
	size_t i;
	int result, refused = 0;

	if (query_addresses(host, o, deadline, &a, why) == -1)
		return -1;
	for (i = 0; i < a.n; i++) {
		addr_text_numeric((struct sockaddr *)&a.addr[i], text,
		    sizeof(text), NULL);
		/* What is left, shared fairly with the addresses after this. */
		share = query_clock_ms() + (deadline - query_clock_ms()) /
		    (long long)(a.n - i);
		result = query_one(&a.addr[i], a.len[i], o, ans, share, &one);
		if (result == 0)
			return 0;
		if (result == QUERY_REFUSED)
			refused = 1;
		if (result == TIMED_OUT && query_clock_ms() >= deadline) {
			/* The whole deadline, and what came instead, if any. */
			snprintf(instead, sizeof(instead), "%s",
			    strstr(one.text, " (") ? strstr(one.text, " (") : "");
			why_set(&one, "no answer within %ld s%s",
			    (o->timeout_ms + 999) / 1000, instead);
		}
		if (strcmp(host, text) == 0)
			why_set(why, "%s port %u: %s", host_shown(host), port,
			    one.text);
		else
			why_set(why, "%s (%s): %s", host_shown(host), ans->peer,
			    one.text);
		if (i + 1 < a.n)
			note(o, "%s", why->text);
	}
	return refused ? QUERY_REFUSED : -1;
}

/*
 * A probe's socket: UDP connected to the server, or a TCP connection under
 * way. -1 with errno.
 */
static int
probe_send(const struct answer *server, const struct query_options *o,
    struct probe *p)
{
	int fd, socktype = o->udp ? SOCK_DGRAM : SOCK_STREAM;

	fd = socket(server->addr.ss_family, socktype | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0);
	if (fd == -1)
		return -1;
	p->sent_ns = query_realtime_ns();
	if ((connect(fd, (const struct sockaddr *)&server->addr,
	    server->addrlen) == -1 && errno != EINPROGRESS) ||
	    (socktype == SOCK_DGRAM && send(fd, "", 0, 0) == -1)) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Reads what a probe's socket has; 1 when its answer is complete. */
static int
probe_read(int fd, const struct query_options *o, struct probe *p,
    size_t *got, unsigned char *buf)
{
	ssize_t n;

	n = o->udp ? recv(fd, buf, RFC868_SIZE, MSG_TRUNC) :
	    read(fd, buf + *got, RFC868_SIZE - *got);
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return 0;
	if (n <= 0)
		return -1;			/* refused, reset, closed */
	*got = o->udp ? (size_t)n : *got + (size_t)n;
	if (*got < RFC868_SIZE)
		return 0;	/* UDP: a stray; TCP: the rest is on its way */
	p->received_ns = query_realtime_ns();
	p->value = rfc868_unpack(buf);
	p->answered = 1;
	return 1;
}

/*
 * Reads the probes whose sockets poll found ready, closing each that is
 * done (answered, refused, closed); returns how many were answered.
 */
static int
probes_read(struct pollfd *pfd, int sent, const struct query_options *o,
    struct probe *probes, size_t *got,
    unsigned char (*buf)[RFC868_SIZE], int *open)
{
	int i, r, answered = 0;

	for (i = 0; i < sent; i++) {
		if (pfd[i].fd == -1 || pfd[i].revents == 0)
			continue;
		if ((r = probe_read(pfd[i].fd, o, &probes[i], &got[i],
		    buf[i])) == 0)
			continue;
		answered += r == 1;
		close(pfd[i].fd);
		pfd[i].fd = -1;
		(*open)--;
	}
	return answered;
}

/*
 * timeclient -x: n probes to the address that answered, the i-th sent so
 * that the server reads its clock at probes[i].aim_ns (our realtime clock),
 * taking half the shortest round trip seen (half_rtt_ns) for the way
 * there. The monotonic clock schedules the sends; the realtime clock
 * stamps them. Replies are read as they come, each probe on a socket of
 * its own (an RFC 868 reply names no request). A probe with no answer by
 * the round's end (its last aim, plus time for an answer) is given up: it
 * costs only its share of the round. Returns how many were answered, or
 * -1 with why when none could be sent.
 */
int
query_probes(const struct answer *server, const struct query_options *o,
    struct probe *probes, int n, int64_t half_rtt_ns, long long deadline,
    struct why *why)
{
	struct pollfd pfd[SUBSECOND_PROBES_MAX];
	unsigned char buf[SUBSECOND_PROBES_MAX][RFC868_SIZE];
	size_t got[SUBSECOND_PROBES_MAX];
	struct probe_schedule plan;
	struct timespec wait;
	int64_t now, next;
	int i, sent = 0, open = 0, answered = 0, failed = 0;

	if (n > SUBSECOND_PROBES_MAX)
		n = SUBSECOND_PROBES_MAX;
	probe_schedule(probes, n, half_rtt_ns, clock_ns(CLOCK_MONOTONIC) -
	    clock_ns(CLOCK_REALTIME), deadline * 1000000, &plan);
	for (i = 0; i < n; i++) {
		pfd[i].fd = -1;
		pfd[i].events = POLLIN;
		got[i] = 0;
		probes[i].answered = 0;
	}
	for (;;) {
		now = clock_ns(CLOCK_MONOTONIC);
		while (sent < n && now >= plan.send_ns[sent]) {
			pfd[sent].fd = probe_send(server, o, &probes[sent]);
			if (pfd[sent].fd == -1)
				failed++;
			else
				open++;
			sent++;
		}
		if ((sent == n && open == 0) || now >= plan.end_ns)
			break;
		/*
		 * Waking from a long sleep can take a millisecond (a virtual
		 * machine's idle CPU): sleep until shortly before a send,
		 * then watch the clock, so each probe leaves on time.
		 */
		next = sent < n ? plan.send_ns[sent] - PROBE_SPIN_NS :
		    plan.end_ns;
		if (next < now)
			next = now;
		wait.tv_sec = (next - now) / NS_PER_SECOND;
		wait.tv_nsec = (next - now) % NS_PER_SECOND;
		if (ppoll(pfd, (nfds_t)sent, &wait, NULL) > 0)
			answered += probes_read(pfd, sent, o, probes, got, buf,
			    &open);
	}
	for (i = 0; i < sent; i++)
		if (pfd[i].fd != -1)
			close(pfd[i].fd);
	if (failed == n) {
		why_set(why, "cannot send a probe: %s", strerror(errno));
		return -1;
	}
	return answered;
}
