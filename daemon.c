/*
 * Running as a daemon: the pidfile, detaching from the terminal, and
 * telling the parent when the child is ready.
 *
 * The pidfile is locked (libbsd's pidfile_open), so a second instance is
 * told who runs; it is removed at exit through a descriptor of its
 * directory, since after the chroot its path leads nowhere.
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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon.h"
#include "log.h"

#define READY	'\0'	/* the child's last byte: never part of a message */

static struct pidfh *pidfh;
static int devnull = -1;		/* stdio of a daemon, once ready */
static int piddir = -1;
static char pidname[NAME_MAX + 1];
static const char *pidpath;

static void
pidfile_cleanup(void)
{
	if (pidfh == NULL)
		return;
	if (unlinkat(piddir, pidname, 0) == -1)
		log_warn("cannot remove pidfile %s", pidpath);
	pidfile_close(pidfh);
	pidfh = NULL;
}

/*
 * Takes the pidfile at path, or exits saying who holds it. The default
 * directory is made if missing and given to owner, so that the pidfile can
 * still be removed once root is gone. The pid is written once the process
 * that serves is the one running (daemon_ready).
 */
void
daemon_pidfile(const char *path, const struct run_user *owner,
    int own_directory)
{
	char dir[PATH_MAX], name[PATH_MAX];
	const char *slash;
	pid_t other = -1;

	/* dirname(3) and basename(3) may write into their argument. */
	if (strlen(path) >= sizeof(dir))
		fatalx("pidfile %s: name too long", path);
	slash = strrchr(path, '/');
	if (slash == NULL)
		strlcpy(dir, ".", sizeof(dir));
	else if (slash == path)
		strlcpy(dir, "/", sizeof(dir));
	else
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
	strlcpy(name, slash != NULL ? slash + 1 : path, sizeof(name));
	if (name[0] == '\0' || strlcpy(pidname, name, sizeof(pidname)) >=
	    sizeof(pidname))
		fatalx("pidfile %s: not a file name", path);
	if (own_directory) {
		if (mkdir(dir, 0755) == -1 && errno != EEXIST)
			fatal("pidfile directory %s", dir);
		if (owner != NULL && chown(dir, owner->uid, owner->gid) == -1)
			fatal("pidfile directory %s", dir);
	}
	pidfh = pidfile_open(path, 0644, &other);
	if (pidfh == NULL) {
		if (errno == EEXIST && other > 0)
			fatalx("already running, pid %d (pidfile %s)",
			    (int)other, path);
		if (errno == EEXIST)
			fatalx("already running (pidfile %s is locked)", path);
		fatal("pidfile %s", path);
	}
	piddir = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (piddir == -1)
		fatal("pidfile directory %s", dir);
	pidpath = path;
	atexit(pidfile_cleanup);
}

/*
 * The parent's part: copies what the child writes to its stderr, and exits
 * 0 when the child says it is ready, or 1 when it ends without saying so.
 * _exit: the pidfile and the sockets are the child's now.
 */
static void __attribute__((noreturn))
parent_wait(int fd)
{
	char buf[512];
	ssize_t n;
	int ready = 0, said = 0;

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
		if (n > 0 && write(STDERR_FILENO, buf, (size_t)n) == -1)
			break;
	}
	if (!ready && !said)
		fprintf(stderr, "%s: the daemon ended before it was ready\n",
		    getprogname());
	_exit(ready ? 0 : 1);
}

/* /dev/null, opened while it is in reach: before the chroot. */
void
daemon_prepare(void)
{
	if ((devnull = open("/dev/null", O_RDWR | O_CLOEXEC)) == -1)
		fatal("/dev/null");
}

/*
 * fork and setsid. The parent waits (parent_wait) until the child calls
 * daemon_ready(). Until then the child's stderr is the pipe to the parent,
 * and its log goes to syslog as well, so a fatal error reaches both.
 */
void
daemon_detach(void)
{
	int fds[2];

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
	log_also_syslog();
	if (setsid() == -1)
		fatal("setsid");
	if (chdir("/") == -1)
		fatal("chdir /");
}

/*
 * Ready to serve: the pid goes into the pidfile and, when detached, the
 * parent is let go and stdio goes to /dev/null (opened by daemon_prepare);
 * from then on the log is syslog's. In the foreground stdio stays.
 */
void
daemon_ready(void)
{
	if (pidfh != NULL && pidfile_write(pidfh) == -1)
		fatal("pidfile %s", pidpath);
	if (devnull == -1)
		return;
	log_to_syslog();
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
