/*
 * timed as a service: privileges, pidfile, daemon mode, inetd and systemd
 * sockets, abuse limits and counters, all on the real binary.
 */
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <netinet/in.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../rfc868.h"
#include "helpers.h"
#include "tests.h"

#define NOBODY 65534

static struct proc daemon_proc, other;
static unsigned port;
static void
teardown(void)
{
	proc_stop(&daemon_proc);
	proc_stop(&other);
}

/* The scratch directory, which nobody (the run user) may write. */
static const char *
scratch(void)
{
	const char *dir = scratch_dir();

	ck_assert_ptr_nonnull(dir);
	return dir;
}

static void
start(const char *const args[], const char *const env[])
{
	ck_assert_msg(timed_start(&daemon_proc, &port, args, env) == 0,
	    "timed did not start: %s", daemon_proc.err);
}

/* A line of /proc/PID/status, after its "Name:\t". */
static const char *
proc_status(pid_t pid, const char *field)
{
	static char value[256];
	char path[64], line[256];
	size_t len = strlen(field);
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	ck_assert_ptr_nonnull(f = fopen(path, "r"));
	value[0] = '\0';
	while (fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, field, len) == 0 && line[len] == ':') {
			snprintf(value, sizeof(value), "%s", line + len + 2);
			value[strcspn(value, "\n")] = '\0';
		}
	fclose(f);
	return value;
}

static void
assert_answers(void)
{
	unsigned char reply[16];

	ck_assert_int_eq(tcp_query(AF_INET, port, reply, sizeof(reply), 2000),
	    4);
	ck_assert_int_eq(udp_query(AF_INET, port, "", 0, reply, sizeof(reply),
	    2000), 4);
}

START_TEST(root_drops_to_user)
{
	const char *cwd;
	pid_t pid;

	if (geteuid() != 0)
		SKIP("timed started as root is what this tests");
	start((const char *const[]){ "-l", "127.0.0.1", NULL }, NULL);
	pid = daemon_proc.pid;
	assert_answers();
	ck_assert_str_eq(proc_status(pid, "Uid"), "65534\t65534\t65534\t65534");
	ck_assert_str_eq(proc_status(pid, "Gid"), "65534\t65534\t65534\t65534");
	ck_assert_str_eq(proc_status(pid, "Groups"), "65534 ");
	ck_assert_str_eq(proc_status(pid, "NoNewPrivs"), "1");
	ck_assert_str_eq(proc_status(pid, "CapEff"), "0000000000000000");
	ck_assert(proc_root_is(pid, "/var/empty"));
	if ((cwd = proc_link(pid, "cwd")) != NULL)
		ck_assert_str_eq(cwd, "/var/empty");
	else
		ck_assert_int_eq(errno, EACCES);	/* no ptrace access */
}
END_TEST

START_TEST(root_needs_an_existing_user)
{
	const char *argv[] = { timed_path(), "-d", "-p", "0", "-u",
	    "nosuchuser", NULL };

	if (geteuid() != 0)
		SKIP("timed started as root is what this tests");
	ck_assert_int_eq(proc_run(&daemon_proc, argv, NULL, NULL, 5000), 0);
	ck_assert_int_eq(exit_code(&daemon_proc), 1);
	ck_assert_msg(strstr(daemon_proc.err, "timed: user nosuchuser does not "
	    "exist") != NULL, "%s", daemon_proc.err);
	ck_assert(strstr(daemon_proc.err, "listening") == NULL);
}
END_TEST

START_TEST(root_refuses_root_as_user)
{
	const char *argv[] = { timed_path(), "-d", "-p", "0", "-u", "root",
	    NULL };

	if (geteuid() != 0)
		SKIP("timed started as root is what this tests");
	ck_assert_int_eq(proc_run(&daemon_proc, argv, NULL, NULL, 5000), 0);
	ck_assert_int_eq(exit_code(&daemon_proc), 1);
	ck_assert(strstr(daemon_proc.err, "user root is root") != NULL);
}
END_TEST

/*
 * Started without privileges, timed keeps what it has: no chroot, no
 * change of user. The binary is copied where nobody may run it.
 */
START_TEST(unprivileged_start_keeps_user)
{
	char cmd[64];
	const char *argv[] = { timed_copy(), "-d", "-p", "0", "-l", "127.0.0.1",
	    NULL };
	uid_t uid;

	ck_assert_ptr_nonnull(argv[0]);
	ck_assert_int_eq(proc_start(&daemon_proc, argv, NULL, become_nobody), 0);
	ck_assert_msg(timed_port(&daemon_proc, &port) == 0, "%s",
	    daemon_proc.err);
	assert_answers();
	uid = geteuid() == 0 ? NOBODY : geteuid();
	snprintf(cmd, sizeof(cmd), "%u\t%u\t%u\t%u", uid, uid, uid, uid);
	ck_assert_str_eq(proc_status(daemon_proc.pid, "Uid"), cmd);
	ck_assert(proc_root_is(daemon_proc.pid, "/"));
	/* No chroot here: under ASan, LeakSanitizer checks this exit. */
	kill(daemon_proc.pid, SIGTERM);
	ck_assert(proc_wait_exit(&daemon_proc, 2000));
	ck_assert_msg(exit_code(&daemon_proc) == 0, "%s", daemon_proc.err);
}
END_TEST

