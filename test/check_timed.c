/*
 * The daemon, end to end: the real binary on a loopback port the kernel
 * chose, queried over real sockets.
 */
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <check.h>
#include <errno.h>
#include <linux/capability.h>
#include <limits.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../common/rfc868.h"
#include "../common/sysfilter.h"
#include "helpers.h"
#include "tests.h"

static unsigned port;

/* The reply must be 4 bytes, then EOF, and within a second of our clock. */
static void
assert_time_reply(const unsigned char *reply, long len)
{
	int64_t expected = now_rfc868() % 0x100000000LL;
	int64_t got;

	ck_assert_int_eq(len, RFC868_SIZE);
	got = rfc868_value(reply);
	ck_assert_msg(llabs(got - expected) <= 1,
	    "value %lld, expected %lld", (long long)got, (long long)expected);
}

static void
assert_tcp_answers(int family)
{
	unsigned char reply[64];

	assert_time_reply(reply, tcp_query(family, port, reply, sizeof(reply),
	    2000));
}

static void
assert_udp_answers(int family)
{
	unsigned char reply[64];

	assert_time_reply(reply, udp_query(family, port, "", 0, reply,
	    sizeof(reply), 2000));
}

/* Each protocol over each family: answered, and the client logged. */
static const struct {
	int socktype;
	int family;
	const char *address;
	const char *logged;
} queries[] = {
	{ SOCK_STREAM, AF_INET, "127.0.0.1", "tcp from 127.0.0.1 port" },
	{ SOCK_STREAM, AF_INET6, "::1", "tcp from ::1 port" },
	{ SOCK_DGRAM, AF_INET, "127.0.0.1", "udp from 127.0.0.1 port" },
	{ SOCK_DGRAM, AF_INET6, "::1", "udp from ::1 port" },
};

START_TEST(tcp_and_udp_over_ipv4_and_ipv6)
{
	port = daemon_up((const char *const[]){ "-l", queries[_i].address,
	    NULL }, NULL);
	if (queries[_i].socktype == SOCK_STREAM)
		assert_tcp_answers(queries[_i].family);
	else
		assert_udp_answers(queries[_i].family);
	ck_assert(proc_wait_text(&daemon_proc, queries[_i].logged, 2000));
}
END_TEST

START_TEST(udp_any_content)
{
	static char big[1400];
	unsigned char reply[64];

	memset(big, 'x', sizeof(big));
	port = daemon_up((const char *const[]){ "-l", "127.0.0.1", NULL }, NULL);
	assert_time_reply(reply, udp_query(AF_INET, port, "?", 1, reply,
	    sizeof(reply), 2000));
	assert_time_reply(reply, udp_query(AF_INET, port, big, sizeof(big),
	    reply, sizeof(reply), 2000));
	assert_time_reply(reply, udp_query(AF_INET, port, "\0\0\0\0", 4,
	    reply, sizeof(reply), 2000));
}
END_TEST

START_TEST(default_listens_everywhere)
{
	port = daemon_up(NULL, NULL);
	ck_assert(proc_wait_text(&daemon_proc, "listening on udp :: port",
	    2000));
	ck_assert_int_eq(count_text(daemon_proc.err, "listening on"), 4);
	assert_tcp_answers(AF_INET);
	assert_tcp_answers(AF_INET6);
	assert_udp_answers(AF_INET);
	assert_udp_answers(AF_INET6);
}
END_TEST

START_TEST(one_port_for_all_sockets)
{
	char line[64];

	port = daemon_up((const char *const[]){ "-l", "127.0.0.1", "-l", "::1", NULL },
	    NULL);
	ck_assert(proc_wait_text(&daemon_proc, "listening on udp ::1", 2000));
	snprintf(line, sizeof(line), " port %u\n", port);
	ck_assert_int_eq(count_text(daemon_proc.err, line), 4);
}
END_TEST

START_TEST(ipv4_only)
{
	port = daemon_up((const char *const[]){ "-4", NULL }, NULL);
	proc_wait_text(&daemon_proc, "still waiting", 2500);
	ck_assert_int_eq(count_text(daemon_proc.err, "listening on"), 2);
	ck_assert_int_eq(count_text(daemon_proc.err, "0.0.0.0 port"), 2);
	assert_tcp_answers(AF_INET);
	assert_udp_answers(AF_INET);
}
END_TEST

START_TEST(ipv6_only)
{
	port = daemon_up((const char *const[]){ "-6", NULL }, NULL);
	proc_wait_text(&daemon_proc, "still waiting", 2500);
	ck_assert_int_eq(count_text(daemon_proc.err, "listening on"), 2);
	ck_assert_int_eq(count_text(daemon_proc.err, ":: port"), 2);
	assert_tcp_answers(AF_INET6);
	assert_udp_answers(AF_INET6);
}
END_TEST

