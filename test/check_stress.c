/*
 * timed under hostile conditions: floods of rude clients, descriptor
 * exhaustion, signals under load, clock jumps, and what it tells syslog.
 * STRESS=1 (make stress) multiplies the floods by ten. Loopback only,
 * bounded in count and time.
 */
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../bench/load.h"
#include "../common/rfc868.h"
#include "helpers.h"
#include "tests.h"

static unsigned port;
static int scale = 1;

static void
setup(void)
{
	const char *stress = getenv("STRESS");

	scale = stress != NULL && atoi(stress) > 0 ? 10 : 1;
}

/* timed -f: no per-client lines, so a flood writes nothing to stderr. */
static void
start_quiet(const char *const extra[])
{
	port = daemon_up_quiet(AF_INET, extra);
}

static int
open_fds(pid_t pid)
{
	char path[64];
	struct dirent *e;
	DIR *d;
	int n = 0;

	snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
	ck_assert_ptr_nonnull(d = opendir(path));
	while ((e = readdir(d)) != NULL)
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

/* A number from /proc/PID/status, in kB for the memory lines. */
static long
status_kb(pid_t pid, const char *field)
{
	char path[64], line[256];
	size_t len = strlen(field);
	long value = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	ck_assert_ptr_nonnull(f = fopen(path, "r"));
	while (fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, field, len) == 0 && line[len] == ':')
			value = atol(line + len + 1);
	fclose(f);
	return value;
}

/* utime + stime, in clock ticks. */
static long
cpu_ticks(pid_t pid)
{
	char path[64], buf[1024], *p;
	unsigned long utime, stime;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	ck_assert_ptr_nonnull(f = fopen(path, "r"));
	ck_assert_ptr_nonnull(fgets(buf, sizeof(buf), f));
	fclose(f);
	p = strrchr(buf, ')');
	ck_assert_int_eq(sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u "
	    "%*u %*u %lu %lu", &utime, &stime), 2);
	return utime + stime;
}

static void
load(enum load_mode mode, int concurrency, long count,
    struct load_result *res)
{
	struct load_spec spec = { AF_INET, port, mode, concurrency, count, 60,
	    NULL };

	ck_assert_int_eq(load_run(&spec, res), 0);
	load_print(&spec, res);
	ck_assert_int_eq(res->bad, 0);
	ck_assert_int_eq(res->errors, 0);
}

/*
 * Tens of thousands of connections (with STRESS=1), a tenth resetting at
 * once and a tenth never reading: afterwards timed answers, holds as many
 * descriptors as before and no more memory.
 */
START_TEST(flood_leaves_no_trace)
{
	struct load_result res;
	long rss_before, rss_after;
	int fds_before;

	start_quiet((const char *const[]){ "-r", "0", NULL });
	/* Warm up both paths: their batch buffers are touched once. */
	load(LOAD_TCP, 16, 2000, &res);
	load(LOAD_UDP, 16, 2000, &res);
	fds_before = open_fds(daemon_proc.pid);
	rss_before = status_kb(daemon_proc.pid, "VmRSS");
	load(LOAD_MIX, 100 * (scale > 1 ? 3 : 1), 6000L * scale, &res);
	ck_assert_int_eq(res.started, 6000L * scale);
	ck_assert_int_eq(res.answered + res.resets + res.unread + res.timeouts,
	    res.started);
	ck_assert_int_eq(res.timeouts, 0);
	load(LOAD_UDP, 16, 2000, &res);
	ck_assert_int_eq(res.answered, 2000);
	ck_assert_int_eq(open_fds(daemon_proc.pid), fds_before);
	rss_after = status_kb(daemon_proc.pid, "VmRSS");
	ck_assert_msg(rss_after - rss_before <= 64, "VmRSS %ld kB -> %ld kB",
	    rss_before, rss_after);
	fprintf(stderr, "flood: %ld connections, fds %d -> %d, VmRSS %ld kB "
	    "-> %ld kB\n", 6000L * scale, fds_before,
	    open_fds(daemon_proc.pid), rss_before, rss_after);
}
END_TEST

