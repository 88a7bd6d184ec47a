/*
 * timeclient: asks an RFC 868 (or SNTP) server for the time, prints it and
 * sets the clock, with rdate's options and output; unlike rdate it never
 * hangs, reads replies that come in pieces, and is right after 2036.
 */
#include <sys/stat.h>
#include <sys/time.h>

#include <err.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "options.h"
#include "lastgood.h"
#include "leaps.h"
#include "majority.h"
#include "privsep.h"
#include "sources.h"
#include "query.h"
#include "sntp.h"
#include "../common/addr.h"
#include "../common/platform.h"
#include "../common/rfc868.h"
#include "../common/utc.h"
#include "subsecond.h"

#define US_PER_SECOND	1000000
#define AIM_MARGIN_NS	20000000	/* -x: time to set a round up */

static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr, "usage: %s %s\n", getprogname(), CLIENT_USAGE);
	exit(1);
}

/* --help: the usage line and a line an option; timeclient(1) is the reference. */
static void __attribute__((noreturn))
help(void)
{
	printf("usage: %s %s\n"
	    "  -4          IPv4 addresses only\n"
	    "  -6          IPv6 addresses only\n"
	    "  -a          slew the clock with adjtime(2)\n"
	    "  -c          count leap seconds (the right/ time zones)\n"
	    "  -F          no system call filter on the network side\n"
	    "  -m          ask every host at once; believe only a majority\n"
	    "  -n          SNTP instead of RFC 868\n"
	    "  -p          print the time only\n"
	    "  -q          print one line for scripts; never set the clock\n"
	    "  -s          set the clock only\n"
	    "  -u          RFC 868 over UDP\n"
	    "  -v          verbose\n"
	    "  -x          the offset to the millisecond\n"
	    "  -V          print the version\n"
	    "  -b sec      step when more than sec off, slew below\n"
	    "  -g msec     -x: the server's second may change this late (10)\n"
	    "  -o port     ask this port (37; 123 with -n)\n"
	    "  -t msec     refuse an answer slower than this (exit 2)\n"
	    "  -w sec      the deadline for each host (10)\n"
	    "See timeclient(1).\n", getprogname(), CLIENT_USAGE);
	exit(fflush(stdout) == 0 ? 0 : 1);
}

/* -v: what failed on the way to an answer. */
static void
note(const char *text)
{
	fprintf(stderr, "%s: %s\n", getprogname(), text);
}

/*
 * A timeval of offset_ns, its microseconds within 0 .. 999999 as the BSDs
 * require (timerisvalid): -0.3 s is -1 s + 700000 us, not 0 s - 300000.
 */
static struct timeval
timeval_of(int64_t offset_ns)
{
	struct timeval tv;
	int64_t us = offset_ns / 1000;

	tv.tv_sec = us / US_PER_SECOND;
	tv.tv_usec = us % US_PER_SECOND;
	if (tv.tv_usec < 0) {
		tv.tv_usec += US_PER_SECOND;
		tv.tv_sec--;
	}
	return tv;
}

/*
 * -x: rounds of probes at the server's next second edges (subsecond.c),
 * all to the address that gave the first answer, until the rounds are
 * done, the deadline (monotonic ms) comes, or two rounds in a row go
 * unanswered. Returns NULL when every round was done, or why not: the
 * result is then not the millisecond -x promises, and is never given as
 * if it were; never an exit, so that -m counts a source it fails as
 * unanswered. *refused says whether the replies themselves were not
 * believed (no one offset explains them) rather than too few; why holds
 * a probe's failure when that is the reason.
 */
