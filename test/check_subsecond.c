/*
 * timeclient -x's arithmetic, against a simulated server: its clock is
 * ours plus theta, it reads it at a point of each exchange and cuts it to
 * the second. The bound must always hold theta, and narrow as designed.
 */
#include <check.h>
#include <stdint.h>

#include "../common/rfc868.h"
#include "../client/subsecond.h"
#include "tests.h"

#define MS	1000000LL
#define START	(1795418917LL * NS_PER_SECOND + 123456789)

/*
 * A simulated server and path: the server's clock is ours plus theta,
 * plus step from probe step_probe of round step_round (1 to
 * SUBSECOND_ROUNDS) on, plus rate_ppm of the time since START; it serves
 * the second lag behind (a server on time(2)), and reads its clock at
 * "where" of each exchange (0.5: the middle; asymmetric paths elsewhere)
 * of round trip rtt.
 */
struct sim {
	int64_t theta, rtt;
	int64_t first_rtt;		/* the first exchange's, if not rtt */
	double where;
	int64_t lag, allowed;		/* the server's lag; -g */
	int step_round, step_probe;
	int64_t step;
	int64_t rate_ppm;
	int late_tries;			/* of the last round, sent late: */
	int64_t late;			/* by this much (a busy host) */
	/* What came of it: the queries, those over timed's limit, why not. */
	int queries, over_limit;
	const char *why;
	int64_t limit_ns, limit_at_ns;	/* timed's bucket, as time */
};

/*
 * Whether the server, limited as timed is by default (a burst of 40, 10
 * a second), answers a query sent at t.
 */
static int
sim_allows(struct sim *sim, int64_t t)
{
	const int64_t cost = NS_PER_SECOND / 10, burst = 40 * cost;

	if (sim->queries++ == 0) {
		sim->limit_ns = burst;
		sim->limit_at_ns = t;
	}
	sim->limit_ns += t - sim->limit_at_ns;
	sim->limit_at_ns = t;
	if (sim->limit_ns > burst)
		sim->limit_ns = burst;
	if (sim->limit_ns < cost) {
		sim->over_limit++;
		return 0;
	}
	sim->limit_ns -= cost;
	return 1;
}

static int64_t
sim_theta(const struct sim *sim, int64_t t, int stepped)
{
	return sim->theta + (stepped ? sim->step : 0) +
	    (t - START) / 1000 * sim->rate_ppm / 1000;
}

static uint32_t
sim_reply(const struct sim *sim, int64_t s, int64_t rtt, int stepped)
{
	int64_t read_at = s + (int64_t)((double)rtt * sim->where);
	int64_t served = read_at + sim_theta(sim, read_at, stepped) - sim->lag;

	return rfc868_from_unix(served >= 0 ? served / NS_PER_SECOND :
	    -((-served + NS_PER_SECOND - 1) / NS_PER_SECOND));
}

enum { HELD, MISSED, CAUGHT, UNFINISHED };

/*
 * A whole measurement, as timeclient runs it: HELD when the stated
 * interval, aged to the moment it is printed, holds the server's offset
 * then; MISSED when it does not (a confident wrong answer); CAUGHT when no
 * one offset explains the replies; UNFINISHED when the rounds could not
 * end in a statement. *width: the stated interval's.
 */
static int
simulate(struct sim *sim, int64_t *width)
{
	struct probe p[SUBSECOND_ROUND_PROBES];
	struct subsecond m;
	int64_t now = START, s, lo, hi, truth;
	int64_t first = sim->first_rtt > 0 ? sim->first_rtt : sim->rtt;
	int n, i, stepped = 0, late;

	sim->queries = sim->over_limit = 0;
	sim->why = NULL;
	ck_assert(sim_allows(sim, now));
	subsecond_start(&m, sim->allowed, sim_reply(sim, now, first, 0), now,
	    now, now + first);
	now += first;
	while ((n = subsecond_next(&m, now + 20 * MS, p, &sim->why)) > 0) {
		late = m.rounds == SUBSECOND_ROUNDS - 1 &&
		    m.last_tries <= sim->late_tries;
		for (i = 0; i < n; i++) {
			if (m.rounds + 1 == sim->step_round &&
			    i == sim->step_probe)
				stepped = 1;
			s = p[i].aim_ns - sim->rtt / 2 + (late ? sim->late : 0);
			p[i].sent_ns = s;
			p[i].received_ns = s + sim->rtt;
			p[i].value = sim_reply(sim, s, sim->rtt, stepped);
			p[i].answered = sim_allows(sim, s);
		}
		now = s + sim->rtt;
		if (subsecond_add(&m, p, n) < 0)
			return CAUGHT;
	}
	ck_assert_int_eq(m.queries, sim->queries);
	if (n == -1)
		return UNFINISHED;
	now += MS;			/* printed a millisecond later */
	bound_at(&m.last, now, &lo, &hi);
	*width = hi - lo;
	truth = sim_theta(sim, now, stepped);
	return lo <= truth && truth < hi ? HELD : MISSED;
}