static pid_t
pidfile_pid(const char *path)
{
	FILE *f = fopen(path, "r");
	int pid = -1;

	if (f == NULL)
		return -1;
	if (fscanf(f, "%d", &pid) != 1)
		pid = -1;
	fclose(f);
	return pid;
}

START_TEST(pidfile_locks_and_goes)
{
	char path[PATH_MAX];
	const char *second[] = { timed_path(), "-d", "-u", "nobody", "-p", "0",
	    "-P", path, NULL };
	char expect[64];

	snprintf(path, sizeof(path), "%s/timed.pid", scratch());
	start((const char *const[]){ "-l", "127.0.0.1", "-P", path, NULL },
	    NULL);
	ck_assert(proc_wait_text(&daemon_proc, "serving on", 2000));
	ck_assert_int_eq(pidfile_pid(path), daemon_proc.pid);
	/* A second instance on the same pidfile stops at once. */
	ck_assert_int_eq(proc_run(&other, second, NULL, NULL, 5000), 0);
	ck_assert_int_eq(exit_code(&other), 1);
	snprintf(expect, sizeof(expect), "already running, pid %d",
	    (int)daemon_proc.pid);
	ck_assert_msg(strstr(other.err, expect) != NULL, "%s", other.err);
	ck_assert(strstr(other.err, "listening") == NULL);
	ck_assert_int_eq(pidfile_pid(path), daemon_proc.pid);
	/* A clean exit takes it away, from inside the chroot too. */
	kill(daemon_proc.pid, SIGTERM);
	ck_assert(proc_wait_exit(&daemon_proc, 2000));
	ck_assert_int_eq(exit_code(&daemon_proc), 0);
	ck_assert_int_eq(access(path, F_OK), -1);
}
END_TEST

static int
gone(pid_t pid, int timeout_ms)
{
	int waited;

	for (waited = 0; waited < scale_ms(timeout_ms); waited += 20) {
		if (process_gone(pid))
			return 1;
		usleep(20000);
	}
	return 0;
}

/* The session of pid, from /proc/PID/stat, which anyone may read. */
static pid_t
session_of(pid_t pid)
{
	char path[64];
	int sid = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	ck_assert_ptr_nonnull(f = fopen(path, "r"));
	ck_assert_int_eq(fscanf(f, "%*d %*s %*c %*d %*d %d", &sid), 1);
	fclose(f);
	return sid;
}

/*
 * Runs a timed that detaches (argv: no -d, -f or -i) on a free port, and
 * returns the pid the daemon wrote to path once it answers.
 */
static pid_t
detached_start(const char *argv[], char *portarg, const char *path)
{
	pid_t pid = -1;
	int fd, i;

	ck_assert_int_eq(port_free(AF_INET, SOCK_STREAM, &port, &fd), 0);
	close(fd);
	snprintf(portarg, 8, "%u", port);
	ck_assert_int_eq(proc_run(&daemon_proc, argv, NULL, NULL, 5000), 0);
	ck_assert_msg(exit_code(&daemon_proc) == 0, "%s", daemon_proc.err);
	for (i = 0; i < 100 && (pid = pidfile_pid(path)) <= 0; i++)
		usleep(20000);
	ck_assert_int_gt(pid, 0);
	ck_assert_int_ne(pid, daemon_proc.pid);
	assert_answers();
	return pid;
}

/* SIGTERM ends a detached timed, and its pidfile goes with it. */
static void
detached_stop(pid_t pid, const char *path)
{
	ck_assert_int_eq(kill(pid, SIGTERM), 0);
	ck_assert_msg(gone(pid, 2000), "still running after SIGTERM");
	ck_assert_int_eq(access(path, F_OK), -1);
}

/*
 * Without -d or -f: detached, a session of its own, stdio on /dev/null.
 * That the daemon holds none of our pipes shows from outside (they reach
 * end of file); the links of its descriptors are read where this process
 * may (root without CAP_SYS_PTRACE may not, for another user's process).
 */
