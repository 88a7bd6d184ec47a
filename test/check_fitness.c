/* The clock's fitness to be served (fitness.c): readings in, a verdict out. */
#include <check.h>
#include <time.h>

#include "../server/fitness.h"
#include "tests.h"

#define FLOOR	1795392000	/* 2026-11-23, as config.mk's */

static struct clock_reading
reading(int readable, time_t when, int sync_required, int synced)
{
	struct clock_reading r = { .readable = readable,
	    .sync_required = sync_required, .synced = synced };

	r.now.tv_sec = when;
	return r;
}

START_TEST(fit_clock_answers)
{
	struct clock_reading r = reading(1, FLOOR, 0, 0);

	ck_assert_int_eq(fitness_verdict(&r, FLOOR), CLOCK_FIT);
	r = reading(1, 4102444800LL, 1, 1);	/* 2100, synchronized */
	ck_assert_int_eq(fitness_verdict(&r, FLOOR), CLOCK_FIT);
}
END_TEST

START_TEST(unreadable_clock_is_silent)
{
	/* Whatever else it says, a clock that cannot be read is not served. */
	struct clock_reading r = reading(0, FLOOR + 1, 1, 1);

	ck_assert_int_eq(fitness_verdict(&r, FLOOR), CLOCK_UNREADABLE);
}
END_TEST

START_TEST(before_the_floor_is_silent)
{
	struct clock_reading r = reading(1, 0, 0, 1);	/* 1970 */

	ck_assert_int_eq(fitness_verdict(&r, FLOOR), CLOCK_BEFORE_FLOOR);
	r = reading(1, FLOOR - 1, 1, 1);	/* a second before */
	ck_assert_int_eq(fitness_verdict(&r, FLOOR), CLOCK_BEFORE_FLOOR);
	r = reading(1, FLOOR - 1, 1, 0);	/* the floor is said first */
	ck_assert_int_eq(fitness_verdict(&r, FLOOR), CLOCK_BEFORE_FLOOR);
}
END_TEST

START_TEST(unsynchronized_only_under_S)
{
	struct clock_reading r = reading(1, FLOOR + 60, 1, 0);

	ck_assert_int_eq(fitness_verdict(&r, FLOOR), CLOCK_UNSYNCED);
	r = reading(1, FLOOR + 60, 0, 0);	/* without -S, not asked */
	ck_assert_int_eq(fitness_verdict(&r, FLOOR), CLOCK_FIT);
}
END_TEST

Suite *
fitness_suite(void)
{
	Suite *s = suite_create("fitness");
	TCase *verdict = tcase_create("verdict");

	tcase_add_test(verdict, fit_clock_answers);
	tcase_add_test(verdict, unreadable_clock_is_silent);
	tcase_add_test(verdict, before_the_floor_is_silent);
	tcase_add_test(verdict, unsynchronized_only_under_S);
	suite_add_tcase(s, verdict);
	return s;
}