START_TEST(tcp_only)
{
	port = daemon_up((const char *const[]){ "-T", "-l", "127.0.0.1", NULL }, NULL);
	proc_wait_text(&daemon_proc, "still waiting", 2500);
	ck_assert_int_eq(count_text(daemon_proc.err, "listening on tcp"), 1);
	ck_assert_int_eq(count_text(daemon_proc.err, "listening on udp"), 0);
	assert_tcp_answers(AF_INET);
}
END_TEST

START_TEST(udp_only)
{
	port = daemon_up((const char *const[]){ "-U", "-l", "::1", NULL }, NULL);
	proc_wait_text(&daemon_proc, "still waiting", 2500);
	ck_assert_int_eq(count_text(daemon_proc.err, "listening on udp"), 1);
	ck_assert_int_eq(count_text(daemon_proc.err, "listening on tcp"), 0);
	assert_udp_answers(AF_INET6);
}
END_TEST

START_TEST(address_by_name)
{
	port = daemon_up((const char *const[]){ "-4", "-l", "localhost", NULL }, NULL);
	ck_assert(strstr(daemon_proc.err, "listening on tcp 127.0.0.1") != NULL);
	assert_tcp_answers(AF_INET);
}
END_TEST

START_TEST(many_clients_in_a_row)
{
	unsigned char reply[64];
	int i;

	port = daemon_up((const char *const[]){ "-r", "0", "-l", "127.0.0.1", NULL }, NULL);
	for (i = 0; i < 200; i++) {
		assert_time_reply(reply, tcp_query(AF_INET, port, reply,
		    sizeof(reply), 2000));
		assert_time_reply(reply, udp_query(AF_INET, port, "", 0, reply,
		    sizeof(reply), 2000));
	}
}
END_TEST

/* Clients that reset at once or never read must not disturb the daemon. */
START_TEST(rude_clients)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	struct linger reset = { .l_onoff = 1, .l_linger = 0 };
	int i, fd, idle[20];

	port = daemon_up((const char *const[]){ "-r", "0", "-l", "127.0.0.1", NULL }, NULL);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sin.sin_port = htons(port);
	for (i = 0; i < 100; i++) {
		fd = socket(AF_INET, SOCK_STREAM, 0);
		ck_assert_int_ne(fd, -1);
		setsockopt(fd, SOL_SOCKET, SO_LINGER, &reset, sizeof(reset));
		connect(fd, (struct sockaddr *)&sin, sizeof(sin));
		close(fd);
	}
	for (i = 0; i < 20; i++) {
		idle[i] = socket(AF_INET, SOCK_STREAM, 0);
		connect(idle[i], (struct sockaddr *)&sin, sizeof(sin));
	}
	assert_tcp_answers(AF_INET);
	assert_udp_answers(AF_INET);
	for (i = 0; i < 20; i++)
		close(idle[i]);
	assert_tcp_answers(AF_INET);
	ck_assert_int_eq(kill(daemon_proc.pid, 0), 0);
}
END_TEST

/* Debian's rdate, the client users know, prints what we sent. */
static void
assert_rdate_agrees(const char *udp_flag)
{
	static struct proc rdate;
	const char *env[] = { "TZ=UTC", NULL };
	char portarg[8];
	const char *argv[] = { "rdate", "-p", "-o", portarg, udp_flag,
	    "127.0.0.1", NULL };
	struct tm tm;
	time_t shown;

	if (access("/usr/sbin/rdate", X_OK) != 0)
		SKIP("rdate is not installed (apt-get install rdate)");
	if (udp_flag == NULL) {
		argv[4] = "127.0.0.1";
		argv[5] = NULL;
	}
	argv[0] = "/usr/sbin/rdate";
	port = daemon_up((const char *const[]){ "-l", "127.0.0.1", NULL }, NULL);
	snprintf(portarg, sizeof(portarg), "%u", port);
	ck_assert_int_eq(proc_run(&rdate, argv, env, NULL, 5000), 0);
	ck_assert_msg(exit_code(&rdate) == 0, "rdate: %s", rdate.err);
	memset(&tm, 0, sizeof(tm));
	ck_assert_msg(strptime(rdate.out, "%a %b %e %H:%M:%S UTC %Y", &tm) !=
	    NULL, "rdate printed \"%s\"", rdate.out);
	shown = timegm(&tm);
	ck_assert_msg(llabs((long long)(shown - time(NULL))) <= 1,
	    "rdate printed \"%s\"", rdate.out);
}

