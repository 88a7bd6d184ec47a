/*
 * timeclient -x. An RFC 868 server sends its clock cut to the second, but
 * the value changes at its second edge, so a reply says on which side of
 * an edge the server read its clock. That read happened between our send
 * and our receipt (causality, whatever the path's delays), so a reply of V
 * seconds, sent at s and received at r on our clock, bounds the offset
 * theta (server minus us): V <= t + theta < V + 1 for some t in [s, r], so
 * V - r <= theta < V + 1 - s. One reply bounds theta to a second and the
 * round trip; replies read just before and just after an edge bound it to
 * their spacing and the round trip.
 *
 * Three things keep the bound true where servers are not ideal:
 * - A server that reads time(2) (inetd, xinetd) serves a second up to one
 *   kernel tick late, never early: its value is that of a clock lag_ns
 *   behind, so a reply bounds theta to [V - r, V + 1 - s + lag). RFC 868
 *   cannot tell that lag from an offset; -g says how large it may be.
 * - A clock drifts: a bound made at s holds at t widened by (t - s) times
 *   500 ppm, the fastest NTP or adjtime(3) slews a clock.
 * - A clock steps: the bound stated comes from the last round's replies
 *   alone, which were sent within a round trip and the round's spacing of
 *   each other, so a step before that round cannot squeeze it; earlier
 *   rounds only aim it, and a step large enough to leave no offset that
 *   explains every reply is said as such.
 */
#include <stdint.h>

#include "../common/rfc868.h"
#include "subsecond.h"

static int64_t
drift(int64_t age_ns)
{
	return age_ns / SUBSECOND_DRIFT;
}

void
bound_init(struct offset_bound *b, int64_t lag_ns)
{
	b->lag_ns = lag_ns;
	b->first_ns = b->latest_ns = 0;
	b->lo_ns = INT64_MIN / 2;	/* room to age without overflow */
	b->hi_ns = INT64_MAX / 2;
	b->replies = 0;
	b->rtt_min_ns = INT64_MAX;
	b->rtt_max_ns = 0;
	b->inconsistent = 0;
}

/* The bound as it holds at at_ns (no earlier than the latest reply). */
void
bound_at(const struct offset_bound *b, int64_t at_ns, int64_t *lo,
    int64_t *hi)
{
	int64_t age = b->replies > 0 && at_ns > b->first_ns ?
	    drift(at_ns - b->first_ns) : 0;

	*lo = b->lo_ns - age;
	*hi = b->hi_ns + age;
}

/* A reply of remote_seconds (Unix), asked at sent_ns, got at received_ns. */
void
bound_add(struct offset_bound *b, int64_t remote_seconds, int64_t sent_ns,
    int64_t received_ns)
{
	int64_t lo = remote_seconds * NS_PER_SECOND - received_ns;
	int64_t hi = (remote_seconds + 1) * NS_PER_SECOND - sent_ns + b->lag_ns;
	int64_t at_first, now_lo, now_hi;

	if (b->replies == 0)
		b->first_ns = b->latest_ns = sent_ns;
	if (sent_ns > b->latest_ns)
		b->latest_ns = sent_ns;
	/* Made at sent_ns: as of first_ns, it is narrower by its age. */
	at_first = sent_ns > b->first_ns ? drift(sent_ns - b->first_ns) : 0;
	if (lo + at_first > b->lo_ns)
		b->lo_ns = lo + at_first;
	if (hi - at_first < b->hi_ns)
		b->hi_ns = hi - at_first;
	if (received_ns - sent_ns < b->rtt_min_ns)
		b->rtt_min_ns = received_ns - sent_ns;
	if (received_ns - sent_ns > b->rtt_max_ns)
		b->rtt_max_ns = received_ns - sent_ns;
	b->replies++;
	bound_at(b, b->latest_ns, &now_lo, &now_hi);
	if (now_lo >= now_hi)
		b->inconsistent = 1;
}

int64_t
bound_width(const struct offset_bound *b)
{
	int64_t lo, hi;

	bound_at(b, b->latest_ns, &lo, &hi);
	return hi - lo;
}

int64_t
bound_middle(const struct offset_bound *b)
{
	int64_t lo, hi;

	bound_at(b, b->latest_ns, &lo, &hi);
	return lo + (hi - lo) / 2;
}

/*
 * Where the i-th of n probes (n >= 3) should find the server reading its
 * clock, on our clock (ns), for the server's next second edge after
 * not_before_ns. With theta in [lo, hi), the server reaches second k at
 * our k - theta, in (k - hi, k - lo]: the n - 2 inner probes are spread
 * evenly over that window (the part of it not yet past), and cut the bound
 * to a gap between two of them. The first and the last are guards, just
 * outside it: they must read k - 1 and k, and if the server's clock moved
 * since the bound was made, one of them does not, and the bound comes out
 * empty. The caller sends half a round trip earlier: the symmetric-delay
 * guess aims a probe, while the bound it gives holds whatever the delays.
 */
