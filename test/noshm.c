/*
 * Preloaded before libfaketime by the tests. libfaketime 0.9.10 makes a
 * semaphore and a shared memory object in /dev/shm for every process it is
 * loaded into, and a process killed by a test never removes them. When its
 * sem_open fails it quietly does without them; the tests freeze or offset
 * the clock and share nothing between processes, so this makes that call
 * fail and passes every other sem_open through.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <semaphore.h>
#include <stdarg.h>
#include <string.h>
#include <sys/types.h>

#define FAKETIME_PREFIX	"/faketime_"

sem_t *
sem_open(const char *name, int oflag, ...)
{
	sem_t *(*next)(const char *, int, ...);
	unsigned value;
	mode_t mode;
	va_list ap;

	if (strncmp(name, FAKETIME_PREFIX, strlen(FAKETIME_PREFIX)) == 0) {
		errno = ENOSYS;
		return SEM_FAILED;
	}
	next = (sem_t *(*)(const char *, int, ...))dlsym(RTLD_NEXT,
	    "sem_open");
	if (next == NULL) {
		errno = ENOSYS;
		return SEM_FAILED;
	}
	if ((oflag & O_CREAT) == 0)
		return next(name, oflag);
	va_start(ap, oflag);
	mode = va_arg(ap, mode_t);
	value = va_arg(ap, unsigned);
	va_end(ap);
	return next(name, oflag, mode, value);
}
