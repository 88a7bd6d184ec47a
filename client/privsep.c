/*
 * timeclient's network side in a child without privilege. When timeclient
 * will set the clock and may (root, or CAP_SYS_TIME), it forks: the child
 * becomes nobody (or, as the boot unit's dynamic user, stays it), gives up
 * every capability, can gain none (no_new_privs, not dumpable), loads a
 * system call filter of its own, and only then resolves, queries, parses
 * and measures (measure.c); it writes one small fixed message into a
 * pipe. The parent keeps what setting the clock needs, reads exactly that
 * message by a deadline and checks its bounds (privsep_check); main()
 * then judges it and sets the clock. A child that dies, lies or hangs
 * leaves the clock as it is.
 */
#include <sys/socket.h>
#include <sys/wait.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../common/platform.h"
#include "../common/record.h"
#include "../common/rfc868.h"
#include "../common/sysfilter.h"
#include "../common/userdrop.h"
#include "majority.h"
#include "privsep.h"
#include "query.h"

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
	uid_t uid;
	gid_t gid;

	if (geteuid() != 0)
		return 0;
	if (user_lookup(PRIVSEP_USER, &uid, &gid, why) != 0)
		return -1;
	return user_become(uid, gid, why);
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
	struct measurement m;
	struct why why;

	sysfilter_leak_check_now();	/* while it still may (ASan) */
	if (confine(o, &why) == -1)
		errx(EXIT_TROUBLE, "cannot confine the network side: %s",
		    why.text);
	network(o, &m);
	m.magic = PRIVSEP_MAGIC;
	if (write_all(fd, &m, sizeof(m)) == -1)
		_exit(EXIT_TROUBLE);
	_exit(0);
}

/* The child, ended at once if the parent cannot hold on to the clock only. */
static int
parent_narrowed(pid_t pid, struct why *why)
{
	int saved;

	if (platform_keep_clock_capabilities() == 0)
		return 0;
	saved = errno;
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	errno = saved;
	return why_errno(why, "giving up the capabilities setting the clock "
	    "does not need");
}

/*
 * What the parent makes of its child's end: 0 when its message came whole
 * (got) and it exited 0; else the status to exit with, and why (empty
 * when the child said it).
 */
static int
child_ended(const struct client_options *o, ssize_t got, int status,
    struct why *why)
{
	why->text[0] = '\0';
	if (got == -1) {
		why_set(why, "the network side gave no result within %lld s: "
		    "the clock is left as it is", (long long)(o->nhosts *
		    o->query.timeout_ms + SLACK_MS) / 1000);
		return EXIT_NO_ANSWER;
	}
	if (status == -1) {		/* reaped(): killed at the deadline */
		why_set(why, "the network side did not end within %lld s: "
		    "the clock is left as it is", (long long)(o->nhosts *
		    o->query.timeout_ms + SLACK_MS) / 1000);
		return EXIT_NO_ANSWER;
	}
	if (WIFSIGNALED(status)) {
		why_set(why, "the network side died of signal %d (%s): the "
		    "clock is left as it is", WTERMSIG(status),
		    strsignal(WTERMSIG(status)));
		return EXIT_TROUBLE;
	}
	if (WEXITSTATUS(status) == EXIT_TROUBLE)
		return EXIT_TROUBLE;		/* it said why */
	/*
	 * Any other status is no end of ours (a failure is in the message):
	 * a subverted child's 5 would tell set-clock that trying again cannot
	 * mend it, and fail timeclient.service.
	 */
	if (WEXITSTATUS(status) != 0) {
		why_set(why, "the network side exited %d: the clock is left as "
		    "it is", WEXITSTATUS(status));
		return EXIT_TROUBLE;
	}
	if (got != (ssize_t)sizeof(struct measurement)) {
		why_set(why, "the network side sent %zd bytes, not a message "
		    "of %zu: the clock is left as it is", got,
		    sizeof(struct measurement));
		return EXIT_REFUSED;
	}
	return 0;
}

/*
 * The child's end, in *status, by the deadline (monotonic ms); a child
 * still there then (one that closed its pipe and lingers) is killed, and
 * *status is -1. Returns 0, or -1 when waitpid fails.
 */