int64_t
probe_aim(const struct offset_bound *b, int64_t not_before_ns, int i, int n)
{
	int64_t guard = 4 * b->rtt_min_ns > SUBSECOND_GUARD_NS ?
	    4 * b->rtt_min_ns : SUBSECOND_GUARD_NS;
	int64_t lo, hi, k, start, end;

	bound_at(b, b->latest_ns, &lo, &hi);
	k = (not_before_ns + guard + lo) / NS_PER_SECOND + 1;
	start = k * NS_PER_SECOND - hi;
	end = k * NS_PER_SECOND - lo;
	if (start < not_before_ns + guard)
		start = not_before_ns + guard;
	if (i == 0)
		return start - guard;
	if (i == n - 1)
		return end + guard;
	return start + (end - start) * (2 * (int64_t)i - 1) /
	    (2 * (int64_t)n - 4);
}

/*
 * When each of n probes leaves, on the monotonic clock: half the shortest
 * round trip before its aim (the way there), its aim moved from the
 * realtime clock by real_to_mono_ns. The round ends when the last could
 * have been answered (its aim, and a grace that grows with the path), or
 * at the deadline if that comes first; a probe still unanswered then is
 * given up, costing only its share of the round.
 */
void
probe_schedule(const struct probe *probes, int n, int64_t half_rtt_ns,
    int64_t real_to_mono_ns, int64_t deadline_ns, struct probe_schedule *s)
{
	int i;

	for (i = 0; i < n && i < SUBSECOND_PROBES_MAX; i++)
		s->send_ns[i] = probes[i].aim_ns - half_rtt_ns + real_to_mono_ns;
	s->end_ns = probes[n - 1].aim_ns + real_to_mono_ns + 8 * half_rtt_ns +
	    PROBE_GRACE_NS;
	if (s->end_ns > deadline_ns)
		s->end_ns = deadline_ns;
}

/* The server's allowance as time at its rate: a query costs this much. */
#define ALLOWED_QUERY_NS	(NS_PER_SECOND / SUBSECOND_ALLOWED_RATE)
#define ALLOWED_BURST_NS	((int64_t)SUBSECOND_ALLOWED_BURST * ALLOWED_QUERY_NS)

/*
 * Whether n queries sent at at_ns (and the check's after them) keep
 * within what the server allows one source: its burst, refilled at its
 * rate, as a token bucket.
 */
static int
allowance_left(const struct subsecond *m, int64_t at_ns, int n)
{
	int64_t left = m->allowed_ns + (at_ns > m->allowed_at_ns ?
	    at_ns - m->allowed_at_ns : 0);

	if (left > ALLOWED_BURST_NS)
		left = ALLOWED_BURST_NS;
	return left >= (int64_t)(n + SUBSECOND_CHECK_PROBES) * ALLOWED_QUERY_NS;
}

static void
allowance_spend(struct subsecond *m, int64_t at_ns, int n)
{
	if (at_ns > m->allowed_at_ns) {
		m->allowed_ns += at_ns - m->allowed_at_ns;
		m->allowed_at_ns = at_ns;
	}
	if (m->allowed_ns > ALLOWED_BURST_NS)
		m->allowed_ns = ALLOWED_BURST_NS;
	m->allowed_ns -= (int64_t)n * ALLOWED_QUERY_NS;
	m->queries += n;
}

/*
 * The first answer starts a measurement: value, asked at asked_ns (the
 * first send: the bound must hold whichever send was answered), answered
 * at received_ns to the send at sent_ns. The path's round trip is the
 * answered request's, not one that includes a lost request and its
 * resend: that would aim the probes and their guards seconds out.
 */
void
subsecond_start(struct subsecond *m, int64_t lag_ns, uint32_t value,
    int64_t asked_ns, int64_t sent_ns, int64_t received_ns)
{
	bound_init(&m->all, lag_ns);
	bound_init(&m->seen, 0);
	bound_init(&m->last, lag_ns);
	bound_add(&m->all, rfc868_to_unix(value), asked_ns, received_ns);
	bound_add(&m->seen, rfc868_to_unix(value), asked_ns, received_ns);
	m->all.rtt_min_ns = m->all.rtt_max_ns = received_ns - sent_ns;
	m->seen.rtt_min_ns = m->seen.rtt_max_ns = received_ns - sent_ns;
	m->rounds = 0;
	m->last_tries = 0;
	m->queries = 0;
	m->unanswered = 0;
	m->allowed_ns = ALLOWED_BURST_NS;
	m->allowed_at_ns = sent_ns;
	allowance_spend(m, sent_ns, 1);
}

/*
 * The check after the last round: two probes at the server's next edge,
 * just outside the interval stated, which must read the seconds before
 * and after it. The first is aimed to come back, the second to leave, a
 * margin beyond the interval (the late side also by the lag): if the
 * server's clock moved during or after the last round by more than the
 * margin and half a round trip, one of them reads the other second, and
 * its reply contradicts the interval. They cannot narrow it, and a late
 * answer cannot contradict a clock that did not move (causality): one
 * delayed on its way (this host or the server busy) reads the other
 * second and proves nothing.
 */