START_TEST(rdate_tcp)
{
	assert_rdate_agrees(NULL);
}
END_TEST

START_TEST(rdate_udp)
{
	assert_rdate_agrees("-u");
}
END_TEST

START_TEST(still_waiting_when_idle)
{
	port = daemon_up((const char *const[]){ "-l", "127.0.0.1", NULL }, NULL);
	ck_assert(proc_wait_text(&daemon_proc, "still waiting\n", 2500));
}
END_TEST

static void
assert_exits_cleanly_on(int sig)
{
	int fd;
	struct sockaddr_in sin = { .sin_family = AF_INET };

	port = daemon_up((const char *const[]){ "-l", "127.0.0.1", NULL }, NULL);
	assert_tcp_answers(AF_INET);
	ck_assert_int_eq(kill(daemon_proc.pid, sig), 0);
	ck_assert_msg(proc_wait_exit(&daemon_proc, 1000),
	    "still running a second after signal %d", sig);
	ck_assert_int_eq(exit_code(&daemon_proc), 0);
	ck_assert(strstr(daemon_proc.err, "exiting") != NULL);
	/* Its sockets are closed: the port can be bound again at once. */
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sin.sin_port = htons(port);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	close(fd);
}

START_TEST(sigterm_exits_0)
{
	assert_exits_cleanly_on(SIGTERM);
}
END_TEST

START_TEST(sigint_exits_0)
{
	assert_exits_cleanly_on(SIGINT);
}
END_TEST

/*
 * -l NAME with a DNS server that never answers: the resolver waits its
 * timeouts out (10 s here). Ctrl-C or SIGTERM must end the start at once,
 * not be held for a loop that has not begun. The server is a silent
 * socket on port 53 of a network namespace of the test's own, named in a
 * private /etc/resolv.conf.
 */
START_TEST(sigint_while_resolving)
{
	const char *argv[] = { timed_path(), "-d", "-p", "0", "-u", "nobody",
	    "-l", "timed-test.invalid", NULL };
	struct timespec asked;
	struct pollfd pfd = { .events = POLLIN };
	int dns;

	if (private_network() == -1)
		SKIP("cannot make a network namespace: %s", strerror(errno));
	if (private_file("/etc/resolv.conf", "nameserver 127.0.0.1\n"
	    "options timeout:5 attempts:2\n") == -1)
		SKIP("cannot put a resolv.conf of the test's own: %s",
		    strerror(errno));
	ck_assert_int_ne(dns = udp_from("127.0.0.1", 53), -1);
	pfd.fd = dns;
	ck_assert_int_eq(proc_start(&daemon_proc, argv, NULL, NULL), 0);
	/* Until it asks: its query waits, unread, at the silent server. */
	ck_assert_msg(poll(&pfd, 1, scale_ms(5000)) == 1,
	    "timed asked no DNS server: %s", daemon_proc.err);
	clock_gettime(CLOCK_MONOTONIC, &asked);
	ck_assert_int_eq(kill(daemon_proc.pid, SIGINT), 0);
	ck_assert_msg(proc_wait_exit(&daemon_proc, 1000),
	    "still resolving a second after SIGINT: %s", daemon_proc.err);
	fprintf(stderr, "resolving: ended %.3f s after SIGINT\n",
	    seconds_since(&asked));
	ck_assert_int_eq(exit_code(&daemon_proc), 128 + SIGINT);
	close(dns);
}
END_TEST

START_TEST(sighup_does_no_harm)
{
	port = daemon_up((const char *const[]){ "-l", "127.0.0.1", NULL }, NULL);
	ck_assert_int_eq(kill(daemon_proc.pid, SIGHUP), 0);
	ck_assert(proc_wait_text(&daemon_proc, "SIGHUP", 2000));
	assert_tcp_answers(AF_INET);
	assert_udp_answers(AF_INET);
}
END_TEST

/* timed under a frozen clock: what it sends over TCP and UDP. */
static void
assert_value_at(const char *when, uint32_t expected)
{
	const char *const *env = faketime_env(when);
	unsigned char reply[64];

	if (env == NULL)
		SKIP("faketime is not installed (apt-get install faketime)");
	port = daemon_up((const char *const[]){ "-l", "127.0.0.1", NULL }, env);
	ck_assert_int_eq(tcp_query(AF_INET, port, reply, sizeof(reply), 2000),
	    RFC868_SIZE);
	ck_assert_uint_eq(rfc868_unpack(reply), expected);
	ck_assert_int_eq(udp_query(AF_INET, port, "", 0, reply, sizeof(reply),
	    2000), RFC868_SIZE);
	ck_assert_uint_eq(rfc868_unpack(reply), expected);
}

