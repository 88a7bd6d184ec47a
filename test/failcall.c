/*
 * Preloaded into timed by the tests: one call fails, as a fault the tests
 * cannot make otherwise. FAILCALL=setsid: setsid fails (EPERM), a fatal
 * error after detaching. FAILCALL=recvmmsg: recvmmsg fails (ENOMEM) every
 * time, a fault that leaves the socket readable. FAILCALL=adjtimex:
 * reading the clock's state is refused (EPERM), as a seccomp filter or a
 * sandbox refuses it. Built with its 64-bit time twins, __recvmmsg64 and
 * ___adjtimex64 (see preload.h).
 */
#define _GNU_SOURCE
#include "preload.h"

#ifndef PRELOAD_EMPTY
#include <sys/socket.h>
#include <sys/timex.h>

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
