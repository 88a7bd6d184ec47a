/*
 * Preloaded into timed by the tests: a clock that cannot be read, as on a
 * board whose RTC failed. The wall clock by default; CLOCK_MONOTONIC with
 * CLOCKFAIL_MONOTONIC=1. CLOCKFAIL_WHEN=never: the clock works;
 * CLOCKFAIL_WHEN=SIGUSR2: it works until timed gets a SIGUSR2, fails
 * until the next one, and so on, so that a test can break the clock
 * under a running daemon. Other clocks still work. adjtimex says the
 * clock is synchronized; not, with CLOCKFAIL_UNSYNCED=1; each SIGWINCH
 * turns that over.
 *
 * Signals, not files, tell it what to do: timed's system call filter
 * would kill a daemon whose clock_gettime looked at a file.
 * Built with its 64-bit-time twins (see preload.h), which share the
 * state of the first build.
 */
#include "preload.h"

#ifndef PRELOAD_EMPTY
#include <sys/timex.h>

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#ifndef TIME64_TWIN
volatile sig_atomic_t clockfail_broken, clockfail_unsynced;

static void
on_usr2(int sig)
{
	(void)sig;
	clockfail_broken = !clockfail_broken;
}

static void
on_winch(int sig)
{
	(void)sig;
	clockfail_unsynced = !clockfail_unsynced;
}

__attribute__((constructor)) static void
clockfail_init(void)
{
	const char *when = getenv("CLOCKFAIL_WHEN");
	const char *unsynced = getenv("CLOCKFAIL_UNSYNCED");
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	clockfail_broken = when == NULL;
	if (when != NULL && strcmp(when, "SIGUSR2") == 0) {
		sa.sa_handler = on_usr2;
		sigaction(SIGUSR2, &sa, NULL);
	} else if (when != NULL && strcmp(when, "never") != 0)
		abort();
	clockfail_unsynced = unsynced != NULL && strcmp(unsynced, "1") == 0;
	sa.sa_handler = on_winch;
	sigaction(SIGWINCH, &sa, NULL);
}
#else
extern volatile sig_atomic_t clockfail_broken, clockfail_unsynced;
#endif

int
clock_gettime(clockid_t clock, struct timespec *ts)
{
	clockid_t broken = getenv("CLOCKFAIL_MONOTONIC") != NULL ?
	    CLOCK_MONOTONIC : CLOCK_REALTIME;

	if (clock == broken && clockfail_broken) {
		errno = EINVAL;
		return -1;
	}
	return syscall(SYS_CLOCK_GETTIME, clock, ts);
}

int
adjtimex(struct timex *tx)
{
	if (tx->modes != 0) {
		errno = EPERM;
		return -1;
	}
	tx->status = clockfail_unsynced ? STA_UNSYNC : 0;
	return clockfail_unsynced ? TIME_ERROR : TIME_OK;
}
#endif
