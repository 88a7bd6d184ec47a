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

/* The server's reply to a query sent at s and received at r. */
static int64_t
reply_seconds(int64_t theta, int64_t s, int64_t r, double where)
{
	int64_t read_at = s + (int64_t)((double)(r - s) * where) + theta;

	return read_at >= 0 ? read_at / NS_PER_SECOND :
	    -((-read_at + NS_PER_SECOND - 1) / NS_PER_SECOND);
}

/*
 * A whole measurement: a first query, then rounds of 12 aimed probes,
 * with a round trip of rtt and the server reading its clock at "where"
 * of it (0.5: the middle; asymmetric paths elsewhere).
 */
static void
measure(struct offset_bound *b, int64_t theta, int64_t rtt, double where,
    int rounds)
{
	int64_t now = START, s;
	int r, i;

	bound_init(b);
	bound_add(b, reply_seconds(theta, now, now + rtt, where), now,
	    now + rtt);
	for (r = 0; r < rounds; r++) {
		for (i = 0; i < SUBSECOND_ROUND_PROBES; i++) {
			s = probe_aim(b, now + 20 * MS, i,
			    SUBSECOND_ROUND_PROBES) - rtt / 2;
			bound_add(b, reply_seconds(theta, s, s + rtt, where), s,
			    s + rtt);
		}
		now = s + rtt;
	}
}

