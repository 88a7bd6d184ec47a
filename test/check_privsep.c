/*
 * client/privsep.c: what the parent believes of its network side's
 * message. A message that holds together passes; each way a subverted
 * child could lie about it, alone, is refused; and a child that sends
 * too little, too much or nothing leaves the parent without a
 * measurement to act on.
 */
#include <sys/stat.h>

#include <check.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../client/majority.h"
#include "../client/options.h"
#include "../client/privsep.h"
#include "../client/query.h"
#include "../common/rfc868.h"
#include "tests.h"

#define MS	1000000LL

static struct client_options o;
static struct measurement m;
static int64_t before, now;

/* The options of a run: -s (-sx, -sc...) and two hosts. */
static void
options_made(const char *flags)
{
	char *argv[] = { "timeclient", (char *)flags, "-w", "2", "a", "b",
	    NULL };
	struct why why;

	ck_assert_int_eq(client_options(6, argv, &o, &why), 0);
}

/*
 * A message of -s from the second of two hosts, measured at t (Unix ns):
 * +12 s off, as RFC 868 without -x says it; with -x (bounded), the
 * offset known to +-2 ms.
 */
static void
message_at(struct measurement *msg, int64_t t, int bounded)
{
	memset(msg, 0, sizeof(*msg));
	msg->magic = PRIVSEP_MAGIC;
	msg->host = 1;
	msg->adjust_seconds = 12;
	msg->offset_ns = 12 * NS_PER_SECOND;
	msg->utc_seconds = msg->remote_seconds = t / NS_PER_SECOND + 12;
	msg->error_ns = 600 * MS;
	strcpy(msg->peer, "192.0.2.1 port 37");
	strcpy(msg->address, "192.0.2.1");
	msg->port = 37;
	msg->size = RFC868_SIZE;
	msg->asked_ns = msg->sent_ns = t - 2 * MS;
	msg->received_ns = t - 1 * MS;
	if (!bounded)
		return;
	msg->bounded = 1;
	msg->offset_ns = 12 * NS_PER_SECOND + 437 * MS;
	msg->lo_ns = msg->offset_ns - 2 * MS;
	msg->hi_ns = msg->offset_ns + 2 * MS;
	msg->error_ns = 2 * MS;
	msg->queries = 39;
}

static void
made(const char *flags, int bounded)
{
	options_made(flags);
	before = 1800000000LL * NS_PER_SECOND + 300 * MS;
	now = before + 5000 * MS;
	message_at(&m, before + 1000 * MS, bounded);
}

static void
assert_believed(void)
{
	struct why why;

	ck_assert_msg(privsep_check(&o, &m, before, now, &why) == 0, "%s",
	    why.text);
}

static void
assert_refused(const char *said)
{
	struct why why;

	ck_assert_int_eq(privsep_check(&o, &m, before, now, &why), -1);
	ck_assert_msg(strstr(why.text, said) != NULL, "\"%s\"", why.text);
}

START_TEST(holds_together)
{
	made("-s", 0);
	assert_believed();
	made("-sx", 1);
	assert_believed();
	made("-sc", 0);			/* 27 leap seconds counted */
	m.remote_seconds += 27;
	m.adjust_seconds += 27;
	m.offset_ns += 27 * NS_PER_SECOND;
	assert_believed();
	made("-s", 0);			/* a failure, said */
	m.status = EXIT_NO_ANSWER;
	strcpy(m.reason, "a: no answer");
	assert_believed();
}
END_TEST

/* A message of made(flags) with this status, from a host not named. */
static void
host_refused(const char *flags, int status, int host)
{
	char said[64];

	made(flags, 0);
	m.status = status;
	m.host = host;
	snprintf(said, sizeof(said), "host %d of 2", host);
	assert_refused(said);
}

/*
 * The host is read before anything else names it: under -m too, where
 * before a lying child made root read host 100000000 of 2.
 */