START_TEST(converges_and_holds)
{
	static const int64_t thetas[] = { 437 * MS, -812 * MS, 12250 * MS, 0,
	    999 * MS, -1 };
	struct sim sim = { .rtt = MS / 10, .where = 0.5 };
	int64_t width;
	size_t t;

	for (t = 0; t < sizeof(thetas) / sizeof(thetas[0]); t++) {
		sim.theta = thetas[t];
		ck_assert_int_eq(simulate(&sim, &width), HELD);
		ck_assert_msg(width <= 4 * MS, "theta %lld: %lld ns wide",
		    (long long)thetas[t], (long long)width);
	}
}
END_TEST

/*
 * Asymmetric paths (the server reads its clock at the very start or end
 * of each exchange) aim the probes badly, but the bound still holds the
 * offset: it rests on causality, not on symmetry.
 */
START_TEST(asymmetry_widens_never_misleads)
{
	static const double wheres[] = { 0.0, 0.05, 0.95, 1.0 };
	struct sim sim = { .theta = 437 * MS, .rtt = 40 * MS };
	int64_t width;
	size_t w;

	for (w = 0; w < sizeof(wheres) / sizeof(wheres[0]); w++) {
		sim.where = wheres[w];
		ck_assert_int_eq(simulate(&sim, &width), HELD);
		ck_assert_int_le(width, 150 * MS);
	}
}
END_TEST

/*
 * A last round sent late (a busy host: every probe after the edge, so its
 * answers all read one second) is tried again at the next edge, up to
 * SUBSECOND_LAST_TRIES times, never beyond what timed allows one source.
 * Before, the first such round ended the measurement ("did not straddle"):
 * 4 of 40 runs against timed on a busy machine.
 */
START_TEST(late_last_round_tried_again)
{
	struct sim sim = { .theta = 437 * MS, .rtt = MS / 10, .where = 0.5,
	    .late = 700 * MS };
	int64_t width;

	for (sim.late_tries = 0; sim.late_tries < SUBSECOND_LAST_TRIES;
	    sim.late_tries++) {
		ck_assert_msg(simulate(&sim, &width) == HELD, "%d late: %s",
		    sim.late_tries, sim.why);
		ck_assert_int_le(width, 4 * MS);
		ck_assert_int_eq(sim.queries, 1 + SUBSECOND_ROUND_PROBES *
		    (SUBSECOND_ROUNDS + sim.late_tries) +
		    SUBSECOND_CHECK_PROBES);
		ck_assert_int_eq(sim.over_limit, 0);
	}
	ck_assert_int_eq(simulate(&sim, &width), UNFINISHED);
	ck_assert_str_eq(sim.why, "the last round's answers did not straddle "
	    "the server's second edge");
	ck_assert_int_eq(sim.queries, SUBSECOND_QUERIES_MAX -
	    SUBSECOND_CHECK_PROBES);
	ck_assert_int_eq(sim.over_limit, 0);
}
END_TEST

/* One reply bounds the offset to a second and its round trip. */
START_TEST(one_reply)
{
	struct offset_bound b;
	int64_t lo, hi;

	bound_init(&b, 0);
	bound_add(&b, 1795418917, START, START + 2 * MS);
	ck_assert_int_eq(bound_width(&b), NS_PER_SECOND + 2 * MS);
	bound_at(&b, START, &lo, &hi);
	ck_assert_int_eq(lo, 1795418917LL * NS_PER_SECOND - START - 2 * MS);
	ck_assert_int_eq(b.rtt_min_ns, 2 * MS);
	/* The server's lag widens it on the late side only. */
	bound_init(&b, 10 * MS);
	bound_add(&b, 1795418917, START, START + 2 * MS);
	bound_at(&b, START, &lo, &hi);
	ck_assert_int_eq(lo, 1795418917LL * NS_PER_SECOND - START - 2 * MS);
	ck_assert_int_eq(hi, 1795418918LL * NS_PER_SECOND - START + 10 * MS);
	/* 500 ppm a side as it ages: 1 ms after 2 s. */
	bound_at(&b, START + 2 * NS_PER_SECOND, &lo, &hi);
	ck_assert_int_eq(lo, 1795418917LL * NS_PER_SECOND - START - 3 * MS);
	ck_assert_int_eq(hi, 1795418918LL * NS_PER_SECOND - START + 11 * MS);
}
END_TEST

/*
 * A server on time(2) serves its second up to a tick late. With the lag
 * allowed (-g, 10 ms by default) the interval holds the offset whatever
 * the lag within it; assumed precise (-g 0), it misses, as xinetd showed.
 */