static int
check_aim(struct subsecond *m, int64_t not_before_ns, struct probe *probes)
{
	int64_t lo, hi, k, rtt = m->all.rtt_min_ns;
	int64_t margin = m->last.rtt_max_ns - m->last.rtt_min_ns;

	/*
	 * The last round's spread of round trips, not every exchange's: the
	 * margin is the move the check cannot see, and one slow exchange (a
	 * cold first query) would hide moves of its size. A check query
	 * slower than that comes back too late to contradict; it checks
	 * nothing and refuses nothing (causality), as a late one always did.
	 */
	if (margin < SUBSECOND_CHECK_NS)
		margin = SUBSECOND_CHECK_NS;
	bound_at(&m->all, m->all.latest_ns, &lo, &hi);
	k = (not_before_ns + hi + margin + rtt) / NS_PER_SECOND + 1;
	/* As the bound will have aged by then: it widens 0.5 ms a second. */
	bound_at(&m->all, k * NS_PER_SECOND - hi, &lo, &hi);
	probes[0].aim_ns = k * NS_PER_SECOND - hi - margin - rtt / 2;
	probes[1].aim_ns = k * NS_PER_SECOND - lo + m->all.lag_ns + margin +
	    rtt / 2;
	probes[0].answered = probes[1].answered = 0;
	return SUBSECOND_CHECK_PROBES;
}

/*
 * The next round's probes, aimed at the server's next edge after
 * not_before_ns: returns how many, 0 when the measurement is done, or -1
 * with why it cannot be finished.
 */
int
subsecond_next(struct subsecond *m, int64_t not_before_ns,
    struct probe *probes, const char **why)
{
	struct offset_bound aim;
	int i, n = SUBSECOND_ROUND_PROBES;

	if (m->unanswered == 2 && m->rounds <= SUBSECOND_ROUNDS) {
		*why = "two rounds of probes went unanswered";
		return -1;
	}
	if (m->rounds == SUBSECOND_ROUNDS) {
		if (m->last.replies > 0 &&
		    bound_width(&m->last) < NS_PER_SECOND / 2) {
			allowance_spend(m, not_before_ns,
			    SUBSECOND_CHECK_PROBES);
			return check_aim(m, not_before_ns, probes);
		}
		/*
		 * Its answers all read one second (sent late: a busy host or
		 * server), or none came: the last round again, at the next
		 * edge, while the server's allowance and the tries last.
		 */
		if (m->last_tries == SUBSECOND_LAST_TRIES ||
		    !allowance_left(m, not_before_ns, n)) {
			*why = m->last.replies == 0 ? "the last round went "
			    "unanswered" : "the last round's answers did not "
			    "straddle the server's second edge";
			return -1;
		}
		bound_init(&m->last, m->all.lag_ns);
		m->rounds--;
	}
	if (m->rounds > SUBSECOND_ROUNDS) {
		if (m->unanswered == 0)
			return 0;
		*why = "the check after the last round went unanswered";
		return -1;
	}
	if (!allowance_left(m, not_before_ns, n)) {
		*why = "the server's allowance of queries ran out";
		return -1;
	}
	allowance_spend(m, not_before_ns, n);
	if (m->rounds == SUBSECOND_ROUNDS - 1)
		m->last_tries++;
	/*
	 * Aimed where the edge was seen, give or take the lag allowed: a
	 * server on time(2) whose lag changes (busy, or woken from idle)
	 * shows its next edge up to that much earlier or later. If its lag
	 * varied so that no one place explains every edge seen, the bound
	 * with the lag allowed still does.
	 */
	aim = m->seen.inconsistent ? m->all : m->seen;
	aim.lo_ns -= m->all.lag_ns;
	aim.hi_ns += m->all.lag_ns;
	for (i = 0; i < n; i++) {
		probes[i].aim_ns = probe_aim(&aim, not_before_ns, i, n);
		probes[i].answered = 0;
	}
	return n;
}

/*
 * A round's replies: returns how many there were; -1 when no one offset
 * explains every reply so far (the server's clock moved further than its
 * drift, or more than one server answered); -2 when that happened in the
 * check: the rounds before it agreed, so a probe of the check read
 * another second than the interval allows, whatever the delays each way.
 * A probe delayed on its way fits, and checks nothing.
 */
int
subsecond_add(struct subsecond *m, const struct probe *probes, int n)
{
	int i, got = 0, last = m->rounds == SUBSECOND_ROUNDS - 1;
	int check = m->rounds == SUBSECOND_ROUNDS;
	int64_t seconds;

	for (i = 0; i < n; i++) {
		if (!probes[i].answered)
			continue;
		seconds = rfc868_to_unix(probes[i].value);
		bound_add(&m->all, seconds, probes[i].sent_ns,
		    probes[i].received_ns);
		bound_add(&m->seen, seconds, probes[i].sent_ns,
		    probes[i].received_ns);
		if (last)
			bound_add(&m->last, seconds, probes[i].sent_ns,
			    probes[i].received_ns);
		got++;
	}
	m->rounds++;
	m->unanswered = got == 0 ? m->unanswered + 1 : 0;
	if (m->all.inconsistent)
		return check ? -2 : -1;
	return got;
}
