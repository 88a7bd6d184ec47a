/*
 * Dropping root once the sockets are bound, in the plain order: chroot into
 * an empty directory, then the user (common/userdrop.c: setgroups,
 * setresgid, setresuid, and a check that root cannot be had back), then
 * no_new_privs. Errors are returned, for the caller
 * to report.
 */
#include <sys/stat.h>
#include <sys/types.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../common/platform.h"
#include "../common/userdrop.h"
#include "../common/why.h"
#include "privdrop.h"

/*
 * The user to become, looked up while /etc/passwd is still in reach.
 * Returns 0, or -1 with why.
 */
int
privdrop_lookup(const char *name, struct run_user *user, struct why *why)
{
	struct why base;

	switch (user_lookup(name, &user->uid, &user->gid, &base)) {
	case 0:
		return 0;
	case USER_UNKNOWN:
		return why_set(why, "%s: create it (adduser --system --group "
		    "--no-create-home %s) or name another with -u", base.text,
		    name);
	case USER_ROOT:
		return why_set(why, "%s: name an unprivileged user with -u",
		    base.text);
	case USER_ROOT_GROUP:
		return why_set(why, "%s: name a user whose group is not root "
		    "with -u", base.text);
	default:
		return why_set(why, "%s", base.text);
	}
}

/*
 * Whether uid is nobody's, a user other daemons share: any process of it
 * may signal timed or prlimit(1) it (no descriptors: TCP stops), which no
 * drop can prevent; a user of timed's own shares that with nobody.
 */
int
privdrop_user_shared(uid_t uid)
{
	struct passwd *pw = getpwnam("nobody");

	return pw != NULL && pw->pw_uid == uid;
}

/* Owned by root, and writable by root alone. */
static int
root_only(const struct stat *st)
{
	return st->st_uid == 0 && (st->st_mode & 022) == 0;
}

/*
 * Whether the directory at fd holds nothing but ".", ".." and, if not
 * NULL, an entry named allowed; else the first other entry in first.
 */
static int
directory_holds_only(int fd, const char *allowed, char *first, size_t size)
{
	struct dirent *e;
	DIR *d;
	int dup_fd, only = 1;

	strlcpy(first, "entries it cannot list", size);
	if ((dup_fd = dup(fd)) == -1)
		return 0;
	if ((d = fdopendir(dup_fd)) == NULL) {
		close(dup_fd);
		return 0;
	}
	while (only && (e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0 &&
		    (allowed == NULL || strcmp(e->d_name, allowed) != 0)) {
			strlcpy(first, e->d_name, size);
			only = 0;
		}
	closedir(d);
	return only;
}

/*
 * The one thing the chroot may hold: dev/log, a socket the syslog daemon
 * makes there so that timed may connect to it again after the daemon
 * restarts (timed(8), CAVEATS). dev must be root's and writable by root
 * alone, so the run user can plant nothing there; a socket can be neither
 * run nor opened, and through it the run user can only send log lines,
 * as through the /dev/log outside. Returns 0, or -1 with why.
 */
static int
chroot_dev_checked(int root, const char *dir, struct why *why)
{
	struct stat st;
	char entry[NAME_MAX + 1];
	int fd, ok;

	fd = openat(root, "dev", O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC);
	if (fd == -1 && errno == ENOENT)
		return 0;
	if (fd == -1 || fstat(fd, &st) == -1 || !root_only(&st)) {
		why_set(why, "chroot directory %s may hold dev only as a "
		    "directory owned by root and writable by root only", dir);
		if (fd != -1)
			close(fd);
		return -1;
	}
	ok = directory_holds_only(fd, "log", entry, sizeof(entry));
	if (ok && fstatat(fd, "log", &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	    !S_ISSOCK(st.st_mode)) {
		strlcpy(entry, "log, not a socket", sizeof(entry));
		ok = 0;
	}
	close(fd);
	if (!ok) {
		why_set(why, "chroot directory %s may hold dev/log, the "
		    "syslog daemon's socket, and nothing else; dev holds %s",
		    dir, entry);
		return -1;
	}
	return 0;
}

/*
 * The directory to change root into, made if missing (0755, as root).
 * What is opened is what is checked and entered: not a symbolic link (a
 * /var/empty pointing to / confines nothing), a directory owned by root
 * and writable by root alone, empty (nothing to run or to write into) but
 * for a syslog socket, in a parent only root may change. Returns its
 * descriptor, or -1 with why.
 */
int
chroot_dir_open(const char *dir, struct why *why)
{
	struct stat st;
	char entry[NAME_MAX + 1];
	int fd;

	fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd == -1 && errno == ENOENT && mkdir(dir, 0755) == 0)
		fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd == -1) {
		if (errno == ELOOP || errno == ENOTDIR)
			why_set(why, "chroot directory %s must be a "
			    "directory, not a symbolic link or a file", dir);
		else
			why_set(why, "chroot directory %s: %s", dir,
			    strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) == -1 || !root_only(&st)) {
		why_set(why, "chroot directory %s must be owned by root "
		    "and writable by root only", dir);
		goto fail;
	}
	if (!directory_holds_only(fd, "dev", entry, sizeof(entry))) {
		why_set(why, "chroot directory %s must be empty; it "
		    "holds %s", dir, entry);
		goto fail;
	}
	if (chroot_dev_checked(fd, dir, why) == -1)
		goto fail;
	if (fstatat(fd, "..", &st, 0) == -1 || !root_only(&st)) {
		why_set(why, "the directory above chroot directory %s "
		    "must be owned by root and writable by root only", dir);
		goto fail;
	}
	return fd;
fail:
	close(fd);
	return -1;
}

