/* The protocol's value: Unix time <-> RFC 868 seconds, and their bytes. */
#include <check.h>
#include <stdint.h>
#include <time.h>

#include "../common/rfc868.h"
#include "tests.h"

static time_t
utc(int year, int month, int day, int hour, int min, int sec)
{
	struct tm tm = {
		.tm_year = year - 1900, .tm_mon = month - 1, .tm_mday = day,
		.tm_hour = hour, .tm_min = min, .tm_sec = sec
	};

	return timegm(&tm);
}

START_TEST(encode_epochs)
{
	ck_assert_uint_eq(rfc868_from_unix(utc(1970, 1, 1, 0, 0, 0)),
	    2208988800u);
	ck_assert_uint_eq(rfc868_from_unix(utc(2000, 1, 1, 0, 0, 0)),
	    0xBC17C200u);
	ck_assert_uint_eq(rfc868_from_unix(utc(2100, 1, 1, 0, 0, 0)),
	    0x7830D580u);
}
END_TEST

START_TEST(encode_wraps_in_2036)
{
	ck_assert_uint_eq(rfc868_from_unix(utc(2036, 2, 7, 6, 28, 15)),
	    0xFFFFFFFFu);
	ck_assert_uint_eq(rfc868_from_unix(utc(2036, 2, 7, 6, 28, 16)), 0);
	ck_assert_uint_eq(rfc868_from_unix(utc(2036, 2, 7, 6, 28, 17)), 1);
}
END_TEST

START_TEST(encode_past_2038)
{
	/* The first second a signed 32-bit time_t cannot hold. */
	ck_assert_int_eq(utc(2038, 1, 19, 3, 14, 8), (time_t)2147483648LL);
	ck_assert_uint_eq(rfc868_from_unix(utc(2038, 1, 19, 3, 14, 8)),
	    0x03AA7E80u);
}
END_TEST

START_TEST(encode_before_1900_wraps_too)
{
	/* One second before 1900 is the top of the previous era. */
	ck_assert_uint_eq(rfc868_from_unix(-(time_t)RFC868_UNIX_EPOCH - 1),
	    0xFFFFFFFFu);
}
END_TEST

START_TEST(decode_window_1970_to_2106)
{
	ck_assert_int_eq(rfc868_to_unix(2208988800u), 0);
	ck_assert_int_eq(rfc868_to_unix(2208988799u), 4294967295LL);
	ck_assert_int_eq(rfc868_to_unix(2208988799u),
	    utc(2106, 2, 7, 6, 28, 15));
}
END_TEST

START_TEST(decode_across_2036)
{
	ck_assert_int_eq(rfc868_to_unix(0xFFFFFFFFu), utc(2036, 2, 7, 6, 28, 15));
	ck_assert_int_eq(rfc868_to_unix(0), utc(2036, 2, 7, 6, 28, 16));
	ck_assert_int_eq(rfc868_to_unix(1), utc(2036, 2, 7, 6, 28, 17));
}
END_TEST

START_TEST(decode_past_2038)
{
	ck_assert_int_eq(rfc868_to_unix(0x03AA7E80u), utc(2038, 1, 19, 3, 14, 8));
	ck_assert_int_eq(rfc868_to_unix(0x7C9E6E00u),
	    utc(2102, 5, 10, 20, 28, 48));
	ck_assert_int_eq(rfc868_to_unix(0x80000000u),
	    utc(2104, 2, 26, 9, 42, 24));
}
END_TEST

START_TEST(round_trip_every_year)
{
	int year;
	time_t t;

	for (year = 1970; year < 2106; year++) {
		t = utc(year, 6, 15, 12, 34, 56);
		ck_assert_int_eq(rfc868_to_unix(rfc868_from_unix(t)), t);
	}
}
END_TEST

START_TEST(bytes_are_big_endian)
{
	unsigned char b[RFC868_SIZE];

	rfc868_pack(0x83AA7E80u, b);
	ck_assert_uint_eq(b[0], 0x83);
	ck_assert_uint_eq(b[1], 0xAA);
	ck_assert_uint_eq(b[2], 0x7E);
	ck_assert_uint_eq(b[3], 0x80);
	ck_assert_uint_eq(rfc868_unpack(b), 0x83AA7E80u);
	rfc868_pack(0xFFFFFFFFu, b);
	ck_assert_uint_eq(rfc868_unpack(b), 0xFFFFFFFFu);
	rfc868_pack(1, b);
	ck_assert_uint_eq(b[0] | b[1] | b[2], 0);
	ck_assert_uint_eq(b[3], 1);
}
END_TEST

#define NS 1000000000LL

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

Suite *
rfc868_suite(void)
{
	Suite *s = suite_create("rfc868");
	TCase *encode = tcase_create("encode");
	TCase *decode = tcase_create("decode");
	TCase *offset = tcase_create("offset");

	tcase_add_test(encode, encode_epochs);
	tcase_add_test(encode, encode_wraps_in_2036);
	tcase_add_test(encode, encode_past_2038);
	tcase_add_test(encode, encode_before_1900_wraps_too);
	tcase_add_test(encode, bytes_are_big_endian);
	tcase_add_test(decode, decode_window_1970_to_2106);
	tcase_add_test(decode, decode_across_2036);
	tcase_add_test(decode, decode_past_2038);
	tcase_add_test(decode, round_trip_every_year);
	suite_add_tcase(s, encode);
	tcase_add_test(offset, offset_in_step_is_zero);
	tcase_add_test(offset, offset_whole_seconds);
	suite_add_tcase(s, decode);
	suite_add_tcase(s, offset);
	return s;
}
