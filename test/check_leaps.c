/* The leap seconds of a TZif file (client/leaps.c), for timeclient -c. */
#include <sys/stat.h>

#include <check.h>
#include <stdarg.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../client/leaps.h"
#include "../common/rfc868.h"
#include "tests.h"

/* A TZif file with the given leap records, version 1 or 2. */
static size_t
tzif(unsigned char *buf, char version, const int64_t *when,
    const int32_t *corr, int n)
{
	size_t len = 0;
	int block, i, b, timesize;

	for (block = 0; block < (version == '2' ? 2 : 1); block++) {
		timesize = block == 0 ? 4 : 8;
		memcpy(buf + len, "TZif", 4);
		buf[len + 4] = version;
		memset(buf + len + 5, 0, 39);
		buf[len + 31] = n;			/* leapcnt */
		buf[len + 39] = 1;			/* typecnt */
		buf[len + 43] = 4;			/* charcnt */
		len += 44;
		memset(buf + len, 0, 6 + 4);		/* one type, "UTC" */
		memcpy(buf + len + 6, "UTC", 4);
		len += 10;
		for (i = 0; i < n; i++) {
			for (b = 0; b < timesize; b++)
				buf[len++] = (uint64_t)when[i] >>
				    (8 * (timesize - 1 - b));
			for (b = 0; b < 4; b++)
				buf[len++] = (uint32_t)corr[i] >> (24 - 8 * b);
		}
	}
	return len;
}

START_TEST(leaps_synthetic)
{
	static const int64_t when[] = { 78796800, 94694401, 1483228826 };
	static const int32_t corr[] = { 1, 2, 3 };
	unsigned char buf[512];
	struct leaps leaps;
	size_t len;

	len = tzif(buf, '\0', when, corr, 3);
	ck_assert_int_eq(leaps_parse(buf, len, &leaps), 0);
	ck_assert_uint_eq(leaps.n, 3);
	ck_assert_int_eq(leaps_posix_to_right(&leaps, 0), 0);
	ck_assert_int_eq(leaps_posix_to_right(&leaps, 78796799), 78796799);
	ck_assert_int_eq(leaps_posix_to_right(&leaps, 78796800), 78796801);
	ck_assert_int_eq(leaps_posix_to_right(&leaps, 1795418917),
	    1795418917 + 3);
	len = tzif(buf, '2', when, corr, 3);
	ck_assert_int_eq(leaps_parse(buf, len, &leaps), 0);
	ck_assert_uint_eq(leaps.n, 3);
	ck_assert_int_eq(leaps.when[2], 1483228826);
}
END_TEST

/*
 * RFC 8536: adjacent corrections differ by one. A correction of 2^31 - 1
 * seconds, or a jump of 25, is a broken or hostile file.
 */
START_TEST(leaps_corrections_bounded)
{
	static const int64_t when[] = { 78796800, 94694401 };
	static const int32_t huge[] = { 2147483647, 2147483646 };
	static const int32_t jump[] = { 1, 26 };
	unsigned char buf[512];
	struct leaps leaps;

	ck_assert_int_eq(leaps_parse(buf, tzif(buf, '2', when, huge, 2),
	    &leaps), -1);
	ck_assert_int_eq(leaps_parse(buf, tzif(buf, '2', when, jump, 2),
	    &leaps), -1);
}
END_TEST

/*
 * RFC 8536: the first correction is 1 or -1, unless the file is
 * truncated, where it is what was in force there: no more than the leap
 * seconds there could have been by then (two a year from 1972). A first
 * of 1000 was taken, and -c added 1000 s to the time (before).
 */