START_TEST(faketime_after_2036_wrap)
{
	assert_value_at("2036-02-07 06:28:20", 4);
}
END_TEST

START_TEST(faketime_before_2036_wrap)
{
	assert_value_at("2036-02-07 06:28:15", 0xFFFFFFFFu);
}
END_TEST

START_TEST(faketime_after_2038)
{
	assert_value_at("2038-01-20 00:00:00", 0x03ABA280u);
}
END_TEST

START_TEST(faketime_2100)
{
	assert_value_at("2100-01-01 00:00:00", 0x7830D580u);
}
END_TEST

/* 2040, past the 32-bit time_t, and a leap day. */
START_TEST(faketime_2040)
{
	assert_value_at("2040-02-29 12:34:56", 0x07A37670u);
}
END_TEST

/*
 * The clock the 2038 tests fake is faked as glibc behaves: a program with
 * a 32-bit time_t (test/time32probe, built without _TIME_BITS=64) gets
 * EOVERFLOW past 2038, one with a 64-bit time_t the true value. On a
 * 32-bit build this is what timed would do without config.mk's flags,
 * and what faketime_2040 shows it does not.
 */
START_TEST(faked_clock_as_glibc)
{
	const char *probe[] = { "./test/time32probe", NULL };
	const char *env[] = { faketime_preload_for(probe[0]), NULL,
	    "FAKETIME_DONT_FAKE_MONOTONIC=1", NULL };
	static struct proc p;
	int narrow = sizeof(long) == 4;	/* glibc's time_t is its long */

	if (env[0] == NULL)
		SKIP("faketime is not installed (apt-get install faketime)");
	env[1] = "FAKETIME=2030-05-05 05:05:05";
	ck_assert_int_eq(proc_run(&p, probe, env, NULL, 5000), 0);
	ck_assert_str_eq(p.out, "1904187905\n");
	env[1] = "FAKETIME=2040-01-01 00:00:00";
	ck_assert_int_eq(proc_run(&p, probe, env, NULL, 5000), 0);
	ck_assert_str_eq(p.out, narrow ?
	    "clock_gettime: Value too large for defined data type\n" :
	    "2208988800\n");
	ck_assert_int_eq(exit_code(&p), narrow);
}
END_TEST

/* RFC 868: a server that cannot tell the time closes, or stays silent. */
START_TEST(broken_clock_sends_nothing)
{
	const char *env[] = { "LD_PRELOAD=./test/clockfail.so",
	    "ASAN_OPTIONS=verify_asan_link_order=0", NULL };
	unsigned char reply[64];

	port = daemon_up((const char *const[]){ "-l", "127.0.0.1", NULL }, env);
	ck_assert_int_eq(tcp_query(AF_INET, port, reply, sizeof(reply), 2000),
	    0);
	ck_assert_int_eq(udp_query(AF_INET, port, "", 0, reply, sizeof(reply),
	    500), -1);
	ck_assert(proc_wait_text(&daemon_proc, "cannot read the clock", 1000));
	ck_assert_int_eq(count_text(daemon_proc.err, "cannot read the clock"), 1);
	ck_assert_int_eq(kill(daemon_proc.pid, 0), 0);
}
END_TEST

/*
 * A clock before this release (a board without a battery boots to 1970)
 * is not served: no TCP byte, no UDP reply, said once and counted; a day
 * past the floor, it is.
 */
static void
assert_floor(const char *when, int answered)
{
	const char *const *env = faketime_env(when);
	unsigned char reply[64];
	const char *line;
	unsigned long long below;
	size_t before;

	if (env == NULL)
		SKIP("faketime is not installed (apt-get install faketime)");
	port = daemon_up((const char *const[]){ "-l", "127.0.0.1", NULL }, env);
	ck_assert_int_eq(tcp_query(AF_INET, port, reply, sizeof(reply), 2000),
	    answered ? 4 : 0);
	ck_assert_int_eq(udp_query(AF_INET, port, "", 0, reply, sizeof(reply),
	    answered ? 2000 : 300), answered ? 4 : -1);
	ck_assert_int_eq(tcp_query(AF_INET, port, reply, sizeof(reply), 2000),
	    answered ? 4 : 0);
	before = daemon_proc.errlen;
	ck_assert_int_eq(kill(daemon_proc.pid, SIGUSR1), 0);
	ck_assert(proc_wait_text(&daemon_proc, "before the floor", 2000));
	line = strstr(daemon_proc.err + before, "without clock, ");
	ck_assert_ptr_nonnull(line);
	ck_assert_int_eq(sscanf(line, "without clock, %llu before the floor",
	    &below), 1);
	ck_assert_uint_eq(below, answered ? 0 : 3);
	ck_assert_int_eq(count_text(daemon_proc.err, "(this release): not "
	    "answering until it is set"), answered ? 0 : 1);
}

