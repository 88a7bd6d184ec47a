/*
 * The last good time, kept as systemd-timesyncd keeps its clock file: the
 * earliest the true time could have been at the last good set (or while
 * the kernel held the clock synchronized), in LASTGOOD_DIR/LASTGOOD_FILE.
 * It is a floor beside the release's (TIME_FLOOR): timeclient never sets
 * the clock before it, and at boot a clock behind it is advanced to it.
 *
 * The file decides what time the clock may take, so it is believed only
 * where no one but root (or timeclient's own user, the units' dynamic
 * user) could have put it: the directory owned by one of them (or by a
 * user in a directory only root may enter, as systemd keeps a dynamic
 * user's) and writable by no one else, the file opened from it without
 * following a link (O_NOFOLLOW), a regular file of the same owners that
 * no one else may write, holding Unix seconds and a newline. Anything else is said and
 * not believed: the release's floor alone stands. It is replaced whole
 * (a new file renamed over it), so a crash leaves the old or the new.
 * Like timeclient.c, this module says what fails (warnx) and exits where
 * the clock must not be set.
 */
#include <sys/stat.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lastgood.h"
#include "options.h"
#include "../common/platform.h"
#include "../common/rfc868.h"
#include "../common/utc.h"
#include "../common/why.h"

#define LASTGOOD_NEW	LASTGOOD_FILE ".new"
#define LASTGOOD_PATH	LASTGOOD_DIR "/" LASTGOOD_FILE
/*
 * The latest time Linux lets a clock be set to (its 64-bit nanoseconds
 * less 30 years of uptime: 2232-04-18): one beyond could never be reached,
 * and would refuse every server for good.
 */
#define LASTGOOD_MAX	8277292036LL

enum { LOAD_NONE, LOAD_FOUND, LOAD_REFUSED };

/* Root's, our own or owner's, and writable by no one else. */
static int
trusted(const struct stat *st, uid_t owner)
{
	return (st->st_uid == 0 || st->st_uid == geteuid() ||
	    st->st_uid == owner) && (st->st_mode & (S_IWGRP | S_IWOTH)) == 0;
}

/*
 * Whether the directory open at fd lies in one only root may enter (mode
 * 0700, root's): systemd's /var/lib/private, where a dynamic user's
 * directory is that user's, reached by no other user.
 */