START_TEST(daemon_mode_detaches)
{
	char path[PATH_MAX], portarg[8];
	const char *argv[] = { timed_path(), "-u", "nobody", "-l", "127.0.0.1",
	    "-p", portarg, "-P", path, NULL };
	const char *fd0;
	pid_t pid;

	snprintf(path, sizeof(path), "%s/timed.pid", scratch());
	pid = detached_start(argv, portarg, path);
	ck_assert_msg(daemon_proc.errlen == 0, "%s", daemon_proc.err);
	ck_assert_msg(daemon_proc.out_fd == -1,
	    "the daemon holds the stdout it was started with");
	/* valgrind (TEST_WRAPPER) keeps a stderr of its own for its reports. */
	if (getenv("TEST_WRAPPER") == NULL || *getenv("TEST_WRAPPER") == '\0')
		ck_assert_msg(daemon_proc.err_fd == -1,
		    "the daemon holds the stderr it was started with");
	ck_assert_int_eq(session_of(pid), pid);
	if ((fd0 = proc_link(pid, "fd/0")) != NULL) {
		ck_assert_str_eq(fd0, "/dev/null");
		ck_assert_str_eq(proc_link(pid, "fd/1"), "/dev/null");
		ck_assert_str_eq(proc_link(pid, "fd/2"), "/dev/null");
	} else
		ck_assert_int_eq(errno, EACCES);
	detached_stop(pid, path);
}
END_TEST

/*
 * Root, detaching, no -P: the pidfile is /run/timed/timed.pid, in a
 * directory timed makes and gives to its user. /run is the machine's, so
 * the test mounts a /run of its own in a mount namespace of its own.
 */
START_TEST(default_pidfile_in_run)
{
	char portarg[8];
	const char *path = "/run/timed/timed.pid";
	const char *argv[] = { timed_path(), "-u", "nobody", "-l", "127.0.0.1",
	    "-p", portarg, NULL };
	struct stat st;
	pid_t pid;

	if (geteuid() != 0)
		SKIP("the default pidfile is root's: timed started as root is "
		    "what this tests");
	if (private_mount_namespace("/run") == -1)
		SKIP("cannot make a mount namespace with a private /run: %s",
		    strerror(errno));
	if (mount("tmpfs", "/run", "tmpfs", 0, "mode=755") == -1)
		SKIP("cannot mount a tmpfs on /run: %s", strerror(errno));
	pid = detached_start(argv, portarg, path);
	ck_assert_int_eq(stat("/run/timed", &st), 0);
	ck_assert_uint_eq(st.st_uid, NOBODY);
	detached_stop(pid, path);
}
END_TEST

/*
 * A fatal error after the fork (setsid made to fail by test/failcall.so):
 * the parent waited for the child, so it says what went wrong and exits 1,
 * and nothing is left listening. Before, the parent had already exited 0.
 */
START_TEST(detach_failure_reaches_the_parent)
{
	char path[PATH_MAX], portarg[8];
	const char *argv[] = { timed_path(), "-u", "nobody", "-l", "127.0.0.1",
	    "-p", portarg, "-P", path, NULL };
	const char *env[] = { "LD_PRELOAD=./test/failcall.so", "FAILCALL=setsid",
	    "ASAN_OPTIONS=verify_asan_link_order=0", NULL };
	unsigned char reply[8];
	int fd;

	snprintf(path, sizeof(path), "%s/timed.pid", scratch());
	ck_assert_int_eq(port_free(AF_INET, SOCK_STREAM, &port, &fd), 0);
	close(fd);
	snprintf(portarg, sizeof(portarg), "%u", port);
	ck_assert_int_eq(proc_run(&daemon_proc, argv, env, NULL, 5000), 0);
	ck_assert_int_eq(exit_code(&daemon_proc), 1);
	ck_assert_msg(strstr(daemon_proc.err, "timed: setsid: Operation not "
	    "permitted\n") != NULL, "%s", daemon_proc.err);
	ck_assert_int_eq(access(path, F_OK), -1);
	ck_assert_int_eq(tcp_query(AF_INET, port, reply, sizeof(reply), 500),
	    -1);
}
END_TEST

/* The same failure reaches syslog too, for a daemon started at boot. */
START_TEST(detach_failure_reaches_syslog)
{
	char portarg[8];
	const char *argv[] = { timed_path(), "-u", "nobody", "-l", "127.0.0.1",
	    "-p", portarg, "-P", "/dev/timed.pid", NULL };
	const char *env[] = { "LD_PRELOAD=./test/failcall.so", "FAILCALL=setsid",
	    "ASAN_OPTIONS=verify_asan_link_order=0", NULL };
	const char *msg;
	int log, fd;

	/* The pidfile goes in the test's own /dev, a tmpfs it may write. */
	if ((log = syslog_trap()) == -1)
		SKIP("cannot mount a /dev/log of the test's own: %s",
		    strerror(errno));
	ck_assert_int_eq(port_free(AF_INET, SOCK_STREAM, &port, &fd), 0);
	close(fd);
	snprintf(portarg, sizeof(portarg), "%u", port);
	ck_assert_int_eq(proc_run(&daemon_proc, argv, env, NULL, 5000), 0);
	ck_assert_int_eq(exit_code(&daemon_proc), 1);
	ck_assert_ptr_nonnull(msg = syslog_wait(log, "setsid", 1000));
	ck_assert_msg(strstr(msg, "setsid: Operation not permitted") != NULL,
	    "%s", msg);
	close(log);
}
END_TEST