static int
reaped(pid_t pid, long long deadline, int *status)
{
	struct timespec pause = { .tv_nsec = 10000000 };	/* 10 ms */
	pid_t r;

	for (;;) {
		if ((r = waitpid(pid, status, WNOHANG)) == pid)
			return 0;
		if (r == -1 && errno != EINTR)
			return -1;
		if (r == 0 && query_clock_ms() >= deadline)
			break;
		if (r == 0)
			nanosleep(&pause, NULL);
	}
	kill(pid, SIGKILL);
	while (waitpid(pid, NULL, 0) == -1)
		if (errno != EINTR)
			return -1;
	*status = -1;
	return 0;
}

/* A call of the parent's own that failed: why, and status 1. */
static int
trouble(struct why *why, const char *call)
{
	why_errno(why, "%s", call);
	return EXIT_TROUBLE;
}

/*
 * Runs network in a confined child and returns 0 with its measurement in
 * *m, its bounds checked (privsep_check); or the status to exit with, the
 * clock untouched, and why (empty when the child said why itself).
 */
int
privsep_network(const struct client_options *o, network_fn *network,
    struct measurement *m, struct why *why)
{
	long long deadline;
	int64_t before;
	struct why bad;
	ssize_t got;
	pid_t pid;
	int fds[2], status;

	before = query_realtime_ns();
	deadline = query_clock_ms() + (long long)o->nhosts *
	    o->query.timeout_ms + SLACK_MS;
	if (pipe2(fds, O_CLOEXEC) == -1)
		return trouble(why, "pipe");
	fflush(NULL);
	if ((pid = fork()) == -1)
		return trouble(why, "fork");
	if (pid == 0) {
		close(fds[0]);
		child(o, network, fds[1]);
	}
	close(fds[1]);
	/* From here on the parent sets the clock, and may end its child. */
	if (parent_narrowed(pid, why) == -1)
		return EXIT_TROUBLE;
	got = record_read(fds[0], m, sizeof(*m), deadline, 1);
	close(fds[0]);
	if (got == -1)
		kill(pid, SIGKILL);
	/* Its pipe closed, a child that lingers is not waited for either. */
	if (reaped(pid, deadline, &status) == -1)
		return trouble(why, "waitpid");
	if ((status = child_ended(o, got, status, why)) != 0)
		return status;
	if (privsep_check(o, m, before, query_realtime_ns(), &bad) == -1) {
		why_set(why, "the network side's message does not hold "
		    "together: %s; the clock is left as it is", bad.text);
		return EXIT_REFUSED;
	}
	return 0;
}

/*
 * Whether a text of the message ends within its bytes and holds printable
 * ASCII alone: the parent writes it to stderr and syslog, where a newline
 * or an escape would forge a line or move a terminal's cursor, and so
 * would UTF-8's own controls (U+0085, the bidirectional overrides). What
 * it says (numeric addresses, a host name as getaddrinfo takes it, our
 * own reasons) is ASCII.
 */
#define SAYABLE(text)	sayable((text), sizeof(text))

static int
sayable(const char *text, size_t size)
{
	size_t i;

	for (i = 0; i < size && text[i] != '\0'; i++)
		if ((unsigned char)text[i] < 0x20 || (unsigned char)text[i] >= 0x7f)
			return 0;
	return i < size;
}

/* Bounds no honest message comes near, under which no sum overflows. */
#define NS_MAX		((int64_t)1 << 62)	/* 146 years */
#define ERROR_NS_MAX	((int64_t)1 << 61)
#define SECONDS_MAX	((int64_t)1 << 33)	/* Unix time, 2242 */
#define LEAP_SECONDS_MAX	100			/* -c: leap seconds, 27 in 2026 */

#define ERROR_SLACK_NS	(20 * NS_PER_SECOND)

/* Whether t (our clock, ns) lies within the run, give or take a second. */
static int
within_run(int64_t t, int64_t before, int64_t now)
{
	return t >= before - NS_PER_SECOND && t <= now + NS_PER_SECOND;
}

/* Whether v lies within -max .. max. */
static int
within(int64_t v, int64_t max)
{
	return v >= -max && v <= max;
}

