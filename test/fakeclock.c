/*
 * Preloaded by the tests in place of libfaketime where that cannot serve:
 * Debian 12's 32-bit libfaketime wraps only the 32-bit-time names, so a
 * 32-bit timed built with 64-bit time (__clock_gettime64) would read the
 * real clock. This one fakes the wall clock under both names, as glibc
 * behaves: a 32-bit name fails with EOVERFLOW when the time does not fit
 * its time_t, the 64-bit twin gives the true value (see preload.h).
 *
 * It reads libfaketime's variables, the subset the tests use:
 *   FAKETIME="YYYY-MM-DD hh:mm:ss"   that moment (UTC), frozen
 *   FAKETIME="+S" or "-S"             the real clock moved by S seconds
 *                                     (decimals allowed)
 *   FAKETIME_TIMESTAMP_FILE=path      the first line of path, read at
 *                                     every call (as FAKETIME_NO_CACHE=1)
 * Anything else aborts, so that a test never runs on a clock it did not
 * ask for. Only CLOCK_REALTIME (and its coarse kind), time(2) and
 * gettimeofday(2) are faked; the monotonic clock never is, as
 * FAKETIME_DONT_FAKE_MONOTONIC=1 asks of libfaketime.
 */
#include "preload.h"

#ifndef PRELOAD_EMPTY
#include <sys/time.h>

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define NS	1000000000LL

static void
fakeclock_abort(const char *what, const char *spec)
{
	char line[256];
	int n;

	n = snprintf(line, sizeof(line), "fakeclock: %s: \"%s\"\n", what,
	    spec);
	if (n > 0)
		(void)!write(STDERR_FILENO, line, (size_t)n < sizeof(line) ?
		    (size_t)n : sizeof(line) - 1);
	abort();
}

/* Days from 1970-01-01 to a date of the proleptic Gregorian calendar. */
static int64_t
days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

/* The real wall clock, in ns, read through the 64-bit call if any. */
static int64_t
real_ns(void)
{
	struct timespec ts;

#ifdef SYS_clock_gettime64
	struct {
		int64_t sec, nsec;
	} k;

	if (syscall(SYS_clock_gettime64, CLOCK_REALTIME, &k) == 0)
		return k.sec * NS + k.nsec;
#endif
	syscall(SYS_clock_gettime, CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * NS + ts.tv_nsec;
}

/* The spec's time now, in ns since 1970. */
static int64_t
fake_ns_of(const char *spec)
{
	int y, mo, d, h, mi, s, len = 0;
	char *end;
	double offset;

	if (spec[0] == '+' || spec[0] == '-') {
		errno = 0;
		offset = strtod(spec, &end);
		if (errno != 0 || end == spec || *end != '\0')
			fakeclock_abort("not an offset in seconds", spec);
		return real_ns() + (int64_t)(offset * NS + (offset < 0 ?
		    -0.5 : 0.5));
	}
	if (sscanf(spec, "%4d-%2d-%2d %2d:%2d:%2d%n", &y, &mo, &d, &h, &mi,
	    &s, &len) != 6 || spec[len] != '\0' || mo < 1 || mo > 12 ||
	    d < 1 || d > 31 || h > 23 || mi > 59 || s > 60)
		fakeclock_abort("not \"YYYY-MM-DD hh:mm:ss\" nor +seconds",
		    spec);
	return (((days_from_civil(y, (unsigned)mo, (unsigned)d) * 24 + h) *
	    60 + mi) * 60 + s) * NS;
}

/* The fake time in ns; 0 and *faked = 0 when nothing asks for one. */
static int64_t
fake_ns(int *faked)
{
	const char *spec = getenv("FAKETIME"), *path;
	char line[128];
	FILE *f;

	*faked = 1;
	if ((path = getenv("FAKETIME_TIMESTAMP_FILE")) != NULL) {
		if ((f = fopen(path, "re")) == NULL)
			fakeclock_abort("cannot open", path);
		if (fgets(line, sizeof(line), f) == NULL)
			line[0] = '\0';
		fclose(f);
		line[strcspn(line, "\n")] = '\0';
		return fake_ns_of(line);
	}
	if (spec != NULL)
		return fake_ns_of(spec);
	*faked = 0;
	return 0;
}

/* Whether this build's time_t holds t, as glibc's 32-bit names check. */
static int
fits(int64_t sec)
{
	if (sizeof(time_t) < 8 && (sec > INT32_MAX || sec < INT32_MIN)) {
		errno = EOVERFLOW;
		return 0;
	}
	return 1;
}

static int
fake_timespec(struct timespec *ts)
{
	int faked;
	int64_t ns = fake_ns(&faked);

	if (!faked)
		ns = real_ns();
	if (!fits(ns / NS))
		return -1;
	ts->tv_sec = (time_t)(ns / NS);
	ts->tv_nsec = (long)(ns % NS);
	return 0;
}

int
clock_gettime(clockid_t clock, struct timespec *ts)
{
	if (clock == CLOCK_REALTIME || clock == CLOCK_REALTIME_COARSE)
		return fake_timespec(ts);
	return (int)syscall(SYS_CLOCK_GETTIME, clock, ts);
}

time_t
time(time_t *t)
{
	struct timespec ts;

	if (fake_timespec(&ts) == -1)
		return (time_t)-1;
	if (t != NULL)
		*t = ts.tv_sec;
	return ts.tv_sec;
}

int
gettimeofday(struct timeval *restrict tv, void *restrict tz)
{
	struct timespec ts;

	(void)tz;
	if (fake_timespec(&ts) == -1)
		return -1;
	tv->tv_sec = ts.tv_sec;
	tv->tv_usec = ts.tv_nsec / 1000;
	return 0;
}
#endif
