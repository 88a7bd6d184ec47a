/*
 * log.c: where lines go, decided once by log_init(), and a stderr that
 * stops being read costs counted lines, never a blocked daemon. Each test
 * runs in a process of its own (Check's fork mode), so its stderr may be
 * a pipe of the test's.
 */
#include <sys/socket.h>

#include <check.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "../server/log.h"
#include "helpers.h"
#include "tests.h"

static int said = -1;		/* the read end of our stderr */

/* stderr a pipe of our own, non-blocking at our end only. */
static void
stderr_to_pipe(void)
{
	int fds[2];

	setprogname("timed");	/* err(3)'s prefix, as the daemon has it */
	ck_assert_int_eq(pipe(fds), 0);
	ck_assert_int_ne(dup2(fds[1], STDERR_FILENO), -1);
	close(fds[1]);
	said = fds[0];
	fcntl(said, F_SETFL, O_NONBLOCK);
}

/* What was written to stderr since the last call. */
static const char *
stderr_said(void)
{
	static char text[8192];
	ssize_t n;

	n = read(said, text, sizeof(text) - 1);
	text[n > 0 ? n : 0] = '\0';
	return text;
}

START_TEST(debug_goes_to_stderr)
{
	stderr_to_pipe();
	log_init(1, 0, LOG_DAEMON);
	log_info("listening on %s", "tcp 127.0.0.1 port 8037");
	log_debug("tcp from %s", "127.0.0.1");
	log_warnx("a warning");
	ck_assert_str_eq(stderr_said(), "listening on tcp 127.0.0.1 port 8037\n"
	    "tcp from 127.0.0.1\ntimed: a warning\n");
	ck_assert(log_debug_enabled());
}
END_TEST

/* inetd: stderr is the client's socket; nothing may reach it. */
START_TEST(inetd_never_writes_stderr)
{
	unsigned long long lost = log_dropped();

	stderr_to_pipe();
	log_init(0, 1, LOG_DAEMON);
	log_warnx("-S: cannot read whether the clock is synchronized");
	log_info("timed serving on 1 socket");
	log_debug("not even this");
	log_ready();
	log_warnx("nor this");
	ck_assert_str_eq(stderr_said(), "");
	ck_assert(!log_debug_enabled());
	/* Without a syslog daemon the lines are lost, and counted. */
	ck_assert_uint_ge(log_dropped(), lost);
}
END_TEST

/* A daemon starting: stderr (its starter) too, until it is ready. */
START_TEST(both_until_ready)
{
	stderr_to_pipe();
	log_init(0, 0, LOG_DAEMON);
	log_warnx("port 37: Permission denied");
	ck_assert_str_eq(stderr_said(), "timed: port 37: Permission denied\n");
	log_ready();
	log_info("listening on tcp 0.0.0.0 port 37");
	log_warnx("a warning once serving");
	ck_assert_str_eq(stderr_said(), "");
}
END_TEST

/* A stderr nobody reads: the lines are dropped and counted, at once. */
START_TEST(stalled_stderr_drops_lines)
{
	unsigned long long before;
	int i;

	stderr_to_pipe();
	fcntl(said, F_SETPIPE_SZ, 4096);
	log_init(1, 0, LOG_DAEMON);
	before = log_dropped();
	for (i = 0; i < 1000; i++)	/* 60 kB: far more than fits */
		log_debug("udp from 127.0.0.1 port %d, a line of sixty bytes", i);
	ck_assert_uint_gt(log_dropped() - before, 900);
	ck_assert_int_gt((int)strlen(stderr_said()), 0);	/* the first fit */
}
END_TEST

Suite *
log_suite(void)
{
	Suite *s = suite_create("log");
	TCase *where = tcase_create("destination");

	tcase_add_test(where, debug_goes_to_stderr);
	tcase_add_test(where, inetd_never_writes_stderr);
	tcase_add_test(where, both_until_ready);
	tcase_add_test(where, stalled_stderr_drops_lines);
	suite_add_tcase(s, where);
	return s;
}