START_TEST(server_lag_allowed)
{
	static const int64_t lags[] = { 0, 1 * MS, 4 * MS, 10 * MS - 1 };
	struct sim sim = { .theta = 437 * MS, .rtt = MS / 10, .where = 0.5,
	    .allowed = 10 * MS };
	int64_t width;
	size_t l;

	for (l = 0; l < sizeof(lags) / sizeof(lags[0]); l++) {
		sim.lag = lags[l];
		ck_assert_msg(simulate(&sim, &width) == HELD, "lag %lld",
		    (long long)lags[l]);
		ck_assert_int_le(width, 16 * MS);
	}
	sim.allowed = 0;
	sim.lag = 4 * MS;
	ck_assert_int_eq(simulate(&sim, &width), MISSED);
}
END_TEST

/*
 * A server whose clock steps by half a second between rounds: no one
 * offset explains its replies, and that is said, not averaged away.
 */
START_TEST(stepping_server_is_caught)
{
	struct sim sim = { .theta = 437 * MS, .rtt = MS / 10, .where = 0.5,
	    .step_round = 2, .step_probe = 0, .step = 500 * MS };
	int64_t width;

	ck_assert_int_eq(simulate(&sim, &width), CAUGHT);
	sim.step = -300 * MS;		/* a step back: the other guard */
	ck_assert_int_eq(simulate(&sim, &width), CAUGHT);
}
END_TEST

/*
 * Steps of the server's clock, large and small, forward and back, before
 * any probe of any round or of the check, on loopback and on a path of
 * 10 ms each way: caught, or the interval holds the clock as it is; never
 * squeezed against older replies into a confident wrong one (before: a
 * 50 ms step on the slow path, 30 of 30 runs off by 35 to 51 ms). With
 * the lag allowed (-g), a step back smaller than it after the last round
 * began goes unseen, and so does a step forward between the check's two
 * probes, the measurement's last round trip (timeclient(1) says both).
 */
START_TEST(step_anywhere_is_caught)
{
	static const int64_t steps[] = { 500 * MS, 50 * MS, 4 * MS, MS / 2 };
	static const int64_t rtts[] = { MS / 10, 20 * MS };
	static const int64_t lags[] = { 0, 10 * MS };
	struct sim sim = { .theta = 437 * MS, .where = 0.5 };
	size_t k, t, l;
	int64_t width;
	int r, p, sign, got;

	for (l = 0; l < sizeof(lags) / sizeof(lags[0]); l++)
	for (t = 0; t < sizeof(rtts) / sizeof(rtts[0]); t++)
	for (k = 0; k < sizeof(steps) / sizeof(steps[0]); k++)
	for (sign = -1; sign <= 1; sign += 2)
	for (r = 1; r <= SUBSECOND_ROUNDS + 1; r++)
	for (p = 0; p < SUBSECOND_ROUND_PROBES; p++) {
		if (r == SUBSECOND_ROUNDS + 1 && p >= SUBSECOND_CHECK_PROBES)
			break;
		if (lags[l] > 0 && sign < 0 && steps[k] < lags[l] &&
		    r >= SUBSECOND_ROUNDS)
			continue;
		/* Forward between the check's two: in its last round trip. */
		if (r == SUBSECOND_ROUNDS + 1 && p == 1 && sign > 0)
			continue;
		sim.allowed = lags[l];
		sim.rtt = rtts[t];
		sim.step = sign * steps[k];
		sim.step_round = r;
		sim.step_probe = p;
		got = simulate(&sim, &width);
		ck_assert_msg(got != MISSED, "%+lld ns before probe %d of "
		    "round %d, round trip %lld ns, -g %lld ns",
		    (long long)sim.step, p, r, (long long)sim.rtt,
		    (long long)lags[l]);
	}
}
END_TEST

/*
 * A first exchange slow once (a cold server: 7 to 14 ms, then 0.1 ms) must
 * not widen the check's margin: a step of 3 ms, either way, before the
 * check or just before the last round's last probe is caught, or the
 * interval holds the clock as it is. Before, the margin was the spread of
 * every round trip, the first's included, and 18 of 40 runs against a
 * cold server stated an interval the clock had left by 2 to 5 ms.
 */
START_TEST(slow_first_exchange_hides_no_step)
{
	static const int64_t firsts[] = { 7 * MS, 14 * MS };
	struct sim sim = { .theta = 437 * MS, .rtt = MS / 10, .where = 0.5 };
	size_t f;
	int64_t width;
	int sign;

	for (f = 0; f < sizeof(firsts) / sizeof(firsts[0]); f++)
	for (sign = -1; sign <= 1; sign += 2) {
		sim.first_rtt = firsts[f];
		sim.step = sign * 3 * MS;
		sim.step_round = SUBSECOND_ROUNDS + 1;
		sim.step_probe = 0;
		ck_assert_msg(simulate(&sim, &width) == CAUGHT, "%+lld ns "
		    "before the check, first exchange %lld ns",
		    (long long)sim.step, (long long)sim.first_rtt);
		sim.step_round = SUBSECOND_ROUNDS;
		sim.step_probe = SUBSECOND_ROUND_PROBES - 1;
		ck_assert_msg(simulate(&sim, &width) != MISSED, "%+lld ns "
		    "in the last round, first exchange %lld ns",
		    (long long)sim.step, (long long)sim.first_rtt);
	}
}
END_TEST