/*
 * The first descriptor that is a directory, or -1. After the chroot such a
 * descriptor would lead out of it (openat(fd, "../..")), so none may be
 * held: timed keeps none by construction, and this says so before every
 * change of root. /proc/self/fd lists them; without /proc, every number
 * up to the limit is tried.
 */
static int
directory_held(void)
{
	struct dirent *e;
	struct stat st;
	const char *errstr;
	long fd, max;
	DIR *d;

	if ((d = opendir("/proc/self/fd")) != NULL) {
		fd = -1;
		while (fd == -1 && (e = readdir(d)) != NULL) {
			fd = strtonum(e->d_name, 0, INT_MAX, &errstr);
			if (errstr != NULL || fd == dirfd(d) ||
			    fstat((int)fd, &st) == -1 || !S_ISDIR(st.st_mode))
				fd = -1;
		}
		closedir(d);
		return (int)fd;
	}
	max = sysconf(_SC_OPEN_MAX);
	for (fd = 0; fd < max && fd < INT_MAX; fd++)
		if (fstat((int)fd, &st) == 0 && S_ISDIR(st.st_mode))
			return (int)fd;
	return -1;
}

/*
 * Changes root to dir and becomes user, for good. Returns 0, or -1 with why
 * in why; the caller must not serve then.
 */
int
privdrop(const struct run_user *user, const char *dir, struct why *why)
{
	int fd;

	if ((fd = chroot_dir_open(dir, why)) == -1)
		return -1;
	if (fchdir(fd) == -1) {
		close(fd);
		return why_errno(why, "fchdir %s", dir);
	}
	close(fd);
	if ((fd = directory_held()) != -1) {
		why_set(why, "descriptor %d is a directory, which would "
		    "lead out of chroot directory %s", fd, dir);
		return -1;
	}
	if (chroot(".") == -1)
		return why_errno(why, "chroot %s", dir);
	if (chdir("/") == -1)
		return why_errno(why, "chdir / in %s", dir);
	if (user_become(user->uid, user->gid, why) == -1)
		return -1;
	/* No exec could give a privilege back; timed execs nothing anyway. */
	if (platform_no_new_privs() == -1)
		return why_errno(why, "no_new_privs");
	return 0;
}