/*
 * The numbers: each within its bounds; the leap seconds only with -c;
 * with -x or -m, an interval that holds its offset; and the time set
 * (now + offset, less the leap seconds) the UTC time stated, give or take
 * the time since the child started (before) and the seconds' rounding.
 */
static int
numbers_check(const struct client_options *o, const struct measurement *m,
    int64_t before, int64_t now, struct why *why)
{
	int64_t leap, utc_offset, apart;

	if (!within(m->offset_ns, NS_MAX) || !within(m->lo_ns, NS_MAX) ||
	    !within(m->hi_ns, NS_MAX) || m->error_ns < 0 ||
	    m->error_ns > ERROR_NS_MAX || !within(m->utc_seconds, SECONDS_MAX) ||
	    !within(m->remote_seconds, SECONDS_MAX) ||
	    !within(m->adjust_seconds, SECONDS_MAX))
		return why_set(why, "a number out of bounds");
	leap = m->remote_seconds - m->utc_seconds;
	if (o->leaps ? !within(leap, LEAP_SECONDS_MAX) : leap != 0)
		return why_set(why, "%lld leap seconds", (long long)leap);
	utc_offset = m->offset_ns - leap * NS_PER_SECOND;
	/* hi - lo, at most NS_MAX, said so that it cannot overflow. */
	if (m->bounded && (m->lo_ns >= m->hi_ns || m->hi_ns - NS_MAX > m->lo_ns ||
	    utc_offset < m->lo_ns || utc_offset > m->hi_ns))
		return why_set(why, "its interval does not hold its offset");
	/*
	 * The error: no more than the exchange, which took at most now -
	 * before, allows: RFC 868's second, -g's lag, an SNTP server's root
	 * distance (16 s at most, sntp.c), -x's drift; a larger one would
	 * carry a time under the last good time (lastgood_check).
	 */
	if (m->error_ns > 2 * (now - before) + ERROR_SLACK_NS)
		return why_set(why, "an error of %lld s, more than its exchange "
		    "allows", (long long)(m->error_ns / NS_PER_SECOND));
	/* What is said is what is set: RFC 868's whole seconds. */
	if (!m->bounded && !o->query.sntp &&
	    m->offset_ns != m->adjust_seconds * NS_PER_SECOND)
		return why_set(why, "an adjustment of %lld s for an offset of "
		    "%lld ns", (long long)m->adjust_seconds,
		    (long long)m->offset_ns);
	/* The exchange's times, which the lines subtract: our clock's. */
	if (!within_run(m->asked_ns, before, now) ||
	    !within_run(m->sent_ns, before, now) ||
	    !within_run(m->received_ns, before, now) ||
	    m->received_ns < m->sent_ns || m->received_ns < m->asked_ns)
		return why_set(why, "its exchange's times are not within its "
		    "run");
	apart = now / NS_PER_SECOND + utc_offset / NS_PER_SECOND -
	    m->utc_seconds;
	if (!within(apart, (now - before) / NS_PER_SECOND + 3))
		return why_set(why, "its offset is %lld s from its time",
		    (long long)apart);
	return 0;
}

/*
 * Whether the child's message holds together, whatever the child became:
 * the parent cannot verify a measurement (a child that lies can forge
 * consistent raw data), so it checks what it uses: texts that end, a
 * status of timeclient's, the host one of ours, counts within -m's, and
 * numbers_check. The floor and the range are main()'s, for every mode.
 */
int
privsep_check(const struct client_options *o, const struct measurement *m,
    int64_t before, int64_t now, struct why *why)
{
	if (m->magic != PRIVSEP_MAGIC)
		return why_set(why, "not a message");
	if (!SAYABLE(m->reason) || !SAYABLE(m->peer) || !SAYABLE(m->address))
		return why_set(why, "a text that does not end, or not text");
	if (m->status < 0 || m->status > EXIT_REFUSED)
		return why_set(why, "status %d", m->status);
	if (m->host < 0 || m->host >= o->nhosts)
		return why_set(why, "host %d of %d", m->host, o->nhosts);
	if (m->status != 0)
		return 0;
	if (m->answered < 0 || m->answered > MAJORITY_SOURCES_MAX ||
	    m->agree < 0 || m->agree > m->answered)
		return why_set(why, "%d of %d agree", m->agree, m->answered);
	return numbers_check(o, m, before, now, why);
}
