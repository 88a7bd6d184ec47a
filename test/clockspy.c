/*
 * Preloaded into timeclient (and rdate) by the tests in place of the calls
 * that change the clock: it writes what would have been done to $CLOCKSPY
 * and changes nothing. CLOCKSPY_DENY=1 makes the calls fail as they do for
 * non-root. Built with its 64-bit-time twins (see preload.h).
 */
#include "preload.h"

#ifndef PRELOAD_EMPTY
#include <sys/time.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static int
record(const char *what, long long a, long long b)
{
	const char *path = getenv("CLOCKSPY");
	FILE *f;

	if (getenv("CLOCKSPY_DENY") != NULL) {
		errno = EPERM;
		return -1;
	}
	if (path != NULL && (f = fopen(path, "a")) != NULL) {
		fprintf(f, "%s %lld %lld\n", what, a, b);
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
	return record("step", (ts->tv_sec - now.tv_sec) * 1000000000LL +
	    (ts->tv_nsec - now.tv_nsec), 0);
}

/* rdate steps with it: "step" and the distance, in ns, as above. */
int
settimeofday(const struct timeval *tv, const struct timezone *tz)
{
	struct timespec now;

	(void)tz;
	syscall(SYS_CLOCK_GETTIME, CLOCK_REALTIME, &now);
	return record("step", (tv->tv_sec - now.tv_sec) * 1000000000LL +
	    (tv->tv_usec * 1000LL - now.tv_nsec), 0);
}

int
adjtime(const struct timeval *delta, struct timeval *olddelta)
{
	if (olddelta != NULL)
		olddelta->tv_sec = olddelta->tv_usec = 0;
	return record("slew", delta->tv_sec, delta->tv_usec);
}
#endif
