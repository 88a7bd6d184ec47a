/*
 * timeclient's measurement: hosts tried in turn until one answers, and
 * -x's rounds with it; or, with -m, every host at once and the interval a
 * majority agrees on. What it finds, or why it found nothing, goes into
 * one struct measurement; what went wrong on the way is said as it
 * happens (warnx), but the program is never ended here: main() reports
 * and acts, on this process's measurement or on the one its confined
 * network side sent (privsep.c).
 */
#include <errno.h>
#include <err.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/rfc868.h"
#include "majority.h"
#include "measure.h"
#include "query.h"
#include "sntp.h"
#include "sources.h"
#include "subsecond.h"

#define AIM_MARGIN_NS	20000000	/* -x: time to set a round up */

/* A measurement that failed: its exit status and why. Returns -1. */
static int __attribute__((format(printf, 3, 4)))
failed(struct measurement *m, int status, const char *fmt, ...)
{
	va_list ap;

	m->status = status;
	va_start(ap, fmt);
	vsnprintf(m->reason, sizeof(m->reason), fmt, ap);
	va_end(ap);
	return -1;
}

/* "tcp", "udp" or "sntp": how the time came. */
const char *
measure_how(const struct client_options *o)
{
	return o->query.sntp ? "sntp" : o->query.udp ? "udp" : "tcp";
}

/*
 * -x: rounds of probes at the server's next second edges (subsecond.c),
 * all to the address that gave the first answer, until the rounds are
 * done, the deadline (monotonic ms) comes, or two rounds in a row go
 * unanswered. Returns NULL when every round was done, or why not: the
 * result is then not the millisecond -x promises, and is never given as
 * if it were. *refused says whether the replies themselves were not
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
 * Hosts are tried in turn; the first to answer in time is used. Returns
 * its index, with its answer in *ans and when it was asked (monotonic ms)
 * in *started; or -1 with m's status: EXIT_REFUSED when an answer came
 * and was not usable, EXIT_TOO_SLOW when the only answers were too slow
 * (-t), EXIT_NO_ANSWER when none came, each said as it came.
 */
static int
ask(const struct client_options *o, struct answer *ans, long long *started,
    struct measurement *m)
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
	return failed(m, refused ? EXIT_REFUSED : too_slow ? EXIT_TOO_SLOW :
	    EXIT_NO_ANSWER, "%s", "");
}

/* What the lines say of the answer that stands for the measurement. */
static void
answer_keep(const struct client_options *o, const struct answer *a,
    struct measurement *m)
{
	strlcpy(m->peer, a->peer, sizeof(m->peer));
	/* -q's address names its link; -q never runs under the filter. */
	if (o->query_only)
		addr_text((const struct sockaddr *)&a->addr, m->address,
		    sizeof(m->address), &m->port);
	else
		addr_text_numeric((const struct sockaddr *)&a->addr,
		    m->address, sizeof(m->address), &m->port);
	m->size = a->size;
	m->asked_ns = a->asked_ns;
	m->sent_ns = a->sent_ns;
	m->received_ns = a->received_ns;
	m->delay_ms = a->delay_ms;
}

/* The leap seconds (-c) between UTC and the leap-counting scale at t. */
static int64_t
leap_adjustment(const struct client_options *o, const struct leaps *leaps,
    int64_t t)
{
	return o->leaps ? leaps_posix_to_right(leaps, t) - t : 0;
}

/*
 * SNTP: the offset to the microsecond, from one exchange. Its root
 * distance: the server's own error, and the way there (half the round
 * trip, as the ways there and back are taken as equally long).
 */
static void
measure_sntp(const struct client_options *o, const struct leaps *leaps,
    const struct answer *ans, struct measurement *m)
{
	m->offset_ns = ans->sntp_offset_ns;
	m->error_ns = (ans->received_ns - ans->sent_ns) / 2 +
	    sntp_root_distance_ns(ans->reply);
	m->remote_seconds = (ans->received_ns + m->offset_ns) / NS_PER_SECOND;
	m->utc_seconds = m->remote_seconds;
	m->adjust_seconds = leap_adjustment(o, leaps, m->remote_seconds);
	m->offset_ns += m->adjust_seconds * NS_PER_SECOND;
	m->remote_seconds += m->adjust_seconds;
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
 * -x: the offset to the millisecond, from rounds of probes with the host
 * that answered first: the last round's bound, as it holds now (aged by
 * the drift a clock may have); or why not.
 */
