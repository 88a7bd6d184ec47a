/*
 * Running as a daemon: valid stdio, the pidfile, detaching from the
 * terminal, and telling the parent when the child is ready.
 *
 * The pidfile is written by root and must never become a way for the user
 * timed becomes (or anyone) to make root write elsewhere: it is opened
 * without following a link, relative to a directory that was checked (or,
 * the default one, made and kept root's alone), must be a regular file of
 * ours with one link, not readable by others (whose lock would stop the
 * next start), and is held read-only for its lock. The pid is
 * written through a second descriptor, checked to be the same file, before
 * root is dropped; then the directory is closed, so nothing outside the
 * chroot is held. A daemon that dropped root cannot remove its pidfile
 * from a directory only root may write: it is left behind, stale, and its
 * lock (gone with the process) tells a live instance from a dead one.
 *
 * The parent of a detaching daemon does not leave at fork: it waits on a
 * pipe that is the child's stderr until the child is ready to serve. So an
 * init script that starts timed learns of a failure after the fork (its
 * message, and exit status 1), instead of a 0 for a daemon already dead.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon.h"
#include "log.h"

#define READY	'\0'	/* the child's last byte: never part of a message */
#define PIDFILE_OPEN	(O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
/*
 * Anyone who can open a file can flock(2) it, and a lock held by another
 * user would stop every later start ("already running"): so not readable
 * by others. Root (start-stop-daemon, systemd) and the owner's group read
 * the pid.
 */
#define PIDFILE_MODE	0640

static int devnull = -1;		/* stdio of a daemon, once ready */
static int pid_fd = -1;			/* locked, read-only */
static int pid_dir = -1;		/* until the pid is written */
static struct stat pid_stat;		/* what pid_fd is */
static char pid_name[NAME_MAX + 1];
static const char *pid_path;

/*
 * Descriptors 0, 1 and 2 made valid before anything is opened: with one
 * closed at start, the log's socket, a listener or the pidfile would take
 * its number, to be written to as stdio or replaced by /dev/null later.
 */
void
daemon_stdio_open(void)
{
	int fd;

	for (fd = STDIN_FILENO; fd <= STDERR_FILENO; fd++)
		if (fcntl(fd, F_GETFD) == -1 && errno == EBADF &&
		    open("/dev/null", O_RDWR) != fd)
			exit(1);	/* nowhere to say it */
}

/* Whether st is the same file as the one locked. */
static int
same_file(const struct stat *st)
{
	return st->st_dev == pid_stat.st_dev && st->st_ino == pid_stat.st_ino;
}

/*
 * Removes the pidfile at exit, while its directory is held: a start that
 * failed, or a daemon that kept its rights (no chroot).
 */
static void
pidfile_unlink(void)
{
	struct stat st;

	if (pid_dir == -1)
		return;
	if (fstatat(pid_dir, pid_name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	    same_file(&st) && unlinkat(pid_dir, pid_name, 0) == -1)
		log_warn("cannot remove pidfile %s", pid_path);
	close(pid_dir);
	pid_dir = -1;
}

/* "already running": with the pid the file holds, when it holds one. */
static void __attribute__((noreturn))
pidfile_locked(void)
{
	char text[32];
	const char *errstr;
	long long pid = 0;
	ssize_t n = -1;
	int fd;

	if ((fd = openat(pid_dir, pid_name, O_RDONLY | PIDFILE_OPEN)) != -1) {
		n = read(fd, text, sizeof(text) - 1);
		close(fd);
	}
	if (n > 0) {
		text[n] = '\0';
		text[strcspn(text, "\n")] = '\0';
		pid = strtonum(text, 1, INT_MAX, &errstr);
	}
	if (pid > 0)
		fatalx("already running, pid %lld (pidfile %s)", pid, pid_path);
	fatalx("already running (pidfile %s is locked)", pid_path);
}

/*
 * The pidfile's directory, opened. The default one is timed's own: made
 * if missing, and given back to root alone if an older timed gave it to
 * its user. One named with -P is the administrator's: as root, it must be
 * root's alone, or whoever else may write there could replace the pidfile
 * that root's init script reads (and kills by). check: judged only,
 * nothing made or changed; -1 when the default one is still to be made.
 */
static int
pidfile_directory(const char *dir, int own_directory, int check)
{
	struct stat st;
	int fd;

	if (own_directory && !check && mkdir(dir, 0755) == -1 &&
	    errno != EEXIST)
		fatal("pidfile directory %s", dir);
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC |
	    (own_directory ? O_NOFOLLOW : 0));
	if (fd == -1 && own_directory && check && errno == ENOENT)
		return -1;
	if (fd == -1 || fstat(fd, &st) == -1)
		fatal("pidfile %s", pid_path);
	if (geteuid() != 0 || (st.st_uid == 0 && (st.st_mode & 022) == 0))
		return fd;
	if (!own_directory)
		fatalx("pidfile directory %s may be written by users other "
		    "than root, who could replace the pidfile: name one only "
		    "root may write, such as /run", dir);
	if (!check && (fchown(fd, 0, 0) == -1 || fchmod(fd, 0755) == -1))
		fatal("pidfile directory %s", dir);
	return fd;
}

