/*
 * Whether the clock may be served: a verdict from readings, nothing more.
 * Announcing a change is the loop's job, packing the 4 bytes the
 * protocol's.
 */
#ifndef FITNESS_H
#define FITNESS_H

#include <time.h>

enum fitness {
	CLOCK_FIT,		/* answer */
	CLOCK_UNREADABLE,	/* the clock cannot be read */
	CLOCK_BEFORE_FLOOR,	/* it reads before this release */
	CLOCK_UNSYNCED,		/* -S: the kernel says it is not synchronized */
	CLOCK_VERDICTS		/* a count, not a verdict */
};

/* What the verdict is made from. */
struct clock_reading {
	int readable;		/* the wall clock could be read */
	struct timespec now;	/* what it read, when readable */
	int sync_required;	/* -S */
	int synced;		/* the kernel's state, as last read; 0 unknown */
};

enum fitness fitness_verdict(const struct clock_reading *, time_t);

#endif
