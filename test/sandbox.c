/*
 * What keeps the suite a guest: the run's scratch directory, its skips,
 * copies the run user can reach, privileges dropped, and namespaces of the
 * test's own for system paths (/run, /etc, /dev/log) and the network.
 */
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/un.h>

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <linux/capability.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "proc.h"

#include "sandbox.h"

/*
 * A test that cannot run here says why, and leaves its name and reason in
 * the run's list of skips ($TIMED_TEST_SCRATCH/skips), which the runner
 * reads at the end: tests run in children of their own, so a file is how
 * they tell it. The name is the test's, without Check's "_fn".
 */
void
test_skip(const char *function, const char *fmt, ...)
{
	const char *base = getenv("TIMED_TEST_SCRATCH");
	char name[128], reason[512], path[PATH_MAX];
	size_t len;
	va_list ap;
	FILE *f;

	snprintf(name, sizeof(name), "%s", function);
	len = strlen(name);
	if (len > 3 && strcmp(name + len - 3, "_fn") == 0)
		name[len - 3] = '\0';
	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	reason[strcspn(reason, "\n")] = '\0';
	fprintf(stderr, "SKIP %s: %s\n", name, reason);
	if (base == NULL)
		return;
	snprintf(path, sizeof(path), "%s/skips", base);
	if ((f = fopen(path, "a")) != NULL) {
		fprintf(f, "%s\t%s\n", name, reason);
		fclose(f);
	}
}

/*
 * The test's own directory for files: anyone may enter it and nobody (the
 * user timed becomes) may write in it. Made on first use inside the run's
 * directory ($TIMED_TEST_SCRATCH, see run.c), which the runner removes at
 * the end: a failed test leaves its process by _exit, so it cannot clean up
 * after itself. NULL on error.
 */
const char *
scratch_dir(void)
{
	static char dir[256];
	const char *base = getenv("TIMED_TEST_SCRATCH");

	if (dir[0] != '\0')
		return dir;
	snprintf(dir, sizeof(dir), "%s/test-XXXXXX", base ? base : "/tmp");
	if (mkdtemp(dir) == NULL || chmod(dir, 0755) == -1 ||
	    (geteuid() == 0 && chown(dir, 65534, 65534) == -1)) {
		dir[0] = '\0';
		return NULL;
	}
	return dir;
}

/*
 * A copy of a file in the scratch directory, executable by all: for what a
 * process started as nobody must run or preload wherever the checkout lives.
 * The path, in a static buffer per name; NULL on error.
 */
const char *
scratch_copy(const char *src, const char *name, char *path, size_t size)
{
	char cmd[PATH_MAX * 2 + 64];

	if (path[0] != '\0')
		return path;
	if (scratch_dir() == NULL)
		return NULL;
	snprintf(path, size, "%s/%s", scratch_dir(), name);
	/* A new file renamed into place: one a process maps stays intact. */
	snprintf(cmd, sizeof(cmd), "cp %s %s.new && chmod 755 %s.new && "
	    "mv -f %s.new %s", src, path, path, path, path);
	if (system(cmd) != 0) {
		path[0] = '\0';
		return NULL;
	}
	return path;
}

/* A copy of timed that nobody may run. */
const char *
timed_copy(void)
{
	static char path[PATH_MAX];

	return scratch_copy(timed_path(), "timed", path, sizeof(path));
}

/*
 * "LD_PRELOAD=<scratch>/name", a copy of ./test/name that a timed started
 * as nobody can read wherever the checkout lives. NULL on error.
 */
const char *
scratch_preload(const char *name)
{
	static char env[PATH_MAX + 16];
	char path[PATH_MAX], src[PATH_MAX];

	path[0] = '\0';
	snprintf(src, sizeof(src), "./test/%s", name);
	if (scratch_copy(src, name, path, sizeof(path)) == NULL)
		return NULL;
	snprintf(env, sizeof(env), "LD_PRELOAD=%s", path);
	return env;
}

/* Child setup: become nobody before exec, as a user without privilege. */
void
become_nobody(void)
{
	gid_t gid = 65534;

	if (geteuid() == 0 && (setgroups(1, &gid) == -1 ||
	    setgid(65534) == -1 || setuid(65534) == -1))
		_exit(126);
}

/* Set by private_state: /var/lib is the test's own. */
static int own_state;

/*
 * A timeclient that sets the clock keeps the last good time in
 * /var/lib/timeclient (client/lastgood.c): where this machine has one,
 * a tmpfs of the child's own namespace hides it. Root that cannot hide it
 * does not run the child (exit 125); a user could not write it anyway.
 */
void
hide_last_good(void)
{
	struct stat st;

	if (own_state || lstat("/var/lib/timeclient", &st) == -1)
		return;
	if ((private_mount_namespace("/var") == -1 || mount("tmpfs",
	    "/var/lib/timeclient", "tmpfs", 0, "mode=755") == -1) &&
	    geteuid() == 0)
		_exit(125);
}

