/*
 * What timed allows one source by default, said once: timed's rate limit
 * (server/ratelimit.c, -r) starts from it, and timeclient -x
 * (client/subsecond.c) never asks a server faster, so that none of its
 * queries is refused by a timed of default settings.
 */
#ifndef ALLOWANCE_H
#define ALLOWANCE_H

#define ALLOWANCE_RATE		10	/* replies a second to one source */
#define ALLOWANCE_BURST_SECONDS	4	/* a source may save up this much */
#define ALLOWANCE_BURST		(ALLOWANCE_RATE * ALLOWANCE_BURST_SECONDS)

#endif