START_TEST(lies_refused)
{
	made("-s", 0);
	m.magic = 0;
	assert_refused("not a message");
	host_refused("-sm", 0, 100000000);
	host_refused("-s", 0, -1);
	host_refused("-s", EXIT_NO_ANSWER, 2);
	made("-s", 0);
	m.status = 77;
	assert_refused("status 77");
	made("-s", 0);
	memset(m.peer, 'x', sizeof(m.peer));
	assert_refused("a text that does not end, or not text");
	made("-s", 0);
	memset(m.reason, 'x', sizeof(m.reason));
	assert_refused("a text that does not end, or not text");
	made("-s", 0);			/* a line of its own in syslog */
	strcpy(m.peer, "192.0.2.1\ntimeclient: clock stepped by +0 s");
	assert_refused("a text that does not end, or not text");
	made("-s", 0);
	strcpy(m.reason, "\033[2J");
	assert_refused("a text that does not end, or not text");
	made("-s", 0);			/* U+0085, a line break in UTF-8 */
	strcpy(m.reason, "no answer\302\205timeclient: clock stepped");
	assert_refused("a text that does not end, or not text");
	made("-s", 0);
	memset(m.address, 'x', sizeof(m.address));
	assert_refused("a text that does not end, or not text");
	made("-sm", 1);
	m.agree = 3;
	m.answered = 2;
	assert_refused("3 of 2 agree");
	made("-sm", 1);
	m.answered = MAJORITY_SOURCES_MAX + 1;
	assert_refused("agree");
}
END_TEST

/* Numbers no measurement gives: huge, inverted, apart from each other. */
START_TEST(numbers_refused)
{
	made("-s", 0);
	m.offset_ns = INT64_MIN;
	assert_refused("a number out of bounds");
	made("-sx", 1);
	m.lo_ns = INT64_MIN;
	m.hi_ns = INT64_MAX;
	assert_refused("a number out of bounds");
	made("-s", 0);
	m.error_ns = -1;
	assert_refused("a number out of bounds");
	made("-s", 0);
	m.utc_seconds = m.remote_seconds = INT64_MAX / NS_PER_SECOND;
	assert_refused("a number out of bounds");
	made("-sx", 1);
	m.lo_ns = m.hi_ns;
	assert_refused("its interval does not hold its offset");
	made("-sx", 1);
	m.offset_ns = m.hi_ns + 1;
	assert_refused("its interval does not hold its offset");
	made("-sx", 1);
	m.lo_ns = -((int64_t)1 << 62);
	m.hi_ns = (int64_t)1 << 62;
	assert_refused("its interval does not hold its offset");
	made("-s", 0);			/* leap seconds without -c */
	m.remote_seconds += 27;
	assert_refused("27 leap seconds");
	made("-sc", 0);
	m.remote_seconds += 1000;
	assert_refused("1000 leap seconds");
	/* A time above the floor, a clock set to 1970: the floor passed. */
	made("-s", 0);
	m.adjust_seconds = -(now / NS_PER_SECOND - 5);
	m.offset_ns = m.adjust_seconds * NS_PER_SECOND;
	assert_refused("from its time");
	made("-sx", 1);
	m.utc_seconds += 3600;
	m.remote_seconds += 3600;
	assert_refused("from its time");
	/*
	 * An error no exchange of 5 s gives: it would carry a time 73 years
	 * under the last good time (lastgood_check adds it).
	 */
	made("-s", 0);
	m.error_ns = (int64_t)1 << 61;
	assert_refused("an error of");
	made("-s", 0);
	m.error_ns = 29 * NS_PER_SECOND;	/* 2 x 5 s + 20 s at most */
	assert_believed();
	/* Root's line saying +0 s for a step of a year. */
	made("-s", 0);
	m.adjust_seconds = 0;
	assert_refused("an adjustment of 0 s");
	made("-s", 0);
	m.adjust_seconds = INT64_MAX;
	assert_refused("a number out of bounds");
	/* Times that its lines subtract, overflowing. */
	made("-sn", 0);
	m.sent_ns = INT64_MIN;
	m.received_ns = INT64_MAX;
	assert_refused("its exchange's times are not within its run");
	made("-sn", 0);
	m.received_ns = m.sent_ns - 1;
	assert_refused("its exchange's times are not within its run");
}
END_TEST

/* The network sides of a subverted child, each with its own lie. */
static int
pipe_found(void)
{
	struct stat st;
	int fd;

	for (fd = 63; fd > 2; fd--)
		if (fstat(fd, &st) == 0 && S_ISFIFO(st.st_mode) &&
		    (fcntl(fd, F_GETFL) & O_ACCMODE) == O_WRONLY)
			return fd;
	_exit(9);
}

