/*
 * The load: an epoll loop keeping N queries in flight until count queries
 * were made or the time is up, then waiting (2 s at most) for the last.
 * Every reply is checked: 4 bytes, then EOF for TCP, and within 2 s of our
 * clock. Latency is kept per query for the percentiles.
 */
#include <sys/epoll.h>
#include <sys/socket.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../common/rfc868.h"
#include "load.h"

#define UDP_TIMEOUT_US	1000000
#define TCP_TIMEOUT_US	5000000
#define DRAIN_US	2000000

enum kind { NORMAL, RESET, UNREAD };

struct slot {
	int fd;
	enum kind kind;
	int connected;
	long long started_us;
	unsigned char reply[8];
	size_t got;
};

static long long
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static socklen_t
target(const struct load_spec *spec, const char *host,
    struct sockaddr_storage *ss, unsigned port)
{
	memset(ss, 0, sizeof(*ss));
	if (spec->family == AF_INET6) {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		inet_pton(AF_INET6, host ? host : "::1", &sin6->sin6_addr);
		return sizeof(*sin6);
	} else {
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;

		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		inet_pton(AF_INET, host ? host : "127.0.0.1", &sin->sin_addr);
		return sizeof(*sin);
	}
}

static int
value_ok(const unsigned char *reply)
{
	int64_t got = rfc868_unpack(reply);
	int64_t want = ((int64_t)time(NULL) + RFC868_UNIX_EPOCH) % 0x100000000LL;
	int64_t diff = got - want;

	if (diff > 0x80000000LL)
		diff -= 0x100000000LL;
	if (diff < -0x80000000LL)
		diff += 0x100000000LL;
	return diff >= -2 && diff <= 2;
}

struct run {
	const struct load_spec *spec;
	struct load_result *res;
	int ep;
	long *latency;
	long nlatency;
	struct sockaddr_storage server, source;
	socklen_t server_len, source_len;
};

static void
count_error(struct load_result *res, int error)
{
	res->errors++;
	res->last_errno = error;
}

static void
slot_close(struct run *r, struct slot *s)
{
	epoll_ctl(r->ep, EPOLL_CTL_DEL, s->fd, NULL);
	close(s->fd);
	s->fd = -1;
}

static void
slot_done(struct run *r, struct slot *s, int ok)
{
	long us = now_us() - s->started_us;

	if (ok) {
		r->res->answered++;
		if (us >= 1000000)
			r->res->stalls++;
		if (r->nlatency < r->spec->count)
			r->latency[r->nlatency++] = us;
	}
	slot_close(r, s);
}

static int
slot_start(struct run *r, struct slot *s)
{
	const struct load_spec *spec = r->spec;
	int udp = spec->mode == LOAD_UDP;
	struct epoll_event ev = { 0 };
	struct linger reset = { 1, 0 };
	long n = r->res->started;

	s->fd = socket(spec->family, (udp ? SOCK_DGRAM : SOCK_STREAM) |
	    SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s->fd == -1) {
		count_error(r->res, errno);
		return -1;
	}
	s->kind = spec->mode != LOAD_MIX ? NORMAL : n % 10 == 3 ? RESET :
	    n % 10 == 7 ? UNREAD : NORMAL;
	s->got = 0;
	s->connected = 0;
	if (spec->source != NULL && bind(s->fd, (struct sockaddr *)&r->source,
	    r->source_len) == -1) {
		count_error(r->res, errno);
		close(s->fd);
		s->fd = -1;
		return -1;
	}
	if (s->kind == RESET)
		setsockopt(s->fd, SOL_SOCKET, SO_LINGER, &reset, sizeof(reset));
	s->started_us = now_us();
	r->res->started++;
	if (connect(s->fd, (struct sockaddr *)&r->server, r->server_len) ==
	    -1 && errno != EINPROGRESS) {
		if (errno == ECONNREFUSED)
			r->res->refused++;
		else
			count_error(r->res, errno);
		close(s->fd);
		s->fd = -1;
		return -1;
	}
	if (udp && send(s->fd, "", 0, 0) == -1) {
		count_error(r->res, errno);
		close(s->fd);
		s->fd = -1;
		return -1;
	}
	ev.events = EPOLLIN | EPOLLRDHUP | (udp ? 0 : EPOLLOUT);
	ev.data.ptr = s;
	epoll_ctl(r->ep, EPOLL_CTL_ADD, s->fd, &ev);
	return 0;
}

