/*
 * Preloaded into timeclient (and rdate) by the tests in place of the calls
 * that change the clock: it writes what would have been done to $CLOCKSPY
 * and changes nothing. CLOCKSPY_DENY=1 makes the calls fail as they do for
 * non-root. adjtimex and clock_adjtime that change the kernel's clock
 * state are recorded with their fields; a call that only reads it is
 * answered as the kernel answers after a step (unsynchronized, maxerror
 * 16 s), or with CLOCKSPY_SYNCED as after a sync. Built with its
 * 64-bit-time twins (see preload.h): on a 32-bit glibc, ___adjtimex64 and
 * __clock_adjtime64.
 */
#include "preload.h"

#ifndef PRELOAD_EMPTY
#include <sys/time.h>
#include <sys/timex.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

/* One line of what would have been done: its name, then its fields. */
static int
record(const char *format, ...)
{
	const char *path = getenv("CLOCKSPY");
	va_list ap;
	FILE *f;

	if (getenv("CLOCKSPY_DENY") != NULL) {
		errno = EPERM;
		return -1;
	}
	if (path != NULL && (f = fopen(path, "a")) != NULL) {
		va_start(ap, format);
		vfprintf(f, format, ap);
		va_end(ap);
		fclose(f);
	}
	return 0;
}

/* "step" and how far the requested time is from now, in ns. */
int
clock_settime(clockid_t clock, const struct timespec *ts)
{
	struct timespec now;

	if (clock != CLOCK_REALTIME) {
		errno = EINVAL;
		return -1;
	}
	syscall(SYS_CLOCK_GETTIME, CLOCK_REALTIME, &now);
	return record("step %lld 0\n", (ts->tv_sec - now.tv_sec) *
	    1000000000LL + (ts->tv_nsec - now.tv_nsec));
}

/* rdate steps with it: "step" and the distance, in ns, as above. */
int
settimeofday(const struct timeval *tv, const struct timezone *tz)
{
	struct timespec now;

	(void)tz;
	syscall(SYS_CLOCK_GETTIME, CLOCK_REALTIME, &now);
	return record("step %lld 0\n", (tv->tv_sec - now.tv_sec) *
	    1000000000LL + (tv->tv_usec * 1000LL - now.tv_nsec));
}

int
adjtime(const struct timeval *delta, struct timeval *olddelta)
{
	if (olddelta != NULL)
		olddelta->tv_sec = olddelta->tv_usec = 0;
	return record("slew %lld %lld\n", (long long)delta->tv_sec,
	    (long long)delta->tv_usec);
}

/*
 * The kernel's clock state: a read (no mode) is told what a step leaves,
 * or with CLOCKSPY_SYNCED=US a clock synchronized to within US
 * microseconds; a change is recorded as "NAME MODES STATUS MAXERROR
 * ESTERROR", the status in hex, the errors in us.
 */
static int
state(const char *name, struct timex *tx)
{
	const char *synced = getenv("CLOCKSPY_SYNCED");

	if (tx->modes == 0 && synced != NULL) {
		tx->status = 0;
		tx->maxerror = tx->esterror = atol(synced);
		return TIME_OK;
	}
	if (tx->modes == 0) {
		tx->status = STA_UNSYNC;
		tx->maxerror = tx->esterror = 16000000;
		return TIME_ERROR;
	}
	if (record("%s %#x %#x %lld %lld\n", name, (unsigned)tx->modes,
	    (unsigned)tx->status, (long long)tx->maxerror,
	    (long long)tx->esterror) == -1)
		return -1;
	return tx->status & STA_UNSYNC ? TIME_ERROR : TIME_OK;
}

int
adjtimex(struct timex *tx)
{
	return state("adjtimex", tx);
}

/*
 * Named by hand in the twin build: Debian 12's i386 header declares
 * clock_adjtime before its redirect to __clock_adjtime64, and a definition
 * keeps the first name.
 */
#ifdef TIME64_TWIN
#define CLOCK_ADJTIME	__clock_adjtime64
#else
#define CLOCK_ADJTIME	clock_adjtime
#endif

int
CLOCK_ADJTIME(clockid_t clock, struct timex *tx)
{
	if (clock != CLOCK_REALTIME) {
		errno = EINVAL;
		return -1;
	}
	return state("clock_adjtime", tx);
}
#endif