/*
 * Under inetd, stderr is the client's socket: what goes wrong goes to
 * syslog, and the client gets nothing of it. Here descriptor 0 is not a
 * socket, and then an option is bad.
 */
START_TEST(inetd_errors_go_to_syslog)
{
	const char *argv[] = { timed_path(), "-i", NULL };
	const char *bad[] = { timed_path(), "-x", "-i", NULL };
	int log;

	if ((log = syslog_trap()) == -1)
		SKIP("cannot mount a /dev/log of the test's own: %s",
		    strerror(errno));
	ck_assert_int_eq(proc_run(&daemon_proc, argv, NULL, NULL, 5000), 0);
	ck_assert_int_eq(exit_code(&daemon_proc), 1);
	ck_assert_msg(daemon_proc.errlen == 0, "%s", daemon_proc.err);
	ck_assert_ptr_nonnull(syslog_wait(log, "-i: descriptor 0 is not a "
	    "socket", 1000));
	ck_assert_int_eq(proc_run(&other, bad, NULL, NULL, 5000), 0);
	ck_assert_int_eq(exit_code(&other), 1);
	ck_assert_msg(other.errlen == 0, "%s", other.err);
	ck_assert_ptr_nonnull(syslog_wait(log, "usage: timed [-46dfiSTUV]",
	    1000));
	close(log);
}
END_TEST

/* -f: in the foreground, for a supervisor; the log goes to syslog. */
START_TEST(foreground_with_f)
{
	char portarg[8];
	const char *argv[] = { timed_path(), "-f", "-u", "nobody", "-l",
	    "127.0.0.1", "-p", portarg, NULL };
	unsigned char reply[16];
	int fd, i;

	ck_assert_int_eq(port_free(AF_INET, SOCK_STREAM, &port, &fd), 0);
	close(fd);
	snprintf(portarg, sizeof(portarg), "%u", port);
	ck_assert_int_eq(proc_start(&daemon_proc, argv, NULL, NULL), 0);
	for (i = 0; i < 100 && tcp_query(AF_INET, port, reply, sizeof(reply),
	    1000) != 4; i++)
		usleep(20000);
	assert_answers();
	ck_assert(!proc_wait_exit(&daemon_proc, 1200));	/* still with us */
	kill(daemon_proc.pid, SIGTERM);
	ck_assert(proc_wait_exit(&daemon_proc, 2000));
	ck_assert_int_eq(exit_code(&daemon_proc), 0);
	/* Everything went to syslog: not a line on stderr. */
	ck_assert_msg(daemon_proc.errlen == 0, "%s", daemon_proc.err);
}
END_TEST

static int inetd_fd = -1;

static void
stdin_from_inetd(void)
{
	dup2(inetd_fd, STDIN_FILENO);
}

static void
inetd_start_with(const char *option, const char *const env[])
{
	const char *argv[] = { timed_path(), "-i", "-d", "-u", "nobody",
	    option, NULL };

	ck_assert_int_eq(proc_start(&daemon_proc, argv, env, stdin_from_inetd),
	    0);
	close(inetd_fd);
}

static void
inetd_start(void)
{
	inetd_start_with(NULL, NULL);
}

/* A client connected to a port of ours, whose accepted end is inetd_fd. */
static int
inetd_connection(void)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	int listener, client;

	ck_assert_int_eq(port_free(AF_INET, SOCK_STREAM, &port, &listener), 0);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sin.sin_port = htons(port);
	client = socket(AF_INET, SOCK_STREAM, 0);
	ck_assert_int_eq(connect(client, (struct sockaddr *)&sin, sizeof(sin)),
	    0);
	ck_assert_int_ne(inetd_fd = accept(listener, NULL, NULL), -1);
	close(listener);
	return client;
}

/* All the client reads until the server closes; -1 on a timeout. */
static ssize_t
read_all(int fd, unsigned char *buf, size_t size)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	ssize_t n, got = 0;

	while ((size_t)got < size) {
		if (poll(&pfd, 1, 3000) != 1)
			return -1;
		if ((n = read(fd, buf + got, size - got)) <= 0)
			break;
		got += n;
	}
	return got;
}

/* inetd "stream nowait": the connection is descriptor 0. */
START_TEST(inetd_stream_nowait)
{
	unsigned char reply[16];
	int client = inetd_connection();

	inetd_start();
	ck_assert_int_eq(read_all(client, reply, sizeof(reply)), 4);
	ck_assert_int_le(llabs(rfc868_value(reply) - now_rfc868() %
	    0x100000000LL), 1);
	ck_assert(proc_wait_exit(&daemon_proc, 2000));
	ck_assert_int_eq(exit_code(&daemon_proc), 0);
	close(client);
}
END_TEST