/* Why what is at the pidfile's name cannot be ours; NULL if it can. */
static const char *
pidfile_unfit(int fd, const struct stat *st)
{
	if (fd == -1)
		return "a symbolic link";
	if (!S_ISREG(st->st_mode))
		return "not a regular file";
	if (st->st_nlink != 1 || st->st_uid != geteuid())
		return "not a file of our own with one link";
	return NULL;
}

/* A refusal under -P: the file is the administrator's to remove. */
static void __attribute__((noreturn))
pidfile_refused(const char *unfit)
{
	fatalx("pidfile %s is %s: refused; %s", pid_path, unfit,
	    strcmp(unfit, "not a regular file") == 0 ? "name another" :
	    "remove it");
}

/*
 * Opens and locks the pidfile, or says why not. What is there must be a
 * regular file of ours with one link: not a link to plant (symbolic, or
 * hard to a file elsewhere), nor another's file. In timed's own directory
 * anything else is removed and the file made anew; under -P it is refused.
 */
static void
pidfile_take(int own_directory)
{
	const char *unfit;
	int tries;

	for (tries = 0; tries < 2; tries++) {
		pid_fd = flopenat(pid_dir, pid_name, O_RDONLY | O_CREAT |
		    PIDFILE_OPEN, PIDFILE_MODE);
		if (pid_fd == -1 && errno == EWOULDBLOCK)
			pidfile_locked();
		if (pid_fd != -1 && fstat(pid_fd, &pid_stat) == -1)
			fatal("pidfile %s", pid_path);
		if (pid_fd == -1 && errno != ELOOP)
			fatal("pidfile %s", pid_path);
		unfit = pidfile_unfit(pid_fd, &pid_stat);
		if (unfit == NULL) {
			/* An older timed's file was readable by all. */
			if ((pid_stat.st_mode & 07777) != PIDFILE_MODE &&
			    fchmod(pid_fd, PIDFILE_MODE) == -1)
				fatal("pidfile %s", pid_path);
			return;
		}
		if (pid_fd != -1)
			close(pid_fd);
		if (!own_directory)
			pidfile_refused(unfit);
		if (unlinkat(pid_dir, pid_name, 0) == -1)
			fatal("pidfile %s", pid_path);
	}
	fatalx("pidfile %s: cannot be made", pid_path);
}

/* The pidfile's directory into dir and its name into pid_name, or exits. */
static void
pidfile_name(const char *path, char dir[PATH_MAX])
{
	const char *slash;

	/* dirname(3) and basename(3) may write into their argument. */
	if (strlen(path) >= PATH_MAX)
		fatalx("pidfile %s: name too long", path);
	slash = strrchr(path, '/');
	if (slash == NULL)
		strlcpy(dir, ".", PATH_MAX);
	else if (slash == path)
		strlcpy(dir, "/", PATH_MAX);
	else
		snprintf(dir, PATH_MAX, "%.*s", (int)(slash - path), path);
	slash = slash != NULL ? slash + 1 : path;
	if (*slash == '\0' || strcmp(slash, ".") == 0 ||
	    strcmp(slash, "..") == 0 ||
	    strlcpy(pid_name, slash, sizeof(pid_name)) >= sizeof(pid_name))
		fatalx("pidfile %s: not a file name", path);
	pid_path = path;
}

/*
 * Takes the pidfile at path, or exits saying who holds it. own_directory:
 * the default path, whose directory timed makes and keeps root's. The pid
 * is written by daemon_pidfile_write(), in the process that serves.
 */
void
daemon_pidfile(const char *path, int own_directory)
{
	char dir[PATH_MAX];

	pidfile_name(path, dir);
	pid_dir = pidfile_directory(dir, own_directory, 0);
	pidfile_take(own_directory);
	atexit(pidfile_unlink);	/* while the directory is held */
}

/*
 * For -t: what daemon_pidfile() would refuse, refused the same way, and
 * nothing made, changed or locked. A lock is not judged: -t runs beside
 * the timed it is to replace, which holds it.
 */