/*
 * Child setup for a timeclient that might set the clock: without
 * CAP_SYS_TIME, so that should a preloaded spy fail to load, the real call
 * fails instead of moving this machine's clock. Root that cannot drop it
 * does not run the child at all (exit 125).
 */
void
drop_clock_privilege(void)
{
	char stream[64];
	struct stat st;

	if (capability_drop(CAP_SYS_TIME) == -1)
		_exit(125);
	hide_last_good();
	/*
	 * stderr, the test's pipe, is said to be the journal, as systemd
	 * says it: what timeclient logs when it sets the clock stays there
	 * rather than reaching this machine's syslog.
	 */
	if (fstat(STDERR_FILENO, &st) == 0) {
		snprintf(stream, sizeof(stream), "%llu:%llu",
		    (unsigned long long)st.st_dev,
		    (unsigned long long)st.st_ino);
		setenv("JOURNAL_STREAM", stream, 1);
	}
}

/* The same, stderr left a plain pipe, as under cron: syslog is told. */
void
drop_clock_privilege_cron(void)
{
	if (capability_drop(CAP_SYS_TIME) == -1)
		_exit(125);
	hide_last_good();
	unsetenv("JOURNAL_STREAM");
}

/*
 * Drops cap for this process and what it executes: from the bounding set,
 * and from the inheritable and ambient sets, through which a program gets
 * after exec what the bounding set lost (root's inheritable set is full in
 * systemd-nspawn and some container runtimes). 0, or -1 with errno.
 */
int
capability_drop(int cap)
{
	struct __user_cap_header_struct head = {
		.version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2];

	if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) == -1 && geteuid() == 0 &&
	    prctl(PR_CAPBSET_READ, cap, 0, 0, 0) != 0)
		return -1;
	if (syscall(SYS_capget, &head, data) == -1)
		return -1;
	data[cap / 32].inheritable &= ~(1u << (cap % 32));
	if (syscall(SYS_capset, &head, data) == -1)
		return -1;
	/* Ambient needs inheritable, so it went with it; said, to be sure. */
	if (prctl(PR_CAP_AMBIENT_IS_SET, cap, 0, 0, 0) == 1)
		return -1;
	return 0;
}

/*
 * Moves the calling process into a mount namespace of its own, in which
 * what is mounted on dir reaches no other namespace: "/" is made private,
 * or, where "/" is not a mount point (a chroot), dir alone. 0, or -1 with
 * errno (EPERM without CAP_SYS_ADMIN, EINVAL when neither is a mount point).
 */
int
private_mount_namespace(const char *dir)
{
	if (unshare(CLONE_NEWNS) == -1)
		return -1;
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == 0)
		return 0;
	if (errno != EINVAL)
		return -1;
	return mount(NULL, dir, NULL, MS_REC | MS_PRIVATE, NULL);
}

/* Writes text to a file of /proc. 0, or -1 with errno. */
static int
proc_write(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	int ok;

	if (f == NULL)
		return -1;
	ok = fputs(text, f) >= 0;
	return fclose(f) == 0 && ok ? 0 : -1;
}

/*
 * Moves the calling process into a network namespace of its own, with its
 * loopback up, where ports below 1024 (37 for busybox rdate, which has no
 * port option) are ours alone. Root with CAP_SYS_ADMIN makes a plain one,
 * and a timed started as root drops to nobody, as on a real server. Anyone
 * else (a user, or root in Docker) makes it in a user namespace of its own,
 * where it may let every user bind low ports (a sysctl of that network
 * namespace only); timed then starts as an ordinary user. 0, or -1 with
 * errno.
 */
int
private_network(void)
{
	struct ifreq ifr;
	int fd;

	if (unshare(CLONE_NEWNET) == -1) {
		if (unshare(CLONE_NEWUSER | CLONE_NEWNET) == -1 ||
		    proc_write("/proc/sys/net/ipv4/ip_unprivileged_port_start",
		    "0") == -1)
			return -1;
	}
	if ((fd = socket(AF_INET, SOCK_DGRAM, 0)) == -1)
		return -1;
	memset(&ifr, 0, sizeof(ifr));
	strncpy(ifr.ifr_name, "lo", IFNAMSIZ - 1);
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) == -1)
		return -1;
	ifr.ifr_flags |= IFF_UP;
	if (ioctl(fd, SIOCSIFFLAGS, &ifr) == -1)
		return -1;
	close(fd);
	return 0;
}

/*
 * A user namespace in which this process is nobody (65534), with a mount
 * namespace it may mount in. Mapping one's own uid needs no privilege, so
 * a user and root without CAP_SYS_ADMIN (Docker) can both; programs started
 * there run as an ordinary user. 0, or -1 with errno.
 */