START_TEST(floor_1970)
{
	assert_floor("1970-01-02 00:00:00", 0);
}
END_TEST

START_TEST(floor_2001)
{
	assert_floor("2001-09-09 01:46:40", 0);
}
END_TEST

START_TEST(floor_plus_a_day)
{
	char when[32];
	time_t t = TIME_FLOOR + 86400;
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm);
	assert_floor(when, 1);
}
END_TEST

/*
 * -S: silent while the kernel says the clock is not synchronized (a
 * preloaded adjtimex says so until a SIGWINCH), answering once it
 * is, with a line at each change; the state is read once a second.
 */
START_TEST(require_sync)
{
	const char *const *env = unsynced_env(1);
	const char *argv[] = { timed_copy(), "-d", "-S", "-l", "127.0.0.1",
	    "-p", "0", NULL };
	unsigned char reply[8];
	int i;

	ck_assert_ptr_nonnull(argv[0]);
	ck_assert_int_eq(proc_start(&daemon_proc, argv, env, become_nobody), 0);
	ck_assert_msg(timed_port(&daemon_proc, &port) == 0, "%s",
	    daemon_proc.err);
	ck_assert_int_eq(tcp_query(AF_INET, port, reply, sizeof(reply), 2000),
	    0);
	ck_assert_int_eq(udp_query(AF_INET, port, "", 0, reply, sizeof(reply),
	    300), -1);
	ck_assert(proc_wait_text(&daemon_proc, "not synchronized", 2000));
	ck_assert_int_eq(kill(daemon_proc.pid, SIGWINCH), 0);
	for (i = 0; i < 30 && tcp_query(AF_INET, port, reply, sizeof(reply),
	    2000) != 4; i++)
		usleep(100000);
	ck_assert_msg(i < 30, "still silent: %s", daemon_proc.err);
	ck_assert(proc_wait_text(&daemon_proc, "answering again", 2000));
	ck_assert_int_eq(count_text(daemon_proc.err, "not synchronized"), 1);
}
END_TEST

#define USAGE "usage: timed [-46dFfiStTUV] [-l address] [-P pidfile] [-p port] " \
	"[-r rate] [-u user]\n"

struct bad_input {
	const char *args[6];
	const char *message;
};

static const struct bad_input bad_inputs[] = {
	{ { "-p", "99999" }, "timed: port 99999 is too large\n" },
	{ { "-p", "-1" }, "timed: port -1 is too small\n" },
	{ { "-p", "nosuchservice" },
	    "timed: port nosuchservice is not a number or a known service\n" },
	{ { "-p", "" }, "timed: port  is not a number or a known service\n" },
	{ { "-p", "8037", "-l", "nosuch.invalid" },
	    "timed: address nosuch.invalid: " },
	{ { "-p", "8037", "-l", "127.0.0.1:80" }, "timed: address 127.0.0.1:80: " },
	{ { "-p", "8037", "-4", "-l", "::1" }, "timed: address ::1: " },
	{ { "-x" }, USAGE },
	{ { "-p" }, USAGE },
	{ { "extra" }, USAGE },
	{ { "-4", "-6" }, "timed: -4 and -6 exclude each other" },
	{ { "-T", "-U" }, "timed: -T and -U exclude each other" },
	{ { "-r", "fast" }, "timed: rate fast is invalid\n" },
	{ { "-r", "-1" }, "timed: rate -1 is too small\n" },
	{ { "-r", "100001" }, "timed: rate 100001 is too large\n" },
	{ { "-i", "-p", "37" }, "timed: -i takes its socket from inetd" },
	{ { "-d", "-p", "0", "-P", "/nonexistent/dir/timed.pid" },
	    "timed: pidfile /nonexistent/dir/timed.pid: No such file" },
	{ { "-d", "-p", "0", "-P", "" }, "timed: pidfile : not a file name\n" },
	{ { "-d", "-p", "0", "-P", "/" }, "timed: pidfile /: not a file name\n" },
	{ { "-d", "-p", "0", "-P", "/dev/null" }, "timed: pidfile /dev/null is "
	    "not a regular file: refused; name another\n" },
	{ { "-i" }, "timed: -i: descriptor 0 is not a socket\n" },
	{ { "-p", "0", "-l", "224.0.0.1" },
	    "timed: address 224.0.0.1 is multicast: " },
	{ { "-p", "0", "-l", "255.255.255.255" },
	    "timed: address 255.255.255.255 is the broadcast address: " },
	{ { "-p", "0", "-l", "127.255.255.255" },
	    "timed: address 127.255.255.255 is the broadcast address of lo: " },
	{ { "-p", "0", "-l", "ff02::1" }, "timed: address ff02::1 is multicast: " },
};

