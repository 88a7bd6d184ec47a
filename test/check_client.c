/* timeclient's pure parts: options, offsets, dates, SNTP packets, leaps. */
#include <sys/socket.h>
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

#include "../client/options.h"
#include "../client/leaps.h"
#include "../common/rfc868.h"
#include "../client/sntp.h"
#include "tests.h"

#define NS 1000000000LL

static struct client_options opts;
static char err[256];

static int
parse(const char *first, ...)
{
	static char *argv[16];	/* opts.hosts points into it */
	const char *arg;
	va_list ap;
	int argc = 1;

	argv[0] = "timeclient";
	va_start(ap, first);
	for (arg = first; arg != NULL && argc < 15; arg = va_arg(ap, const char *))
		argv[argc++] = (char *)arg;
	va_end(ap);
	argv[argc] = NULL;
	return client_options(argc, argv, &opts, err, sizeof(err));
}

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
}
END_TEST

START_TEST(options_bad)
{
	ck_assert_int_eq(parse(NULL), -1);
	ck_assert_str_eq(err, "");		/* the usage line */
	ck_assert_int_eq(parse("-y", "host", NULL), -1);
	ck_assert_str_eq(err, "");
	ck_assert_int_eq(parse("-x", "-n", "host", NULL), -1);
	ck_assert_str_eq(err, "-x and -n exclude each other: SNTP already "
	    "tells the time to the microsecond");
	ck_assert_int_eq(parse("-o", "0", "host", NULL), -1);
	ck_assert_str_eq(err, "port 0 is too small");
	ck_assert_int_eq(parse("-o", "99999", "host", NULL), -1);
	ck_assert_str_eq(err, "port 99999 is too large");
	ck_assert_int_eq(parse("-o", "nosuchservice", "host", NULL), -1);
	ck_assert_str_eq(err, "port nosuchservice is not a number or a known "
	    "service");
	ck_assert_int_eq(parse("-t", "soon", "host", NULL), -1);
	ck_assert_str_eq(err, "-t soon is invalid");
	ck_assert_int_eq(parse("-b", "-3", "host", NULL), -1);
	ck_assert_str_eq(err, "-b -3 is too small");
	ck_assert_int_eq(parse("-w", "0", "host", NULL), -1);
	ck_assert_str_eq(err, "-w 0 is too small");
	ck_assert_int_eq(parse("-w", "86401", "host", NULL), -1);
	ck_assert_str_eq(err, "-w 86401 is too large");
}
END_TEST

static int64_t
at(int64_t seconds, int64_t ns)
{
	return seconds * NS + ns;
}

START_TEST(offset_in_step_is_zero)
{
	int64_t t = 2000000000, frac;

	/* The server's value is its clock cut to the second. */
	for (frac = 0; frac < NS; frac += NS / 20)
		ck_assert_int_eq(rfc868_offset(t, at(t, frac), at(t, frac)), 0);
	/* Sent just before a second boundary, answered just after. */
	ck_assert_int_eq(rfc868_offset(t, at(t, 999000000),
	    at(t + 1, 1000000)), 0);
}
END_TEST