START_TEST(converges_and_holds)
{
	static const int64_t thetas[] = { 437 * MS, -812 * MS, 12250 * MS, 0,
	    999 * MS, -1 };
	struct offset_bound b;
	size_t t;

	for (t = 0; t < sizeof(thetas) / sizeof(thetas[0]); t++) {
		measure(&b, thetas[t], MS / 10, 0.5, 3);
		ck_assert(!b.inconsistent);
		ck_assert_msg(b.lo_ns <= thetas[t] && thetas[t] < b.hi_ns,
		    "theta %lld outside [%lld, %lld)", (long long)thetas[t],
		    (long long)b.lo_ns, (long long)b.hi_ns);
		ck_assert_msg(bound_width(&b) <= 2 * MS,
		    "theta %lld: %lld ns wide", (long long)thetas[t],
		    (long long)bound_width(&b));
		ck_assert_int_eq(b.replies, 1 + 3 * SUBSECOND_ROUND_PROBES);
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
	struct offset_bound b;
	size_t w;

	for (w = 0; w < sizeof(wheres) / sizeof(wheres[0]); w++) {
		measure(&b, 437 * MS, 40 * MS, wheres[w], 3);
		ck_assert(!b.inconsistent);
		ck_assert(b.lo_ns <= 437 * MS && 437 * MS < b.hi_ns);
		ck_assert_int_le(bound_width(&b), 100 * MS);
	}
}
END_TEST

/* One reply bounds the offset to a second and its round trip. */
START_TEST(one_reply)
{
	struct offset_bound b;

	bound_init(&b);
	bound_add(&b, 1795418917, START, START + 2 * MS);
	ck_assert_int_eq(bound_width(&b), NS_PER_SECOND + 2 * MS);
	ck_assert_int_eq(b.lo_ns, 1795418917LL * NS_PER_SECOND - START -
	    2 * MS);
	ck_assert_int_eq(b.rtt_min_ns, 2 * MS);
}
END_TEST

/*
 * A server whose clock steps by half a second between rounds: no one
 * offset explains its replies, and that is said, not averaged away.
 */
START_TEST(stepping_server_is_caught)
{
	struct offset_bound b;
	int64_t now = START, s;
	int i;

	bound_init(&b);
	bound_add(&b, reply_seconds(437 * MS, now, now + MS / 10, 0.5), now,
	    now + MS / 10);
	for (i = 0; i < SUBSECOND_ROUND_PROBES; i++) {
		s = probe_aim(&b, now + 20 * MS, i, SUBSECOND_ROUND_PROBES);
		bound_add(&b, reply_seconds(437 * MS, s, s + MS / 10, 0.5), s,
		    s + MS / 10);
	}
	now = s;
	for (i = 0; i < SUBSECOND_ROUND_PROBES && !b.inconsistent; i++) {
		s = probe_aim(&b, now + 20 * MS, i, SUBSECOND_ROUND_PROBES);
		bound_add(&b, reply_seconds(937 * MS, s, s + MS / 10, 0.5), s,
		    s + MS / 10);
	}
	ck_assert(b.inconsistent);
	/* A step back is caught by the other guard. */
	measure(&b, 437 * MS, MS / 10, 0.5, 1);
	now = START + 3 * NS_PER_SECOND;
	for (i = 0; i < SUBSECOND_ROUND_PROBES && !b.inconsistent; i++) {
		s = probe_aim(&b, now + 20 * MS, i, SUBSECOND_ROUND_PROBES);
		bound_add(&b, reply_seconds(137 * MS, s, s + MS / 10, 0.5), s,
		    s + MS / 10);
	}
	ck_assert(b.inconsistent);
}
END_TEST

/*
 * The whole -x sequence (rounds, then the check round of the two guards)
 * against a server whose clock steps by step_ns after probe p of round r.
 * Returns whether the result is not a confident wrong one: the replies
 * came out inconsistent, or the bound holds the server's clock as it is at
 * the end (a step early enough is simply the clock measured), or, for a
 * step between the two probes of the last check, as it was just before.
 */
static int
stepping_caught(int r, int p, int64_t step_ns)
{
	struct offset_bound b;
	int64_t now = START, theta = 437 * MS, rtt = MS / 10, s = START;
	int64_t before = theta;
	int round, i, n;

	bound_init(&b);
	bound_add(&b, reply_seconds(theta, now, now + rtt, 0.5), now,
	    now + rtt);
	for (round = 1; round <= SUBSECOND_ROUNDS + 1 && !b.inconsistent;
	    round++) {
		n = round <= SUBSECOND_ROUNDS ? SUBSECOND_ROUND_PROBES :
		    SUBSECOND_CHECK_PROBES;
		for (i = 0; i < n && !b.inconsistent; i++) {
			if (round == r && i == p)
				theta += step_ns;
			s = probe_aim(&b, now + 20 * MS, i, n) - rtt / 2;
			bound_add(&b, reply_seconds(theta, s, s + rtt, 0.5), s,
			    s + rtt);
		}
		now = s + rtt;
	}
	return b.inconsistent || (b.lo_ns <= theta && theta < b.hi_ns) ||
	    (r == SUBSECOND_ROUNDS + 1 && b.lo_ns <= before &&
	    before < b.hi_ns);
}

/* Half a second forward or back, after any probe of any round. */
START_TEST(step_anywhere_is_caught)
{
	int r, p, n;

	for (r = 1; r <= SUBSECOND_ROUNDS + 1; r++) {
		n = r <= SUBSECOND_ROUNDS ? SUBSECOND_ROUND_PROBES :
		    SUBSECOND_CHECK_PROBES;
		for (p = 1; p < n; p++) {
			ck_assert_msg(stepping_caught(r, p, 500 * MS),
			    "+0.5 s after probe %d of round %d", p, r);
			ck_assert_msg(stepping_caught(r, p, -500 * MS),
			    "-0.5 s after probe %d of round %d", p, r);
		}
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
	int64_t aim, last = 0, start, end;
	int i, n = SUBSECOND_ROUND_PROBES;

	bound_init(&b);
	bound_add(&b, 1795418917, START, START + MS / 10);
	for (i = 0; i < 3; i++)		/* narrow it first: a real window */
		bound_add(&b, 1795418917, START + 300 * MS, START + 300 * MS +
		    MS / 10);
	bound_add(&b, 1795418918, START + 700 * MS, START + 700 * MS + MS / 10);
	start = 1795418919LL * NS_PER_SECOND - b.hi_ns;
	end = 1795418919LL * NS_PER_SECOND - b.lo_ns;
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
	tcase_add_test(tc, stepping_server_is_caught);
	tcase_add_test(tc, step_anywhere_is_caught);
	tcase_add_test(tc, aims_in_the_window);
	tcase_add_test(tc, schedule_sends_half_a_trip_early);
	suite_add_tcase(s, tc);
	return s;
}
