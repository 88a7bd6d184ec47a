/*
 * client/majority.c: the intersection algorithm over the sources'
 * intervals, and when what the largest group shares is believed.
 */
#include <check.h>
#include <stdint.h>

#include "../client/majority.h"
#include "tests.h"

#define MS	1000000LL

static struct majority m;
static enum verdict v[MAJORITY_SOURCES_MAX];

/* n intervals, in ms, each given: lo, hi. */
static void
find(size_t n, const int64_t *ms)
{
	struct interval iv[MAJORITY_SOURCES_MAX];
	int have[MAJORITY_SOURCES_MAX];
	size_t i;

	for (i = 0; i < n; i++) {
		iv[i].lo_ns = ms[2 * i] * MS;
		iv[i].hi_ns = ms[2 * i + 1] * MS;
		have[i] = 1;
	}
	majority_find(iv, have, n, &m, v);
}

START_TEST(all_agree)
{
	find(3, (const int64_t[]){ -700, 300, -650, 350, -600, 400 });
	ck_assert(m.agreed);
	ck_assert_int_eq(m.largest, 3);
	ck_assert_int_eq(m.answered, 3);
	ck_assert_int_eq(m.lo_ns, -600 * MS);
	ck_assert_int_eq(m.hi_ns, 300 * MS);
	ck_assert_int_eq(v[0], SOURCE_AGREED);
	ck_assert_int_eq(v[2], SOURCE_AGREED);
}
END_TEST

START_TEST(one_falseticker_of_three)
{
	find(3, (const int64_t[]){ -700, 300, 4300, 5300, -650, 350 });
	ck_assert(m.agreed);
	ck_assert_int_eq(m.largest, 2);
	ck_assert_int_eq(m.lo_ns, -650 * MS);
	ck_assert_int_eq(m.hi_ns, 300 * MS);
	ck_assert_int_eq(v[0], SOURCE_AGREED);
	ck_assert_int_eq(v[1], SOURCE_FALSETICKER);
	ck_assert_int_eq(v[2], SOURCE_AGREED);
}
END_TEST

/* Two against two is no majority: 2 is not more than half of 4. */
START_TEST(two_groups_of_two)
{
	find(4, (const int64_t[]){ 0, 10, 5, 15, 100, 110, 105, 115 });
	ck_assert(!m.agreed);
	ck_assert_int_eq(m.largest, 2);
	ck_assert_int_eq(m.groups, 2);
}
END_TEST

START_TEST(nested)
{
	find(3, (const int64_t[]){ 0, 10, 2, 8, 4, 6 });
	ck_assert(m.agreed);
	ck_assert_int_eq(m.lo_ns, 4 * MS);
	ck_assert_int_eq(m.hi_ns, 6 * MS);
}
END_TEST

/*
 * [0, 5) and [5, 10) share no point; [4, 6) meets each: two groups of
 * two, apart, and no majority. Without the middle one, none at all.
 */
START_TEST(touching)
{
	find(3, (const int64_t[]){ 0, 5, 5, 10, 4, 6 });
	ck_assert_int_eq(m.largest, 2);
	ck_assert_int_eq(m.groups, 2);
	ck_assert(!m.agreed);
	find(2, (const int64_t[]){ 0, 5, 5, 10 });
	ck_assert_int_eq(m.largest, 1);
	ck_assert(!m.agreed);
}
END_TEST

/* An empty or inverted interval is refused, and still counts as answered. */
START_TEST(empty_or_inverted_refused)
{
	find(3, (const int64_t[]){ 0, 10, 5, 5, 9, 2 });
	ck_assert_int_eq(v[1], SOURCE_REFUSED);
	ck_assert_int_eq(v[2], SOURCE_REFUSED);
	ck_assert_int_eq(m.answered, 3);
	ck_assert_int_eq(m.largest, 1);
	ck_assert(!m.agreed);
}
END_TEST

/* One source agrees with nobody; two that overlap are a majority of two. */
START_TEST(one_and_two)
{
	find(1, (const int64_t[]){ 0, 10 });
	ck_assert(!m.agreed);
	find(2, (const int64_t[]){ 0, 10, 5, 15 });
	ck_assert(m.agreed);
	ck_assert_int_eq(m.lo_ns, 5 * MS);
}
END_TEST

/* No answer is no interval, and not counted among those that answered. */
START_TEST(unanswered_not_counted)
{
	struct interval iv[3] = { { 0, 10 }, { 0, 0 }, { 5, 15 } };
	int have[3] = { 1, 0, 1 };

	majority_find(iv, have, 3, &m, v);
	ck_assert_int_eq(m.answered, 2);
	ck_assert(m.agreed);
	ck_assert_int_eq(v[1], SOURCE_NO_ANSWER);
}
END_TEST

/* 16 sources: 9 around the truth, 7 scattered falsetickers. */
START_TEST(sixteen_sources)
{
	int64_t ms[32];
	size_t i;

	for (i = 0; i < 9; i++) {
		ms[2 * i] = -500 + (int64_t)i * 10;
		ms[2 * i + 1] = 500 + (int64_t)i * 10;
	}
	for (i = 9; i < 16; i++) {
		ms[2 * i] = 2000 * (int64_t)i;
		ms[2 * i + 1] = 2000 * (int64_t)i + 1000;
	}
	find(16, ms);
	ck_assert(m.agreed);
	ck_assert_int_eq(m.largest, 9);
	ck_assert_int_eq(m.lo_ns, -420 * MS);
	ck_assert_int_eq(m.hi_ns, 500 * MS);
	for (i = 0; i < 16; i++)
		ck_assert_int_eq(v[i], i < 9 ? SOURCE_AGREED :
		    SOURCE_FALSETICKER);
}
END_TEST

Suite *
majority_suite(void)
{
	Suite *s = suite_create("majority");
	TCase *c = tcase_create("intersection");

	tcase_add_test(c, all_agree);
	tcase_add_test(c, one_falseticker_of_three);
	tcase_add_test(c, two_groups_of_two);
	tcase_add_test(c, nested);
	tcase_add_test(c, touching);
	tcase_add_test(c, empty_or_inverted_refused);
	tcase_add_test(c, one_and_two);
	tcase_add_test(c, unanswered_not_counted);
	tcase_add_test(c, sixteen_sources);
	suite_add_tcase(s, c);
	return s;
}