/*
 * Exactly the descriptors timed holds once started (stdio, its two sockets,
 * syslog's if there is a /dev/log): nothing left for accept. This sandbox's
 * root cannot change another process's limits, so it is set before exec.
 * Not root: the chroot's checks need a descriptor for a moment, and what is
 * tested here is accept.
 */
static void
descriptors_for_startup_only(void)
{
	struct rlimit limit;

	limit.rlim_cur = limit.rlim_max = 3 + 2 +
	    (access("/dev/log", F_OK) == 0);
	setrlimit(RLIMIT_NOFILE, &limit);
	become_nobody();
}

/*
 * No descriptor left for accept: timed keeps serving UDP, says so once,
 * and does not spin with the queue of connections full.
 */
START_TEST(descriptor_exhaustion)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	const char *argv[] = { timed_copy(), "-d", "-r", "0", "-l",
	    "127.0.0.1", "-p", "0", NULL };
	unsigned char reply[8];
	int clients[200], i;
	long ticks;

	if (getenv("TEST_WRAPPER") != NULL && *getenv("TEST_WRAPPER") != '\0')
		SKIP("valgrind needs descriptors of its own, beyond a limit "
		    "sized for timed alone; the plain and ASan runs cover this");
	ck_assert_ptr_nonnull(argv[0]);
	ck_assert_int_eq(proc_start(&daemon_proc, argv, NULL,
	    descriptors_for_startup_only), 0);
	ck_assert_msg(timed_port(&daemon_proc, &port) == 0, "%s",
	    daemon_proc.err);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sin.sin_port = htons(port);
	for (i = 0; i < 200; i++) {
		clients[i] = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
		connect(clients[i], (struct sockaddr *)&sin, sizeof(sin));
	}
	ck_assert_msg(proc_wait_text(&daemon_proc, "pausing for a second",
	    3000), "%s", daemon_proc.err);
	for (i = 0; i < 3; i++)
		ck_assert_int_eq(udp_query(AF_INET, port, "", 0, reply,
		    sizeof(reply), 2000), 4);
	/* The queue stays full; timed looks once a second, no more. */
	ticks = cpu_ticks(daemon_proc.pid);
	sleep(3);
	ticks = cpu_ticks(daemon_proc.pid) - ticks;
	fprintf(stderr, "exhaustion: %ld ticks of CPU in 3 s with a full "
	    "queue\n", ticks);
	ck_assert_int_le(ticks, 10);
	proc_wait_text(&daemon_proc, "\n", 100);
	ck_assert_int_eq(count_text(daemon_proc.err, "pausing for a second"), 1);
	ck_assert(strstr(daemon_proc.err, strerror(EMFILE)) != NULL);
	ck_assert_int_eq(kill(daemon_proc.pid, 0), 0);
	for (i = 0; i < 200; i++)
		close(clients[i]);
}
END_TEST

/*
 * recvmmsg failing for good (test/failcall.so): said once, not once a
 * wake-up, and the socket rests a second at a time rather than spinning.
 */
START_TEST(recv_failure_logged_once)
{
	const char *argv[] = { timed_path(), "-d", "-u", "nobody", "-U", "-l",
	    "127.0.0.1", "-p", "0", NULL };
	const char *env[] = { "LD_PRELOAD=./test/failcall.so",
	    "FAILCALL=recvmmsg", "ASAN_OPTIONS=verify_asan_link_order=0", NULL };
	unsigned char reply[8];
	long ticks;
	int i;

	ck_assert_int_eq(proc_start(&daemon_proc, argv, env, NULL), 0);
	ck_assert_msg(timed_port(&daemon_proc, &port) == 0, "%s",
	    daemon_proc.err);
	ticks = cpu_ticks(daemon_proc.pid);
	for (i = 0; i < 6; i++)		/* three seconds of requests */
		ck_assert_int_eq(udp_query(AF_INET, port, "", 0, reply,
		    sizeof(reply), 500), -1);
	ticks = cpu_ticks(daemon_proc.pid) - ticks;
	ck_assert(proc_wait_text(&daemon_proc, "recvmmsg on udp", 1000));
	proc_wait_text(&daemon_proc, "no such line", 200);	/* the rest */
	ck_assert_int_eq(count_text(daemon_proc.err, "recvmmsg on udp"), 1);
	/* In the libc's own words for ENOMEM (timed's and ours are one). */
	ck_assert(strstr(daemon_proc.err, "pausing for a second: ") != NULL &&
	    strstr(daemon_proc.err, strerror(ENOMEM)) != NULL);
	ck_assert_int_le(ticks, 30);
	ck_assert_int_eq(kill(daemon_proc.pid, 0), 0);
}
END_TEST