START_TEST(bad_input_exits_1)
{
	const struct bad_input *bad = &bad_inputs[_i];
	/* -d: as root, no default pidfile in the machine's /run. */
	const char *argv[10] = { timed_path(), "-d", "-u", "nobody" };
	size_t i;

	for (i = 0; bad->args[i] != NULL; i++)
		argv[i + 4] = bad->args[i];
	ck_assert_int_eq(proc_run(&daemon_proc, argv, NULL, NULL, 5000), 0);
	ck_assert_int_eq(exit_code(&daemon_proc), 1);
	ck_assert_msg(strstr(daemon_proc.err, bad->message) != NULL,
	    "case %d: expected \"%s\" in \"%s\"", _i, bad->message,
	    daemon_proc.err);
	ck_assert_uint_eq(daemon_proc.outlen, 0);
}
END_TEST

/*
 * -t checks what a start checks, and does nothing: the bad inputs above
 * each refused with the same message; good options exit 0 silently, even
 * on a port another socket holds, which a start could not bind, and
 * leave that socket's port unanswered by timed.
 */
START_TEST(check_mode)
{
	const struct bad_input *bad;
	const char *argv[12] = { timed_path(), "-t", "-u", "nobody" };
	char portarg[8];
	unsigned char reply[8];
	unsigned taken;
	size_t i, k;
	int fd;

	for (k = 0; k < sizeof(bad_inputs) / sizeof(bad_inputs[0]); k++) {
		bad = &bad_inputs[k];
		/* What only a start meets: inetd's socket. */
		if (strstr(bad->message, "-i: descriptor 0") != NULL)
			continue;
		for (i = 0; bad->args[i] != NULL; i++)
			argv[i + 4] = bad->args[i];
		argv[i + 4] = NULL;
		ck_assert_int_eq(proc_run(&daemon_proc, argv, NULL, NULL,
		    5000), 0);
		ck_assert_msg(exit_code(&daemon_proc) == 1, "case %zu", k);
		ck_assert_msg(strstr(daemon_proc.err, bad->message) != NULL,
		    "case %zu: expected \"%s\" in \"%s\"", k, bad->message,
		    daemon_proc.err);
	}
	ck_assert_int_eq(port_free(AF_INET, SOCK_STREAM, &taken, &fd), 0);
	snprintf(portarg, sizeof(portarg), "%u", taken);
	argv[4] = "-l";
	argv[5] = "127.0.0.1";
	argv[6] = "-p";
	argv[7] = portarg;
	argv[8] = "-r";
	argv[9] = "5";
	argv[10] = NULL;
	ck_assert_int_eq(proc_run(&daemon_proc, argv, NULL, NULL, 5000), 0);
	ck_assert_msg(exit_code(&daemon_proc) == 0, "%s", daemon_proc.err);
	ck_assert_uint_eq(daemon_proc.outlen + daemon_proc.errlen, 0);
	ck_assert_int_lt(udp_query(AF_INET, taken, "?", 1, reply,
	    sizeof(reply), 300), 4);
	close(fd);
}
END_TEST

/*
 * -t -P in a directory others may write: refused as root, as a start
 * refuses it (whoever else writes there could replace root's pidfile);
 * as another user a start takes it, and so does -t. Nothing is made.
 */
START_TEST(check_mode_pidfile_directory)
{
	char dir[PATH_MAX], pidfile[PATH_MAX + 16];
	const char *argv[] = { timed_path(), "-t", "-u", "nobody", "-P",
	    pidfile, NULL };
	struct stat st;

	ck_assert_ptr_nonnull(scratch_dir());
	snprintf(dir, sizeof(dir), "%s/shared-XXXXXX", scratch_dir());
	ck_assert_ptr_nonnull(mkdtemp(dir));
	ck_assert_int_eq(chmod(dir, 01777), 0);
	snprintf(pidfile, sizeof(pidfile), "%s/timed.pid", dir);
	ck_assert_int_eq(proc_run(&daemon_proc, argv, NULL, NULL, 5000), 0);
	if (geteuid() == 0) {
		ck_assert_int_eq(exit_code(&daemon_proc), 1);
		ck_assert_msg(strstr(daemon_proc.err, "may be written by users "
		    "other than root") != NULL, "%s", daemon_proc.err);
	} else
		ck_assert_msg(exit_code(&daemon_proc) == 0, "%s",
		    daemon_proc.err);
	ck_assert_int_eq(lstat(pidfile, &st), -1);
}
END_TEST