static const char *
subsecond_measure(const struct client_options *o, const struct answer *first,
    long long deadline, struct subsecond *m, int *refused, struct why *why)
{
	struct probe probes[SUBSECOND_ROUND_PROBES];
	const char *why_not;
	int64_t margin;
	int n, got;

	*refused = 0;
	subsecond_start(m, (int64_t)o->lag_ms * 1000000,
	    rfc868_unpack(first->reply), first->asked_ns, first->sent_ns,
	    first->received_ns);
	for (;;) {
		margin = AIM_MARGIN_NS > 2 * m->all.rtt_min_ns ?
		    AIM_MARGIN_NS : 2 * m->all.rtt_min_ns;
		if ((n = subsecond_next(m, query_realtime_ns() + margin, probes,
		    &why_not)) <= 0)
			return n == 0 ? NULL : why_not;
		if (query_clock_ms() + (probes[n - 1].aim_ns -
		    query_realtime_ns()) / 1000000 >= deadline)
			return "the deadline (-w) came first";
		if (query_probes(first, &o->query, probes, n,
		    m->all.rtt_min_ns / 2, deadline, why) == -1)
			return why->text;
		if ((got = subsecond_add(m, probes, n)) < 0) {
			*refused = 1;
			return got == -1 ? "the replies agree on no one offset: "
			    "the server's clock moved during the measurement, "
			    "or more than one server answered" : "the check "
			    "after the last round read another second than the "
			    "offset found allows: the server's clock moved "
			    "during the measurement, or more than one server "
			    "answered";
		}
		if (o->verbose)
			fprintf(stderr, "%s: -x: %d probes, %d answered, the "
			    "offset known to %.3f ms\n", getprogname(), n, got,
			    (double)bound_width(&m->all) / 1000000);
	}
}

/*
 * The uncertainty -x states, in whole ms, rounded up: half the bound's
 * width, and the half millisecond the printed offset may be rounded by,
 * so that the printed interval always holds the bound.
 */
static long long
stated_uncertainty(int64_t lo_ns, int64_t hi_ns)
{
	int64_t ns = (hi_ns - lo_ns) / 2 + 500000;

	return (ns + 999999) / 1000000;
}

/*
 * 0 is what a server without a clock sends (inetd's built-in time, when
 * time(3) fails): it reads as 2036-02-07, which is never set; -p shows
 * it, warned.
 */
static void
sent_zero(const char *host, int print_only)
{
	if (!print_only)
		errx(EXIT_REFUSED, "%s sent 0, what a server without a clock sends: not "
		    "setting the clock from it", host);
	warnx("warning: %s sent 0, what a server without a clock sends",
	    host);
}

/*
 * A time before this program was made is plainly wrong: a server that
 * booted without a battery and serves 1970. It is never set (at boot,
 * where -s runs, a wrong server would otherwise win); -p shows it, warned.
 */
static void
below_floor(const char *host, int64_t remote_seconds, int print_only)
{
	char when[64], floor[64];

	utc_text((time_t)remote_seconds, UTC_SECONDS, when, sizeof(when));
	utc_text(TIME_FLOOR, UTC_DAY, floor, sizeof(floor));
	if (!print_only)
		errx(EXIT_REFUSED, "%s: its time, %s, is before %s, when this timeclient "
		    "was made: not setting the clock from it", host, when,
		    floor);
	warnx("warning: %s: its time, %s, is before %s, when this "
	    "timeclient was made", host, when, floor);
}

/* Steps the clock by offset_ns, or slews it with adjtime(2): 0, or -1. */
static int
clock_change(int64_t offset_ns, int slew)
{
	struct timespec now;
	struct timeval delta;
	int64_t t;

	if (slew) {
		delta = timeval_of(offset_ns);
		return adjtime(&delta, NULL);
	}
	t = query_realtime_ns() + offset_ns;
	now.tv_sec = t / NS_PER_SECOND;
	now.tv_nsec = t % NS_PER_SECOND;
	if (now.tv_nsec < 0) {
		now.tv_nsec += NS_PER_SECOND;
		now.tv_sec--;
	}
	return clock_settime(CLOCK_REALTIME, &now);
}

/* Why clock_change failed (errno), and exit 5. */
static void __attribute__((noreturn))
clock_unchanged(int64_t offset_ns, int slew)
{
	if (slew && errno == EINVAL)
		errx(EXIT_NOT_SET, "cannot slew the clock by %lld seconds: too far; "
		    "step it (without -a)",
		    (long long)(offset_ns / NS_PER_SECOND));
	if (errno == EPERM)
		errx(EXIT_NOT_SET, "cannot set the clock: %s; run as root, or use -p to "
		    "print the time only", strerror(errno));
	err(EXIT_NOT_SET, "cannot set the clock");
}

/* What was measured, whatever the mode: what -p prints and -s sets. */
struct measurement {
	const char *host;
	const char *how;		/* "tcp", "udp" or "sntp" */
	int64_t utc_seconds;		/* the server's time */
	int64_t remote_seconds;		/* the same, leap-counting with -c */
	int64_t offset_ns;		/* to add to the local clock */
	int64_t adjust_seconds;		/* RFC 868 without -x: whole seconds */
	struct subsecond subsecond;	/* -x */
	int64_t lo_ns, hi_ns;		/* -x, -m: the offset's stated interval */
	int bounded;			/* -x, -m: it is the interval's middle */
	int64_t error_ns;		/* how far the clock may be off, set */
	int queries;			/* -x; -m: in all */
	int agree, answered;		/* -m: the group, the sources answering */
};