/* SIGTERM in the middle of a flood: exit 0 within a second. */
START_TEST(sigterm_under_load)
{
	long ticks;
	int i;
	struct load_result res;
	pid_t loader;

	start_quiet((const char *const[]){ "-r", "0", NULL });
	loader = fork();
	ck_assert_int_ne(loader, -1);
	if (loader == 0) {
		struct load_spec spec = { AF_INET, port, LOAD_MIX, 64, 1000000,
		    3, NULL };

		load_run(&spec, &res);
		_exit(0);
	}
	/* Under load: timed has spent CPU on it (a tick, 10 ms), or 5 s. */
	for (i = 0, ticks = cpu_ticks(daemon_proc.pid); i < 500 &&
	    cpu_ticks(daemon_proc.pid) == ticks; i++)
		usleep(10000);
	ck_assert_int_gt(cpu_ticks(daemon_proc.pid), ticks);
	ck_assert_int_eq(kill(daemon_proc.pid, SIGTERM), 0);
	ck_assert_msg(proc_wait_exit(&daemon_proc, 1000),
	    "still running a second after SIGTERM under load");
	ck_assert_int_eq(exit_code(&daemon_proc), 0);
	kill(loader, SIGKILL);
	waitpid(loader, NULL, 0);
}
END_TEST

/*
 * timed as nobody, from a copy: as root it would change root, and the
 * timestamp file libfaketime reads would be out of its reach. Without its
 * system call filter (-F), which rightly kills a daemon whose clock reads
 * a file: the wrap is tested here, the filter everywhere else.
 */
static void
start_jumping(const char *const env[])
{
	const char *argv[] = { timed_copy(), "-d", "-F", "-r", "0", "-l",
	    "127.0.0.1", "-p", "0", NULL };

	ck_assert_ptr_nonnull(argv[0]);
	ck_assert_int_eq(proc_start(&daemon_proc, argv, env, become_nobody), 0);
	ck_assert_msg(timed_port(&daemon_proc, &port) == 0, "%s",
	    daemon_proc.err);
}

/*
 * The clock jumps back and forth across the 2036 wrap under timed; back to
 * 2001, before this release, it is not served (silence, value 0 here),
 * and it is again once the clock returns.
 */
START_TEST(clock_jumps)
{
	static const struct {
		const char *when;
		uint32_t value;
	} jumps[] = {
		{ "2036-02-07 06:28:10", 0xFFFFFFFAu },
		{ "2036-02-07 06:28:20", 4 },
		{ "2001-09-09 01:46:40", 0 },
		{ "2036-02-07 06:28:21", 5 },
		{ "2036-02-07 06:28:15", 0xFFFFFFFFu },
		{ "2100-01-01 00:00:00", 0x7830D580u },
	};
	char file[128], fileenv[160];
	const char *env[] = { faketime_preload(), fileenv, "FAKETIME_NO_CACHE=1",
	    "FAKETIME_DONT_FAKE_MONOTONIC=1",
	    "ASAN_OPTIONS=verify_asan_link_order=0", NULL };
	unsigned char reply[8];
	size_t i;
	FILE *f;

	if (env[0] == NULL)
		SKIP("faketime is not installed (apt-get install faketime)");
	ck_assert_ptr_nonnull(scratch_dir());
	snprintf(file, sizeof(file), "%s/faketime", scratch_dir());
	snprintf(fileenv, sizeof(fileenv), "FAKETIME_TIMESTAMP_FILE=%s", file);
	for (i = 0; i < sizeof(jumps) / sizeof(jumps[0]); i++) {
		ck_assert_ptr_nonnull(f = fopen(file, "w"));
		fprintf(f, "%s\n", jumps[i].when);
		fclose(f);
		if (i == 0)
			start_jumping(env);
		if (jumps[i].value == 0) {	/* below the floor: silence */
			ck_assert_int_eq(tcp_query(AF_INET, port, reply,
			    sizeof(reply), 2000), 0);
			ck_assert_int_eq(udp_query(AF_INET, port, "", 0, reply,
			    sizeof(reply), 300), -1);
			continue;
		}
		ck_assert_int_eq(tcp_query(AF_INET, port, reply, sizeof(reply),
		    2000), 4);
		ck_assert_msg(rfc868_unpack(reply) == jumps[i].value,
		    "at %s: %u", jumps[i].when, rfc868_unpack(reply));
		ck_assert_int_eq(udp_query(AF_INET, port, "", 0, reply,
		    sizeof(reply), 2000), 4);
		ck_assert_uint_eq(rfc868_unpack(reply), jumps[i].value);
	}
}
END_TEST

