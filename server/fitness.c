/*
 * The clock's fitness to be served. RFC 868's way to say "I do not know
 * the time" is to send nothing, never a 0 that clients would read as 2036:
 * so without a clock, with a clock before this release (a board without a
 * battery boots to 1970, and every client would follow it), and with -S
 * while the kernel says the clock is not synchronized (or cannot say: a
 * refusal is not a yes), timed stays silent.
 */
#include "fitness.h"

enum fitness
fitness_verdict(const struct clock_reading *r, time_t floor)
{
	if (!r->readable)
		return CLOCK_UNREADABLE;
	if (r->now.tv_sec < floor)
		return CLOCK_BEFORE_FLOOR;
	if (r->sync_required && !r->synced)
		return CLOCK_UNSYNCED;
	return CLOCK_FIT;
}
