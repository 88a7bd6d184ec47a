/* SNTP packets (client/sntp.c): the request, and the checks of a reply. */
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

#include "../client/sntp.h"
#include "../common/rfc868.h"
#include "tests.h"

#define NS 1000000000LL

/* Unix time in ns. */
static int64_t
at(int64_t seconds, int64_t ns)
{
	return seconds * NS + ns;
}

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
	struct why why;

	sntp_request(request, 42);
	sntp_server_reply(reply, request, t + 100, 2, 0);
	/* Sent and received at t: the server is 100.5 s ahead. */
	ck_assert_int_eq(sntp_reply(reply, sizeof(reply), at(t, 0), at(t, 0),
	    &offset, &why), 0);
	ck_assert_int_eq(offset, 100 * NS + NS / 2);
	/* A round trip of 2 s is split evenly. */
	ck_assert_int_eq(sntp_reply(reply, sizeof(reply), at(t, 0),
	    at(t + 2, 0), &offset, &why), 0);
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
	static struct why why;
	int64_t offset = 7;

	if (sntp_reply(reply, SNTP_SIZE, sent, received, &offset, &why) == 0)
		return NULL;
	ck_assert_int_eq(offset, 7);		/* untouched */
	return why.text;
}

START_TEST(sntp_refusals)
{
	unsigned char request[SNTP_SIZE], reply[SNTP_SIZE];
	int64_t offset, t = 1795418917;
	struct why why;

	sntp_request(request, 42);
	sntp_server_reply(reply, request, t, 2, 0);
	ck_assert_int_eq(sntp_reply(reply, 47, 0, 0, &offset, &why), -1);
	ck_assert_str_eq(why.text, "short reply: 47 bytes");
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
	/*
	 * A server that says it may be hours off: its bound would carry its
	 * time under the last good time. 16 s (root delay 2 s, dispersion
	 * 15 s) passes, a sixteenth of a second more does not.
	 */
	sntp_server_reply(reply, request, t, 2, 0);
	memcpy(reply + 4, "\x00\x02\x00\x00\x00\x0f\x00\x00", 8);
	ck_assert_int_eq(sntp_reply(reply, SNTP_SIZE, at(t, 0), at(t, 0),
	    &offset, &why), 0);
	reply[10] = 0x10;
	ck_assert_str_eq(refusal(reply, at(t, 0), at(t, 0)),
	    "server says its clock may be 16.062 s off (root distance): "
	    "more than 16 s");
	memcpy(reply + 4, "\x7f\xff\xff\xff\xff\xff\xff\xff", 8);
	ck_assert_str_eq(refusal(reply, at(t, 0), at(t, 0)),
	    "server says its clock may be 81920.000 s off (root distance): "
	    "more than 16 s");
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


Suite *
sntp_suite(void)
{
	Suite *s = suite_create("sntp");
	TCase *packets = tcase_create("packets");

	tcase_add_test(packets, sntp_request_layout);
	tcase_add_test(packets, sntp_offset);
	tcase_add_test(packets, sntp_which_request);
	tcase_add_test(packets, sntp_refusals);
	tcase_add_test(packets, sntp_times_that_do_not_fit);
	tcase_add_test(packets, sntp_eras);
	suite_add_tcase(s, packets);
	return s;
}
