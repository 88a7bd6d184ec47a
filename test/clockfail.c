/*
 * Preloaded into timed by the tests: a clock that cannot be read, as on a
 * board whose RTC failed. The wall clock by default; CLOCK_MONOTONIC with
 * CLOCKFAIL_MONOTONIC=1. With CLOCKFAIL_WHEN=path, only while that file
 * exists, so a test can break the clock under a running daemon. Other
 * clocks still work. CLOCKFAIL_UNSYNCED_WHEN=path: adjtimex says the
 * clock is not synchronized while that file exists, and that it is
 * otherwise. Built with its 64-bit-time twins (see preload.h).
 */
#include "preload.h"

#ifndef PRELOAD_EMPTY
#include <sys/timex.h>

#include <errno.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

int
clock_gettime(clockid_t clock, struct timespec *ts)
{
	const char *when = getenv("CLOCKFAIL_WHEN");
	clockid_t broken = getenv("CLOCKFAIL_MONOTONIC") != NULL ?
	    CLOCK_MONOTONIC : CLOCK_REALTIME;

	if (clock == broken && (when == NULL || access(when, F_OK) == 0)) {
		errno = EINVAL;
		return -1;
	}
	return syscall(SYS_CLOCK_GETTIME, clock, ts);
}

int
adjtimex(struct timex *tx)
{
	const char *when = getenv("CLOCKFAIL_UNSYNCED_WHEN");
	int unsynced = when != NULL && access(when, F_OK) == 0;

	if (tx->modes != 0) {
		errno = EPERM;
		return -1;
	}
	tx->status = unsynced ? STA_UNSYNC : 0;
	return unsynced ? TIME_ERROR : TIME_OK;
}
#endif