/* A port taken for one protocol: exit 1, and nothing left listening. */
static void
assert_port_in_use(int socktype)
{
	char portarg[8];
	const char *argv[] = { timed_path(), "-d", "-u", "nobody", "-l",
	    "127.0.0.1", "-p", portarg, NULL };
	unsigned char reply[8];
	unsigned taken;
	int fd;

	ck_assert_int_eq(port_free(AF_INET, socktype, &taken, &fd), 0);
	snprintf(portarg, sizeof(portarg), "%u", taken);
	ck_assert_int_eq(proc_run(&daemon_proc, argv, NULL, NULL, 5000), 0);
	ck_assert_int_eq(exit_code(&daemon_proc), 1);
	/* The libc's words for EADDRINUSE: the test's libc is timed's. */
	ck_assert_msg(strstr(daemon_proc.err, strerror(EADDRINUSE)) != NULL,
	    "%s", daemon_proc.err);
	ck_assert_msg(strstr(daemon_proc.err, portarg) != NULL, "%s",
	    daemon_proc.err);
	if (socktype == SOCK_DGRAM)	/* the TCP socket opened first is gone */
		ck_assert_int_eq(tcp_query(AF_INET, taken, reply,
		    sizeof(reply), 1000), -1);
	close(fd);
}

START_TEST(port_in_use_tcp)
{
	assert_port_in_use(SOCK_STREAM);
}
END_TEST

START_TEST(port_in_use_udp)
{
	assert_port_in_use(SOCK_DGRAM);
}
END_TEST

/* Root without CAP_NET_BIND_SERVICE is as unprivileged as anyone. */
static void
drop_bind_capability(void)
{
	if (capability_drop(CAP_NET_BIND_SERVICE) == -1)
		_exit(125);
}

START_TEST(port_37_needs_privilege)
{
	const char *argv[] = { timed_path(), "-d", "-u", "nobody", "-l",
	    "127.0.0.1", NULL };
	FILE *f;
	int first = 1024;

	f = fopen("/proc/sys/net/ipv4/ip_unprivileged_port_start", "r");
	if (f != NULL) {
		if (fscanf(f, "%d", &first) != 1)
			first = 1024;
		fclose(f);
	}
	if (first <= RFC868_PORT)
		SKIP("ip_unprivileged_port_start is %d: port 37 needs no "
		    "privilege here", first);
	ck_assert_int_eq(proc_run(&daemon_proc, argv, NULL,
	    drop_bind_capability, 5000), 0);
	ck_assert_int_eq(exit_code(&daemon_proc), 1);
	ck_assert_msg(strstr(daemon_proc.err, "timed: bind tcp 127.0.0.1 port 37: "
	    "Permission denied") != NULL, "%s", daemon_proc.err);
	ck_assert(strstr(daemon_proc.err, "try -p 8037") != NULL);
}
END_TEST

START_TEST(version)
{
	const char *argv[] = { timed_path(), "-V", NULL };

	ck_assert_int_eq(proc_run(&daemon_proc, argv, NULL, NULL, 5000), 0);
	ck_assert_int_eq(exit_code(&daemon_proc), 0);
	ck_assert_str_eq(daemon_proc.out, sysfilter_built() ?
	    "timed " VERSION " (system call filter: seccomp)\n" :
	    "timed " VERSION " (no system call filter: built without "
	    "libseccomp)\n");
}
END_TEST

/*
 * A packager's flags on make's command line (as dpkg-buildpackage and
 * distributions give them) come on top of the project's own, which the
 * build cannot do without. Before, CPPFLAGS=... dropped VERSION, the floor,
 * 64-bit time and libbsd's flags. make -n: nothing is built.
 */
START_TEST(packager_flags_keep_the_projects)
{
	const char *argv[] = { "make", "-n", "-B", "CPPFLAGS=-DPACKAGER",
	    "CFLAGS=-O1", "timed.o", NULL };
	const char *needed[] = { "-DPACKAGER", "-O1", "-DVERSION=",
	    "-DTIME_FLOOR=", "-D_TIME_BITS=64", "-DLIBBSD_OVERLAY", "-Wall" };
	size_t i;

	if (access("Makefile", R_OK) != 0)
		SKIP("no Makefile here: %s", strerror(errno));
	ck_assert_int_eq(proc_run(&daemon_proc, argv, NULL, NULL, 10000), 0);
	if (exit_code(&daemon_proc) == 127)
		SKIP("make is not installed");
	ck_assert_msg(exit_code(&daemon_proc) == 0, "%s", daemon_proc.err);
	for (i = 0; i < sizeof(needed) / sizeof(needed[0]); i++)
		ck_assert_msg(strstr(daemon_proc.out, needed[i]) != NULL,
		    "no %s in: %s", needed[i], daemon_proc.out);
}
END_TEST