/*
 * Hosts are tried in turn; the first to answer in time is used. Returns
 * its index, with its answer in *ans and when it was asked (monotonic ms)
 * in *started; or exits: EXIT_REFUSED when an answer came and was not
 * usable, EXIT_TOO_SLOW when the only answers were too slow (-t),
 * EXIT_NO_ANSWER when none came.
 */
static int
ask(const struct client_options *o, struct answer *ans, long long *started)
{
	struct why why;
	int i, r, too_slow = 0, refused = 0;

	for (i = 0; i < o->nhosts; i++) {
		*started = query_clock_ms();
		if ((r = query_host(o->hosts[i], &o->query, ans, &why)) < 0) {
			warnx("%s", why.text);
			refused |= r == QUERY_REFUSED;
			continue;
		}
		if (o->max_delay_ms > 0 && ans->delay_ms > o->max_delay_ms) {
			warnx("Network delay exceeded (%ld msec)", ans->delay_ms);
			too_slow = 1;
			continue;
		}
		return i;
	}
	exit(refused ? EXIT_REFUSED : too_slow ? EXIT_TOO_SLOW :
	    EXIT_NO_ANSWER);
}

/* The leap seconds (-c) between UTC and the leap-counting scale at t. */
static int64_t
leap_adjustment(const struct client_options *o, const struct leaps *leaps,
    int64_t t)
{
	return o->leaps ? leaps_posix_to_right(leaps, t) - t : 0;
}

/*
 * SNTP's uncertainty: its offset takes the ways there and back as equally
 * long, so it is off by at most half the round trip.
 */
static int64_t
sntp_half_trip(const struct answer *ans)
{
	return (ans->received_ns - ans->sent_ns) / 2;
}

/* SNTP: the offset to the microsecond, from one exchange. */
static void
measure_sntp(const struct client_options *o, const struct leaps *leaps,
    const struct answer *ans, struct measurement *m)
{
	m->how = "sntp";
	m->offset_ns = ans->sntp_offset_ns;
	/* Its root distance: the server's own error, and the way there. */
	m->error_ns = sntp_half_trip(ans) + sntp_root_distance_ns(ans->reply);
	m->remote_seconds = (ans->received_ns + m->offset_ns) / NS_PER_SECOND;
	m->utc_seconds = m->remote_seconds;
	m->adjust_seconds = leap_adjustment(o, leaps, m->remote_seconds);
	m->offset_ns += m->adjust_seconds * NS_PER_SECOND;
	m->remote_seconds += m->adjust_seconds;
}

/* -x, the network's part: every round done, or an exit saying why not. */
static void
subsecond_run(const char *host, const struct client_options *o,
    const struct answer *ans, long long started, struct subsecond *sub)
{
	const char *unfinished;
	struct why why;
	int refused;

	unfinished = subsecond_measure(o, ans, started + o->query.timeout_ms,
	    sub, &refused, &why);
	if (unfinished != NULL && refused)
		errx(EXIT_REFUSED, "%s: -x: %s", host, unfinished);
	if (unfinished != NULL)
		errx(EXIT_NO_ANSWER, "%s: -x: the offset could not be measured to the "
		    "millisecond: %s, after %d queries, with it known only "
		    "to %.3f s; the clock is left as it is", host,
		    unfinished, sub->queries,
		    (double)bound_width(&sub->all) / NS_PER_SECOND);
}

/*
 * An offset known as an interval [lo, hi) at now (-x, -m): its middle, and
 * the server's time now, not the first answer's, seconds old.
 */
static void
measure_interval(const struct client_options *o, const struct leaps *leaps,
    int64_t now, int64_t lo, int64_t hi, struct measurement *m)
{
	int64_t middle = lo + (hi - lo) / 2;

	m->bounded = 1;
	m->lo_ns = lo;
	m->hi_ns = hi;
	m->error_ns = hi - middle;
	m->remote_seconds = (now + middle) / NS_PER_SECOND;
	m->utc_seconds = m->remote_seconds;
	m->adjust_seconds = leap_adjustment(o, leaps, m->remote_seconds);
	m->remote_seconds += m->adjust_seconds;
	m->offset_ns = middle + m->adjust_seconds * NS_PER_SECOND;
}