START_TEST(leaps_first_correction)
{
	static const int64_t at2017[] = { 1483228826 }, at1972[] = { 78796800 };
	static const int32_t truncated[] = { 27 }, thousand[] = { 1000 },
	    negative[] = { -1000 }, none[] = { 0 }, two[] = { 2 },
	    three[] = { 3 };
	unsigned char buf[512];
	struct leaps leaps;

	ck_assert_int_eq(leaps_parse(buf, tzif(buf, '2', at2017, truncated, 1),
	    &leaps), 0);
	ck_assert_int_eq(leaps.correction[0], 27);
	ck_assert_int_eq(leaps_parse(buf, tzif(buf, '2', at2017, thousand, 1),
	    &leaps), -1);
	ck_assert_int_eq(leaps_parse(buf, tzif(buf, '2', at2017, negative, 1),
	    &leaps), -1);
	ck_assert_int_eq(leaps_parse(buf, tzif(buf, '2', at2017, none, 1),
	    &leaps), -1);
	/* 1972-07-01: two could have been by then, not three. */
	ck_assert_int_eq(leaps_parse(buf, tzif(buf, '2', at1972, two, 1),
	    &leaps), 0);
	ck_assert_int_eq(leaps_parse(buf, tzif(buf, '2', at1972, three, 1),
	    &leaps), -1);
}
END_TEST

/* A FIFO where the file should be: refused at once, never waited on. */
START_TEST(leaps_file_not_regular)
{
	char path[PATH_MAX];
	struct why why;
	const char *scratch = getenv("TIMED_TEST_SCRATCH");
	struct leaps leaps;

	ck_assert_ptr_nonnull(scratch);
	snprintf(path, sizeof(path), "%s/fifo-%d", scratch, (int)getpid());
	ck_assert_int_eq(mkfifo(path, 0600), 0);
	ck_assert_int_eq(leaps_load(path, &leaps, &why), -1);
	ck_assert_msg(strstr(why.text, "not a regular file") != NULL, "%s",
	    why.text);
	unlink(path);
}
END_TEST

START_TEST(leaps_malformed)
{
	static const int64_t when[] = { 94694401, 78796800 };
	static const int32_t corr[] = { 1, 2 };
	unsigned char buf[512];
	struct leaps leaps;
	size_t len, cut;

	len = tzif(buf, '2', when, corr, 1);
	for (cut = 0; cut < len; cut++)		/* every truncation */
		ck_assert_int_eq(leaps_parse(buf, cut, &leaps), -1);
	len = tzif(buf, '\0', when, corr, 2);	/* not sorted */
	ck_assert_int_eq(leaps_parse(buf, len, &leaps), -1);
	len = tzif(buf, '\0', when, corr, 1);
	buf[0] = 'X';
	ck_assert_int_eq(leaps_parse(buf, len, &leaps), -1);
	len = tzif(buf, '\0', when, corr, 1);
	buf[28] = 0x7f;				/* a huge leapcnt */
	ck_assert_int_eq(leaps_parse(buf, len, &leaps), -1);
}
END_TEST

START_TEST(leaps_system_file)
{
	unsigned char buf[65536];
	struct leaps leaps;
	ssize_t n;
	int fd;

	fd = open(LEAPS_FILE, O_RDONLY);
	if (fd == -1)
		return;	/* tzdata without right/ zones; covered above */
	n = read(fd, buf, sizeof(buf));
	close(fd);
	ck_assert_int_eq(leaps_parse(buf, n, &leaps), 0);
	ck_assert_uint_ge(leaps.n, 27);
	/* 2017-01-01 00:00:00 UTC, after the last leap second so far. */
	ck_assert_int_eq(leaps_posix_to_right(&leaps, 1483228800) - 1483228800,
	    27);
	/* 1972-06-30 23:59:59 UTC, just before the first. */
	ck_assert_int_eq(leaps_posix_to_right(&leaps, 78796799), 78796799);
}
END_TEST


Suite *
leaps_suite(void)
{
	Suite *s = suite_create("leaps");
	TCase *tzif = tcase_create("tzif");

	tcase_add_test(tzif, leaps_synthetic);
	tcase_add_test(tzif, leaps_corrections_bounded);
	tcase_add_test(tzif, leaps_first_correction);
	tcase_add_test(tzif, leaps_file_not_regular);
	tcase_add_test(tzif, leaps_malformed);
	tcase_add_test(tzif, leaps_system_file);
	suite_add_tcase(s, tzif);
	return s;
}
