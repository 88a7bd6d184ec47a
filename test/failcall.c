/*
 * Preloaded into timed by the tests: one call fails, as a fault the tests
 * cannot make otherwise. FAILCALL=setsid: setsid fails (EPERM), a fatal
 * error after detaching. FAILCALL=recvmmsg: recvmmsg fails (ENOMEM) every
 * time, a fault that leaves the socket readable.
 */
#define _GNU_SOURCE
#include <sys/socket.h>

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

int
recvmmsg(int fd, struct mmsghdr *msgs, unsigned int n, int flags,
    struct timespec *timeout)
{
	int (*next)(int, struct mmsghdr *, unsigned int, int,
	    struct timespec *) = (int (*)(int, struct mmsghdr *, unsigned int,
	    int, struct timespec *))dlsym(RTLD_NEXT, "recvmmsg");

	if (failing("recvmmsg") || next == NULL) {
		errno = ENOMEM;
		return -1;
	}
	return next(fd, msgs, n, flags, timeout);
}
