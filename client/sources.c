/*
 * -m: every host asked at once, within the one -w deadline, so that three
 * servers take as long as one. A process a host resolves its name and
 * asks each of its addresses at once, a process each (and measures it,
 * with -x): the exchanges are the single-source code, run side by side.
 * The first address to answer stands for the host: a name's addresses are
 * one server's ways in, one vote. Each host's process writes its source,
 * whole, into one pipe (a write under PIPE_BUF is never cut or mixed with
 * another); at the deadline what is still at work is killed, its source
 * unanswered. Hosts that share an address are one server, counted once.
 */
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "../common/record.h"
#include "../common/rfc868.h"
#include "sntp.h"
#include "sources.h"

#define SLACK_MS	500	/* past the deadline, for the last writes */

_Static_assert(sizeof(struct source) <= PIPE_BUF,
    "a source must be written in one piece");

static void
source_write(int fd, const struct source *s)
{
	(void)!write(fd, s, sizeof(*s));
}

/* Reads whole sources until max, every writer gone, or the deadline. */
static int
sources_read(int fd, long long deadline, struct source *out, int max)
{
	int got = 0;

	while (got < max && record_read(fd, &out[got], sizeof(out[got]),
	    deadline, 0) == (ssize_t)sizeof(out[got]))
		if (out[got].host >= 0)
			got++;
	return got;
}

/*
 * The first of n addresses' sources on fd to answer, by the deadline,
 * into *s (its host's addresses kept); when none does, the first
 * failure's reason, and the status of one whose answer was not used.
 */
static void
first_answer(int fd, int n, long long deadline, struct source *s)
{
	struct source one;
	int i;

	for (i = 0; i < n && sources_read(fd, deadline, &one, 1) == 1; i++) {
		if (one.answered) {
			one.naddrs = s->naddrs;
			memcpy(one.addrs, s->addrs, sizeof(one.addrs));
			*s = one;
			return;
		}
		if (s->why[0] == '\0')
			memcpy(s->why, one.why, sizeof(s->why));
		/* The most telling, as for one host: refused, too slow. */
		if (s->status != EXIT_REFUSED && one.status != 0)
			s->status = one.status;
	}
	if (s->why[0] == '\0')
		snprintf(s->why, sizeof(s->why), "no address answered in time");
}

/*
 * A host's process: its addresses (its share of them), each asked by a
 * process of its own, the first to answer its source; the others killed.
 */
static void __attribute__((noreturn))
host_child(const struct client_options *o, int host, int share,
    source_fn *measure, long long deadline, int fd)
{
	pid_t pids[MAJORITY_SOURCES_MAX];
	struct addr_list a;
	struct source s;
	struct why why;
	int fds[2], i, n = 0;

	memset(&s, 0, sizeof(s));
	s.host = host;
	if (query_addresses(o->hosts[host], &o->query, deadline, &a,
	    &why) == -1) {
		snprintf(s.why, sizeof(s.why), "%.*s", SOURCE_WHY_MAX - 1,
		    why.text);
		source_write(fd, &s);
		_exit(0);
	}
	for (i = 0; i < (int)a.n; i++)
		addr_key_of((struct sockaddr *)&a.addr[i], &s.addrs[i]);
	s.naddrs = (int)a.n;
	if (pipe2(fds, O_CLOEXEC) == -1) {
		snprintf(s.why, sizeof(s.why), "%s: pipe: %s", o->hosts[host],
		    strerror(errno));
		source_write(fd, &s);
		_exit(0);
	}
	for (i = 0; i < (int)a.n && i < share; i++) {
		if ((pids[n] = fork()) == -1)
			break;
		if (pids[n++] == 0) {
			close(fds[0]);
			measure(o->hosts[host], o, &a.addr[i], a.len[i],
			    deadline, &s);
			s.host = host;
			source_write(fds[1], &s);
			_exit(0);
		}
	}
	close(fds[1]);
	if (n == 0)
		snprintf(s.why, sizeof(s.why), "%s: fork: %s", o->hosts[host],
		    strerror(errno));
	else
		first_answer(fds[0], n, deadline + SLACK_MS / 2, &s);
	source_write(fd, &s);
	for (i = 0; i < n; i++) {
		kill(pids[i], SIGKILL);
		while (waitpid(pids[i], NULL, 0) == -1 && errno == EINTR)
			;
	}
	_exit(0);
}

/* Whether two hosts' addresses meet: then they are one server. */
static int
addresses_meet(const struct source *a, const struct source *b)
{
	int i, j;

	for (i = 0; i < a->naddrs && i < ADDR_LIST_MAX; i++)
		for (j = 0; j < b->naddrs && j < ADDR_LIST_MAX; j++)
			if (memcmp(&a->addrs[i], &b->addrs[j],
			    sizeof(a->addrs[i])) == 0)
				return 1;
	return 0;
}

/*
 * The sources in the order of their hosts; by insertion, as they are few
 * (glibc's qsort asks sysinfo(2), which the filter refuses).
 */
