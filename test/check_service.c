/*
 * timed as a service: privileges, pidfile, daemon mode, inetd and systemd
 * sockets, abuse limits and counters, all on the real binary.
 */
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <arpa/inet.h>
#include <check.h>
#include <dirent.h>
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

#include "../common/rfc868.h"
#include "../common/sysfilter.h"
#include "helpers.h"
#include "tests.h"

#define NOBODY 65534

static struct proc other;		/* a second instance, a peer */
static unsigned port;

static void
teardown(void)
{
	daemon_stop();
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

/*
 * A directory of the test's own for pidfiles, which only the test's user
 * may write: as root, root's alone, as timed asks of a pidfile's directory
 * (the scratch directory is the run user's).
 */
static const char *
pid_dir(void)
{
	static char dir[PATH_MAX];

	snprintf(dir, sizeof(dir), "%s/pid-XXXXXX", scratch());
	ck_assert_ptr_nonnull(mkdtemp(dir));
	ck_assert_int_eq(chmod(dir, 0755), 0);
	return dir;
}

/* Whether pid was started with the argument arg (-F: under valgrind). */
static int
started_with(pid_t pid, const char *arg)
{
	char path[64], cmdline[4096];
	size_t n, i;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pid);
	if ((f = fopen(path, "r")) == NULL)
		return 0;
	n = fread(cmdline, 1, sizeof(cmdline) - 1, f);
	fclose(f);
	cmdline[n] = '\0';
	for (i = 0; i < n; i += strlen(cmdline + i) + 1)
		if (strcmp(cmdline + i, arg) == 0)
			return 1;
	return 0;
}

/*
 * Whether timed loaded its own system call filter (added: 1): one filter
 * more than the test runs under (Docker's, systemd's, none), as
 * Seccomp_filters counts them (Linux 5.9); on an older kernel, by the mode
 * alone. Built without libseccomp, or run with -F (under valgrind or
 * where no filter loads: proc.c), it adds none.
 */
static void
assert_filters(pid_t pid, int added)
{
	char own[32], mode[32];

	added = added && sysfilter_built() && !started_with(pid, "-F");
	snprintf(own, sizeof(own), "%s", proc_status(getpid(),
	    "Seccomp_filters"));
	snprintf(mode, sizeof(mode), "%s", proc_status(getpid(), "Seccomp"));
	if (own[0] != '\0')
		ck_assert_int_eq(strtol(proc_status(pid, "Seccomp_filters"),
		    NULL, 10), strtol(own, NULL, 10) + added);
	ck_assert_str_eq(proc_status(pid, "Seccomp"), added ? "2" : mode);
}

static void
assert_filtered(pid_t pid)
{
	assert_filters(pid, 1);
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
	port = daemon_up((const char *const[]){ "-l", "127.0.0.1", NULL }, NULL);
	pid = daemon_proc.pid;
	assert_answers();
	ck_assert_str_eq(proc_status(pid, "Uid"), "65534\t65534\t65534\t65534");
	ck_assert_str_eq(proc_status(pid, "Gid"), "65534\t65534\t65534\t65534");
	ck_assert_str_eq(proc_status(pid, "Groups"), "65534 ");
	ck_assert_str_eq(proc_status(pid, "NoNewPrivs"), "1");
	ck_assert_str_eq(proc_status(pid, "CapEff"), "0000000000000000");
	assert_filtered(pid);
	ck_assert(proc_root_is(pid, "/var/empty"));
	if ((cwd = proc_link(pid, "cwd")) != NULL)
		ck_assert_str_eq(cwd, "/var/empty");
	else
		ck_assert_int_eq(errno, EACCES);	/* no ptrace access */
}
END_TEST

/* timed, as root, told to become user: it must refuse, saying why. */
static void
assert_user_refused(const char *user, const char *why)
{
	const char *argv[] = { timed_path(), "-d", "-p", "0", "-u", user,
	    NULL };

	ck_assert_int_eq(proc_run(&daemon_proc, argv, NULL, NULL, 5000), 0);
	ck_assert_int_eq(exit_code(&daemon_proc), 1);
	ck_assert_msg(strstr(daemon_proc.err, why) != NULL, "%s",
	    daemon_proc.err);
	ck_assert(strstr(daemon_proc.err, "listening") == NULL);
}

START_TEST(root_needs_an_existing_user)
{
	if (geteuid() != 0)
		SKIP("timed started as root is what this tests");
	assert_user_refused("nosuchuser", "timed: user nosuchuser does not "
	    "exist");
}
END_TEST

