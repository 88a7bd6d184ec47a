/*
 * timeclient's network side in a child without privilege. When timeclient
 * will set the clock and may (root, or CAP_SYS_TIME), it forks: the child
 * becomes nobody (or, as the boot unit's dynamic user, stays it), gives up
 * every capability, can gain none (no_new_privs, not dumpable), loads a
 * system call filter of its own, and only then resolves, queries, parses
 * and measures; it writes one fixed-size result into a pipe. The parent
 * keeps what setting the clock needs, reads exactly that result by a
 * deadline, checks it again (privsep_result_check) and only then sets the
 * clock. A child that dies, lies or hangs leaves the clock as it is.
 */
#include <sys/socket.h>
#include <sys/wait.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../common/platform.h"
#include "../common/rfc868.h"
#include "../common/sysfilter.h"
#include "privsep.h"
#include "sntp.h"

#define SLACK_MS	2000	/* past the hosts' deadlines: the child's end */

/* allowed.c's rules, compiled by tools/filtergen (allowed_bpf.c). */
extern const struct sysfilter_program timeclient_filters[1];

/* A refused call, said from the child's SIGSYS handler. */
static void
refusal_say(const char *line)
{
	char text[256];

	strlcpy(text, getprogname(), sizeof(text));
	strlcat(text, ": network side: ", sizeof(text));
	strlcat(text, line, sizeof(text));
	strlcat(text, "\n", sizeof(text));
	(void)!write(STDERR_FILENO, text, strlen(text));
}

/*
 * Whether the network side goes into a child: when the clock will be set,
 * by a process that could (root, or one given CAP_SYS_TIME). Without that
 * right (-p, -q, an ordinary user) nothing is worth a child.
 */
int
privsep_wanted(const struct client_options *o)
{
	return !o->print_only && (geteuid() == 0 || platform_may_set_clock());
}

/* Root becomes PRIVSEP_USER, its group only, for good. */
static int
user_drop(struct why *why)
{
	struct passwd *pw;
	uid_t ruid, euid, suid;
	gid_t gid;

	if (geteuid() != 0)
		return 0;
	errno = 0;
	if ((pw = getpwnam(PRIVSEP_USER)) == NULL)
		return errno != 0 ? why_errno(why, "user %s", PRIVSEP_USER) :
		    why_set(why, "user %s does not exist", PRIVSEP_USER);
	if (pw->pw_uid == 0 || pw->pw_gid == 0)
		return why_set(why, "user %s is root's", PRIVSEP_USER);
	gid = pw->pw_gid;
	if (setgroups(1, &gid) == -1 || setresgid(gid, gid, gid) == -1 ||
	    setresuid(pw->pw_uid, pw->pw_uid, pw->pw_uid) == -1)
		return why_errno(why, "becoming %s", PRIVSEP_USER);
	if (getresuid(&ruid, &euid, &suid) == -1 || ruid == 0 || euid == 0 ||
	    suid == 0 || setuid(0) != -1)
		return why_set(why, "root could be regained");
	return 0;
}

/*
 * The child gives up everything but what the network needs. Returns 0, or
 * -1 with why. Without a filter built in, or a kernel that has none, it
 * goes on without, as with -F: it holds no privilege either way.
 */
static int
confine(const struct client_options *o, struct why *why)
{
	struct why nofilter;

	if (user_drop(why) == -1)
		return -1;
	if (platform_drop_capabilities() == -1)
		return why_errno(why, "giving up capabilities");
	if (platform_no_new_privs() == -1 || platform_not_dumpable() == -1)
		return why_errno(why, "no_new_privs");
	if (o->unfiltered)
		return 0;
	if (sysfilter_load(&timeclient_filters[0], 0, refusal_say,
	    &nofilter) == -1 &&
	    sysfilter_built())
		warnx("the network side runs without its %s", nofilter.text);
	return 0;
}