/*
 * -x: the offset to the millisecond, from rounds of probes: the last
 * round's bound, as it holds now (aged by the drift a clock may have).
 */
static void
measure_subsecond(const struct client_options *o, const struct leaps *leaps,
    const struct subsecond *sub, struct measurement *m)
{
	int64_t now = query_realtime_ns(), lo, hi;

	m->how = o->query.udp ? "udp" : "tcp";
	m->subsecond = *sub;
	m->queries = sub->queries;
	bound_at(&m->subsecond.last, now, &lo, &hi);
	measure_interval(o, leaps, now, lo, hi, m);
}

/*
 * -m: one source, measured by the deadline, in a process of its own
 * (sources.c): asked once, and with -x measured to the millisecond.
 */
static void
source_measure(const char *host, const struct client_options *o,
    const struct sockaddr_storage *addr, socklen_t len, long long deadline,
    struct source *s)
{
	const char *unfinished;
	struct why why;
	int refused, r;

	memset(s, 0, sizeof(*s));
	if ((r = query_one(addr, len, &o->query, &s->ans, deadline, &why)) <
	    0) {
		s->status = r == QUERY_REFUSED ? EXIT_REFUSED : 0;
		snprintf(s->why, sizeof(s->why), "%.40s (%.60s): %.50s", host,
		    s->ans.peer, why.text);
		return;
	}
	if (o->max_delay_ms > 0 && s->ans.delay_ms > o->max_delay_ms) {
		s->status = EXIT_TOO_SLOW;
		snprintf(s->why, sizeof(s->why), "%.40s (%.60s): network delay "
		    "exceeded (%ld msec)", host, s->ans.peer, s->ans.delay_ms);
		return;
	}
	if (!o->query.sntp && rfc868_unpack(s->ans.reply) == 0) {
		s->status = EXIT_REFUSED;
		snprintf(s->why, sizeof(s->why), "%.40s (%.60s): sent 0, what a "
		    "server without a clock sends", host, s->ans.peer);
		return;
	}
	s->subsecond_done = o->subsecond && !o->query.sntp;
	if (s->subsecond_done && (unfinished = subsecond_measure(o, &s->ans,
	    deadline, &s->sub, &refused, &why)) != NULL) {
		snprintf(s->why, sizeof(s->why), "%.40s (%.60s): -x: %s, after %d "
		    "queries", host, s->ans.peer, unfinished, s->sub.queries);
		s->subsecond_done = 0;
		s->status = refused ? EXIT_REFUSED : 0;
		return;
	}
	s->answered = 1;
}

/*
 * The network side: the first host to answer, and -x's rounds with it;
 * with -m, every source at once. In a confined child when the clock will
 * be set (privsep.c).
 */
static void
network_side(const struct client_options *o, struct network_result *r)
{
	long long started;

	if (o->majority) {
		if (sources_ask(o, source_measure, r->src, &r->nsources) == -1)
			err(EXIT_TROUBLE, "-m: cannot ask the sources at once");
		return;
	}
	r->host = ask(o, &r->ans, &started);
	r->subsecond_done = o->subsecond && !o->query.sntp &&
	    rfc868_unpack(r->ans.reply) != 0;
	if (r->subsecond_done)
		subsecond_run(o->hosts[r->host], o, &r->ans, started, &r->sub);
}

/* -m: one source's line: its interval and its verdict, or why none. */
static void
source_say(const struct client_options *o, const struct source *s,
    const struct interval *iv, const char *verdict)
{
	if (s->same) {
		warnx("-m: %s", s->why);
		return;
	}
	if (!s->answered) {
		warnx("-m: %s: no answer", s->why);
		return;
	}
	warnx("-m: %s (%s): the offset in [%+.6f, %+.6f) s: %s",
	    o->hosts[s->host], s->ans.peer, (double)iv->lo_ns / NS_PER_SECOND,
	    (double)iv->hi_ns / NS_PER_SECOND, verdict);
}

/*
 * -m, no source answered: the exit one host would make, the most telling
 * of the sources' (as ask()): 4 when an answer came and was not believed,
 * 2 when answers came too slow (-t), 3 when none came.
 */
