/*
 * client/privsep.c: what the parent believes of its network side's
 * result. A result that holds together passes; each way a subverted child
 * could lie about it, alone, is refused.
 */
#include <sys/socket.h>

#include <check.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "../client/options.h"
#include "../client/privsep.h"
#include "../common/rfc868.h"
#include "tests.h"

#define MS	1000000LL

static struct client_options o;
static struct network_result r;
static int64_t before, after;

/* A result of -s (-x with subsecond) from the second of two hosts. */
static void
result_made(int subsecond)
{
	char *argv[] = { "timeclient", subsecond ? "-sx" : "-s", "a", "b",
	    NULL };
	struct sockaddr_in *sin = (struct sockaddr_in *)&r.ans.addr;
	struct why why;
	int64_t remote, lo, hi, middle;

	ck_assert_int_eq(client_options(4, argv, &o, &why), 0);
	memset(&r, 0, sizeof(r));
	before = 1800000000LL * NS_PER_SECOND + 300 * MS;
	after = before + 5000 * MS;
	r.magic = PRIVSEP_MAGIC;
	r.host = 1;
	r.ans.asked_ns = before + 1 * MS;
	r.ans.sent_ns = before + 1 * MS;
	r.ans.received_ns = before + 2 * MS;
	remote = 1800000000LL;		/* the server's second: 0 to 1.002 s */
	rfc868_pack(rfc868_from_unix(remote), r.ans.reply);
	r.ans.length = r.ans.size = RFC868_SIZE;
	strcpy(r.ans.peer, "192.0.2.1 port 37");
	sin->sin_family = AF_INET;
	r.ans.addrlen = sizeof(*sin);
	if (!subsecond)
		return;
	r.subsecond_done = 1;
	r.sub.rounds = SUBSECOND_ROUNDS;
	r.sub.queries = 39;
	lo = remote * NS_PER_SECOND - r.ans.received_ns;
	hi = remote * NS_PER_SECOND + NS_PER_SECOND - r.ans.asked_ns;
	middle = lo + (hi - lo) / 2;
	r.sub.last.replies = 12;
	r.sub.last.lo_ns = middle - 2 * MS;
	r.sub.last.hi_ns = middle + 2 * MS;
	r.sub.last.latest_ns = before + 4000 * MS;
	r.sub.all = r.sub.last;
}

static void
assert_believed(void)
{
	struct why why;

	ck_assert_msg(privsep_result_check(&o, &r, before, after, &why) == 0,
	    "%s", why.text);
}

static void
assert_refused(const char *said)
{
	struct why why;

	ck_assert_int_eq(privsep_result_check(&o, &r, before, after, &why),
	    -1);
	ck_assert_msg(strstr(why.text, said) != NULL, "\"%s\"", why.text);
}

START_TEST(holds_together)
{
	result_made(0);
	assert_believed();
	result_made(1);
	assert_believed();
}
END_TEST

START_TEST(lies_refused)
{
	result_made(0);
	r.magic = 0;
	assert_refused("not a result");
	result_made(0);
	r.host = 2;
	assert_refused("host 2 of 2");
	result_made(0);
	r.host = -1;
	assert_refused("host -1 of 2");
	result_made(0);
	r.ans.length = 3;
	assert_refused("a reply of 3 bytes");
	result_made(0);
	r.ans.length = sizeof(r.ans.reply) + 1;
	assert_refused("a reply of");
	result_made(0);
	memset(r.ans.peer, 'x', sizeof(r.ans.peer));
	assert_refused("its peer's name does not end");
	result_made(0);
	r.ans.addr.ss_family = AF_UNIX;
	assert_refused("its peer's address");
	result_made(0);
	r.ans.received_ns = after + 1;
	assert_refused("its times are not of this run");
	result_made(0);
	r.ans.asked_ns = before - 1;
	assert_refused("its times are not of this run");
	result_made(0);
	r.ans.sent_ns = r.ans.received_ns + 1;
	assert_refused("its times are not of this run");
	result_made(0);
	r.subsecond_done = 1;		/* -x not asked */
	assert_refused("-x was not asked");
}
END_TEST

START_TEST(subsecond_lies_refused)
{
	char said[64];

	result_made(1);
	r.subsecond_done = 0;
	assert_refused("-x was not done");
	result_made(1);
	r.sub.rounds = SUBSECOND_ROUNDS - 1;
	assert_refused("-x: 2 rounds");
	result_made(1);
	r.sub.queries = SUBSECOND_QUERIES_MAX + 1;
	snprintf(said, sizeof(said), "-x: 3 rounds, %d queries",
	    SUBSECOND_QUERIES_MAX + 1);
	assert_refused(said);
	result_made(1);
	r.sub.last.lo_ns = r.sub.last.hi_ns;
	assert_refused("-x: its interval is not one");
	result_made(1);
	r.sub.last.inconsistent = 1;
	assert_refused("-x: its interval is not one");
	result_made(1);
	r.sub.last.latest_ns = after + 1;
	assert_refused("-x: its last reply is not of this run");
	/* A second away from what the first answer said. */
	result_made(1);
	r.sub.last.lo_ns += 2 * NS_PER_SECOND;
	r.sub.last.hi_ns += 2 * NS_PER_SECOND;
	assert_refused("outside the second of the first answer");
}
END_TEST

/* A result of -m from two hosts, neither answering (a reason each). */
static void
majority_made(void)
{
	char *argv[] = { "timeclient", "-sm", "a", "b", NULL };
	struct why why;

	ck_assert_int_eq(client_options(4, argv, &o, &why), 0);
	memset(&r, 0, sizeof(r));
	before = 1800000000LL * NS_PER_SECOND;
	after = before + 5000 * MS;
	r.magic = PRIVSEP_MAGIC;
	r.nsources = 2;
	r.src[1].host = 1;
	strcpy(r.src[0].why, "a: no answer in time");
	strcpy(r.src[1].why, "b: no answer in time");
}

/*
 * Under -m the host of the result is read too (main names it): a child
 * that lies about it is refused before anything reads o.hosts with it.
 * Before, -m's check returned without it, and root read host 100000000
 * of 2.
 */
START_TEST(majority_lies_refused)
{
	majority_made();
	assert_believed();
	r.host = 100000000;
	assert_refused("host 100000000 of 2");
	majority_made();
	r.host = -1;
	assert_refused("host -1 of 2");
	majority_made();
	r.src[1].host = 2;
	assert_refused("source 1: host 2 of 2");
	majority_made();
	r.src[0].naddrs = ADDR_LIST_MAX + 1;
	assert_refused("source 0: 17 addresses");
	majority_made();
	r.nsources = MAJORITY_SOURCES_MAX + 1;
	assert_refused("17 sources");
}
END_TEST

Suite *
privsep_suite(void)
{
	Suite *s = suite_create("privsep");
	TCase *result = tcase_create("result");

	tcase_add_test(result, holds_together);
	tcase_add_test(result, lies_refused);
	tcase_add_test(result, subsecond_lies_refused);
	tcase_add_test(result, majority_lies_refused);
	suite_add_tcase(s, result);
	return s;
}
