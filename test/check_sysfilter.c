/*
 * common/sysfilter.c's loader, on a generated program (timeclient's):
 * a program whose placeholders are not where the build counted them, or
 * an empty one (built without libseccomp), is refused, and nothing is
 * loaded. What a loaded filter does is the end-to-end suites' (service,
 * timeclient) and, for each architecture, make filter-check's.
 */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "../common/sysfilter.h"
#include "sandbox.h"
#include "tests.h"

extern const struct sysfilter_program timeclient_filters[1];

/* This process's count of seccomp filters, from /proc. */
static int
filters_loaded(void)
{
	char line[128];
	FILE *f;
	int n = -1;

	ck_assert_ptr_nonnull(f = fopen("/proc/self/status", "r"));
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "Seccomp_filters: %d", &n) == 1)
			break;
	fclose(f);
	return n;
}

START_TEST(placeholders_counted)
{
	struct sysfilter_program p = timeclient_filters[0];
	struct why why;
	int before;

	if (!sysfilter_built())
		SKIP("built without libseccomp: no program to load");
	before = filters_loaded();
	ck_assert_int_eq(p.holes[SYSFILTER_HOLE_PID], 1);
	p.holes[SYSFILTER_HOLE_PID] = 2;
	ck_assert_int_eq(sysfilter_load(&p, 0, NULL, &why), -1);
	ck_assert_str_eq(why.text, "system call filter: its placeholders are "
	    "not where the build put them");
	p.holes[SYSFILTER_HOLE_PID] = 1;
	p.holes[SYSFILTER_HOLE_DIR] = 1;
	ck_assert_int_eq(sysfilter_load(&p, 7, NULL, &why), -1);
	ck_assert_int_eq(filters_loaded(), before);
}
END_TEST

START_TEST(empty_program_refused)
{
	struct sysfilter_program p = { NULL, 0, { 0 } };
	struct why why;

	ck_assert_int_eq(sysfilter_load(&p, 0, NULL, &why), -1);
	ck_assert_str_eq(why.text, "system call filter: not built in "
	    "(no libseccomp)");
}
END_TEST

Suite *
sysfilter_suite(void)
{
	Suite *s = suite_create("sysfilter");
	TCase *loader = tcase_create("loader");

	tcase_add_test(loader, placeholders_counted);
	tcase_add_test(loader, empty_program_refused);
	suite_add_tcase(s, loader);
	return s;
}