#define BELOW_FLOOR_SAID "(this release): not answering until it is set"

/*
 * The floor holds under inetd too: a connection handed over while the
 * clock reads 1970 is closed without a byte, and a datagram socket
 * answers nothing; each says why once.
 */
START_TEST(inetd_below_floor)
{
	const char *const *env = faketime_env("1970-01-02 00:00:00");
	unsigned char reply[16];
	int client;

	if (env == NULL)
		SKIP("faketime is not installed (apt-get install faketime)");
	client = inetd_connection();
	inetd_start_with(NULL, env);
	ck_assert_int_eq(read_all(client, reply, sizeof(reply)), 0);
	ck_assert(proc_wait_exit(&daemon_proc, 2000));
	ck_assert_int_eq(exit_code(&daemon_proc), 1);
	ck_assert_int_eq(count_text(daemon_proc.err, BELOW_FLOOR_SAID), 1);
	close(client);
	proc_stop(&daemon_proc);

	ck_assert_int_eq(port_free(AF_INET, SOCK_DGRAM, &port, &inetd_fd), 0);
	inetd_start_with(NULL, env);
	ck_assert_int_eq(udp_query(AF_INET, port, "", 0, reply, sizeof(reply),
	    500), -1);
	ck_assert_int_eq(udp_query(AF_INET, port, "x", 1, reply, sizeof(reply),
	    300), -1);
	ck_assert(proc_wait_text(&daemon_proc, BELOW_FLOOR_SAID, 2000));
	ck_assert_int_eq(count_text(daemon_proc.err, BELOW_FLOOR_SAID), 1);
}
END_TEST

/*
 * -S under inetd: the kernel's state is read before the first reply, so
 * a handed-over connection gets no byte while the clock is unsynchronized.
 */
START_TEST(inetd_unsynchronized)
{
	char flag[PATH_MAX];
	const char *const *env = unsynced_env(flag, sizeof(flag));
	unsigned char reply[16];
	int client, synced;

	for (synced = 0; synced <= 1; synced++) {
		if (synced)
			unlink(flag);
		client = inetd_connection();
		inetd_start_with("-S", env);
		ck_assert_int_eq(read_all(client, reply, sizeof(reply)),
		    synced ? 4 : 0);
		ck_assert(proc_wait_exit(&daemon_proc, 2000));
		ck_assert_int_eq(exit_code(&daemon_proc), !synced);
		ck_assert_int_eq(count_text(daemon_proc.err,
		    "not synchronized"), !synced);
		close(client);
		proc_stop(&daemon_proc);
	}
}
END_TEST

/* inetd "dgram wait": descriptor 0 is the UDP socket, served until idle. */
START_TEST(inetd_dgram_wait)
{
	struct timespec start, end;
	unsigned char reply[16];

	ck_assert_int_eq(port_free(AF_INET, SOCK_DGRAM, &port, &inetd_fd), 0);
	inetd_start();
	ck_assert_int_eq(udp_query(AF_INET, port, "", 0, reply, sizeof(reply),
	    2000), 4);
	ck_assert_int_eq(udp_query(AF_INET, port, "x", 1, reply, sizeof(reply),
	    2000), 4);
	clock_gettime(CLOCK_MONOTONIC, &start);
	ck_assert_msg(proc_wait_exit(&daemon_proc, 8000), "no exit when idle");
	clock_gettime(CLOCK_MONOTONIC, &end);
	ck_assert_int_eq(exit_code(&daemon_proc), 0);
	ck_assert_int_ge(end.tv_sec - start.tv_sec, 3);
	ck_assert(strstr(daemon_proc.err, "idle for 5 s") != NULL);
}
END_TEST

/* inetd "stream wait": a listening socket, served until idle. */
START_TEST(inetd_stream_wait)
{
	unsigned char reply[16];

	ck_assert_int_eq(port_free(AF_INET, SOCK_STREAM, &port, &inetd_fd), 0);
	inetd_start();
	ck_assert_int_eq(tcp_query(AF_INET, port, reply, sizeof(reply), 2000),
	    4);
	ck_assert_msg(proc_wait_exit(&daemon_proc, 8000), "no exit when idle");
	ck_assert_int_eq(exit_code(&daemon_proc), 0);
}
END_TEST

#define ADDRESS_ARG	32	/* "[::1]:65535" and room to spare */

/*
 * Starts a chain of systemd-socket-activate on a free port, whose
 * addresses it writes into v4 and v6 (ADDRESS_ARG bytes; v6 may be NULL),
 * and waits until the last listens.
 */