void
daemon_pidfile_check(const char *path, int own_directory)
{
	char dir[PATH_MAX];
	struct stat st;
	const char *unfit;
	int dirfd, fd;

	pidfile_name(path, dir);
	if ((dirfd = pidfile_directory(dir, own_directory, 1)) == -1)
		return;
	/* As the start's open would: a link is not followed. */
	fd = openat(dirfd, pid_name, O_RDONLY | PIDFILE_OPEN);
	if (fd == -1 && errno == ENOENT) {
		close(dirfd);
		return;
	}
	if ((fd == -1 && errno != ELOOP) || (fd != -1 && fstat(fd, &st) == -1))
		fatal("pidfile %s", pid_path);
	unfit = pidfile_unfit(fd, &st);
	if (unfit != NULL && !own_directory)
		pidfile_refused(unfit);
	if (fd != -1)
		close(fd);
	close(dirfd);
}

/*
 * Writes this process's pid, through a descriptor of its own checked to be
 * the locked file; the locked one stays read-only. Then the directory is
 * let go, unless removable (timed keeps its rights to it: no chroot), and
 * with it the removal at exit.
 */
void
daemon_pidfile_write(int removable)
{
	struct stat st;
	char text[32];
	int fd, len;

	if (pid_fd == -1)
		return;
	fd = openat(pid_dir, pid_name, O_WRONLY | PIDFILE_OPEN);
	if (fd == -1 || fstat(fd, &st) == -1 || !same_file(&st))
		fatalx("pidfile %s was replaced while in use", pid_path);
	len = snprintf(text, sizeof(text), "%d\n", (int)getpid());
	if (ftruncate(fd, 0) == -1 || write(fd, text, (size_t)len) != len)
		fatal("pidfile %s", pid_path);
	close(fd);
	if (removable)
		return;
	close(pid_dir);
	pid_dir = -1;
}

/* The pidfile's directory, while timed keeps it to remove the file; or -1. */
int
daemon_pidfile_directory(void)
{
	return pid_dir;
}

/*
 * The parent's part: copies what the child writes to its stderr, and exits
 * 0 when the child says it is ready, or 1 when it ends without saying so.
 * A stderr that takes no more (a reader gone) ends the copying, not the
 * wait: the exit status must still say whether the child serves.
 * _exit: the pidfile and the sockets are the child's now.
 */
static void __attribute__((noreturn))
parent_wait(int fd)
{
	char buf[512];
	ssize_t n;
	int ready = 0, said = 0, copying = 1;

	signal(SIGPIPE, SIG_IGN);	/* EPIPE, not death, for a closed pipe */
	while ((n = read(fd, buf, sizeof(buf))) != 0) {
		if (n == -1) {
			if (errno == EINTR)
				continue;
			break;
		}
		ready = buf[n - 1] == READY;
		if (ready)
			n--;
		said |= n > 0;
		if (n > 0 && copying && write(STDERR_FILENO, buf, (size_t)n) ==
		    -1)
			copying = 0;
	}
	if (!ready && !said)
		fprintf(stderr, "%s: the daemon ended before it was ready\n",
		    getprogname());
	_exit(ready ? 0 : 1);
}

/*
 * fork and setsid, with /dev/null opened for later while it is in reach
 * (before the chroot). The parent waits (parent_wait) until the child
 * calls daemon_ready(); until then the child's stderr is the pipe to the
 * parent (and its log goes to syslog as well: log_init()).
 */
void
daemon_detach(void)
{
	int fds[2];

	if ((devnull = open("/dev/null", O_RDWR | O_CLOEXEC)) == -1)
		fatal("/dev/null");
	if (pipe2(fds, O_CLOEXEC) == -1)
		fatal("pipe");
	switch (fork()) {
	case -1:
		fatal("fork");
	case 0:
		break;
	default:
		close(fds[1]);
		parent_wait(fds[0]);
	}
	close(fds[0]);
	if (dup2(fds[1], STDERR_FILENO) == -1)
		fatal("dup2");
	close(fds[1]);
	if (setsid() == -1)
		fatal("setsid");
	if (chdir("/") == -1)
		fatal("chdir /");
}

/*
 * Ready to serve: from now on the log is syslog's (but in debug mode);
 * when detached, the parent is let go and stdio goes to /dev/null. In the
 * foreground stdio stays.
 */
void
daemon_ready(void)
{
	log_ready();
	if (devnull == -1)
		return;
	if (write(STDERR_FILENO, (char[]){ READY }, 1) != 1)
		log_warn("cannot tell the parent that the daemon is ready");
	if (dup2(devnull, STDIN_FILENO) == -1 ||
	    dup2(devnull, STDOUT_FILENO) == -1 ||
	    dup2(devnull, STDERR_FILENO) == -1)
		fatal("dup2 /dev/null");
	if (devnull > STDERR_FILENO)
		close(devnull);
	devnull = -1;
}