static void __attribute__((noreturn))
none_answered(const struct network_result *r, int n)
{
	int i, status = EXIT_NO_ANSWER;

	for (i = 0; i < n; i++)
		if (r->src[i].status == EXIT_REFUSED ||
		    (r->src[i].status == EXIT_TOO_SLOW && status != EXIT_REFUSED))
			status = r->src[i].status;
	if (status == EXIT_REFUSED)
		errx(status, "-m: none of the %d sources gave an answer to "
		    "believe", n);
	if (status == EXIT_TOO_SLOW)
		errx(status, "-m: none of the %d sources answered within -t", n);
	errx(status, "-m: none of the %d sources answered", n);
}

/*
 * -m: the interval a strict majority of the sources that answered (two at
 * least; a source a server, sources.c) agree on, or an exit: none_answered,
 * 1 when they do not agree, every source said. Falsetickers are always named; with -v every
 * source. The source whose interval is the narrowest of the group stands
 * for it (its host and address in the lines that name one).
 */
static void
measure_majority(const struct client_options *o, const struct leaps *leaps,
    const struct network_result *r, struct measurement *m,
    struct answer *ans)
{
	struct interval iv[MAJORITY_SOURCES_MAX];
	enum verdict verdicts[MAJORITY_SOURCES_MAX];
	int have[MAJORITY_SOURCES_MAX] = { 0 }, i, n, best = -1;
	struct majority maj;
	int64_t now = query_realtime_ns(), middle;

	n = r->nsources < MAJORITY_SOURCES_MAX ? r->nsources :
	    MAJORITY_SOURCES_MAX;
	for (i = 0; i < n; i++) {
		have[i] = source_interval(o, &r->src[i], now, &iv[i]) == 0;
		m->queries += have[i] ? (r->src[i].subsecond_done ?
		    r->src[i].sub.queries : 1) : 0;
	}
	majority_find(iv, have, (size_t)n, &maj, verdicts);
	for (i = 0; i < n; i++) {
		if (!maj.agreed)
			source_say(o, &r->src[i], &iv[i], have[i] ?
			    "no majority" : "");
		else if (o->verbose || verdicts[i] != SOURCE_AGREED)
			source_say(o, &r->src[i], &iv[i],
			    verdict_name(verdicts[i]));
		if (verdicts[i] == SOURCE_AGREED && (best == -1 ||
		    iv[i].hi_ns - iv[i].lo_ns < iv[best].hi_ns - iv[best].lo_ns))
			best = i;
	}
	if (maj.answered == 0)
		none_answered(r, n);
	if (!maj.agreed)
		errx(EXIT_TROUBLE, "-m: no majority: the largest group whose "
		    "intervals overlap is %d of the %d sources that answered%s; "
		    "the clock is left as it is", maj.largest, maj.answered,
		    maj.groups > 1 ? ", and there are two such groups" : "");
	*ans = r->src[best].ans;
	m->host = o->hosts[r->src[best].host];
	m->how = o->query.sntp ? "sntp" : o->query.udp ? "udp" : "tcp";
	m->agree = maj.largest;
	m->answered = maj.answered;
	measure_interval(o, leaps, now, maj.lo_ns, maj.hi_ns, m);
	middle = maj.lo_ns + (maj.hi_ns - maj.lo_ns) / 2;
	if (o->verbose)
		warnx("-m: %d of %d agree: the offset in [%+.6f, %+.6f) s, "
		    "%+.6f \302\261 %.6f s", maj.largest, maj.answered,
		    (double)maj.lo_ns / NS_PER_SECOND,
		    (double)maj.hi_ns / NS_PER_SECOND,
		    (double)middle / NS_PER_SECOND,
		    (double)(maj.hi_ns - maj.lo_ns) / 2 / NS_PER_SECOND);
}

/*
 * RFC 868 as rdate reads it: whole seconds. What is set may be off by as
 * much as the answer's bound (a second and the round trip wide) lies
 * from the whole seconds added, at its farther end.
 */
