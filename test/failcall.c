/*
 * Preloaded into timed by the tests: one call fails, as a fault the tests
 * cannot make otherwise. FAILCALL=setsid: setsid fails (EPERM), a fatal
 * error after detaching. FAILCALL=recvmmsg: recvmmsg fails (ENOMEM) every
 * time, a fault that leaves the socket readable. FAILCALL=adjtimex:
 * reading the clock's state is refused (EPERM), as a seccomp filter or a
 * sandbox refuses it. FAILCALL=poll: a poll that finds a socket writable
 * returns 20 ms late, as a busy host wakes a client whose connection is
 * made, after the server may have answered. Built with its 64-bit time
 * twins, __recvmmsg64 and ___adjtimex64 (see preload.h).
 */
#define _GNU_SOURCE
#include "preload.h"

#ifndef PRELOAD_EMPTY
#include <sys/socket.h>
#include <sys/timex.h>

#include <poll.h>
#include <time.h>

#include <dlfcn.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int
failing(const char *name)
{
	const char *which = getenv("FAILCALL");

	return which != NULL && strcmp(which, name) == 0;
}

/* The next recvmmsg and adjtimex: the 64-bit-time ones in the twin build. */
#if defined(__USE_TIME_BITS64) && __TIMESIZE == 32
#define RECVMMSG	"__recvmmsg64"
#define ADJTIMEX	"___adjtimex64"
#else
#define RECVMMSG	"recvmmsg"
#define ADJTIMEX	"adjtimex"
#endif

/* recvmmsg's flags: an int in glibc, unsigned in musl (as in Linux). */
#ifdef __GLIBC__
typedef int recvmmsg_flags;
#else
typedef unsigned int recvmmsg_flags;
#endif

#ifndef TIME64_TWIN
pid_t
setsid(void)
{
	pid_t (*next)(void) = (pid_t (*)(void))dlsym(RTLD_NEXT, "setsid");

	if (failing("setsid") || next == NULL) {
		errno = EPERM;
		return -1;
	}
	return next();
}
#endif

int
recvmmsg(int fd, struct mmsghdr *msgs, unsigned int n, recvmmsg_flags flags,
    struct timespec *timeout)
{
	int (*next)(int, struct mmsghdr *, unsigned int, recvmmsg_flags,
	    struct timespec *) = (int (*)(int, struct mmsghdr *, unsigned int,
	    recvmmsg_flags, struct timespec *))dlsym(RTLD_NEXT, RECVMMSG);

	if (failing("recvmmsg") || next == NULL) {
		errno = ENOMEM;
		return -1;
	}
	return next(fd, msgs, n, flags, timeout);
}

#ifndef TIME64_TWIN
/* Spins rather than sleeps: no system call that a filter could refuse. */
static void
late_if_writable(const struct pollfd *fds, nfds_t n, int ready)
{
	struct timespec start, now;
	nfds_t i;

	if (ready <= 0 || !failing("poll"))
		return;
	for (i = 0; i < n && !(fds[i].revents & POLLOUT); i++)
		continue;
	if (i == n)
		return;
	clock_gettime(CLOCK_MONOTONIC, &start);
	do
		clock_gettime(CLOCK_MONOTONIC, &now);
	while ((now.tv_sec - start.tv_sec) * 1000000000LL + now.tv_nsec -
	    start.tv_nsec < 20000000);
}

int
poll(struct pollfd *fds, nfds_t n, int timeout)
{
	int (*next)(struct pollfd *, nfds_t, int) = (int (*)(struct pollfd *,
	    nfds_t, int))dlsym(RTLD_NEXT, "poll");
	int ready;

	if (next == NULL) {
		errno = ENOSYS;
		return -1;
	}
	ready = next(fds, n, timeout);
	late_if_writable(fds, n, ready);
	return ready;
}

/* The name poll takes in a build with _FORTIFY_SOURCE (a packager's). */
int
__poll_chk(struct pollfd *fds, nfds_t n, int timeout, size_t size)
{
	(void)size;
	return poll(fds, n, timeout);
}
#endif

int
adjtimex(struct timex *tx)
{
	int (*next)(struct timex *) = (int (*)(struct timex *))dlsym(RTLD_NEXT,
	    ADJTIMEX);

	if (failing("adjtimex") || next == NULL) {
		errno = EPERM;
		return -1;
	}
	return next(tx);
}
#endif
