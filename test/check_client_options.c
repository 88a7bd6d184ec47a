/* timeclient's options and its date, as rdate prints it (client/options.c). */
#include <sys/socket.h>

#include <check.h>
#include <stdarg.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../client/options.h"
#include "helpers.h"
#include "tests.h"

static struct client_options opts;
static struct why why;		/* what the parser said */

/* parse("-x", ..., NULL): the arguments after "timeclient". */
#define parse(...)	ARGS_PARSE(client_options, &opts, &why, "timeclient", \
	__VA_ARGS__)

START_TEST(options_defaults)
{
	ck_assert_int_eq(parse("host", NULL), 0);
	ck_assert_int_eq(opts.nhosts, 1);
	ck_assert_str_eq(opts.hosts[0], "host");
	ck_assert_int_eq(opts.query.family, AF_UNSPEC);
	ck_assert_uint_eq(opts.query.port, 0);
	ck_assert_int_eq(opts.query.timeout_ms, 10000);
	ck_assert_int_eq(opts.step_above, -1);
	ck_assert(!opts.print_only && !opts.set_only && !opts.slew);
	ck_assert(!opts.query.udp && !opts.query.sntp && !opts.leaps);
}
END_TEST

START_TEST(options_all_letters)
{
	ck_assert_int_eq(parse("-6acnpsuv", "-b", "5", "-o", "8037", "-t",
	    "250", "-w", "3", "a", "b", NULL), 0);
	ck_assert_int_eq(opts.query.family, AF_INET6);
	ck_assert(opts.slew && opts.leaps && opts.query.sntp);
	ck_assert(opts.print_only && opts.set_only);
	ck_assert(opts.query.udp && opts.verbose && !opts.subsecond);
	ck_assert_int_eq(opts.step_above, 5);
	ck_assert_uint_eq(opts.query.port, 8037);
	ck_assert_int_eq(opts.max_delay_ms, 250);
	ck_assert_int_eq(opts.query.timeout_ms, 3000);
	ck_assert_int_eq(opts.nhosts, 2);
	ck_assert_int_eq(parse("-ux", "h", NULL), 0);
	ck_assert(opts.subsecond && opts.query.udp);
	ck_assert_int_eq(parse("-4", "-o", "time", "h", NULL), 0);
	ck_assert_int_eq(opts.query.family, AF_INET);
	ck_assert_uint_eq(opts.query.port, 37);
	/* As rdate: -b 0 is no -b at all (a step, said only with -v). */
	ck_assert_int_eq(parse("-b", "0", "host", NULL), 0);
	ck_assert_int_eq(opts.step_above, -1);
}
END_TEST

START_TEST(options_bad)
{
	ck_assert_int_eq(parse(NULL), -1);
	ck_assert_str_eq(why.text, "");		/* the usage line */
	ck_assert_int_eq(parse("-y", "host", NULL), -1);
	ck_assert_str_eq(why.text, "");
	ck_assert_int_eq(parse("-x", "-n", "host", NULL), -1);
	ck_assert_str_eq(why.text, "-x and -n exclude each other: SNTP already "
	    "tells the time to a fraction of a second");
	ck_assert_int_eq(parse("-o", "0", "host", NULL), -1);
	ck_assert_str_eq(why.text, "port 0 is too small");
	ck_assert_int_eq(parse("-o", "99999", "host", NULL), -1);
	ck_assert_str_eq(why.text, "port 99999 is too large");
	ck_assert_int_eq(parse("-o", "nosuchservice", "host", NULL), -1);
	ck_assert_str_eq(why.text, "port nosuchservice is not a number or a known "
	    "service");
	ck_assert_int_eq(parse("-t", "soon", "host", NULL), -1);
	ck_assert_str_eq(why.text, "-t soon is invalid");
	ck_assert_int_eq(parse("-b", "-3", "host", NULL), -1);
	ck_assert_str_eq(why.text, "-b -3 is too small");
	ck_assert_int_eq(parse("-w", "0", "host", NULL), -1);
	ck_assert_str_eq(why.text, "-w 0 is too small");
	ck_assert_int_eq(parse("-w", "86401", "host", NULL), -1);
	ck_assert_str_eq(why.text, "-w 86401 is too large");
}
END_TEST

static void
assert_formats(const char *zone, time_t t, const char *expected)
{
	char buf[64];

	setenv("TZ", zone, 1);
	tzset();
	ck_assert_uint_gt(client_format_time(t, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, expected);
}

START_TEST(format_like_rdate)
{
	assert_formats("UTC", 1795418917, "Mon Nov 23 07:28:37 UTC 2026");
	assert_formats("UTC", 1790000000, "Mon Sep 21 14:13:20 UTC 2026");
	assert_formats("Europe/Berlin", 1795418917,
	    "Mon Nov 23 08:28:37 CET 2026");
	assert_formats("Europe/Berlin", 1790000000,
	    "Mon Sep 21 16:13:20 CEST 2026");
	assert_formats("UTC", 2085978500, "Thu Feb  7 06:28:20 UTC 2036");
	assert_formats("UTC", 4102444800LL, "Fri Jan  1 00:00:00 UTC 2100");
}
END_TEST

/* The adjustment as printed: never "-0.000". */
START_TEST(seconds_without_negative_zero)
{
	char buf[32];

	ck_assert_str_eq(client_format_seconds(-400000, 3, buf, sizeof(buf)),
	    "0.000");
	ck_assert_str_eq(client_format_seconds(-500001, 3, buf, sizeof(buf)),
	    "-0.001");
	ck_assert_str_eq(client_format_seconds(437125000, 3, buf, sizeof(buf)),
	    "0.437");
	ck_assert_str_eq(client_format_seconds(-812000000, 3, buf,
	    sizeof(buf)), "-0.812");
	ck_assert_str_eq(client_format_seconds(-4, 6, buf, sizeof(buf)),
	    "0.000000");
	ck_assert_str_eq(client_format_seconds(-12250000000LL, 6, buf,
	    sizeof(buf)), "-12.250000");
}
END_TEST

Suite *
client_options_suite(void)
{
	Suite *s = suite_create("client_options");
	TCase *options = tcase_create("options");
	TCase *dates = tcase_create("dates");

	tcase_add_test(options, options_defaults);
	tcase_add_test(options, options_all_letters);
	tcase_add_test(options, options_bad);
	tcase_add_test(dates, format_like_rdate);
	tcase_add_test(dates, seconds_without_negative_zero);
	suite_add_tcase(s, options);
	suite_add_tcase(s, dates);
	return s;
}