/*
 * A clock that runs fast or slow: 1% (a broken server) and 500 ppm, on
 * loopback and on the slow path: caught, or held (before: 1% fast on the
 * slow path, 10 of 10 runs off by 13 to 26 ms).
 */
START_TEST(drifting_server)
{
	static const int64_t rates[] = { 10000, -10000, 500, -500, 2000 };
	static const int64_t rtts[] = { MS / 10, 20 * MS };
	struct sim sim = { .theta = 437 * MS, .where = 0.5 };
	size_t k, t;
	int64_t width;

	for (t = 0; t < sizeof(rtts) / sizeof(rtts[0]); t++)
	for (k = 0; k < sizeof(rates) / sizeof(rates[0]); k++) {
		sim.rtt = rtts[t];
		sim.rate_ppm = rates[k];
		ck_assert_msg(simulate(&sim, &width) != MISSED,
		    "%lld ppm, round trip %lld ns", (long long)rates[k],
		    (long long)sim.rtt);
	}
}
END_TEST

/*
 * The probes of a round: in order, in the future, the inner ones in the
 * window of the server's next edge, the guards just outside it.
 */
START_TEST(aims_in_the_window)
{
	struct offset_bound b;
	int64_t aim, last = 0, start, end, lo, hi;
	int i, n = SUBSECOND_ROUND_PROBES;

	bound_init(&b, 0);
	bound_add(&b, 1795418917, START, START + MS / 10);
	for (i = 0; i < 3; i++)		/* narrow it first: a real window */
		bound_add(&b, 1795418917, START + 300 * MS, START + 300 * MS +
		    MS / 10);
	bound_add(&b, 1795418918, START + 700 * MS, START + 700 * MS + MS / 10);
	bound_at(&b, b.latest_ns, &lo, &hi);
	start = 1795418919LL * NS_PER_SECOND - hi;
	end = 1795418919LL * NS_PER_SECOND - lo;
	for (i = 0; i < n; i++) {
		aim = probe_aim(&b, START + NS_PER_SECOND, i, n);
		ck_assert_int_gt(aim, START + NS_PER_SECOND);
		ck_assert_int_gt(aim, last);
		if (i == 0)
			ck_assert_int_lt(aim, start);
		else if (i == n - 1)
			ck_assert_int_gt(aim, end);
		else
			ck_assert(aim >= start && aim <= end);
		last = aim;
	}
}
END_TEST

/*
 * Each probe leaves half the shortest round trip before its aim, moved to
 * the monotonic clock; the round ends when the last could have been
 * answered, or at the deadline.
 */
START_TEST(schedule_sends_half_a_trip_early)
{
	struct probe probes[3];
	struct probe_schedule plan;
	int64_t half = 5 * MS, mono = -START + 1000 * MS;
	int i;

	for (i = 0; i < 3; i++)
		probes[i].aim_ns = START + (100 + 10 * i) * MS;
	probe_schedule(probes, 3, half, mono, INT64_MAX, &plan);
	for (i = 0; i < 3; i++)
		ck_assert_int_eq(plan.send_ns[i], (1100 + 10 * i) * MS - half);
	ck_assert_int_eq(plan.end_ns, 1120 * MS + 8 * half + PROBE_GRACE_NS);
	probe_schedule(probes, 3, half, mono, 1121 * MS, &plan);
	ck_assert_int_eq(plan.end_ns, 1121 * MS);	/* the deadline first */
}
END_TEST

Suite *
subsecond_suite(void)
{
	Suite *s = suite_create("subsecond");
	TCase *tc = tcase_create("bound");

	tcase_add_test(tc, converges_and_holds);
	tcase_add_test(tc, asymmetry_widens_never_misleads);
	tcase_add_test(tc, one_reply);
	tcase_add_test(tc, server_lag_allowed);
	tcase_add_test(tc, stepping_server_is_caught);
	tcase_add_test(tc, drifting_server);
	tcase_add_test(tc, slow_first_exchange_hides_no_step);
	tcase_add_test(tc, step_anywhere_is_caught);
	tcase_add_test(tc, late_last_round_tried_again);
	tcase_add_test(tc, aims_in_the_window);
	tcase_add_test(tc, schedule_sends_half_a_trip_early);
	suite_add_tcase(s, tc);
	return s;
}