START_TEST(root_refuses_root_as_user)
{
	if (geteuid() != 0)
		SKIP("timed started as root is what this tests");
	assert_user_refused("root", "user root is root");
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
	assert_filtered(daemon_proc.pid);
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

/*
 * After a clean exit. A timed that dropped root cannot remove its pidfile
 * from a directory only root may write: it stays, stale, holding the pid,
 * its lock gone with the process, so the next start takes it. One that
 * kept its user removes it.
 */
static void
assert_pidfile_after_exit(const char *path, pid_t pid)
{
	int fd, waited;

	if (geteuid() != 0) {
		ck_assert_int_eq(access(path, F_OK), -1);
		return;
	}
	ck_assert_int_eq(pidfile_pid(path), pid);
	ck_assert_int_ne(fd = open(path, O_RDONLY | O_CLOEXEC), -1);
	/*
	 * The lock goes with the last of the process's threads: under
	 * qemu-user (the i386 suite) its own outlive the zombie leader.
	 */
	for (waited = 0; flock(fd, LOCK_EX | LOCK_NB) == -1 &&
	    waited < scale_ms(2000); waited += 10)
		usleep(10000);
	ck_assert_int_eq(flock(fd, LOCK_EX | LOCK_NB), 0);
	close(fd);
}

START_TEST(pidfile_locks_and_goes)
{
	char path[PATH_MAX];
	const char *second[] = { timed_path(), "-d", "-u", "nobody", "-p", "0",
	    "-P", path, NULL };
	char expect[64];
	pid_t pid;

	snprintf(path, sizeof(path), "%s/timed.pid", pid_dir());
	port = daemon_up((const char *const[]){ "-l", "127.0.0.1", "-P", path, NULL },
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
	pid = daemon_proc.pid;
	kill(daemon_proc.pid, SIGTERM);
	ck_assert(proc_wait_exit(&daemon_proc, 2000));
	ck_assert_int_eq(exit_code(&daemon_proc), 0);
	assert_pidfile_after_exit(path, pid);
	/* The next start takes it, stale or not. */
	port = daemon_up((const char *const[]){ "-l", "127.0.0.1", "-P", path, NULL },
	    NULL);
	ck_assert_int_eq(pidfile_pid(path), daemon_proc.pid);
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
 * Runs a timed that detaches (argv: no -d, -f or -i) on sockets the test
 * holds (setup hands them over, and may do more), and returns the pid the
 * daemon wrote to path once it answers.
 */
static pid_t
detached_start(const char *argv[], const char *path, child_setup_fn setup)
{
	pid_t pid = -1;
	int i;

	port = sockets_hold(AF_INET);
	ck_assert_int_eq(proc_run(&daemon_proc, argv, NULL, setup, 5000), 0);
	sockets_release();
	ck_assert_msg(exit_code(&daemon_proc) == 0, "%s", daemon_proc.err);
	for (i = 0; i < 100 && (pid = pidfile_pid(path)) <= 0; i++)
		usleep(20000);
	ck_assert_int_gt(pid, 0);
	ck_assert_int_ne(pid, daemon_proc.pid);
	assert_answers();
	return pid;
}

/* SIGTERM ends a detached timed; its pidfile, see above. */
static void
detached_stop(pid_t pid, const char *path)
{
	ck_assert_int_eq(kill(pid, SIGTERM), 0);
	ck_assert_msg(gone(pid, 2000), "still running after SIGTERM");
	assert_pidfile_after_exit(path, pid);
}

/* The warning of a timed run as nobody, as said on stderr. */
#define SHARED_USER_WARNING "timed: running as nobody, whom other daemons " \
	"share: any of their processes may signal timed or limit its " \
	"resources (prlimit); give timed a user of its own, -u _timed\n"

/* Whether this process runs as nobody. */
static int
running_as_nobody(void)
{
	struct passwd *pw = getpwnam("nobody");

	return pw != NULL && pw->pw_uid == geteuid();
}

/*
 * Run as nobody (-u nobody as root, or started by nobody), timed says
 * that others share the user, who may signal or prlimit it; as another
 * user it says nothing of it.
 */
START_TEST(shared_user_warned)
{
	int nobody = geteuid() == 0 || running_as_nobody();

	port = daemon_up((const char *const[]){ "-l", "127.0.0.1", NULL },
	    NULL);
	ck_assert_msg((strstr(daemon_proc.err, SHARED_USER_WARNING) != NULL) ==
	    nobody, "as uid %d: %s", (int)geteuid(), daemon_proc.err);
}
END_TEST

/*
 * The parent of a detaching timed copies what the child says before it
 * is ready to the stderr it was started with; a stderr nobody reads any
 * more (a closed pipe) must not make it exit 1 while the child serves.
 * The child's line is the warning of a timed run as nobody.
 */
static int closed_stderr[2] = { -1, -1 };

static void
stderr_closed_pipe(void)
{
	sockets_handed_over();
	dup2(closed_stderr[1], STDERR_FILENO);
}

START_TEST(parent_with_closed_stderr_exits_0)
{
	char path[PATH_MAX];
	const char *argv[] = { timed_path(), "-u", "nobody", "-P", path, NULL };
	pid_t pid;

	if (geteuid() != 0 && !running_as_nobody())
		SKIP("the child says nothing before ready but as nobody, "
		    "whom this uid %d cannot become: %s", (int)geteuid(),
		    strerror(EPERM));
	snprintf(path, sizeof(path), "%s/timed.pid", pid_dir());
	ck_assert_int_eq(pipe(closed_stderr), 0);
	close(closed_stderr[0]);
	pid = detached_start(argv, path, stderr_closed_pipe);
	close(closed_stderr[1]);
	detached_stop(pid, path);
}
END_TEST

/*
 * Without -d or -f: detached, a session of its own, stdio on /dev/null.
 * That the daemon holds none of our pipes shows from outside (they reach
 * end of file); the links of its descriptors are read where this process
 * may (root without CAP_SYS_PTRACE may not, for another user's process).
 */
START_TEST(daemon_mode_detaches)
{
	char path[PATH_MAX];
	const char *argv[] = { timed_path(), "-u", "nobody", "-P", path, NULL };
	const char *fd0;
	pid_t pid;

	snprintf(path, sizeof(path), "%s/timed.pid", pid_dir());
	pid = detached_start(argv, path, sockets_handed_over);
	ck_assert_msg(stderr_quiet(&daemon_proc), "%s", daemon_proc.err);
	ck_assert_msg(daemon_proc.out_fd == -1,
	    "the daemon holds the stdout it was started with");
	/* valgrind (TEST_WRAPPER) keeps a stderr of its own for its reports. */
	if (getenv("TEST_WRAPPER") == NULL || *getenv("TEST_WRAPPER") == '\0')
		ck_assert_msg(daemon_proc.err_fd == -1,
		    "the daemon holds the stderr it was started with");
	ck_assert_int_eq(session_of(pid), pid);
	assert_filtered(pid);
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
 * An empty /run of the test's own, for root's default pidfile: NULL, or
 * why it cannot be had.
 */
static const char *
private_run(void)
{
	static char why[128];

	if (geteuid() != 0)
		return "the default pidfile is root's: timed started as root "
		    "is what this tests";
	if (private_mount_namespace("/run") == -1)
		snprintf(why, sizeof(why), "cannot make a mount namespace with "
		    "a private /run: %s", strerror(errno));
	else if (mount("tmpfs", "/run", "tmpfs", 0, "mode=755") == -1)
		snprintf(why, sizeof(why), "cannot mount a tmpfs on /run: %s",
		    strerror(errno));
	else
		return NULL;
	return why;
}

#define DEFAULT_PIDFILE	"/run/timed/timed.pid"

/* Root's timed, detaching, without -P; the pid it wrote. */
static pid_t
default_start(void)
{
	const char *argv[] = { timed_path(), "-u", "nobody", NULL };

	return detached_start(argv, DEFAULT_PIDFILE, sockets_handed_over);
}

/*
 * Root, detaching, no -P: the pidfile is /run/timed/timed.pid, in a
 * directory timed makes and keeps root's alone. /run is the machine's, so
 * the test mounts a /run of its own in a mount namespace of its own.
 */
START_TEST(default_pidfile_in_run)
{
	const char *why;
	struct stat st;
	pid_t pid;

	if ((why = private_run()) != NULL)
		SKIP("%s", why);
	pid = default_start();
	ck_assert_int_eq(stat("/run/timed", &st), 0);
	ck_assert_uint_eq(st.st_uid, 0);
	ck_assert_uint_eq(st.st_mode & 07777, 0755);
	detached_stop(pid, DEFAULT_PIDFILE);
}
END_TEST

/*
 * A fatal error after the fork (setsid made to fail by test/failcall.so):
 * the parent waited for the child, so it says what went wrong and exits 1,
 * and nothing is left listening. Before, the parent had already exited 0.
 */
START_TEST(detach_failure_reaches_the_parent)
{
	char path[PATH_MAX];
	const char *argv[] = { timed_path(), "-u", "nobody", "-P", path, NULL };
	const char *env[] = { "LD_PRELOAD=./test/failcall.so", "FAILCALL=setsid",
	    "ASAN_OPTIONS=verify_asan_link_order=0", NULL };
	unsigned char reply[8];

	SKIP_IF_STATIC();
	snprintf(path, sizeof(path), "%s/timed.pid", pid_dir());
	port = sockets_hold(AF_INET);
	ck_assert_int_eq(proc_run(&daemon_proc, argv, env, sockets_handed_over,
	    5000), 0);
	sockets_release();
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
	const char *argv[] = { timed_path(), "-u", "nobody", "-P",
	    "/dev/timed.pid", NULL };
	const char *env[] = { "LD_PRELOAD=./test/failcall.so", "FAILCALL=setsid",
	    "ASAN_OPTIONS=verify_asan_link_order=0", NULL };
	const char *msg;
	int log;

	SKIP_IF_STATIC();
	/* The pidfile goes in the test's own /dev, a tmpfs it may write. */
	if ((log = syslog_trap()) == -1)
		SKIP("cannot mount a /dev/log of the test's own: %s",
		    strerror(errno));
	port = sockets_hold(AF_INET);
	ck_assert_int_eq(proc_run(&daemon_proc, argv, env, sockets_handed_over,
	    5000), 0);
	sockets_release();
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
	ck_assert_ptr_nonnull(syslog_wait(log, "usage: timed [-46dFfiStTUV]",
	    1000));
	close(log);
}
END_TEST

/*
 * -f: in the foreground, for a supervisor (systemd, with the sockets of
 * timed.socket); the log goes to syslog.
 */
START_TEST(foreground_with_f)
{
	const char *argv[] = { timed_path(), "-f", "-u", "nobody", NULL };

	port = sockets_hold(AF_INET);
	ck_assert_int_eq(proc_start(&daemon_proc, argv, NULL,
	    sockets_handed_over), 0);
	sockets_release();
	assert_answers();
	assert_filtered(daemon_proc.pid);
	ck_assert(!proc_wait_exit(&daemon_proc, 1200));	/* still with us */
	kill(daemon_proc.pid, SIGTERM);
	ck_assert(proc_wait_exit(&daemon_proc, 2000));
	ck_assert_int_eq(exit_code(&daemon_proc), 0);
	/* Everything went to syslog: not a line on stderr but before ready. */
	ck_assert_msg(stderr_quiet(&daemon_proc), "%s", daemon_proc.err);
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

/*
 * The client of a handed-over connection gets the time, 4 bytes and no
 * more, and the daemon exits 0.
 */
static void
assert_connection_answered(int client)
{
	unsigned char reply[256];

	ck_assert_int_eq(read_all(client, reply, sizeof(reply)), 4);
	ck_assert_int_le(llabs(rfc868_value(reply) - now_rfc868() %
	    0x100000000LL), 1);
	ck_assert(proc_wait_exit(&daemon_proc, 2000));
	ck_assert_int_eq(exit_code(&daemon_proc), 0);
	close(client);
}

/* inetd "stream nowait": the connection is descriptor 0. */
START_TEST(inetd_stream_nowait)
{
	int client = inetd_connection();

	inetd_start();
	assert_connection_answered(client);
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

	SKIP_IF_STATIC();
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
	unsigned char reply[16];
	int client, synced;

	SKIP_IF_STATIC();
	for (synced = 0; synced <= 1; synced++) {
		client = inetd_connection();
		inetd_start_with("-S", unsynced_env(!synced));
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
	assert_filtered(daemon_proc.pid);
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
	assert_filtered(daemon_proc.pid);
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

	SKIP_IF_STATIC();
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
START_TEST(counters_match_clients)
{
	struct counters c;
	unsigned char reply[16];
	int i, tcp = 0, udp = 0;

	port = daemon_up((const char *const[]){ "-l", "127.0.0.1", NULL }, NULL);
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
	ck_assert_int_eq(udp_send_to_port(fd, port), 0);
}

/* One source floods: held to its rate; another is still answered. */
START_TEST(flood_held_to_rate)
{
	struct counters c;
	struct timespec began;
	int flood, calm, i, answered, allowed, sent = 200;

	port = daemon_up((const char *const[]){ "-r", "5", "-l", "127.0.0.1", NULL },
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

	port = daemon_up((const char *const[]){ "-l", "127.0.0.1", NULL }, NULL);
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
	port = daemon_up((const char *const[]){ "-l", "127.0.0.1", NULL }, NULL);
	udp_send(fd);
	ck_assert_int_eq(udp_replies(fd, 300), 0);
	counters_read(&c);
	ck_assert_uint_eq(c.low_port, 1);
	ck_assert_uint_eq(c.udp, 0);
	close(fd);
	assert_answers();	/* others still are */
}
END_TEST

/*
 * Confinement: what the user timed becomes, a local user, or the one who
 * starts it cannot turn against root (issue: the pidfile, the chroot,
 * closed descriptors, inetd's stderr, a stalled stderr).
 */

/* A file only root (the test's user) may read, holding "secret\n". */
static void
victim_make(char *path, size_t size)
{
	int fd;

	snprintf(path, size, "%s/victim", pid_dir());
	ck_assert_int_ne(fd = open(path, O_WRONLY | O_CREAT | O_EXCL |
	    O_CLOEXEC, 0600), -1);
	ck_assert_int_eq(write(fd, "secret\n", 7), 7);
	close(fd);
}

static void
assert_victim_intact(const char *path)
{
	char text[32] = "";
	struct stat st;
	int fd;

	ck_assert_int_ne(fd = open(path, O_RDONLY | O_CLOEXEC), -1);
	ck_assert_int_eq(read(fd, text, sizeof(text) - 1), 7);
	close(fd);
	ck_assert_str_eq(text, "secret\n");
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_uint_eq(st.st_mode & 07777, 0600);
}

/* A symbolic link made as the run user (nobody), in a child: 0 or errno. */
static int
symlink_as_nobody(const char *target, const char *link)
{
	int status;
	pid_t pid;

	ck_assert_int_ne(pid = fork(), -1);
	if (pid == 0) {
		become_nobody();
		_exit(symlink(target, link) == 0 ? 0 : errno);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status));
	return WEXITSTATUS(status);
}

/*
 * The run user plants /run/timed/timed.pid -> a root-only file in the
 * directory an older timed gave it. Root's timed neither follows the link
 * nor leaves the directory the run user's. Before: the file was truncated
 * and held the pid.
 */
START_TEST(default_pidfile_planted_link)
{
	const char *why, *path = DEFAULT_PIDFILE;
	char victim[PATH_MAX];
	struct stat st;
	pid_t pid;

	victim_make(victim, sizeof(victim));
	if ((why = private_run()) != NULL)
		SKIP("%s", why);
	ck_assert_int_eq(mkdir("/run/timed", 0755), 0);
	ck_assert_int_eq(chown("/run/timed", NOBODY, NOBODY), 0);
	ck_assert_int_eq(symlink_as_nobody(victim, path), 0);
	pid = default_start();
	assert_victim_intact(victim);
	ck_assert_int_eq(lstat(path, &st), 0);
	ck_assert(S_ISREG(st.st_mode));
	ck_assert_uint_eq(st.st_uid, 0);
	ck_assert_int_eq(stat("/run/timed", &st), 0);
	ck_assert_uint_eq(st.st_uid, 0);
	ck_assert_uint_eq(st.st_mode & 07777, 0755);
	/* Nothing more can be planted there while it runs. */
	ck_assert_int_eq(symlink_as_nobody(victim, "/run/timed/x"), EACCES);
	detached_stop(pid, path);
	assert_victim_intact(victim);
}
END_TEST

/* Runs timed -d with -P path; it must refuse, saying why. */
static void
assert_pidfile_refused(const char *path, const char *why)
{
	const char *argv[] = { timed_path(), "-d", "-u", "nobody", "-p", "0",
	    "-l", "127.0.0.1", "-P", path, NULL };

	ck_assert_int_eq(proc_run(&other, argv, NULL, NULL, 5000), 0);
	ck_assert_int_eq(exit_code(&other), 1);
	ck_assert_msg(strstr(other.err, why) != NULL, "%s", other.err);
	ck_assert(strstr(other.err, "listening") == NULL);
	proc_stop(&other);
}

/*
 * -P where a link was planted (symbolic, or hard to another's file), and,
 * for root, in a directory others may write: refused, the file untouched.
 */
START_TEST(pidfile_planted_files_refused)
{
	char path[PATH_MAX], victim[PATH_MAX];
	const char *dir;

	victim_make(victim, sizeof(victim));
	snprintf(path, sizeof(path), "%s/timed.pid", pid_dir());
	ck_assert_int_eq(symlink(victim, path), 0);
	assert_pidfile_refused(path, "is a symbolic link: refused");
	assert_victim_intact(victim);
	ck_assert_int_eq(unlink(path), 0);
	ck_assert_int_eq(link(victim, path), 0);
	assert_pidfile_refused(path, "is not a file of our own with one "
	    "link: refused");
	assert_victim_intact(victim);
	if (geteuid() != 0)
		return;		/* the directory rule is root's */
	dir = pid_dir();
	ck_assert_int_eq(chmod(dir, 01777), 0);
	snprintf(path, sizeof(path), "%s/timed.pid", dir);
	ck_assert_int_eq(symlink_as_nobody(victim, path), 0);
	assert_pidfile_refused(path, "may be written by users other than "
	    "root");
	assert_victim_intact(victim);
}
END_TEST

/* A locked pidfile holding "1": still "already running", with the pid. */
START_TEST(pidfile_locked_says_running)
{
	char path[PATH_MAX];
	const char *argv[] = { timed_path(), "-d", "-u", "nobody", "-p", "0",
	    "-P", path, NULL };
	int fd;

	snprintf(path, sizeof(path), "%s/timed.pid", pid_dir());
	ck_assert_int_ne(fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644),
	    -1);
	ck_assert_int_eq(write(fd, "1\n", 2), 2);
	ck_assert_int_eq(flock(fd, LOCK_EX | LOCK_NB), 0);
	ck_assert_int_eq(proc_run(&other, argv, NULL, NULL, 5000), 0);
	ck_assert_int_eq(exit_code(&other), 1);
	ck_assert_msg(strstr(other.err, "timed: already running, pid 1 "
	    "(pidfile ") != NULL, "%s", other.err);
	close(fd);
}
END_TEST

/* The soft limit on descriptors of pid, from /proc/PID/limits. */
static long
open_limit(pid_t pid)
{
	char path[64], line[256];
	long limit = LONG_MAX;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/limits", (int)pid);
	ck_assert_ptr_nonnull(f = fopen(path, "r"));
	while (fgets(line, sizeof(line), f) != NULL)
		sscanf(line, "Max open files %ld", &limit);
	fclose(f);
	return limit;
}

/*
 * After the drop no descriptor is a directory (one would lead out of the
 * chroot), and a regular file held (the pidfile, for its lock) is held
 * read-only. Before: libbsd's pidfile kept its directory open.
 */
START_TEST(no_directory_after_drop)
{
	char path[PATH_MAX], fdpath[PATH_MAX], line[128];
	struct dirent *e;
	struct stat st;
	unsigned flags;
	long limit;
	int regular = 0;
	DIR *d;
	FILE *f;

	if (geteuid() != 0)
		SKIP("timed changes root only when started as root");
	snprintf(path, sizeof(path), "%s/timed.pid", pid_dir());
	port = daemon_up((const char *const[]){ "-l", "127.0.0.1", "-P", path, NULL },
	    NULL);
	snprintf(fdpath, sizeof(fdpath), "/proc/%d/fd", (int)daemon_proc.pid);
	if ((d = opendir(fdpath)) == NULL)
		SKIP("cannot list timed's descriptors (no ptrace access): %s",
		    strerror(errno));
	limit = open_limit(daemon_proc.pid);
	/* valgrind (TEST_WRAPPER) keeps a dozen of its own under the limit. */
	if (getenv("TEST_WRAPPER") != NULL && *getenv("TEST_WRAPPER") != '\0')
		limit -= 16;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.' || atol(e->d_name) >= limit)
			continue;
		snprintf(fdpath, sizeof(fdpath), "/proc/%d/fd/%s",
		    (int)daemon_proc.pid, e->d_name);
		if (stat(fdpath, &st) == -1 && errno == EACCES) {
			closedir(d);
			SKIP("cannot see what timed's descriptors are (no "
			    "ptrace access): %s", strerror(errno));
		}
		ck_assert_int_eq(stat(fdpath, &st), 0);
		ck_assert_msg(!S_ISDIR(st.st_mode), "descriptor %s is the "
		    "directory %s", e->d_name,
		    proc_link(daemon_proc.pid, fdpath + strlen("/proc/") +
		    strcspn(fdpath + strlen("/proc/"), "/") + 1));
		if (!S_ISREG(st.st_mode))
			continue;
		regular++;
		snprintf(fdpath, sizeof(fdpath), "/proc/%d/fdinfo/%s",
		    (int)daemon_proc.pid, e->d_name);
		ck_assert_ptr_nonnull(f = fopen(fdpath, "r"));
		flags = 0;
		while (fgets(line, sizeof(line), f) != NULL)
			sscanf(line, "flags: %o", &flags);
		fclose(f);
		ck_assert_msg((flags & O_ACCMODE) == O_RDONLY, "descriptor %s "
		    "is open for writing (flags %o)", e->d_name, flags);
	}
	closedir(d);
	ck_assert_int_ge(regular, 1);		/* the pidfile */
	assert_answers();
}
END_TEST

/* Child setup: <&- >&- 2>&-. */
static void
stdio_closed(void)
{
	close(STDIN_FILENO);
	close(STDOUT_FILENO);
	close(STDERR_FILENO);
}

/*
 * Started with descriptors 0, 1 and 2 closed (<&- >&- 2>&-), detaching:
 * TCP and UDP are served, and the pidfile's lock holds against a second
 * instance. Before: a listener and the pidfile took 0-2 and were replaced
 * by /dev/null once ready, so TCP was refused and a second instance
 * started too.
 */
START_TEST(closed_stdio_still_serves)
{
	char path[PATH_MAX], portarg[8];
	const char *argv[] = { timed_path(), "-u", "nobody", "-l", "127.0.0.1",
	    "-p", portarg, "-P", path, NULL };
	const char *second[] = { timed_path(), "-d", "-u", "nobody", "-p", "0",
	    "-P", path, NULL };
	pid_t pid = -1;
	int fd, i;

	if (getenv("TEST_WRAPPER") != NULL && *getenv("TEST_WRAPPER") != '\0')
		SKIP("the wrapper (valgrind) takes a closed descriptor 2 for "
		    "its own log, and refuses timed's /dev/null there");
	/*
	 * timed must bind its own sockets here, which could land on 0-2,
	 * and with stdout and stderr closed it cannot say which port -p 0
	 * chose: a port the kernel picked is freed for it, the one test
	 * that does so.
	 */
	ck_assert_int_eq(port_free(AF_INET, SOCK_STREAM, &port, &fd), 0);
	close(fd);
	snprintf(portarg, sizeof(portarg), "%u", port);
	snprintf(path, sizeof(path), "%s/timed.pid", pid_dir());
	ck_assert_int_eq(proc_run(&daemon_proc, argv, NULL, stdio_closed,
	    5000), 0);
	ck_assert_int_eq(exit_code(&daemon_proc), 0);
	for (i = 0; i < 100 && (pid = pidfile_pid(path)) <= 0; i++)
		usleep(20000);
	ck_assert_int_gt(pid, 0);
	assert_answers();
	ck_assert_int_eq(proc_run(&other, second, NULL, NULL, 5000), 0);
	ck_assert_int_eq(exit_code(&other), 1);
	ck_assert_msg(strstr(other.err, "already running") != NULL, "%s",
	    other.err);
	detached_stop(pid, path);
}
END_TEST

static void
stdio_from_inetd(void)
{
	dup2(inetd_fd, STDIN_FILENO);
	dup2(inetd_fd, STDOUT_FILENO);
	dup2(inetd_fd, STDERR_FILENO);
}

/*
 * inetd "nowait" hands the connection over as descriptors 0, 1 and 2.
 * -S where the clock's state cannot be read (a sandbox refuses it): the
 * client gets no byte, and the reason goes to syslog. Before: 100 bytes
 * of the message, which rdate read as a time. Where the state is read,
 * exactly the 4 bytes.
 */
START_TEST(inetd_stdio_gets_only_the_time)
{
	const char *argv[] = { timed_path(), "-i", "-S", "-u", "nobody", NULL };
	const char *refused[] = { "LD_PRELOAD=./test/failcall.so",
	    "FAILCALL=adjtimex", "ASAN_OPTIONS=verify_asan_link_order=0",
	    NULL };
	const char *synced[] = { "LD_PRELOAD=./test/clockfail.so",
	    "CLOCKFAIL_WHEN=never", "ASAN_OPTIONS=verify_asan_link_order=0",
	    NULL };
	unsigned char reply[256];
	int client, log;

	log = syslog_trap();	/* where refused, the bytes are still checked */
	client = inetd_connection();
	ck_assert_int_eq(proc_start(&daemon_proc, argv, refused,
	    stdio_from_inetd), 0);
	close(inetd_fd);
	ck_assert_int_eq(read_all(client, reply, sizeof(reply)), 0);
	ck_assert(proc_wait_exit(&daemon_proc, 2000));
	ck_assert_int_eq(exit_code(&daemon_proc), 1);
	if (log != -1)
		ck_assert_ptr_nonnull(syslog_wait(log, "cannot read whether "
		    "the clock is synchronized", 1000));
	close(client);
	proc_stop(&daemon_proc);

	client = inetd_connection();
	ck_assert_int_eq(proc_start(&daemon_proc, argv, synced,
	    stdio_from_inetd), 0);
	close(inetd_fd);
	assert_connection_answered(client);
	if (log != -1)
		close(log);
}
END_TEST

static int stalled_fd = -1;

static void
stderr_stalled(void)
{
	dup2(stalled_fd, STDERR_FILENO);
}

/*
 * -d with stderr on a FIFO nobody reads, as a supervisor that stopped
 * reading leaves it: a line a request fills it, and then lines are lost,
 * not waited for. The daemon still answers, and SIGTERM ends it within a
 * second. Before: it blocked in write(2) until SIGKILL.
 */
START_TEST(stalled_stderr_does_not_stall)
{
	char fifo[PATH_MAX], said[4096] = "";
	const char *argv[] = { timed_path(), "-d", "-u", "nobody", "-r", "0",
	    "-l", "127.0.0.1", "-p", "0", NULL };
	struct pollfd pfd = { .events = POLLIN };
	unsigned char reply[16];
	struct timespec began;
	const char *at;
	size_t got = 0;
	ssize_t n;
	int fd, i;

	snprintf(fifo, sizeof(fifo), "%s/stderr", pid_dir());
	ck_assert_int_eq(mkfifo(fifo, 0600), 0);
	ck_assert_int_ne(stalled_fd = open(fifo, O_RDWR | O_CLOEXEC), -1);
	/* Two pages: full the sooner (poll(2) calls a pipe with no free page full). */
	fcntl(stalled_fd, F_SETPIPE_SZ, 8192);
	ck_assert_int_eq(proc_start(&daemon_proc, argv, NULL, stderr_stalled),
	    0);
	/* Read until it serves, to learn the port; then never again. */
	pfd.fd = stalled_fd;
	while ((at = strstr(said, "serving on")) == NULL) {
		ck_assert_msg(poll(&pfd, 1, scale_ms(5000)) == 1,
		    "timed said: %s", said);
		n = read(stalled_fd, said + got, sizeof(said) - 1 - got);
		ck_assert_int_gt(n, 0);
		said[got += n] = '\0';
	}
	ck_assert_ptr_nonnull(at = strstr(said, " port "));
	ck_assert_int_eq(sscanf(at, " port %u", &port), 1);
	ck_assert_int_ne(fd = udp_from("127.0.0.1", 0), -1);
	for (i = 0; i < 1000; i++) {
		udp_send(fd);
		if (i % 50 == 49)
			udp_replies(fd, 5);	/* keep our buffer from filling */
	}
	udp_replies(fd, 100);
	close(fd);
	ck_assert_int_eq(tcp_query(AF_INET, port, reply, sizeof(reply), 2000),
	    4);
	clock_gettime(CLOCK_MONOTONIC, &began);
	ck_assert_int_eq(kill(daemon_proc.pid, SIGTERM), 0);
	ck_assert_msg(proc_wait_exit(&daemon_proc, 1000),
	    "still running a second after SIGTERM");
	ck_assert_int_eq(exit_code(&daemon_proc), 0);
	ck_assert(seconds_since(&began) < 1.0 * scale_ms(1000) / 1000);
	close(stalled_fd);
}
END_TEST

/*
 * A user whose group is root: refused, and said so. Before: "root could be
 * regained after dropping it". The user is in a private /etc/passwd.
 */
START_TEST(user_with_root_group_refused)
{
	if (geteuid() != 0)
		SKIP("timed started as root is what this tests");
	if (private_file("/etc/passwd", "root:x:0:0::/root:/bin/sh\n"
	    "nobody:x:65534:65534::/nonexistent:/usr/sbin/nologin\n"
	    "grouproot:x:4242:0::/nonexistent:/usr/sbin/nologin\n") == -1)
		SKIP("cannot put a private /etc/passwd in place: %s",
		    strerror(errno));
	if (geteuid() != 0)
		SKIP("only a user namespace was allowed: timed is not root");
	assert_user_refused("grouproot", "timed: user grouproot has root's "
	    "group (gid 0)");
}
END_TEST

/*
 * timed's own filter: not built in, off under valgrind, or where none
 * loads (qemu-user): proc.c runs timed with -F there.
 */
#define SKIP_UNLESS_FILTERED() do {					\
	if (proc_unfiltered_why() != NULL)				\
		SKIP("%s", proc_unfiltered_why());			\
} while (0)

/* The daemon, sent sig, dies of SIGSYS. */
static void
assert_dies_of_sigsys(int sig)
{
	ck_assert_int_eq(kill(daemon_proc.pid, sig), 0);
	ck_assert_msg(proc_wait_exit(&daemon_proc, 2000), "%s",
	    daemon_proc.err);
	ck_assert_int_eq(exit_code(&daemon_proc), 128 + SIGSYS);
}

/*
 * A call the filter does not allow, made once timed serves (trespass.so
 * opens a file at SIGUSR2): timed names the call on stderr and dies of
 * SIGSYS. With -F it lives on, and serves.
 */
START_TEST(filter_kills_forbidden_call)
{
	const char *env[] = { scratch_preload("trespass.so"),
	    "ASAN_OPTIONS=verify_asan_link_order=0", NULL };
	const char *unfiltered[] = { "-l", "127.0.0.1", "-F", NULL };

	SKIP_UNLESS_FILTERED();
	ck_assert_ptr_nonnull(env[0]);
	port = daemon_up((const char *const[]){ "-l", "127.0.0.1", NULL }, env);
	assert_answers();
	assert_dies_of_sigsys(SIGUSR2);
	ck_assert_msg(strstr(daemon_proc.err, "timed: system call filter: "
	    "openat (number ") != NULL, "%s", daemon_proc.err);
	ck_assert_int_eq(count_text(daemon_proc.err,
	    ") is not allowed: killed (SIGSYS)"), 1);
	proc_stop(&daemon_proc);

	port = daemon_up(unfiltered, env);
	assert_filters(daemon_proc.pid, 0);
	ck_assert_int_eq(kill(daemon_proc.pid, SIGUSR2), 0);
	assert_answers();
	ck_assert(strstr(daemon_proc.err, "system call filter") == NULL);
}
END_TEST

/*
 * What timed may make again once it serves is a local socket for
 * /dev/log, connected there (log.c): a socket of another family, or one
 * connected elsewhere, is still killed.
 */
START_TEST(filter_allows_only_the_log_socket)
{
	static const char *const calls[][2] = {
		{ "TRESPASS=socket", "socket (number " },
		{ "TRESPASS=connect", "connect (number " },
	};
	const char *env[] = { scratch_preload("trespass.so"), NULL,
	    "ASAN_OPTIONS=verify_asan_link_order=0", NULL };
	size_t i;

	SKIP_UNLESS_FILTERED();
	ck_assert_ptr_nonnull(env[0]);
	for (i = 0; i < sizeof(calls) / sizeof(calls[0]); i++) {
		env[1] = calls[i][0];
		port = daemon_up((const char *const[]){ "-l", "127.0.0.1",
		    NULL }, env);
		assert_answers();
		assert_dies_of_sigsys(SIGUSR2);
		ck_assert_msg(strstr(daemon_proc.err, calls[i][1]) != NULL,
		    "%s: %s", calls[i][0], daemon_proc.err);
		proc_stop(&daemon_proc);
	}
}
END_TEST

/*
 * A SIGSYS another process sent (kill -SYS, which the run user may send)
 * is not the filter's: timed dies of it, as without a filter, and no line
 * blames the filter ("another architecture's call (number 0)" before).
 */
START_TEST(sigsys_sent_is_not_the_filter)
{
	SKIP_UNLESS_FILTERED();
	port = daemon_up((const char *const[]){ "-l", "127.0.0.1", NULL }, NULL);
	assert_answers();
	assert_dies_of_sigsys(SIGSYS);
	ck_assert_msg(strstr(daemon_proc.err, "system call filter") == NULL,
	    "%s", daemon_proc.err);
}
END_TEST

/*
 * Detached, the refusal goes to syslog, where an operator looks: the
 * pidfile in a /dev of the test's own, which it may write.
 */
START_TEST(filter_refusal_in_syslog)
{
	const char *argv[] = { timed_path(), "-u", "nobody", "-P",
	    "/dev/timed.pid", NULL };
	const char *env[] = { scratch_preload("trespass.so"),
	    "ASAN_OPTIONS=verify_asan_link_order=0", NULL };
	const char *line;
	pid_t pid;
	int log;

	SKIP_UNLESS_FILTERED();
	if ((log = syslog_trap()) == -1)
		SKIP("cannot mount a /dev/log of the test's own: %s",
		    strerror(errno));
	ck_assert_ptr_nonnull(env[0]);
	port = sockets_hold(AF_INET);
	ck_assert_int_eq(proc_run(&daemon_proc, argv, env, sockets_handed_over,
	    5000), 0);
	sockets_release();
	ck_assert_msg(exit_code(&daemon_proc) == 0, "%s", daemon_proc.err);
	ck_assert((pid = pidfile_pid("/dev/timed.pid")) > 0);
	assert_answers();
	ck_assert_int_eq(kill(pid, SIGUSR2), 0);
	ck_assert_ptr_nonnull(line = syslog_wait(log, "system call filter",
	    2000));
	ck_assert_msg(strstr(line, "<28>") == line && strstr(line,
	    "openat (number ") != NULL && strstr(line, "killed (SIGSYS)"),
	    "%s", line);
	ck_assert(gone(pid, 2000));
	close(log);
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
	TCase *confinement = tcase_create("confinement");
	TCase *all[] = { privileges, daemon, handed, limits, confinement };
	size_t i;

	for (i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		tcase_add_checked_fixture(all[i], NULL, teardown);
		tcase_set_timeout(all[i], 30);
		suite_add_tcase(s, all[i]);
	}
	tcase_add_test(privileges, root_drops_to_user);
	tcase_add_test(privileges, shared_user_warned);
	tcase_add_test(privileges, root_needs_an_existing_user);
	tcase_add_test(privileges, root_refuses_root_as_user);
	tcase_add_test(privileges, unprivileged_start_keeps_user);
	tcase_add_test(daemon, pidfile_locks_and_goes);
	tcase_add_test(daemon, daemon_mode_detaches);
	tcase_add_test(daemon, parent_with_closed_stderr_exits_0);
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
	tcase_add_test(confinement, default_pidfile_planted_link);
	tcase_add_test(confinement, pidfile_planted_files_refused);
	tcase_add_test(confinement, pidfile_locked_says_running);
	tcase_add_test(confinement, no_directory_after_drop);
	tcase_add_test(confinement, closed_stdio_still_serves);
	tcase_add_test(confinement, inetd_stdio_gets_only_the_time);
	tcase_add_test(confinement, stalled_stderr_does_not_stall);
	tcase_add_test(confinement, user_with_root_group_refused);
	tcase_add_test(confinement, filter_kills_forbidden_call);
	tcase_add_test(confinement, filter_allows_only_the_log_socket);
	tcase_add_test(confinement, filter_refusal_in_syslog);
	tcase_add_test(confinement, sigsys_sent_is_not_the_filter);
	return s;
}