static void
activated_start(const char *const argv[], char *v4, char *v6)
{
	int fd;

	if (access("/usr/bin/systemd-socket-activate", X_OK) != 0)
		SKIP("systemd-socket-activate is not installed");
	ck_assert_int_eq(port_free(AF_INET, SOCK_STREAM, &port, &fd), 0);
	close(fd);
	snprintf(v4, ADDRESS_ARG, "127.0.0.1:%u", port);
	if (v6 != NULL)
		snprintf(v6, ADDRESS_ARG, "[::1]:%u", port);
	ck_assert_int_eq(proc_start(&daemon_proc, argv, NULL, NULL), 0);
	ck_assert(proc_wait_text(&daemon_proc, "as 3.", 5000));
}

/*
 * systemd socket activation, TCP and UDP on IPv4 and IPv6: four sockets
 * through four chained systemd-socket-activate, none bound by timed.
 */
START_TEST(systemd_socket_activation)
{
	char v4[ADDRESS_ARG], v6[ADDRESS_ARG];
	/*
	 * timed changes root as root, so no LeakSanitizer (see helpers.c);
	 * the last systemd-socket-activate gives timed a fresh environment,
	 * hence -E.
	 */
	const char *argv[] = { "systemd-socket-activate", "-l", v4, "--",
	    "systemd-socket-activate", "-l", v6, "--",
	    "systemd-socket-activate", "--datagram", "-l", v4, "--",
	    "systemd-socket-activate", "--datagram", "-l", v6,
	    "-E", "ASAN_OPTIONS=detect_leaks=0", "--",
	    timed_path(), "-d", "-u", "nobody", NULL };
	unsigned char reply[16];

	activated_start(argv, v4, v6);
	/* It execs timed at the first sign of a client; that one waits. */
	ck_assert_int_eq(tcp_query(AF_INET, port, reply, sizeof(reply), 5000),
	    4);
	ck_assert_msg(proc_wait_text(&daemon_proc, "serving on 4 sockets",
	    5000), "%s", daemon_proc.err);
	ck_assert(strstr(daemon_proc.err, "listening on tcp 127.0.0.1 port") !=
	    NULL);
	ck_assert(strstr(daemon_proc.err, "listening on udp ::1 port") != NULL);
	ck_assert_int_eq(tcp_query(AF_INET6, port, reply, sizeof(reply), 2000),
	    4);
	ck_assert_int_eq(udp_query(AF_INET, port, "", 0, reply, sizeof(reply),
	    2000), 4);
	ck_assert_int_eq(udp_query(AF_INET6, port, "", 0, reply, sizeof(reply),
	    2000), 4);
	kill(daemon_proc.pid, SIGTERM);
	ck_assert(proc_wait_exit(&daemon_proc, 2000));
	ck_assert_int_eq(exit_code(&daemon_proc), 0);
}
END_TEST

/*
 * The floor under socket activation: timed, started by the first client
 * while its clock reads 2001, closes TCP connections without a byte and
 * leaves datagrams unanswered, and says so once.
 */
START_TEST(socket_activation_below_floor)
{
	char v4[ADDRESS_ARG], faketime[64], preload[2 * PATH_MAX + 48];
	const char *argv[] = { "systemd-socket-activate", "-l", v4, "--",
	    "systemd-socket-activate", "--datagram", "-l", v4,
	    "-E", preload, "-E", faketime,
	    "-E", "FAKETIME_DONT_FAKE_MONOTONIC=1",
	    "-E", "ASAN_OPTIONS=detect_leaks=0:verify_asan_link_order=0", "--",
	    timed_path(), "-d", "-u", "nobody", NULL };
	unsigned char reply[16];

	if (faketime_preload() == NULL)
		SKIP("faketime is not installed (apt-get install faketime)");
	snprintf(preload, sizeof(preload), "%s", faketime_preload());
	snprintf(faketime, sizeof(faketime), "FAKETIME=2001-09-09 01:46:40");
	activated_start(argv, v4, NULL);
	ck_assert_int_eq(tcp_query(AF_INET, port, reply, sizeof(reply), 5000),
	    0);
	ck_assert_msg(proc_wait_text(&daemon_proc, BELOW_FLOOR_SAID, 5000),
	    "%s", daemon_proc.err);
	ck_assert(strstr(daemon_proc.err, "serving on 2 sockets") != NULL);
	ck_assert_int_eq(udp_query(AF_INET, port, "", 0, reply, sizeof(reply),
	    500), -1);
	ck_assert_int_eq(tcp_query(AF_INET, port, reply, sizeof(reply), 2000),
	    0);
	ck_assert_int_eq(count_text(daemon_proc.err, BELOW_FLOOR_SAID), 1);
	kill(daemon_proc.pid, SIGTERM);
	ck_assert(proc_wait_exit(&daemon_proc, 2000));
	ck_assert_int_eq(exit_code(&daemon_proc), 0);
}
END_TEST