static int
in_root_only(int fd)
{
	struct stat st;
	int parent, ok;

	if ((parent = openat(fd, "..", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) ==
	    -1)
		return 0;
	ok = fstat(parent, &st) == 0 && st.st_uid == 0 &&
	    (st.st_mode & 077) == 0;
	close(parent);
	return ok;
}

static void
untrusted(struct why *why, const char *path, const struct stat *st)
{
	why_set(why, "%s is owned by uid %u with mode %04o: only root or "
	    "timeclient's own user may own it, and no one else write it",
	    path, (unsigned)st->st_uid, (unsigned)(st->st_mode & 07777));
}

/*
 * LASTGOOD_DIR, opened and checked: its descriptor, and its owner in
 * *owner; or -1, with why empty when it does not exist (nothing is kept
 * here) and saying why otherwise. Links on the way to it are followed:
 * only root could plant one in /var/lib, and the directory they lead to
 * is checked. It is root's or ours, or another user's in a directory
 * only root may enter (root by hand, where the units' dynamic user has
 * it); and writable by no one else.
 */
static int
state_dir(uid_t *owner, struct why *why)
{
	struct stat st;
	int fd;

	why->text[0] = '\0';
	if ((fd = open(LASTGOOD_DIR, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) ==
	    -1)
		return errno == ENOENT ? -1 : why_errno(why, "%s",
		    LASTGOOD_DIR);
	if (fstat(fd, &st) == -1)
		why_errno(why, "%s", LASTGOOD_DIR);
	else if (!trusted(&st, 0) && !(trusted(&st, st.st_uid) &&
	    in_root_only(fd)))
		untrusted(why, LASTGOOD_DIR, &st);
	else {
		*owner = st.st_uid;
		return fd;
	}
	close(fd);
	return -1;
}

/* Unix seconds and a newline, nothing else: 0, or -1. */
static int
parse(const char *text, int64_t *seconds)
{
	long long v;
	char *end;

	if (text[0] < '0' || text[0] > '9')
		return -1;
	errno = 0;
	v = strtoll(text, &end, 10);
	if (errno != 0 || strcmp(end, "\n") != 0 || v > LASTGOOD_MAX)
		return -1;
	*seconds = v;
	return 0;
}

/* The time in the open file, checked: LOAD_FOUND, or LOAD_REFUSED and why. */
static int
read_time(int fd, uid_t owner, int64_t *seconds, struct why *why)
{
	char text[32];
	struct stat st;
	ssize_t n;

	if (fstat(fd, &st) == -1) {
		why_errno(why, "%s", LASTGOOD_PATH);
		return LOAD_REFUSED;
	}
	if (!S_ISREG(st.st_mode)) {
		why_set(why, "%s is not a regular file", LASTGOOD_PATH);
		return LOAD_REFUSED;
	}
	if (!trusted(&st, owner)) {
		untrusted(why, LASTGOOD_PATH, &st);
		return LOAD_REFUSED;
	}
	if ((n = read(fd, text, sizeof(text) - 1)) == -1) {
		why_errno(why, "%s", LASTGOOD_PATH);
		return LOAD_REFUSED;
	}
	text[n] = '\0';
	if (parse(text, seconds) == -1) {
		why_set(why, "%s holds no time (Unix seconds and a newline): "
		    "corrupt", LASTGOOD_PATH);
		return LOAD_REFUSED;
	}
	return LOAD_FOUND;
}

/*
 * The last good time in *seconds: LOAD_FOUND, LOAD_NONE, or LOAD_REFUSED
 * and why. The file is opened without following a link, and without
 * waiting (a FIFO).
 */
static int
load(int64_t *seconds, struct why *why)
{
	uid_t owner = 0;
	int dir, fd, status = LOAD_REFUSED;

	if ((dir = state_dir(&owner, why)) == -1)
		return why->text[0] == '\0' ? LOAD_NONE : LOAD_REFUSED;
	fd = openat(dir, LASTGOOD_FILE, O_RDONLY | O_NOFOLLOW | O_NONBLOCK |
	    O_NOCTTY | O_CLOEXEC);
	if (fd == -1 && errno == ENOENT)
		status = LOAD_NONE;
	else if (fd == -1 && errno == ELOOP)
		why_set(why, "%s is a symbolic link", LASTGOOD_PATH);
	else if (fd == -1)
		why_errno(why, "%s", LASTGOOD_PATH);
	else {
		status = read_time(fd, owner, seconds, why);
		close(fd);
	}
	close(dir);
	return status;
}

/*
 * Writes seconds, as text and as the file's times, to a new file and
 * renames it over the old one. 0; or -1, why empty when there is no
 * LASTGOOD_DIR.
 */
static int
save(int64_t seconds, struct why *why)
{
	struct timespec times[2] = { { .tv_sec = (time_t)seconds },
	    { .tv_sec = (time_t)seconds } };
	char text[32];
	uid_t owner = 0;
	int dir, fd, len, ok;

	if ((dir = state_dir(&owner, why)) == -1)
		return -1;
	len = snprintf(text, sizeof(text), "%lld\n", (long long)seconds);
	/* A new file left by a crash: ours, as the directory is. */
	if ((unlinkat(dir, LASTGOOD_NEW, 0) == -1 && errno != ENOENT) ||
	    (fd = openat(dir, LASTGOOD_NEW, O_WRONLY | O_CREAT | O_EXCL |
	    O_NOFOLLOW | O_CLOEXEC, 0644)) == -1) {
		why_errno(why, "%s/%s", LASTGOOD_DIR, LASTGOOD_NEW);
		close(dir);
		return -1;
	}
	ok = write(fd, text, (size_t)len) == len && futimens(fd, times) == 0 &&
	    fsync(fd) == 0;
	if (!ok)
		why_errno(why, "%s/%s", LASTGOOD_DIR, LASTGOOD_NEW);
	close(fd);
	if (ok && renameat(dir, LASTGOOD_NEW, dir, LASTGOOD_FILE) == -1) {
		why_errno(why, "%s", LASTGOOD_PATH);
		ok = 0;
	}
	if (!ok)
		unlinkat(dir, LASTGOOD_NEW, 0);
	else
		fsync(dir);
	close(dir);
	return ok ? 0 : -1;
}

/* A refused file: said, with what it means for the floor. */
static void
not_believed(const struct why *why)
{
	char floor[64];

	utc_text(TIME_FLOOR, UTC_DAY, floor, sizeof(floor));
	warnx("the last good time is not believed: %s; the clock's floor is "
	    "this release's date, %s, alone", why->text, floor);
}

static int64_t
seconds_up(int64_t ns)
{
	return (ns + NS_PER_SECOND - 1) / NS_PER_SECOND;
}

/*
 * Before setting the clock to a server's time (utc_seconds, known to
 * error_ns): exits 4 when even the latest that time could be is before
 * the last good time.
 */
void
lastgood_check(const char *host, int64_t utc_seconds, int64_t error_ns)
{
	char when[64], floor[64];
	struct why why;
	int64_t last;
	int r;

	if ((r = load(&last, &why)) == LOAD_REFUSED)
		not_believed(&why);
	if (r != LOAD_FOUND || utc_seconds + seconds_up(error_ns) >= last)
		return;
	utc_text((time_t)utc_seconds, UTC_SECONDS, when, sizeof(when));
	utc_text((time_t)last, UTC_SECONDS, floor, sizeof(floor));
	errx(EXIT_REFUSED, "%s: its time, %s, is before the last good time, "
	    "%s (%s): not setting the clock from it", host, when, floor,
	    LASTGOOD_PATH);
}

/*
 * Keeps seconds as the last good time unless a later one is kept; what
 * fails is warned of, and changes no exit status.
 */
static void
keep(int64_t seconds, int verbose)
{
	char when[64];
	struct why why;
	int64_t last;

	if (load(&last, &why) == LOAD_FOUND && last >= seconds)
		return;
	if (save(seconds, &why) == -1) {
		if (why.text[0] != '\0')
			warnx("the last good time is not kept: %s", why.text);
		else if (verbose)
			warnx("the last good time is not kept: there is no %s",
			    LASTGOOD_DIR);
		return;
	}
	if (verbose)
		warnx("the last good time kept: %s, in %s", utc_text((time_t)
		    seconds, UTC_SECONDS, when, sizeof(when)), LASTGOOD_PATH);
}

/*
 * After a good set to a server's time (utc_seconds, known to error_ns):
 * the earliest that time could have been is kept.
 */
void
lastgood_keep(int64_t utc_seconds, int64_t error_ns, int verbose)
{
	keep(utc_seconds - seconds_up(error_ns), verbose);
}

/*
 * timeclient -s without a host, at boot and at shutdown: a clock behind
 * the last good time (or the release's floor, the later) is advanced to
 * it; a clock the kernel holds synchronized has its time kept, less the
 * kernel's maxerror. The exit status: 0, 4 when the file is not believed,
 * 5 when the clock could not be advanced.
 */
int
lastgood_advance(int verbose)
{
	char when[64];
	struct timespec now, floor = { .tv_sec = TIME_FLOOR };
	struct why why;
	int64_t last;
	long maxerror_us;
	int r;

	if ((r = load(&last, &why)) == LOAD_REFUSED)
		not_believed(&why);
	else if (r == LOAD_FOUND && last > TIME_FLOOR)
		floor.tv_sec = (time_t)last;
	if (clock_gettime(CLOCK_REALTIME, &now) == -1)
		err(EXIT_TROUBLE, "cannot read the clock");
	utc_text(floor.tv_sec, UTC_SECONDS, when, sizeof(when));
	if (now.tv_sec < floor.tv_sec) {
		if (clock_settime(CLOCK_REALTIME, &floor) == -1) {
			warn("cannot advance the clock to %s", when);
			return EXIT_NOT_SET;
		}
		warnx("clock advanced by +%lld s to %s, the %s", (long long)
		    (floor.tv_sec - now.tv_sec), when, r == LOAD_FOUND &&
		    floor.tv_sec == last ? "last good time" : "release's date");
	} else if (platform_clock_maxerror(&maxerror_us) == 1)
		keep((int64_t)now.tv_sec - seconds_up((int64_t)maxerror_us *
		    1000), verbose);
	else if (verbose)
		warnx("the clock is at or past %s, and not synchronized: the "
		    "last good time is left as it is", when);
	return r == LOAD_REFUSED ? EXIT_REFUSED : 0;
}
