/*
 * Running as a service: the pidfile, and detaching from the terminal. The
 * pidfile is locked (libbsd's pidfile_open), so a second instance is told
 * who runs; it is removed at exit through a descriptor of its directory,
 * since after the chroot its path leads nowhere.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "timed.h"

static struct pidfh *pidfh;
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
 * still be removed once root is gone.
 */
void
service_pidfile(const char *path, const struct run_user *owner,
    int own_directory)
{
	char dir[PATH_MAX], name[PATH_MAX];
	pid_t other = -1;

	if (strlcpy(dir, path, sizeof(dir)) >= sizeof(dir) ||
	    strlcpy(name, path, sizeof(name)) >= sizeof(name))
		fatalx("pidfile %s: name too long", path);
	strlcpy(dir, dirname(dir), sizeof(dir));
	strlcpy(pidname, basename(name), sizeof(pidname));
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

/* Writes our pid, once the process that will serve is the one running. */
void
service_pidfile_write(void)
{
	if (pidfh != NULL && pidfile_write(pidfh) == -1)
		fatal("pidfile %s", pidpath);
}

/*
 * fork, setsid, stdio on /dev/null (opened by the caller before the
 * chroot). The parent leaves at once with _exit: the pidfile is not its.
 */
void
service_detach(int devnull)
{
	switch (fork()) {
	case -1:
		fatal("fork");
	case 0:
		break;
	default:
		_exit(0);
	}
	if (setsid() == -1)
		fatal("setsid");
	if (chdir("/") == -1)
		fatal("chdir /");
	if (dup2(devnull, STDIN_FILENO) == -1 ||
	    dup2(devnull, STDOUT_FILENO) == -1 ||
	    dup2(devnull, STDERR_FILENO) == -1)
		fatal("dup2 /dev/null");
	if (devnull > STDERR_FILENO)
		close(devnull);
}