static int
user_mount_namespace(void)
{
	char map[64];
	uid_t uid = geteuid();
	gid_t gid = getegid();

	if (unshare(CLONE_NEWUSER | CLONE_NEWNS) == -1)
		return -1;
	snprintf(map, sizeof(map), "65534 %u 1\n", (unsigned)uid);
	if (proc_write("/proc/self/uid_map", map) == -1 ||
	    proc_write("/proc/self/setgroups", "deny") == -1)
		return -1;
	snprintf(map, sizeof(map), "65534 %u 1\n", (unsigned)gid);
	return proc_write("/proc/self/gid_map", map);
}

/*
 * Puts text in place of the file at path, for this process and its
 * children only: a mount namespace of its own (inside a user namespace
 * where a plain one is refused) and a scratch file bound over path. 0, or
 * -1 with errno.
 */
int
private_file(const char *path, const char *text)
{
	char copy[PATH_MAX];
	FILE *f;

	if (scratch_dir() == NULL)
		return -1;
	snprintf(copy, sizeof(copy), "%s/private-%d", scratch_dir(),
	    (int)getpid());
	if ((f = fopen(copy, "w")) == NULL)
		return -1;
	fputs(text, f);
	if (fclose(f) != 0 || chmod(copy, 0644) == -1)
		return -1;
	if (private_mount_namespace("/etc") == -1 &&
	    (errno != EPERM || user_mount_namespace() == -1))
		return -1;
	return mount(copy, path, NULL, MS_BIND, NULL);
}

/*
 * A /var/lib of the test's own, holding an empty /var/lib/timeclient, for
 * this process and its children: a mount namespace of its own (inside a
 * user namespace where a plain one is refused) and a tmpfs on /var/lib.
 * 0, or -1 with errno.
 */
int
private_state(void)
{
	if (private_mount_namespace("/var") == -1 &&
	    (errno != EPERM || user_mount_namespace() == -1))
		return -1;
	if (mount("tmpfs", "/var/lib", "tmpfs", 0, "mode=755") == -1 ||
	    mkdir("/var/lib/timeclient", 0755) == -1 ||
	    chmod("/var/lib/timeclient", 0755) == -1)
		return -1;
	own_state = 1;
	return 0;
}

/*
 * A syslog of the test's own: a mount namespace of its own with a /dev of
 * its own, holding /dev/null and a /dev/log socket. Where a plain mount
 * namespace is refused (EPERM: a user, or Docker's root), one inside a user
 * namespace; there /dev/null cannot be made and is bound from outside, and
 * timed runs as an ordinary user. -1 with errno when both are refused.
 */
int
syslog_trap(void)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	char outside[64];
	int null, fd;

	if (private_mount_namespace("/dev") == -1 &&
	    (errno != EPERM || user_mount_namespace() == -1))
		return -1;
	/* Opened in the new namespace, before the tmpfs hides it. */
	if ((null = open("/dev/null", O_RDWR | O_CLOEXEC)) == -1)
		return -1;
	snprintf(outside, sizeof(outside), "/proc/self/fd/%d", null);
	if (mount("tmpfs", "/dev", "tmpfs", 0, "mode=755") == -1)
		return -1;
	if (mknod("/dev/null", S_IFCHR | 0666, makedev(1, 3)) == -1) {
		if ((fd = open("/dev/null", O_CREAT | O_WRONLY | O_CLOEXEC,
		    0666)) == -1)
			return -1;
		close(fd);
		if (mount(outside, "/dev/null", NULL, MS_BIND, NULL) == -1)
			return -1;
	}
	close(null);
	chmod("/dev/null", 0666);
	strncpy(sun.sun_path, "/dev/log", sizeof(sun.sun_path) - 1);
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd == -1 || bind(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1)
		return -1;
	chmod("/dev/log", 0666);
	return fd;
}

/* The next syslog message that holds text, or NULL after timeout_ms. */
const char *
syslog_wait(int fd, const char *text, int timeout_ms)
{
	static char msg[2048];
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	ssize_t n;

	while (poll(&pfd, 1, scale_ms(timeout_ms)) == 1) {
		n = recv(fd, msg, sizeof(msg) - 1, 0);
		if (n <= 0)
			continue;
		msg[n] = '\0';
		if (strstr(msg, text) != NULL)
			return msg;
	}
	return NULL;
}

/*
 * The environment of a timed whose clock works and whose kernel says, at
 * first, that the clock is not synchronized (unsynced), or that it is;
 * each SIGWINCH turns that over: clockfail.so's adjtimex.
 */
const char *const *
unsynced_env(int unsynced)
{
	static const char *env[] = { NULL, NULL, "CLOCKFAIL_WHEN=never",
	    "ASAN_OPTIONS=verify_asan_link_order=0", NULL };

	ck_assert_ptr_nonnull(env[0] = scratch_preload("clockfail.so"));
	env[1] = unsynced ? "CLOCKFAIL_UNSYNCED=1" : "CLOCKFAIL_UNSYNCED=0";
	return env;
}