/*
 * A dual-stack IPv6 socket, as "ListenDatagram=37" gives: IPv4 clients come
 * as ::ffff:127.0.0.1 and must be answered, not dropped as forged.
 */
START_TEST(systemd_dual_stack)
{
	char portarg[8];
	const char *argv[] = { "systemd-socket-activate", "--datagram", "-l",
	    portarg, "-E", "ASAN_OPTIONS=detect_leaks=0", "--", timed_path(),
	    "-d", "-u", "nobody", NULL };
	unsigned char reply[16];
	FILE *f;
	int fd, v6only = 1;

	if (access("/usr/bin/systemd-socket-activate", X_OK) != 0)
		SKIP("systemd-socket-activate is not installed");
	if ((f = fopen("/proc/sys/net/ipv6/bindv6only", "r")) != NULL) {
		if (fscanf(f, "%d", &v6only) != 1)
			v6only = 1;
		fclose(f);
	}
	if (v6only)
		SKIP("net.ipv6.bindv6only is set: no dual-stack sockets here");
	ck_assert_int_eq(port_free(AF_INET6, SOCK_DGRAM, &port, &fd), 0);
	close(fd);
	snprintf(portarg, sizeof(portarg), "%u", port);
	ck_assert_int_eq(proc_start(&daemon_proc, argv, NULL, NULL), 0);
	ck_assert(proc_wait_text(&daemon_proc, "as 3.", 5000));
	ck_assert_int_eq(udp_query(AF_INET, port, "", 0, reply, sizeof(reply),
	    5000), 4);
	ck_assert_msg(proc_wait_text(&daemon_proc, "udp from ::ffff:127.0.0.1",
	    2000), "%s", daemon_proc.err);
	ck_assert(strstr(daemon_proc.err, "listening on udp :: port") != NULL);
}
END_TEST

/* The counters SIGUSR1 logs, read back from the debug log. */
struct counters {
	unsigned long long tcp, udp, low_port, bogus, source_rate, global_rate;
};

static void
counters_read(struct counters *c)
{
	const char *line;
	size_t before = daemon_proc.errlen;

	ck_assert_int_eq(kill(daemon_proc.pid, SIGUSR1), 0);
	for (;;) {
		ck_assert(proc_wait_text(&daemon_proc, "counters: ", 2000));
		line = strstr(daemon_proc.err + before, "counters: ");
		if (line != NULL && strchr(line, '\n') != NULL)
			break;
		ck_assert(proc_wait_text(&daemon_proc, " s\n", 2000));
	}
	ck_assert_int_eq(sscanf(line, "counters: tcp %llu answered, udp %llu "
	    "answered; dropped: %llu low port, %llu bogus source, %llu over "
	    "source rate, %llu over global rate", &c->tcp, &c->udp,
	    &c->low_port, &c->bogus, &c->source_rate, &c->global_rate), 6);
}

START_TEST(counters_match_clients)
{
	struct counters c;
	unsigned char reply[16];
	int i, tcp = 0, udp = 0;

	start((const char *const[]){ "-l", "127.0.0.1", NULL }, NULL);
	for (i = 0; i < 3; i++)
		tcp += tcp_query(AF_INET, port, reply, sizeof(reply), 2000) == 4;
	for (i = 0; i < 5; i++)
		udp += udp_query(AF_INET, port, "", 0, reply, sizeof(reply),
		    2000) == 4;
	counters_read(&c);
	ck_assert_int_eq(tcp, 3);
	ck_assert_int_eq(udp, 5);
	ck_assert_uint_eq(c.tcp, tcp);
	ck_assert_uint_eq(c.udp, udp);
	ck_assert_uint_eq(c.low_port + c.bogus + c.source_rate, 0);
}
END_TEST

static void
udp_send(int fd)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };

	sin.sin_port = htons(port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(sendto(fd, "", 0, 0, (struct sockaddr *)&sin,
	    sizeof(sin)), 0);
}

/* One source floods: held to its rate; another is still answered. */
START_TEST(flood_held_to_rate)
{
	struct counters c;
	struct timespec began;
	int flood, calm, i, answered, allowed, sent = 200;

	start((const char *const[]){ "-r", "5", "-l", "127.0.0.1", NULL },
	    NULL);
	ck_assert_int_ne(flood = udp_from("127.0.0.1", 0), -1);
	ck_assert_int_ne(calm = udp_from("127.0.0.2", 0), -1);
	clock_gettime(CLOCK_MONOTONIC, &began);
	for (i = 0; i < sent; i++) {
		udp_send(flood);
		if (i % 20 == 0)
			usleep(1000);	/* stay under the socket buffer */
	}
	udp_send(calm);
	answered = udp_replies(flood, 300);
	/* A burst of 4 s x 5, and 5 a second for the time the flood took. */
	allowed = 20 + (int)(5 * seconds_since(&began)) + 1;
	ck_assert_msg(answered >= 20 && answered <= allowed,
	    "%d answered, %d allowed", answered, allowed);
	ck_assert_int_eq(udp_replies(calm, 300), 1);
	counters_read(&c);
	ck_assert_uint_eq(c.udp, answered + 1);
	ck_assert_uint_eq(c.source_rate, sent - answered);
	ck_assert(strstr(daemon_proc.err, "127.0.0.1 over its rate limit") !=
	    NULL);
	ck_assert_int_eq(count_text(daemon_proc.err, "over its rate limit"), 1);
	close(flood);
	close(calm);
}
END_TEST