static void
slot_event(struct run *r, struct slot *s, unsigned events)
{
	struct epoll_event ev = { 0 };
	ssize_t n;
	int error = 0;
	socklen_t len = sizeof(error);

	if (r->spec->mode == LOAD_UDP) {
		n = recv(s->fd, s->reply, sizeof(s->reply), 0);
		if (n == -1) {
			count_error(r->res, errno);
			slot_close(r, s);
			return;
		}
		if (n != 4 || !value_ok(s->reply))
			r->res->bad++;
		slot_done(r, s, n == 4);
		return;
	}
	if (!s->connected && (events & (EPOLLOUT | EPOLLERR | EPOLLHUP))) {
		getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &error, &len);
		if (error != 0) {
			if (error == ECONNREFUSED)
				r->res->refused++;
			else
				count_error(r->res, error);
			slot_close(r, s);
			return;
		}
		s->connected = 1;
		if (s->kind == RESET) {		/* gone before the reply */
			r->res->resets++;
			slot_close(r, s);
			return;
		}
		ev.events = EPOLLIN | EPOLLRDHUP;
		ev.data.ptr = s;
		epoll_ctl(r->ep, EPOLL_CTL_MOD, s->fd, &ev);
		return;
	}
	if (s->kind == UNREAD) {		/* leaves the reply unread */
		if (events & (EPOLLRDHUP | EPOLLHUP | EPOLLERR)) {
			r->res->unread++;
			slot_close(r, s);
		}
		return;
	}
	for (;;) {
		n = read(s->fd, s->reply + s->got, sizeof(s->reply) - s->got);
		if (n > 0) {
			s->got += n;
			if (s->got < sizeof(s->reply))
				continue;
		}
		if (n == -1 && errno == EAGAIN)
			return;
		break;
	}
	if (n == -1 && s->got == 0) {
		count_error(r->res, errno);
		slot_close(r, s);
		return;
	}
	if (s->got != 4 || !value_ok(s->reply))
		r->res->bad++;
	slot_done(r, s, s->got == 4);
}

static int
cmp_long(const void *a, const void *b)
{
	long x = *(const long *)a, y = *(const long *)b;

	return x < y ? -1 : x > y;
}

int
load_run(const struct load_spec *spec, struct load_result *res)
{
	struct epoll_event events[256];
	struct slot *slots;
	struct run r;
	long long start, stop_at, deadline, timeout;
	int i, n, active;

	memset(res, 0, sizeof(*res));
	memset(&r, 0, sizeof(r));
	r.spec = spec;
	r.res = res;
	r.server_len = target(spec, NULL, &r.server, spec->port);
	if (spec->source != NULL)
		r.source_len = target(spec, spec->source, &r.source, 0);
	r.latency = calloc(spec->count > 0 ? spec->count : 1, sizeof(long));
	slots = calloc(spec->concurrency, sizeof(*slots));
	r.ep = epoll_create1(EPOLL_CLOEXEC);
	if (r.latency == NULL || slots == NULL || r.ep == -1) {
		free(r.latency);
		free(slots);
		return -1;
	}
	for (i = 0; i < spec->concurrency; i++)
		slots[i].fd = -1;
	start = now_us();
	stop_at = start + (long long)spec->seconds * 1000000;
	deadline = stop_at + DRAIN_US;
	timeout = spec->mode == LOAD_UDP ? UDP_TIMEOUT_US : TCP_TIMEOUT_US;
	for (;;) {
		long long now = now_us();

		active = 0;
		for (i = 0; i < spec->concurrency; i++) {
			if (slots[i].fd != -1 &&
			    now - slots[i].started_us > timeout) {
				res->timeouts++;
				slot_close(&r, &slots[i]);
			}
			if (slots[i].fd == -1 && res->started < spec->count &&
			    now < stop_at)
				slot_start(&r, &slots[i]);
			active += slots[i].fd != -1;
		}
		if (active == 0 && (res->started >= spec->count ||
		    now >= stop_at))
			break;
		if (now >= deadline) {
			for (i = 0; i < spec->concurrency; i++)
				if (slots[i].fd != -1) {
					res->timeouts++;
					slot_close(&r, &slots[i]);
				}
			break;
		}
		n = epoll_wait(r.ep, events, 256, 100);
		for (i = 0; i < n; i++)
			slot_event(&r, events[i].data.ptr, events[i].events);
	}
	res->seconds = (double)(now_us() - start) / 1e6;
	if (r.nlatency > 0) {
		qsort(r.latency, r.nlatency, sizeof(long), cmp_long);
		res->p50_us = r.latency[r.nlatency / 2];
		res->p99_us = r.latency[r.nlatency * 99 / 100];
		res->max_us = r.latency[r.nlatency - 1];
	}
	close(r.ep);
	free(slots);
	free(r.latency);
	return 0;
}

void
load_print(const struct load_spec *spec, const struct load_result *res)
{
	printf("mode=%s concurrency=%d started=%ld answered=%ld bad=%ld "
	    "refused=%ld errors=%ld timeouts=%ld resets=%ld unread=%ld "
	    "stalls=%ld seconds=%.3f rate=%.0f p50_us=%ld p99_us=%ld "
	    "max_us=%ld%s%s\n", spec->mode == LOAD_UDP ? "udp" :
	    spec->mode == LOAD_MIX ? "mix" : "tcp", spec->concurrency,
	    res->started, res->answered, res->bad, res->refused, res->errors,
	    res->timeouts, res->resets, res->unread, res->stalls, res->seconds,
	    res->seconds > 0 ? (double)res->answered / res->seconds : 0,
	    res->p50_us, res->p99_us, res->max_us,
	    res->errors ? " last_error=" : "",
	    res->errors ? strerror(res->last_errno) : "");
	fflush(stdout);
}
