/*
 * For the clock preloads, each built twice on a 32-bit glibc: as is, for
 * the 32-bit-time names (clock_gettime), and with -D_TIME_BITS=64
 * -DTIME64_TWIN, where glibc's headers rename the same definitions to
 * their 64-bit twins (__clock_gettime64) and give them 64-bit structs. A
 * 64-bit glibc has one set of names, and so has musl (its time_t is 64
 * bits everywhere), so there the twin build is empty.
 */
#ifndef PRELOAD_H
#define PRELOAD_H

#include <sys/syscall.h>

#include <time.h>

#if defined(TIME64_TWIN) && (!defined(__GLIBC__) || __TIMESIZE == 64)
#define PRELOAD_EMPTY	1	/* the twins are the names already built */
#endif

/* The kernel's clock_gettime for this build's struct timespec. */
#if defined(__USE_TIME_BITS64) && __TIMESIZE == 32
#define SYS_CLOCK_GETTIME	SYS_clock_gettime64
#else
#define SYS_CLOCK_GETTIME	SYS_clock_gettime
#endif

#endif
