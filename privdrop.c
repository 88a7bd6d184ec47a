/*
 * Dropping root once the sockets are bound, in the plain order: chroot into
 * an empty directory, setgroups, setresgid, setresuid, no_new_privs; then a
 * check that root cannot be had back.
 */
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <unistd.h>

#include "log.h"
#include "timed.h"

/* The user to become, looked up while /etc/passwd is still in reach. */
void
privdrop_user(const char *name, struct run_user *user)
{
	struct passwd *pw;

	errno = 0;
	if ((pw = getpwnam(name)) == NULL) {
		if (errno != 0)
			fatal("user %s", name);
		fatalx("user %s does not exist: create it (adduser --system "
		    "--group --no-create-home %s) or name another with -u",
		    name, name);
	}
	if (pw->pw_uid == 0)
		fatalx("user %s is root: name an unprivileged user with -u",
		    name);
	user->uid = pw->pw_uid;
	user->gid = pw->pw_gid;
}

/* An empty directory only root may change, made if it is missing. */
static void
chroot_dir_check(const char *dir)
{
	struct stat st;

	if (stat(dir, &st) == -1) {
		if (errno != ENOENT || mkdir(dir, 0755) == -1 ||
		    stat(dir, &st) == -1)
			fatal("chroot directory %s", dir);
	}
	if (!S_ISDIR(st.st_mode) || st.st_uid != 0 || (st.st_mode & 022))
		fatalx("chroot directory %s must be a directory owned by root "
		    "and writable by root only", dir);
}

void
privdrop(const struct run_user *user, const char *dir)
{
	uid_t ruid, euid, suid;
	gid_t rgid, egid, sgid;

	chroot_dir_check(dir);
	if (chroot(dir) == -1)
		fatal("chroot %s", dir);
	if (chdir("/") == -1)
		fatal("chdir / in %s", dir);
	if (setgroups(1, &user->gid) == -1)
		fatal("setgroups");
	if (setresgid(user->gid, user->gid, user->gid) == -1)
		fatal("setresgid %u", (unsigned)user->gid);
	if (setresuid(user->uid, user->uid, user->uid) == -1)
		fatal("setresuid %u", (unsigned)user->uid);
	/* No exec could give a privilege back; timed execs nothing anyway. */
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1)
		fatal("prctl PR_SET_NO_NEW_PRIVS");

	if (setuid(0) != -1 || seteuid(0) != -1 || setgid(0) != -1)
		fatalx("root could be regained after dropping it");
	if (getresuid(&ruid, &euid, &suid) == -1 ||
	    getresgid(&rgid, &egid, &sgid) == -1 ||
	    ruid != user->uid || euid != user->uid || suid != user->uid ||
	    rgid != user->gid || egid != user->gid || sgid != user->gid)
		fatalx("privileges were not dropped to uid %u gid %u",
		    (unsigned)user->uid, (unsigned)user->gid);
}