/* Daemon facility, info priority (<30>), the program's name and pid. */
START_TEST(syslog_daemon_facility_and_pid)
{
	char tag[32];
	const char *msg;
	int log;

	if ((log = syslog_trap()) == -1)
		SKIP("cannot mount a /dev/log of the test's own: %s",
		    strerror(errno));
	start_quiet(NULL);
	snprintf(tag, sizeof(tag), "timed[%d]: ", (int)daemon_proc.pid);
	msg = syslog_wait(log, "listening on tcp 127.0.0.1", 2000);
	ck_assert_ptr_nonnull(msg);
	ck_assert_msg(strncmp(msg, "<30>", 4) == 0, "%s", msg);
	ck_assert_msg(strstr(msg, tag) != NULL, "%s", msg);
	/* Clients and idle ticks are not logged outside debug mode. */
	kill(daemon_proc.pid, SIGHUP);
	ck_assert_ptr_nonnull(msg = syslog_wait(log, "SIGHUP", 2000));
	ck_assert_msg(strstr(msg, "tcp from") == NULL, "%s", msg);
	ck_assert_msg(stderr_quiet(&daemon_proc), "%s", daemon_proc.err);
	close(log);
}
END_TEST

/* Under load, SIGUSR1's counters equal what the clients counted. */
START_TEST(counters_under_load)
{
	struct load_result tcp, udp;
	struct counters c;
	const char *msg;
	int log;

	if ((log = syslog_trap()) == -1)
		SKIP("cannot mount a /dev/log of the test's own: %s",
		    strerror(errno));
	start_quiet((const char *const[]){ "-r", "0", NULL });
	load(LOAD_TCP, 32, 3000L * scale, &tcp);
	load(LOAD_UDP, 16, 3000L * scale, &udp);
	kill(daemon_proc.pid, SIGUSR1);
	ck_assert_ptr_nonnull(msg = syslog_wait(log, "counters:", 2000));
	ck_assert_msg(counters_parse(msg, &c) == 0, "%s", msg);
	/* One more TCP answer: the query start_quiet waited with. */
	ck_assert_uint_eq(c.tcp, tcp.answered + 1);
	ck_assert_uint_eq(c.udp, udp.answered);
	close(log);
}
END_TEST

/*
 * After the syslog daemon restarted, on the socket it made anew: a line
 * that says no line was lost, the counters, and the last line.
 */
static void
lines_follow_restart(int log)
{
	struct counters c;
	const char *msg;

	ck_assert_int_eq(kill(daemon_proc.pid, SIGUSR1), 0);
	ck_assert_msg((msg = syslog_wait(log, "again", 2000)) != NULL,
	    "nothing after the restart; timed said: %s", daemon_proc.err);
	ck_assert_msg(strstr(msg, "connected to /dev/log again: 0 lines "
	    "lost") != NULL, "%s", msg);
	ck_assert_ptr_nonnull(msg = syslog_wait(log, "counters:", 2000));
	ck_assert_msg(counters_parse(msg, &c) == 0, "%s", msg);
	ck_assert_uint_eq(c.log_lost, 0);
	ck_assert_int_eq(kill(daemon_proc.pid, SIGTERM), 0);
	ck_assert_ptr_nonnull(syslog_wait(log, "exiting on signal 15", 2000));
	ck_assert(proc_wait_exit(&daemon_proc, 2000));
	ck_assert_msg(exit_code(&daemon_proc) == 0, "%s", daemon_proc.err);
}