static void
measure_subsecond(const struct client_options *o, const struct leaps *leaps,
    const struct answer *ans, long long started, struct measurement *m)
{
	const char *host = o->hosts[m->host], *unfinished;
	struct subsecond sub;
	struct why why;
	int64_t now, lo, hi;
	int refused;

	unfinished = subsecond_measure(o, ans, started + o->query.timeout_ms,
	    &sub, &refused, &why);
	if (unfinished != NULL && refused) {
		failed(m, EXIT_REFUSED, "%s: -x: %s", host, unfinished);
		return;
	}
	if (unfinished != NULL) {
		failed(m, EXIT_NO_ANSWER, "%s: -x: the offset could not be "
		    "measured to the millisecond: %s, after %d queries, with "
		    "it known only to %.3f s; the clock is left as it is", host,
		    unfinished, sub.queries,
		    (double)bound_width(&sub.all) / NS_PER_SECOND);
		return;
	}
	m->queries = sub.queries;
	m->replies = sub.all.replies;
	m->last_replies = sub.last.replies;
	now = query_realtime_ns();
	bound_at(&sub.last, now, &lo, &hi);
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
 * -m, no source answered: the status one host would have, the most
 * telling of the sources' (as ask()): 4 when an answer came and was not
 * believed, 2 when answers came too slow (-t), 3 when none came.
 */
static void
none_answered(const struct source *src, int n, struct measurement *m)
{
	int i, status = EXIT_NO_ANSWER;

	for (i = 0; i < n; i++)
		if (src[i].status == EXIT_REFUSED ||
		    (src[i].status == EXIT_TOO_SLOW && status != EXIT_REFUSED))
			status = src[i].status;
	if (status == EXIT_REFUSED)
		failed(m, status, "-m: none of the %d sources gave an answer "
		    "to believe", n);
	else if (status == EXIT_TOO_SLOW)
		failed(m, status, "-m: none of the %d sources answered within "
		    "-t", n);
	else
		failed(m, status, "-m: none of the %d sources answered", n);
}

/*
 * -m: every source's line when there is no majority; with one, the
 * falsetickers' (always) and the others' (-v). Returns the source whose
 * interval is the narrowest of the group, which stands for it (its host
 * and address in the lines that name one), or -1.
 */
static int
sources_say(const struct client_options *o, const struct source *src, int n,
    const struct interval *iv, const int *have, const struct majority *maj,
    const enum verdict *verdicts)
{
	int i, best = -1;

	for (i = 0; i < n; i++) {
		if (!maj->agreed)
			source_say(o, &src[i], &iv[i], have[i] ?
			    "no majority" : "");
		else if (o->verbose || verdicts[i] != SOURCE_AGREED)
			source_say(o, &src[i], &iv[i],
			    verdict_name(verdicts[i]));
		if (verdicts[i] == SOURCE_AGREED && (best == -1 ||
		    iv[i].hi_ns - iv[i].lo_ns < iv[best].hi_ns - iv[best].lo_ns))
			best = i;
	}
	return best;
}

/*
 * -m: the interval a strict majority of the sources that answered (two at
 * least; a source a server, sources.c) agree on; or none_answered's
 * status, or 1 when they do not agree, every source said.
 */
static void
majority_of(const struct client_options *o, const struct leaps *leaps,
    const struct source *src, int n, struct measurement *m)
{
	struct interval iv[MAJORITY_SOURCES_MAX];
	enum verdict verdicts[MAJORITY_SOURCES_MAX];
	int have[MAJORITY_SOURCES_MAX] = { 0 }, i, best;
	struct majority maj;
	int64_t now = query_realtime_ns(), middle;

	for (i = 0; i < n; i++) {
		have[i] = source_interval(o, &src[i], now, &iv[i]) == 0;
		m->queries += have[i] ? (src[i].subsecond_done ?
		    src[i].sub.queries : 1) : 0;
	}
	majority_find(iv, have, (size_t)n, &maj, verdicts);
	best = sources_say(o, src, n, iv, have, &maj, verdicts);
	if (maj.answered == 0) {
		none_answered(src, n, m);
		return;
	}
	if (!maj.agreed) {
		failed(m, EXIT_TROUBLE, "-m: no majority: the largest group "
		    "whose intervals overlap is %d of the %d sources that "
		    "answered%s; the clock is left as it is", maj.largest,
		    maj.answered, maj.groups > 1 ? ", and there are two such "
		    "groups" : "");
		return;
	}
	answer_keep(o, &src[best].ans, m);
	m->host = src[best].host;
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

/* -m: every source asked at once, and what a majority of them says. */
static void
measure_majority(const struct client_options *o, const struct leaps *leaps,
    struct measurement *m)
{
	struct source src[MAJORITY_SOURCES_MAX];
	int n;

	if (sources_ask(o, source_measure, src, &n) == -1) {
		failed(m, EXIT_TROUBLE, "-m: cannot ask the sources at once: %s",
		    strerror(errno));
		return;
	}
	majority_of(o, leaps, src, n < MAJORITY_SOURCES_MAX ? n :
	    MAJORITY_SOURCES_MAX, m);
}

/*
 * The measurement the options ask for, into *m (zeroed first): with -m,
 * the majority's; else the first host to answer, by its protocol, with
 * -x its rounds (not when it sent 0, which main() judges).
 */
void
measure(const struct client_options *o, const struct leaps *leaps,
    struct measurement *m)
{
	struct answer ans;
	long long started = 0;

	memset(m, 0, sizeof(*m));
	memset(&ans, 0, sizeof(ans));
	if (o->majority) {
		measure_majority(o, leaps, m);
		return;
	}
	if ((m->host = ask(o, &ans, &started, m)) == -1) {
		m->host = 0;
		return;
	}
	answer_keep(o, &ans, m);
	m->zero = !o->query.sntp && rfc868_unpack(ans.reply) == 0;
	if (o->query.sntp)
		measure_sntp(o, leaps, &ans, m);
	else if (o->subsecond && !m->zero)
		measure_subsecond(o, leaps, &ans, started, m);
	else
		measure_seconds(o, leaps, &ans, m);
}
