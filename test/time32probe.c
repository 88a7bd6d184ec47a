/*
 * Built without _TIME_BITS=64, as timed was before it: what a program
 * with the platform's default time_t reads from the wall clock, so the
 * tests can show that the clock preload fails the 32-bit names past 2038
 * as glibc does, and that timed, built otherwise, does not use them.
 * Prints the seconds, or the error.
 */
#include <stdio.h>
#include <string.h>
#include <errno.h>
#include <time.h>

int
main(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_REALTIME, &ts) == -1) {
		printf("clock_gettime: %s\n", strerror(errno));
		return 1;
	}
	printf("%lld\n", (long long)ts.tv_sec);
	return 0;
}