/*
 * The syslog daemon restarts as rsyslog and busybox syslogd do (its
 * socket closed, removed, and bound anew): timed's next lines reach the
 * new one. timed runs as nobody, which changes no root. Before: every
 * line after the restart lost, counted.
 */
START_TEST(syslog_restart_followed)
{
	const char *argv[] = { timed_copy(), "-f", "-p", "0", "-l",
	    "127.0.0.1", NULL };
	int log;

	if ((log = syslog_trap()) == -1)
		SKIP("cannot mount a /dev/log of the test's own: %s",
		    strerror(errno));
	ck_assert_ptr_nonnull(argv[0]);
	ck_assert_int_eq(proc_start(&daemon_proc, argv, NULL, become_nobody),
	    0);
	ck_assert_msg(syslog_wait(log, "serving on", 5000) != NULL, "%s",
	    daemon_proc.err);
	ck_assert_int_ne(log = syslog_restart(log, "/dev/log"), -1);
	lines_follow_restart(log);
	close(log);
}
END_TEST

/*
 * The same, timed started as root and confined to /var/empty, which the
 * syslog daemon gives a socket of its own (rsyslog's imuxsock Socket=):
 * what timed connects to after the restart is the chroot's dev/log. /var
 * is the machine's, so the test mounts one of its own.
 */
START_TEST(syslog_restart_followed_in_chroot)
{
	const char *argv[] = { timed_path(), "-f", "-u", "nobody", "-p", "0",
	    "-l", "127.0.0.1", NULL };
	int log, inside;

	SKIP_UNLESS_ROOT_WITH_VAR();
	if ((log = syslog_trap()) == -1)
		SKIP("cannot mount a /dev/log of the test's own: %s",
		    strerror(errno));
	ck_assert_int_eq(mkdir("/var/empty", 0755), 0);
	ck_assert_int_eq(mkdir("/var/empty/dev", 0755), 0);
	ck_assert_int_ne(inside = syslog_socket("/var/empty/dev/log"), -1);
	ck_assert_int_eq(proc_start(&daemon_proc, argv, NULL, NULL), 0);
	ck_assert_msg(syslog_wait(log, "serving on", 5000) != NULL, "%s",
	    daemon_proc.err);
	ck_assert(proc_root_is(daemon_proc.pid, "/var/empty"));
	ck_assert_int_ne(log = syslog_restart(log, "/dev/log"), -1);
	ck_assert_int_ne(inside = syslog_restart(inside, "/var/empty/dev/log"),
	    -1);
	lines_follow_restart(inside);
	close(inside);
	close(log);
}
END_TEST

Suite *
stress_suite(void)
{
	Suite *s = suite_create("stress");
	TCase *floods = tcase_create("floods");
	TCase *faults = tcase_create("faults");
	TCase *all[] = { floods, faults };
	size_t i;

	for (i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		tcase_add_unchecked_fixture(all[i], setup, NULL);
		tcase_add_checked_fixture(all[i], NULL, daemon_stop);
		tcase_set_timeout(all[i], 120);
		suite_add_tcase(s, all[i]);
	}
	tcase_add_test(floods, flood_leaves_no_trace);
	tcase_add_test(floods, sigterm_under_load);
	tcase_add_test(floods, counters_under_load);
	tcase_add_test(faults, descriptor_exhaustion);
	tcase_add_test(faults, recv_failure_logged_once);
	tcase_add_test(faults, clock_jumps);
	tcase_add_test(faults, syslog_daemon_facility_and_pid);
	tcase_add_test(faults, syslog_restart_followed);
	tcase_add_test(faults, syslog_restart_followed_in_chroot);
	return s;
}
