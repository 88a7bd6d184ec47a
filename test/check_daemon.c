/*
 * daemon.c: stdio made valid first, and the pidfile: written, locked,
 * never opened through a link. Each test runs in a process of its own.
 */
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../server/daemon.h"
#include "../server/log.h"
#include "helpers.h"
#include "tests.h"

static char path[PATH_MAX + 16];

/* A pidfile path in a directory of the test's own, only it may write. */
static void
pidfile_path(void)
{
	char dir[PATH_MAX];

	ck_assert_ptr_nonnull(scratch_dir());
	snprintf(dir, sizeof(dir), "%s/daemon-XXXXXX", scratch_dir());
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/timed.pid", dir);
	log_init(1, 0, 0);
}

static int
is_dev_null(int fd)
{
	struct stat st;

	return fstat(fd, &st) == 0 && S_ISCHR(st.st_mode) &&
	    major(st.st_rdev) == 1 && minor(st.st_rdev) == 3;
}

/* Closed 0, 1 and 2 become /dev/null; open ones are left as they are. */
START_TEST(stdio_made_valid)
{
	int fds[2];

	ck_assert_int_eq(pipe(fds), 0);
	ck_assert_int_ne(dup2(fds[1], STDOUT_FILENO), -1);
	close(STDIN_FILENO);
	close(STDERR_FILENO);
	daemon_stdio_open();
	ck_assert(is_dev_null(STDIN_FILENO));
	ck_assert(!is_dev_null(STDOUT_FILENO));	/* the pipe, kept */
	ck_assert(is_dev_null(STDERR_FILENO));
	/* The next descriptor is 3 or above: nothing lands on stdio. */
	ck_assert_int_gt(fds[0], STDERR_FILENO);
}
END_TEST

START_TEST(pidfile_written_and_locked)
{
	char text[32] = "", expect[32];
	FILE *f;
	int fd;

	pidfile_path();
	daemon_pidfile(path, 0);
	daemon_pidfile_write(1);
	ck_assert_ptr_nonnull(f = fopen(path, "r"));
	ck_assert_ptr_nonnull(fgets(text, sizeof(text), f));
	fclose(f);
	snprintf(expect, sizeof(expect), "%d\n", (int)getpid());
	ck_assert_str_eq(text, expect);
	ck_assert_int_ne(fd = open(path, O_RDONLY), -1);
	ck_assert_int_eq(flock(fd, LOCK_EX | LOCK_NB), -1);
	ck_assert_int_eq(errno, EWOULDBLOCK);
	close(fd);
}
END_TEST

/*
 * Anyone who can open a file can flock(2) it: a local user holding the
 * pidfile's lock would make every later start say "already running".
 * Another user (uid 4242, as root; a user cannot become another) cannot
 * open it, even one left readable by all by an older timed.
 */
START_TEST(pidfile_not_lockable_by_others)
{
	struct stat st;
	pid_t pid;
	int status, fd;

	pidfile_path();
	ck_assert_int_ne(fd = open(path, O_WRONLY | O_CREAT, 0644), -1);
	ck_assert_int_eq(fchmod(fd, 0644), 0);
	close(fd);
	*strrchr(path, '/') = '\0';
	ck_assert_int_eq(chmod(path, 0755), 0);	/* others may look in */
	path[strlen(path)] = '/';
	daemon_pidfile(path, 0);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(st.st_mode & 0007, 0);
	if ((pid = fork()) == 0) {
		if (setgroups(0, NULL) == -1 || setresgid(4242, 4242, 4242) ==
		    -1 || setresuid(4242, 4242, 4242) == -1)
			_exit(100 + errno);
		if ((fd = open(path, O_RDONLY)) == -1)
			_exit(errno == EACCES ? 0 : 2);
		_exit(flock(fd, LOCK_EX | LOCK_NB) == 0 ? 3 : 4);
	}
	ck_assert_int_ne(pid, -1);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status));
	if (WEXITSTATUS(status) >= 100)
		SKIP("cannot become another user to try the lock: %s",
		    strerror(WEXITSTATUS(status) - 100));
	ck_assert_msg(WEXITSTATUS(status) == 0, "another user opened the "
	    "pidfile (%s)", WEXITSTATUS(status) == 4 ? "and tried its lock" :
	    WEXITSTATUS(status) == 3 ? "and locked it" : "or failed oddly");
}
END_TEST

/* A symbolic link where the pidfile goes: refused, exit 1. */
START_TEST(pidfile_link_refused)
{
	pidfile_path();
	ck_assert_int_eq(symlink("/etc/passwd", path), 0);
	daemon_pidfile(path, 0);
}
END_TEST

/* Another's file with two links: refused, exit 1. */
START_TEST(pidfile_hard_link_refused)
{
	char other[PATH_MAX + 32];
	int fd;

	pidfile_path();
	snprintf(other, sizeof(other), "%s.other", path);
	ck_assert_int_ne(fd = open(other, O_WRONLY | O_CREAT, 0600), -1);
	close(fd);
	ck_assert_int_eq(link(other, path), 0);
	daemon_pidfile(path, 0);
}
END_TEST

/*
 * Held (a lock on another open of the file, as a running timed holds it):
 * "already running", exit 1.
 */
START_TEST(pidfile_held_refused)
{
	int fd;

	pidfile_path();
	ck_assert_int_ne(fd = open(path, O_RDWR | O_CREAT, 0644), -1);
	ck_assert_int_eq(write(fd, "4242\n", 5), 5);
	ck_assert_int_eq(flock(fd, LOCK_EX), 0);
	daemon_pidfile(path, 0);
}
END_TEST

/* -t's check: nothing made, and a lock (a running timed's) is no refusal. */
START_TEST(pidfile_check_makes_nothing)
{
	struct stat st;
	int fd;

	pidfile_path();
	daemon_pidfile_check(path, 0);
	ck_assert_int_eq(lstat(path, &st), -1);
	ck_assert_int_ne(fd = open(path, O_RDWR | O_CREAT, 0640), -1);
	ck_assert_int_eq(flock(fd, LOCK_EX), 0);
	daemon_pidfile_check(path, 0);
	ck_assert_int_eq(fstat(fd, &st), 0);
	ck_assert_int_eq(st.st_size, 0);
}
END_TEST

/* -t's check refuses what a start refuses: a symbolic link, exit 1. */
START_TEST(pidfile_check_link_refused)
{
	pidfile_path();
	ck_assert_int_eq(symlink("/etc/passwd", path), 0);
	daemon_pidfile_check(path, 0);
}
END_TEST

Suite *
daemon_suite(void)
{
	Suite *s = suite_create("daemon");
	TCase *stdio = tcase_create("stdio");
	TCase *pidfile = tcase_create("pidfile");

	tcase_add_test(stdio, stdio_made_valid);
	tcase_add_test(pidfile, pidfile_written_and_locked);
	tcase_add_test(pidfile, pidfile_not_lockable_by_others);
	tcase_add_exit_test(pidfile, pidfile_link_refused, 1);
	tcase_add_exit_test(pidfile, pidfile_hard_link_refused, 1);
	tcase_add_exit_test(pidfile, pidfile_held_refused, 1);
	tcase_add_test(pidfile, pidfile_check_makes_nothing);
	tcase_add_exit_test(pidfile, pidfile_check_link_refused, 1);
	suite_add_tcase(s, stdio);
	suite_add_tcase(s, pidfile);
	return s;
}