static void
measure_seconds(const struct client_options *o, const struct leaps *leaps,
    const struct answer *ans, struct measurement *m)
{
	struct interval iv;
	int64_t utc_offset;

	m->how = o->query.udp ? "udp" : "tcp";
	m->remote_seconds = rfc868_to_unix(rfc868_unpack(ans->reply));
	m->utc_seconds = m->remote_seconds;
	m->remote_seconds += leap_adjustment(o, leaps, m->remote_seconds);
	m->adjust_seconds = rfc868_offset(m->remote_seconds, ans->sent_ns,
	    ans->received_ns);
	m->offset_ns = m->adjust_seconds * NS_PER_SECOND;
	answer_bound(ans, (int64_t)o->lag_ms * 1000000, &iv);
	utc_offset = m->offset_ns - (m->remote_seconds - m->utc_seconds) *
	    NS_PER_SECOND;
	m->error_ns = utc_offset - iv.lo_ns > iv.hi_ns - utc_offset ?
	    utc_offset - iv.lo_ns : iv.hi_ns - utc_offset;
}

/*
 * Once the clock is set, the kernel is told how far it may be off, which
 * marks it synchronized (platform.c): the measurement's error, and while
 * a slew is under way the part of the offset not yet slewed, in us
 * rounded up, as maxerror and esterror both (a bound is all that is
 * known). A bound past the kernel's limit marks nothing: the kernel
 * would hold the clock unsynchronized anyway. -v says which.
 */
static void
clock_mark(const struct client_options *o, const struct measurement *m,
    int slew)
{
	int64_t ns = m->error_ns + (slew ? llabs(m->offset_ns) : 0);
	int64_t us = (ns + 999) / 1000;

	if (us > PLATFORM_MAXERROR_US) {
		if (o->verbose)
			warnx("the clock is not marked synchronized: it may be "
			    "%.6f s off, more than the kernel's %ld s", (double)
			    ns / NS_PER_SECOND, PLATFORM_MAXERROR_US / 1000000);
		return;
	}
	if (platform_clock_mark_synced((long)us, (long)us) == -1) {
		warn("the clock was set, but cannot be marked synchronized");
		return;
	}
	if (o->verbose)
		warnx("the clock marked synchronized, off by %.6f s at most "
		    "(the kernel's maxerror and esterror %lld us)",
		    (double)us / 1000000, (long long)us);
}

/*
 * Whether stderr is the journal: systemd says so in JOURNAL_STREAM, the
 * device and inode of the stream it gave (systemd.exec(5)).
 */
static int
stderr_is_journal(void)
{
	const char *stream = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;
	char *end;

	if (stream == NULL || fstat(STDERR_FILENO, &st) == -1)
		return 0;
	dev = strtoull(stream, &end, 10);
	if (end == stream || *end != ':')
		return 0;
	ino = strtoull(end + 1, &end, 10);
	return *end == '\0' && st.st_dev == dev && st.st_ino == ino;
}

/* The offset with its sign, and its uncertainty, as the mode knows them. */
static void
offset_text(const struct measurement *m, const struct answer *ans,
    char *offset, size_t offset_size, char *plusminus, size_t pm_size)
{
	char digits[32];
	int decimals = m->bounded ? 3 : 6;

	if (!m->bounded && strcmp(m->how, "sntp") != 0) {
		snprintf(offset, offset_size, "%+lld", (long long)m->adjust_seconds);
		*plusminus = '\0';
		return;
	}
	client_format_seconds(m->offset_ns, decimals, digits, sizeof(digits));
	snprintf(offset, offset_size, "%s%s", digits[0] == '-' ? "" : "+",
	    digits);
	if (m->bounded)
		snprintf(plusminus, pm_size, " \302\261 %.3f s",
		    (double)stated_uncertainty(m->lo_ns, m->hi_ns) / 1000);
	else
		snprintf(plusminus, pm_size, " \302\261 %.6f s",
		    (double)sntp_half_trip(ans) / NS_PER_SECOND);
}

/*
 * Whenever the clock is changed, one line says by how much, how and from
 * where: on stderr, and in syslog where stderr is neither a terminal nor
 * the journal (cron, a script's log file), as ntpdate and timesyncd say it.
 * When it could not be (done 0), the same line says what was measured, so
 * that the journal of a failed boot still holds the offset.
 */
static void
say_change(const struct measurement *m, const struct answer *ans, int slew,
    int done)
{
	char line[512], offset[40], plusminus[40];

	offset_text(m, ans, offset, sizeof(offset), plusminus,
	    sizeof(plusminus));
	snprintf(line, sizeof(line), "clock %s%s by %s s%s, to the time of %s "
	    "(%s) over %s", done ? "" : "could not be ", slew ? "slewed" :
	    "stepped", offset, plusminus, m->host, ans->peer, m->how);
	fprintf(stderr, "%s: %s\n", getprogname(), line);
	if (!isatty(STDERR_FILENO) && !stderr_is_journal()) {
		openlog(getprogname(), LOG_PID, LOG_DAEMON);
		syslog(LOG_NOTICE, "%s", line);
		closelog();
	}
}