static int
write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	ssize_t n;

	while (len > 0) {
		if ((n = write(fd, p, len)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static void __attribute__((noreturn))
child(const struct client_options *o, network_fn *network, int fd)
{
	struct network_result r;
	struct why why;

	sysfilter_leak_check_now();	/* while it still may (ASan) */
	if (confine(o, &why) == -1)
		errx(EXIT_TROUBLE, "cannot confine the network side: %s",
		    why.text);
	memset(&r, 0, sizeof(r));
	network(o, &r);
	r.magic = PRIVSEP_MAGIC;
	if (write_all(fd, &r, sizeof(r)) == -1)
		_exit(EXIT_TROUBLE);
	_exit(0);
}

/*
 * Reads the result by the deadline (monotonic ms): its size exactly, and
 * nothing after it. Returns the bytes read, or -1 when the deadline came.
 */
static ssize_t
result_read(int fd, long long deadline, struct network_result *r)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	char extra;
	size_t got = 0;
	ssize_t n;
	long long left;

	for (;;) {
		if ((left = deadline - query_clock_ms()) <= 0)
			return -1;
		if (poll(&pfd, 1, left > 60000 ? 60000 : (int)left) == -1) {
			if (errno == EINTR)
				continue;
			return (ssize_t)got;
		}
		if (pfd.revents == 0)
			continue;
		if (got < sizeof(*r))
			n = read(fd, (char *)r + got, sizeof(*r) - got);
		else
			n = read(fd, &extra, 1);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return (ssize_t)got;
		got += (size_t)n;
		if (got > sizeof(*r))
			return (ssize_t)got;
	}
}

/*
 * Runs network in a confined child and returns its result, checked; or
 * exits, the clock untouched: with the child's own status when it failed
 * and said why, or saying why the child gave no result to believe.
 */
void
privsep_network(const struct client_options *o, network_fn *network,
    struct network_result *r)
{
	long long deadline;
	int64_t before;
	struct why why;
	ssize_t got;
	pid_t pid;
	int fds[2], status;

	before = query_realtime_ns();
	deadline = query_clock_ms() + (long long)o->nhosts *
	    o->query.timeout_ms + SLACK_MS;
	if (pipe2(fds, O_CLOEXEC) == -1)
		err(EXIT_TROUBLE, "pipe");
	fflush(NULL);
	if ((pid = fork()) == -1)
		err(EXIT_TROUBLE, "fork");
	if (pid == 0) {
		close(fds[0]);
		child(o, network, fds[1]);
	}
	close(fds[1]);
	/* From here on the parent sets the clock, and may end its child. */
	if (platform_keep_clock_capabilities() == -1) {
		status = errno;
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		errno = status;
		err(EXIT_TROUBLE, "giving up the capabilities setting the clock "
		    "does not need");
	}
	got = result_read(fds[0], deadline, r);
	close(fds[0]);
	if (got == -1)
		kill(pid, SIGKILL);
	while (waitpid(pid, &status, 0) == -1)
		if (errno != EINTR)
			err(EXIT_TROUBLE, "waitpid");
	if (got == -1)
		errx(EXIT_NO_ANSWER, "the network side gave no result within "
		    "%lld s: the clock is left as it is",
		    (long long)(o->nhosts * o->query.timeout_ms + SLACK_MS) /
		    1000);
	if (WIFSIGNALED(status))
		errx(EXIT_TROUBLE, "the network side died of signal %d (%s): "
		    "the clock is left as it is", WTERMSIG(status),
		    strsignal(WTERMSIG(status)));
	if (WEXITSTATUS(status) != 0)
		exit(WEXITSTATUS(status));	/* it said why */
	if (got != (ssize_t)sizeof(*r))
		errx(EXIT_REFUSED, "the network side sent %zd bytes, not a "
		    "result of %zu: the clock is left as it is", got,
		    sizeof(*r));
	if (privsep_result_check(o, r, before, query_realtime_ns(), &why) ==
	    -1)
		errx(EXIT_REFUSED, "the network side's result does not hold "
		    "together: %s; the clock is left as it is", why.text);
}

/* -x: every round done, and a last bound inside what was asked. */
static int
subsecond_check(const struct client_options *o, const struct answer *a,
    const struct subsecond *s, int64_t before, int64_t after,
    struct why *why)
{
	int64_t lag = (int64_t)o->lag_ms * 1000000;
	struct interval first;

	if (s->rounds < SUBSECOND_ROUNDS || s->queries < SUBSECOND_ROUNDS ||
	    s->queries > SUBSECOND_QUERIES_MAX)
		return why_set(why, "-x: %d rounds, %d queries", s->rounds,
		    s->queries);
	if (s->last.replies < 1 || s->last.inconsistent ||
	    s->last.lo_ns >= s->last.hi_ns ||
	    s->last.hi_ns - s->last.lo_ns > NS_PER_SECOND + 2 * lag)
		return why_set(why, "-x: its interval is not one");
	if (s->last.latest_ns < before || s->last.latest_ns > after)
		return why_set(why, "-x: its last reply is not of this run");
	answer_bound(a, lag, &first);
	if (s->last.hi_ns <= first.lo_ns || s->last.lo_ns >= first.hi_ns)
		return why_set(why, "-x: its interval lies outside the "
		    "second of the first answer");
	return 0;
}

/*
 * One answer: the reply of the protocol asked, a peer's name that ends,
 * its times within this run (before .. after, Unix ns), and for -x
 * (subsecond_done) every round done, its interval inside the second the
 * first answer gives.
 */
static int
answer_check(const struct client_options *o, const struct answer *a,
    int subsecond_done, const struct subsecond *sub, int64_t before,
    int64_t after, struct why *why)
{
	int64_t offset;

	if (a->length > sizeof(a->reply) || a->size < a->length ||
	    (o->query.sntp ? a->length != SNTP_SIZE : a->length < RFC868_SIZE))
		return why_set(why, "a reply of %zu bytes", a->length);
	if (memchr(a->peer, '\0', sizeof(a->peer)) == NULL)
		return why_set(why, "its peer's name does not end");
	if ((a->addr.ss_family != AF_INET && a->addr.ss_family != AF_INET6) ||
	    a->addrlen > sizeof(a->addr))
		return why_set(why, "its peer's address");
	if (a->asked_ns < before || a->sent_ns < before ||
	    a->received_ns > after || a->asked_ns > a->received_ns ||
	    a->sent_ns > a->received_ns)
		return why_set(why, "its times are not of this run");
	if (o->query.sntp && (sntp_reply(a->reply, a->length, a->sent_ns,
	    a->received_ns, &offset, why) == -1 ||
	    offset != a->sntp_offset_ns))
		return why_set(why, "its SNTP offset is not its reply's");
	if (subsecond_done != (o->subsecond && !o->query.sntp &&
	    rfc868_unpack(a->reply) != 0))
		return why_set(why, "-x was %s", subsecond_done ? "not asked" :
		    "not done");
	if (subsecond_done)
		return subsecond_check(o, a, sub, before, after, why);
	return 0;
}

/* -m: every source one of the hosts', each answer as answer_check's. */
static int
sources_check(const struct client_options *o, const struct network_result *r,
    int64_t before, int64_t after, struct why *why)
{
	const struct source *s;
	struct why one;
	int i;

	if (r->nsources < 0 || r->nsources > MAJORITY_SOURCES_MAX)
		return why_set(why, "%d sources", r->nsources);
	for (i = 0; i < r->nsources; i++) {
		s = &r->src[i];
		if (s->host < 0 || s->host >= o->nhosts)
			return why_set(why, "source %d: host %d of %d", i,
			    s->host, o->nhosts);
		if (s->naddrs < 0 || s->naddrs > ADDR_LIST_MAX ||
		    (s->same && s->answered))
			return why_set(why, "source %d: %d addresses%s", i,
			    s->naddrs, s->same ? ", counted twice" : "");
		if (memchr(s->why, '\0', sizeof(s->why)) == NULL)
			return why_set(why, "source %d: its reason does not "
			    "end", i);
		if (s->answered && answer_check(o, &s->ans, s->subsecond_done,
		    &s->sub, before, after, &one) == -1)
			return why_set(why, "source %d: %s", i, one.text);
	}
	return 0;
}

/*
 * Whether the child's result holds together, whatever the child became:
 * the host one of ours (with -m too), and its answer as answer_check
 * wants it; with -m, every source instead. The floor and the range are main()'s checks, which
 * follow.
 */
int
privsep_result_check(const struct client_options *o,
    const struct network_result *r, int64_t before, int64_t after,
    struct why *why)
{
	if (r->magic != PRIVSEP_MAGIC)
		return why_set(why, "not a result");
	/* First, whatever the mode: main() names the host before -m's own. */
	if (r->host < 0 || r->host >= o->nhosts)
		return why_set(why, "host %d of %d", r->host, o->nhosts);
	if (o->majority)
		return sources_check(o, r, before, after, why);
	return answer_check(o, &r->ans, r->subsecond_done, &r->sub, before,
	    after, why);
}