START_TEST(offset_whole_seconds)
{
	int64_t t = 2000000000;

	ck_assert_int_eq(rfc868_offset(t + 100, at(t, 500000000),
	    at(t, 500000000)), 100);
	ck_assert_int_eq(rfc868_offset(t - 100, at(t, 200000000),
	    at(t, 200000000)), -100);
	/* The server said t - 1 while we were at t.9: about 1.4 s behind. */
	ck_assert_int_eq(rfc868_offset(t - 1, at(t, 900000000),
	    at(t, 900000000)), -1);
	ck_assert_int_eq(rfc868_offset(t - 2, at(t, 900000000),
	    at(t, 900000000)), -2);
	/* Exactly half a second either way is a tie: no step. */
	ck_assert_int_eq(rfc868_offset(t, at(t, 0), at(t, 0)), 0);
	ck_assert_int_eq(rfc868_offset(t, at(t + 1, 0), at(t + 1, 0)), 0);
	ck_assert_int_eq(rfc868_offset(t, at(t + 1, 1), at(t + 1, 1)), -1);
	/* Across the 2036 wrap the value has been decoded already. */
	ck_assert_int_eq(rfc868_offset(rfc868_to_unix(4), at(2085978500, 0),
	    at(2085978500, 0)), 0);
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

/* An SNTP reply as a server would build it for request. */
static void
sntp_server_reply(unsigned char *reply, const unsigned char *request,
    int64_t unix_seconds, int stratum, int leap)
{
	uint64_t ntp = (uint64_t)(unix_seconds + RFC868_UNIX_EPOCH) << 32 |
	    0x80000000u;	/* half a second */
	int i;

	memset(reply, 0, SNTP_SIZE);
	reply[0] = leap << 6 | 4 << 3 | 4;
	reply[1] = stratum;
	memcpy(reply + 24, request + 40, 8);
	for (i = 0; i < 8; i++)
		reply[32 + i] = reply[40 + i] = ntp >> (56 - 8 * i);
}

START_TEST(sntp_request_layout)
{
	unsigned char request[SNTP_SIZE];
	int i;

	sntp_request(request, 0x0102030405060708ULL);
	ck_assert_uint_eq(request[0], 0x23);	/* version 4, client */
	for (i = 1; i < 40; i++)
		ck_assert_uint_eq(request[i], 0);
	for (i = 0; i < 8; i++)
		ck_assert_uint_eq(request[40 + i], i + 1);
}
END_TEST

START_TEST(sntp_offset)
{
	unsigned char request[SNTP_SIZE], reply[SNTP_SIZE];
	int64_t offset = 0, t = 1795418917;
	char why[128];

	sntp_request(request, 42);
	sntp_server_reply(reply, request, t + 100, 2, 0);
	/* Sent and received at t: the server is 100.5 s ahead. */
	ck_assert_int_eq(sntp_reply(reply, sizeof(reply), at(t, 0), at(t, 0),
	    &offset, why, sizeof(why)), 0);
	ck_assert_int_eq(offset, 100 * NS + NS / 2);
	/* A round trip of 2 s is split evenly. */
	ck_assert_int_eq(sntp_reply(reply, sizeof(reply), at(t, 0),
	    at(t + 2, 0), &offset, why, sizeof(why)), 0);
	ck_assert_int_eq(offset, 99 * NS + NS / 2);
}
END_TEST

/* Which request a datagram answers, by the cookie it echoes; or none. */
START_TEST(sntp_which_request)
{
	unsigned char request[SNTP_SIZE], reply[SNTP_SIZE];
	const uint64_t cookies[] = { 7, 42, 9 };

	sntp_request(request, 42);
	sntp_server_reply(reply, request, 1795418917, 2, 0);
	ck_assert_int_eq(sntp_which(reply, sizeof(reply), cookies, 3), 1);
	ck_assert_int_eq(sntp_which(reply, sizeof(reply), cookies, 1), -1);
	ck_assert_int_eq(sntp_which(reply, 47, cookies, 3), -1);
	ck_assert_int_eq(sntp_which(reply, 1, cookies, 3), -1);
}
END_TEST

static const char *
refusal(const unsigned char *reply, int64_t sent, int64_t received)
{
	static char why[128];
	int64_t offset = 7;

	if (sntp_reply(reply, SNTP_SIZE, sent, received, &offset, why,
	    sizeof(why)) == 0)
		return NULL;
	ck_assert_int_eq(offset, 7);		/* untouched */
	return why;
}

START_TEST(sntp_refusals)
{
	unsigned char request[SNTP_SIZE], reply[SNTP_SIZE];
	int64_t offset, t = 1795418917;
	char why[128];

	sntp_request(request, 42);
	sntp_server_reply(reply, request, t, 2, 0);
	ck_assert_int_eq(sntp_reply(reply, 47, 0, 0, &offset, why,
	    sizeof(why)), -1);
	ck_assert_str_eq(why, "short reply: 47 bytes");
	sntp_server_reply(reply, request, t, 0, 0);
	memcpy(reply + 12, "RATE", 4);
	ck_assert_str_eq(refusal(reply, 0, 0),
	    "server refused (kiss-o'-death RATE)");
	memcpy(reply + 12, "D\nN\x80", 4);
	ck_assert_str_eq(refusal(reply, 0, 0),
	    "server refused (kiss-o'-death D?N?)");
	sntp_server_reply(reply, request, t, 16, 0);
	ck_assert_str_eq(refusal(reply, 0, 0), "invalid stratum 16");
	sntp_server_reply(reply, request, t, 2, 3);
	ck_assert_str_eq(refusal(reply, 0, 0),
	    "server clock is not synchronized");
	sntp_server_reply(reply, request, t, 2, 0);
	reply[0] = (reply[0] & ~7) | 3;		/* a client's packet */
	ck_assert_str_eq(refusal(reply, 0, 0), "not a server reply (mode 3)");
	sntp_server_reply(reply, request, t, 2, 0);
	memset(reply + 40, 0, 8);
	ck_assert_str_eq(refusal(reply, 0, 0), "server sent no time");
}
END_TEST

/*
 * RFC 4330 section 5: a zero receive time (it reads as 2036, and an offset
 * of years), a transmit time before the receive time, or more time inside
 * the server than the whole round trip took: refused, never an offset.
 */
START_TEST(sntp_times_that_do_not_fit)
{
	unsigned char request[SNTP_SIZE], reply[SNTP_SIZE];
	int64_t t = 1795418917;

	sntp_request(request, 42);
	sntp_server_reply(reply, request, t, 2, 0);
	memset(reply + 32, 0, 8);		/* receive timestamp */
	ck_assert_str_eq(refusal(reply, at(t, 0), at(t, 1000)),
	    "server sent no time");
	sntp_server_reply(reply, request, t, 2, 0);
	reply[35]--;				/* transmit one s later */
	ck_assert_ptr_null(refusal(reply, at(t, 0), at(t + 2, 0)));
	reply[35] += 2;				/* received after sent */
	ck_assert_ptr_nonnull(strstr(refusal(reply, at(t, 0), at(t + 2, 0)),
	    "server times do not fit the exchange"));
	reply[35] -= 3;				/* 2 s inside, 1 s trip */
	ck_assert_ptr_nonnull(strstr(refusal(reply, at(t, 0), at(t + 1, 0)),
	    "server times do not fit the exchange"));
}
END_TEST

START_TEST(sntp_eras)
{
	unsigned char ts[8] = { 0 };

	/* RFC 4330: top bit set, 1968-2036; clear, 2036-2104. */
	rfc868_pack(0x83AA7E80u, ts);
	ck_assert_int_eq(sntp_to_unix_ns(ts), 0);
	rfc868_pack(0xFFFFFFFFu, ts);
	ck_assert_int_eq(sntp_to_unix_ns(ts), 2085978495LL * NS);
	rfc868_pack(0, ts);
	ck_assert_int_eq(sntp_to_unix_ns(ts), 2085978496LL * NS);
	rfc868_pack(0x7FFFFFFFu, ts);
	ck_assert_int_eq(sntp_to_unix_ns(ts), (2085978496LL + 0x7FFFFFFF) * NS);
	rfc868_pack(0x80000000u, ts);
	ck_assert_int_eq(sntp_to_unix_ns(ts), -(0x83AA7E80LL - 0x80000000LL)
	    * NS);
	rfc868_pack(0, ts);
	rfc868_pack(0x80000000u, ts + 4);	/* half a second */
	ck_assert_int_eq(sntp_to_unix_ns(ts), 2085978496LL * NS + NS / 2);
}
END_TEST

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

/* A FIFO where the file should be: refused at once, never waited on. */
START_TEST(leaps_file_not_regular)
{
	char path[PATH_MAX], err[PATH_MAX + 64];
	const char *scratch = getenv("TIMED_TEST_SCRATCH");
	struct leaps leaps;

	ck_assert_ptr_nonnull(scratch);
	snprintf(path, sizeof(path), "%s/fifo-%d", scratch, (int)getpid());
	ck_assert_int_eq(mkfifo(path, 0600), 0);
	ck_assert_int_eq(leaps_load(path, &leaps, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "not a regular file") != NULL, "%s", err);
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
client_suite(void)
{
	Suite *s = suite_create("client");
	TCase *options = tcase_create("options");
	TCase *arithmetic = tcase_create("arithmetic");
	TCase *sntp = tcase_create("sntp");
	TCase *leaps = tcase_create("leaps");

	tcase_add_test(options, options_defaults);
	tcase_add_test(options, options_all_letters);
	tcase_add_test(options, options_bad);
	tcase_add_test(arithmetic, offset_in_step_is_zero);
	tcase_add_test(arithmetic, offset_whole_seconds);
	tcase_add_test(arithmetic, format_like_rdate);
	tcase_add_test(sntp, sntp_request_layout);
	tcase_add_test(sntp, sntp_offset);
	tcase_add_test(sntp, sntp_which_request);
	tcase_add_test(sntp, sntp_times_that_do_not_fit);
	tcase_add_test(sntp, sntp_refusals);
	tcase_add_test(sntp, sntp_eras);
	tcase_add_test(leaps, leaps_synthetic);
	tcase_add_test(leaps, leaps_malformed);
	tcase_add_test(leaps, leaps_corrections_bounded);
	tcase_add_test(leaps, leaps_file_not_regular);
	tcase_add_test(leaps, leaps_system_file);
	suite_add_tcase(s, options);
	suite_add_tcase(s, arithmetic);
	suite_add_tcase(s, sntp);
	suite_add_tcase(s, leaps);
	return s;
}