/*
 * Sets the clock, unless -p: stepped, or slewed with -a, or, as rdate
 * does with -b, slewed below its limit and stepped above it, and says so.
 * Returns whether it slewed, and through *suffix what -b makes the report
 * say; or exits 5, having said what it measured.
 */
static int
apply(const struct client_options *o, const struct measurement *m,
    const struct answer *ans, const char **suffix)
{
	int slew = o->slew, saved;

	*suffix = "";
	if (o->print_only)
		return slew;
	if (o->step_above >= 0) {
		slew = llabs(m->offset_ns) <= o->step_above * NS_PER_SECOND;
		*suffix = slew ? " (adjtime)" : " (instant change)";
	}
	if (clock_change(m->offset_ns, slew) == -1) {
		saved = errno;
		say_change(m, ans, slew, 0);
		errno = saved;
		clock_unchanged(m->offset_ns, slew);
	}
	say_change(m, ans, slew, 1);
	return slew;
}

/*
 * -q: one line for scripts and monitoring, its format fixed (timeclient(1)):
 * the offset to add to the local clock, and how far it may be off.
 * Without -x or -n, that is the causal bound of the one answer: a second
 * and the round trip wide.
 */
static void
report_query(const struct measurement *m, const struct answer *ans)
{
	int64_t offset = m->offset_ns, half;
	char address[ADDR_TEXT_MAX];
	unsigned port;

	if (m->bounded)
		half = (m->hi_ns - m->lo_ns) / 2;
	else if (strcmp(m->how, "sntp") == 0)
		half = sntp_half_trip(ans);
	else {
		offset = m->remote_seconds * NS_PER_SECOND + NS_PER_SECOND / 2 -
		    ans->asked_ns / 2 - ans->received_ns / 2;
		half = (NS_PER_SECOND + ans->received_ns - ans->asked_ns) / 2;
	}
	addr_text((const struct sockaddr *)&ans->addr, address, sizeof(address),
	    &port);
	printf("host=%s address=%s port=%u proto=%s offset=%+.6f "
	    "uncertainty=%.6f queries=%d", m->host, address, port, m->how,
	    (double)offset / 1e9, (double)half / 1e9,
	    m->queries > 0 ? m->queries : 1);
	if (m->answered > 0)
		printf(" agree=%d/%d", m->agree, m->answered);
	printf("\n");
}

/* -v: where the time came from, on stderr. */
static void
report_source(const struct client_options *o, const struct measurement *m,
    const struct answer *ans)
{
	fprintf(stderr, "%s: time from %s (%s) over %s\n", getprogname(),
	    m->host, ans->peer, m->how);
	if (!o->query.sntp && ans->size > RFC868_SIZE)
		fprintf(stderr, "%s: reply was %zu bytes, used the first %d\n",
		    getprogname(), ans->size, RFC868_SIZE);
	if (o->query.sntp)
		fprintf(stderr, "%s: -n: round trip %.6f s: the offset holds "
		    "to \302\261 %.6f s, as the ways there and back differ\n",
		    getprogname(), (double)(ans->received_ns - ans->sent_ns) /
		    NS_PER_SECOND, (double)sntp_half_trip(ans) / NS_PER_SECOND);
	if (m->queries > 0 && m->answered == 0)
		fprintf(stderr, "%s: -x: %d queries, %d replies, the last "
		    "round's %d: the offset in [%.6f, %.6f) s\n",
		    getprogname(), m->queries, m->subsecond.all.replies,
		    m->subsecond.last.replies, (double)m->lo_ns / NS_PER_SECOND,
		    (double)m->hi_ns / NS_PER_SECOND);
}

/*
 * rdate's output: the date, and the adjustment when slewing or asked
 * (-v), in the precision the mode has.
 */