static void
sort_by_host(struct source *src, int n)
{
	struct source one;
	int i, j;

	for (i = 1; i < n; i++) {
		one = src[i];
		for (j = i; j > 0 && src[j - 1].host > one.host; j--)
			src[j] = src[j - 1];
		src[j] = one;
	}
}

/*
 * One vote per server: a host whose addresses meet those of an earlier
 * host that answered (the same address, IPv4 or v4-mapped, or a second
 * name for it; or through a third host's) is that host's server, its
 * answer set aside and said. Sorted by host, so earlier is as named.
 */
static void
sources_merge(const struct client_options *o, struct source *src, int n)
{
	int group[MAJORITY_SOURCES_MAX], i, j, k, first;

	sort_by_host(src, n);
	for (i = 0; i < n; i++)
		group[i] = i;
	for (i = 0; i < n; i++)
		for (j = i + 1; j < n; j++)
			if (group[j] != group[i] &&
			    addresses_meet(&src[i], &src[j]))
				for (k = 0, first = group[j]; k < n; k++)
					if (group[k] == first)
						group[k] = group[i];
	for (i = 0; i < n; i++) {
		for (first = -1, j = 0; j < n && first == -1; j++)
			if (group[j] == group[i] && src[j].answered)
				first = j;
		if (first == -1 || first == i)
			continue;
		src[i].answered = 0;
		src[i].same = 1;
		snprintf(src[i].why, sizeof(src[i].why), "%.60s: the same "
		    "server as %.60s: counted once", o->hosts[src[i].host],
		    o->hosts[src[first].host]);
	}
}

/*
 * Asks every host at once (the first MAJORITY_SOURCES_MAX), each address
 * through measure (at most MAJORITY_SOURCES_MAX processes, shared between
 * the hosts: a name of many addresses cannot crowd out the others), one
 * source a host, one vote a server (sources_merge). Returns 0 with the
 * sources into out, in the order of the hosts, and their count into *n;
 * -1 with errno when the processes could not be made.
 */
int
sources_ask(const struct client_options *o, source_fn *measure,
    struct source *out, int *n)
{
	long long deadline = query_clock_ms() + o->query.timeout_ms;
	pid_t pids[MAJORITY_SOURCES_MAX], group = 0;
	int fds[2], i, children = 0, share;

	share = MAJORITY_SOURCES_MAX / (o->nhosts < MAJORITY_SOURCES_MAX ?
	    o->nhosts : MAJORITY_SOURCES_MAX);
	if (pipe2(fds, O_CLOEXEC) == -1)
		return -1;
	fflush(NULL);
	for (i = 0; i < o->nhosts && i < MAJORITY_SOURCES_MAX; i++) {
		if ((pids[i] = fork()) == -1)
			break;
		if (pids[i] == 0) {
			close(fds[0]);
			setpgid(0, group);
			host_child(o, i, share, measure, deadline, fds[1]);
		}
		/* One process group, so that the late are killed at once. */
		setpgid(pids[i], group);
		if (group == 0)
			group = pids[i];
		children++;
	}
	close(fds[1]);
	*n = sources_read(fds[0], deadline + SLACK_MS, out, children);
	close(fds[0]);
	sources_merge(o, out, *n);
	if (group != 0)
		kill(-group, SIGKILL);
	for (i = 0; i < children; i++)
		while (waitpid(pids[i], NULL, 0) == -1 && errno == EINTR)
			;
	return children > 0 ? 0 : -1;
}

/*
 * What a source's answer says of the offset, as an interval whose ends
 * are hard facts (now: our clock, Unix ns, to age -x's bound to):
 *   RFC 868: answer_bound, its second late by the lag (-g) at most;
 *   -x: the interval -x measured for it;
 *   SNTP: the offset +- half the round trip and the server's root
 *     distance.
 * Returns 0, or -1 when it did not answer.
 */
int
source_interval(const struct client_options *o, const struct source *s,
    int64_t now, struct interval *iv)
{
	const struct answer *a = &s->ans;
	int64_t half;

	if (!s->answered)
		return -1;
	if (o->query.sntp) {
		half = (a->received_ns - a->sent_ns) / 2 +
		    sntp_root_distance_ns(a->reply);
		iv->lo_ns = a->sntp_offset_ns - half;
		iv->hi_ns = a->sntp_offset_ns + half;
	} else if (s->subsecond_done)
		bound_at(&s->sub.last, now, &iv->lo_ns, &iv->hi_ns);
	else
		answer_bound(a, (int64_t)o->lag_ms * 1000000, iv);
	return 0;
}

/*
 * The offset's bound that one RFC 868 answer gives: the server read V
 * between our asking (s) and its answer (r), so V - r <= offset <
 * V + 1 - s, its second late by lag_ns at most.
 */
void
answer_bound(const struct answer *a, int64_t lag_ns, struct interval *iv)
{
	int64_t v = rfc868_to_unix(rfc868_unpack(a->reply)) * NS_PER_SECOND;

	iv->lo_ns = v - a->received_ns;
	iv->hi_ns = v + NS_PER_SECOND - a->asked_ns + lag_ns;
}