/* The default limit applies to loopback too, and to TCP connections. */
START_TEST(default_limit_on_tcp)
{
	unsigned char reply[16];
	struct timespec begun;
	int i, full = 0, empty = 0;
	long n;

	start((const char *const[]){ "-l", "127.0.0.1", NULL }, NULL);
	clock_gettime(CLOCK_MONOTONIC, &begun);
	for (i = 0; i < 60; i++) {
		n = tcp_query(AF_INET, port, reply, sizeof(reply), 2000);
		full += n == 4;
		empty += n == 0;	/* closed without the time */
	}
	/* 4 s of burst at 10 a second, and the refill while it ran. */
	ck_assert_int_ge(full, 40);
	ck_assert_int_le(full, 40 + (int)(10 * seconds_since(&begun)) + 1);
	ck_assert_int_lt(full, 60);
	ck_assert_int_eq(full + empty, 60);
}
END_TEST

/* A UDP socket on 127.0.0.1 from a port below 1024, or -1 with errno. */
static int
udp_from_low_port(void)
{
	unsigned src;
	int fd = -1;

	for (src = 600 + getpid() % 300; fd == -1 && src < 1024; src++)
		if ((fd = udp_from("127.0.0.1", src)) == -1 && errno != EADDRINUSE)
			break;
	return fd;
}

/*
 * A request from a service's port is a loop in the making: no reply. Where
 * low ports are refused (EACCES: not root), the test moves to a network
 * namespace of its own where they are not.
 */
START_TEST(low_source_port_dropped)
{
	struct counters c;
	int fd;

	fd = udp_from_low_port();
	if (fd == -1 && errno == EACCES) {
		if (private_network() == -1)
			SKIP("ports below 1024 are refused here, and so is a "
			    "network namespace: %s", strerror(errno));
		fd = udp_from_low_port();
	}
	if (fd == -1)
		SKIP("cannot bind a UDP port below 1024: %s", strerror(errno));
	start((const char *const[]){ "-l", "127.0.0.1", NULL }, NULL);
	udp_send(fd);
	ck_assert_int_eq(udp_replies(fd, 300), 0);
	counters_read(&c);
	ck_assert_uint_eq(c.low_port, 1);
	ck_assert_uint_eq(c.udp, 0);
	close(fd);
	assert_answers();	/* others still are */
}
END_TEST

Suite *
service_suite(void)
{
	Suite *s = suite_create("service");
	TCase *privileges = tcase_create("privileges");
	TCase *daemon = tcase_create("daemon");
	TCase *handed = tcase_create("handed_over");
	TCase *limits = tcase_create("limits");
	TCase *all[] = { privileges, daemon, handed, limits };
	size_t i;

	for (i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		tcase_add_checked_fixture(all[i], NULL, teardown);
		tcase_set_timeout(all[i], 30);
		suite_add_tcase(s, all[i]);
	}
	tcase_add_test(privileges, root_drops_to_user);
	tcase_add_test(privileges, root_needs_an_existing_user);
	tcase_add_test(privileges, root_refuses_root_as_user);
	tcase_add_test(privileges, unprivileged_start_keeps_user);
	tcase_add_test(daemon, pidfile_locks_and_goes);
	tcase_add_test(daemon, daemon_mode_detaches);
	tcase_add_test(daemon, default_pidfile_in_run);
	tcase_add_test(daemon, detach_failure_reaches_the_parent);
	tcase_add_test(daemon, detach_failure_reaches_syslog);
	tcase_add_test(handed, inetd_errors_go_to_syslog);
	tcase_add_test(daemon, foreground_with_f);
	tcase_add_test(handed, inetd_stream_nowait);
	tcase_add_test(handed, inetd_dgram_wait);
	tcase_add_test(handed, inetd_stream_wait);
	tcase_add_test(handed, inetd_below_floor);
	tcase_add_test(handed, inetd_unsynchronized);
	tcase_add_test(handed, systemd_socket_activation);
	tcase_add_test(handed, systemd_dual_stack);
	tcase_add_test(handed, socket_activation_below_floor);
	tcase_add_test(limits, counters_match_clients);
	tcase_add_test(limits, flood_held_to_rate);
	tcase_add_test(limits, default_limit_on_tcp);
	tcase_add_test(limits, low_source_port_dropped);
	return s;
}