static void
honest(const struct client_options *opt, struct measurement *msg)
{
	(void)opt;
	message_at(msg, query_realtime_ns(), 0);
}

static void
host_out_of_range(const struct client_options *opt, struct measurement *msg)
{
	honest(opt, msg);
	msg->host = 100000000;
}

static void
huge_interval(const struct client_options *opt, struct measurement *msg)
{
	message_at(msg, query_realtime_ns(), 1);
	(void)opt;
	msg->lo_ns = INT64_MIN;
	msg->hi_ns = INT64_MAX;
}

static void
short_message(const struct client_options *opt, struct measurement *msg)
{
	honest(opt, msg);
	msg->magic = PRIVSEP_MAGIC;
	(void)!write(pipe_found(), msg, sizeof(*msg) - 1);
	_exit(0);
}

/* A byte too many, in one write: the parent reads it before the end. */
static void
long_message(const struct client_options *opt, struct measurement *msg)
{
	char longer[sizeof(*msg) + 1];

	honest(opt, msg);
	msg->magic = PRIVSEP_MAGIC;
	memcpy(longer, msg, sizeof(*msg));
	longer[sizeof(*msg)] = 'x';
	(void)!write(pipe_found(), longer, sizeof(longer));
	_exit(0);
}

static void
nothing(const struct client_options *opt, struct measurement *msg)
{
	(void)opt;
	(void)msg;
	_exit(0);
}

/*
 * A whole, honest message, its pipe closed, and then no end: the parent
 * must not wait for the child past its deadline (-w 2, two hosts: 6 s).
 */
static void
lingering(const struct client_options *opt, struct measurement *msg)
{
	struct timespec hour = { .tv_sec = 3600 };
	int fd = pipe_found();

	honest(opt, msg);
	msg->magic = PRIVSEP_MAGIC;
	(void)!write(fd, msg, sizeof(*msg));
	close(fd);
	for (;;)
		nanosleep(&hour, NULL);
}

/* A status of its own: 5 would say the clock could not be set. */
static void
exits_5(const struct client_options *opt, struct measurement *msg)
{
	(void)opt;
	(void)msg;
	_exit(EXIT_NOT_SET);
}

/* What privsep_network makes of network: its status, and why. */
static int
network_run(network_fn *network, struct why *why)
{
	options_made("-s");
	memset(&m, 0, sizeof(m));
	return privsep_network(&o, network, &m, why);
}

/* Each lie, with what the parent says of it; the first tells none. */
static const struct {
	network_fn *network;
	int status;
	const char *said;
} children[] = {
	{ honest, 0, "" },
	{ host_out_of_range, EXIT_REFUSED, "host 100000000 of 2" },
	{ huge_interval, EXIT_REFUSED, "a number out of bounds" },
	{ short_message, EXIT_REFUSED, "bytes, not a message" },
	{ long_message, EXIT_REFUSED, "bytes, not a message" },
	{ nothing, EXIT_REFUSED, "sent 0 bytes" },
	{ lingering, EXIT_NO_ANSWER, "did not end within" },
	{ exits_5, EXIT_TROUBLE, "the network side exited 5" },
};

/*
 * A test a child, as the parent drops for good what setting the clock
 * does not need. Refused: the status to exit with and no measurement.
 */
START_TEST(hostile_child_refused)
{
	struct why why;

	ck_assert_msg(network_run(children[_i].network, &why) ==
	    children[_i].status, "%s", why.text);
	ck_assert_msg(strstr(why.text, children[_i].said) != NULL, "\"%s\"",
	    why.text);
	if (children[_i].status == 0)
		ck_assert_int_eq(m.host, 1);
}
END_TEST

Suite *
privsep_suite(void)
{
	Suite *s = suite_create("privsep");
	TCase *message = tcase_create("message");
	TCase *child = tcase_create("child");

	tcase_add_test(message, holds_together);
	tcase_add_test(message, lies_refused);
	tcase_add_test(message, numbers_refused);
	suite_add_tcase(s, message);
	tcase_add_loop_test(child, hostile_child_refused, 0,
	    (int)(sizeof(children) / sizeof(children[0])));
	tcase_set_timeout(child, 30);
	suite_add_tcase(s, child);
	return s;
}