/* --help: the usage line, a line an option, exit 0. */
START_TEST(help_lists_every_option)
{
	char usage[256], why[128];

	ck_assert_int_eq(usage_line(timed_path(), usage, sizeof(usage)), 0);
	ck_assert_msg(help_covers_usage(timed_path(), usage, why,
	    sizeof(why)) == 0, "%s", why);
}
END_TEST

/* usage() is the man page's SYNOPSIS, word for word. */
START_TEST(usage_matches_man_page)
{
	char usage[256], synopsis[256];

	ck_assert_int_eq(usage_line(timed_path(), usage, sizeof(usage)), 0);
	ck_assert_msg(man_synopsis("man/timed.8", synopsis, sizeof(synopsis)) ==
	    0, "mandoc failed (apt-get install mandoc)");
	ck_assert_str_eq(synopsis, usage);
}
END_TEST

Suite *
timed_suite(void)
{
	Suite *s = suite_create("timed");
	TCase *serve = tcase_create("serve");
	TCase *signals = tcase_create("signals");
	TCase *clock = tcase_create("clock");
	TCase *input = tcase_create("input");

	tcase_add_checked_fixture(serve, NULL, daemon_stop);
	tcase_set_timeout(serve, 20);
	tcase_add_loop_test(serve, tcp_and_udp_over_ipv4_and_ipv6, 0,
	    sizeof(queries) / sizeof(queries[0]));
	tcase_add_test(serve, udp_any_content);
	tcase_add_test(serve, default_listens_everywhere);
	tcase_add_test(serve, one_port_for_all_sockets);
	tcase_add_test(serve, ipv4_only);
	tcase_add_test(serve, ipv6_only);
	tcase_add_test(serve, tcp_only);
	tcase_add_test(serve, udp_only);
	tcase_add_test(serve, address_by_name);
	tcase_add_test(serve, many_clients_in_a_row);
	tcase_add_test(serve, rude_clients);
	tcase_add_test(serve, rdate_tcp);
	tcase_add_test(serve, rdate_udp);
	suite_add_tcase(s, serve);

	tcase_add_checked_fixture(signals, NULL, daemon_stop);
	tcase_set_timeout(signals, 20);
	tcase_add_test(signals, still_waiting_when_idle);
	tcase_add_test(signals, sigterm_exits_0);
	tcase_add_test(signals, sigint_exits_0);
	tcase_add_test(signals, sighup_does_no_harm);
	tcase_add_test(signals, sigint_while_resolving);
	suite_add_tcase(s, signals);

	tcase_add_checked_fixture(clock, NULL, daemon_stop);
	tcase_set_timeout(clock, 20);
	tcase_add_test(clock, faketime_after_2036_wrap);
	tcase_add_test(clock, faketime_before_2036_wrap);
	tcase_add_test(clock, faketime_after_2038);
	tcase_add_test(clock, faketime_2100);
	tcase_add_test(clock, faketime_2040);
	tcase_add_test(clock, faked_clock_as_glibc);
	tcase_add_test(clock, broken_clock_sends_nothing);
	tcase_add_test(clock, floor_1970);
	tcase_add_test(clock, floor_2001);
	tcase_add_test(clock, floor_plus_a_day);
	tcase_add_test(clock, require_sync);
	suite_add_tcase(s, clock);

	tcase_add_checked_fixture(input, NULL, daemon_stop);
	tcase_set_timeout(input, 20);
	tcase_add_loop_test(input, bad_input_exits_1, 0,
	    sizeof(bad_inputs) / sizeof(bad_inputs[0]));
	tcase_add_test(input, port_in_use_tcp);
	tcase_add_test(input, port_in_use_udp);
	tcase_add_test(input, port_37_needs_privilege);
	tcase_add_test(input, version);
	tcase_add_test(input, packager_flags_keep_the_projects);
	tcase_add_test(input, help_lists_every_option);
	tcase_add_test(input, check_mode);
	tcase_add_test(input, check_mode_pidfile_directory);
	tcase_add_test(input, usage_matches_man_page);
	suite_add_tcase(s, input);
	return s;
}