static void
report(const struct client_options *o, const struct measurement *m,
    const struct answer *ans, const char *when, int slew, const char *suffix)
{
	char seconds[32];

	printf("%s\n", when);
	if ((slew || o->verbose) && m->bounded) {		/* -x, -m */
		printf("%s: adjust local clock by %s seconds \302\261 %.3f s",
		    getprogname(), client_format_seconds(m->offset_ns, 3,
		    seconds, sizeof(seconds)),
		    (double)stated_uncertainty(m->lo_ns, m->hi_ns) / 1000);
		if (o->verbose)
			printf(" (%d queries)", m->queries);
		printf("%s\n", suffix);
	} else if ((slew || o->verbose) && o->query.sntp)
		printf("%s: adjust local clock by %s seconds%s\n",
		    getprogname(), client_format_seconds(m->offset_ns, 6,
		    seconds, sizeof(seconds)), suffix);
	else if (slew || o->verbose)
		printf("%s: adjust local clock by %lld seconds%s\n",
		    getprogname(), (long long)m->adjust_seconds, suffix);
	if (o->verbose && o->max_delay_ms > 0)
		printf("%s: network delay %ld msecs\n", getprogname(),
		    ans->delay_ms);
}

int
main(int argc, char *argv[])
{
	struct client_options o;
	struct network_result r;
	struct measurement m;
	struct answer ans;
	struct leaps leaps;
	const char *suffix;
	struct why why;
	char when[64];
	int slew, zero;

	memset(&r, 0, sizeof(r));
	memset(&m, 0, sizeof(m));
	memset(&ans, 0, sizeof(ans));
	memset(&leaps, 0, sizeof(leaps));
	if (client_options(argc, argv, &o, &why) == -1) {
		if (why.text[0] != '\0')
			errx(1, "%s", why.text);
		if (o.bad_option != 0)
			warnx("%s -- '%c'", o.bad_option_missing ? "option "
			    "requires an argument" : "invalid option",
			    o.bad_option);
		usage();
	}
	if (o.help)
		help();
	if (o.version) {
		printf("timeclient %s\n", VERSION);
		return fflush(stdout) == 0 ? 0 : 1;
	}
	if (o.leaps && leaps_load(LEAPS_FILE, &leaps, &why) == -1)
		errx(1, "-c needs the leap seconds of %s: %s", LEAPS_FILE,
		    why.text);
	if (o.nhosts == 0)			/* -s alone: lastgood.c */
		return lastgood_advance(o.verbose);
	if (o.verbose)
		o.query.note = note;
	if (o.majority && o.nhosts > MAJORITY_SOURCES_MAX)
		warnx("-m: %d hosts: the first %d are asked", o.nhosts,
		    MAJORITY_SOURCES_MAX);

	if (privsep_wanted(&o))
		privsep_network(&o, network_side, &r);
	else
		network_side(&o, &r);
	ans = r.ans;
	m.host = o.hosts[r.host];
	zero = !o.majority && !o.query.sntp && rfc868_unpack(ans.reply) == 0;
	if (zero)
		sent_zero(m.host, o.print_only);
	if (o.majority)
		measure_majority(&o, &leaps, &r, &m, &ans);
	else if (o.query.sntp)
		measure_sntp(&o, &leaps, &ans, &m);
	else if (r.subsecond_done)
		measure_subsecond(&o, &leaps, &r.sub, &m);
	else
		measure_seconds(&o, &leaps, &ans, &m);
	if ((time_t)m.remote_seconds != m.remote_seconds)
		errx(1, "%s: the time %lld does not fit this system's time_t",
		    m.host, (long long)m.remote_seconds);
	/* The floor is UTC's: -c's leap seconds must not lift a time over. */
	if (m.utc_seconds < TIME_FLOOR)
		below_floor(m.host, m.utc_seconds, o.print_only);
	if (!o.print_only)
		lastgood_check(m.host, m.utc_seconds, m.error_ns);

	slew = apply(&o, &m, &ans, &suffix);
	if (!o.print_only) {
		clock_mark(&o, &m, slew);
		lastgood_keep(m.utc_seconds, m.error_ns, o.verbose);
	}
	/*
	 * Judged only where a date is printed (not -q, not -s), and after the
	 * clock is set: the zone that shows it never decides the setting.
	 */
	if (!o.query_only && !o.set_only && client_format_time(m.remote_seconds,
	    when, sizeof(when)) == 0)
		errx(1, "%s: cannot show the time %lld in this time zone",
		    m.host, (long long)m.remote_seconds);
	if (o.verbose)
		report_source(&o, &m, &ans);
	if (o.query_only)
		report_query(&m, &ans);
	else if (!o.set_only)
		report(&o, &m, &ans, when, slew, suffix);
	if (fflush(stdout) == EOF || ferror(stdout))
		err(1, "stdout");
	return 0;
}
