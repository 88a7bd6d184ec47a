/*
 * Becoming an unprivileged user, for good, in the plain order: setgroups,
 * setresgid, setresuid; then a check that root cannot be had back. timed
 * does it after its chroot, timeclient's network side before its filter.
 * Errors are returned, for the caller to report.
 */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <unistd.h>

#include "userdrop.h"

/*
 * The user called name, looked up while /etc/passwd is still in reach:
 * neither it nor its group may be root's. Returns 0 with its uid and gid,
 * or USER_* with why.
 */
int
user_lookup(const char *name, uid_t *uid, gid_t *gid, struct why *why)
{
	struct passwd *pw;

	errno = 0;
	if ((pw = getpwnam(name)) == NULL) {
		if (errno != 0) {
			why_errno(why, "user %s", name);
			return USER_ERROR;
		}
		why_set(why, "user %s does not exist", name);
		return USER_UNKNOWN;
	}
	if (pw->pw_uid == 0) {
		why_set(why, "user %s is root", name);
		return USER_ROOT;
	}
	if (pw->pw_gid == 0) {
		why_set(why, "user %s has root's group (gid 0)", name);
		return USER_ROOT_GROUP;
	}
	*uid = pw->pw_uid;
	*gid = pw->pw_gid;
	return 0;
}

/*
 * Becomes uid, with gid its only group, real, effective and saved alike.
 * Returns 0, or -1 with why; the caller must not go on then.
 */
int
user_become(uid_t uid, gid_t gid, struct why *why)
{
	uid_t ruid, euid, suid;
	gid_t rgid, egid, sgid;

	if (setgroups(1, &gid) == -1)
		return why_errno(why, "setgroups");
	if (setresgid(gid, gid, gid) == -1)
		return why_errno(why, "setresgid %u", (unsigned)gid);
	if (setresuid(uid, uid, uid) == -1)
		return why_errno(why, "setresuid %u", (unsigned)uid);
	if (setuid(0) != -1 || seteuid(0) != -1 || setgid(0) != -1)
		return why_set(why, "root could be regained after dropping it");
	if (getresuid(&ruid, &euid, &suid) == -1 ||
	    getresgid(&rgid, &egid, &sgid) == -1 ||
	    ruid != uid || euid != uid || suid != uid ||
	    rgid != gid || egid != gid || sgid != gid)
		return why_set(why, "privileges were not dropped to uid %u "
		    "gid %u", (unsigned)uid, (unsigned)gid);
	return 0;
}
