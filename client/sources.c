/*
 * -m: every source asked at once, within the one -w deadline, so that
 * three servers take as long as one. A process a host resolves its name,
 * and a process an address asks it (and measures it, with -x): the
 * exchanges are the single-source code, run side by side. Each writes
 * its source, whole, into one pipe (a write under PIPE_BUF is never cut
 * or mixed with another); at the deadline what is still at work is
 * killed, its source unanswered.
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

/*
 * A host's process: its addresses (its share of the sources), each asked
 * by a process of its own; waits for them.
 */
static void __attribute__((noreturn))
host_child(const struct client_options *o, int host, int share,
    source_fn *measure, long long deadline, int fd)
{
	struct addr_list a;
	struct source s;
	struct why why;
	size_t i;
	pid_t pid;

	memset(&s, 0, sizeof(s));
	s.host = host;
	if (query_addresses(o->hosts[host], &o->query, deadline, &a,
	    &why) == -1) {
		snprintf(s.why, sizeof(s.why), "%.*s", SOURCE_WHY_MAX - 1,
		    why.text);
		source_write(fd, &s);
		_exit(0);
	}
	for (i = 0; i < a.n && i < (size_t)share; i++) {
		if ((pid = fork()) == -1) {
			snprintf(s.why, sizeof(s.why), "%s: fork: %s",
			    o->hosts[host], strerror(errno));
			source_write(fd, &s);
			continue;
		}
		if (pid == 0) {
			measure(o->hosts[host], o, &a.addr[i], a.len[i],
			    deadline, &s);
			s.host = host;
			source_write(fd, &s);
			_exit(0);
		}
	}
	while (wait(NULL) != -1 || errno == EINTR)
		;
	_exit(0);
}

/* Reads whole sources until every writer is gone or the deadline comes. */
static int
sources_read(int fd, long long deadline, struct source *out, int max)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	long long left;
	ssize_t n;
	int got = 0;

	while ((left = deadline - query_clock_ms()) > 0) {
		if (poll(&pfd, 1, (int)(left > 60000 ? 60000 : left)) == -1) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (pfd.revents == 0)
			continue;
		if (got == max)
			break;
		n = read(fd, &out[got], sizeof(out[got]));
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (n == (ssize_t)sizeof(out[got]) && out[got].host >= 0)
			got++;
	}
	return got;
}

/*
 * Asks every host's addresses at once (at most MAJORITY_SOURCES_MAX
 * sources, shared between the hosts: a name of many addresses cannot
 * crowd out the other hosts), each through measure. Returns 0 with the
 * sources into out and their count into *n; -1 with errno when the
 * processes could not be made.
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
	*n = sources_read(fds[0], deadline + SLACK_MS, out,
	    MAJORITY_SOURCES_MAX);
	close(fds[0]);
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
