/*
 * timeclient -x: the clock offset to the millisecond from a server that
 * answers in whole seconds. Pure functions: the bound each reply puts on
 * the offset, where to aim the next probes, and when to send them.
 */
#ifndef SUBSECOND_H
#define SUBSECOND_H

#include <stdint.h>

#define SUBSECOND_QUERIES_MAX	40	/* within timed's burst of 40 */
#define SUBSECOND_ROUNDS	3	/* each at one of the server's edges */
#define SUBSECOND_ROUND_PROBES	12	/* 10 cut the bound by 10, 2 guard */
#define SUBSECOND_CHECK_PROBES	2	/* a last round: the guards alone */
#define SUBSECOND_GUARD_NS	2000000	/* guards: this far outside, at least */
#define SUBSECOND_PROBES_MAX	16	/* probes in flight in a round */
#define PROBE_GRACE_NS	250000000	/* a probe's answer, at most */

/* The offset (server minus local clock) lies in [lo_ns, hi_ns). */
struct offset_bound {
	int64_t lo_ns, hi_ns;
	int replies;
	int64_t rtt_min_ns;		/* the shortest exchange seen */
	int inconsistent;		/* replies that no one offset explains */
};

/* One RFC 868 probe: when to aim it, what came of it. */
struct probe {
	int64_t aim_ns;			/* the server should read its clock */
	int64_t sent_ns, received_ns;	/* our clock, Unix ns */
	uint32_t value;
	int answered;
};

/* When a round's probes leave, and when the round gives up on them. */
struct probe_schedule {
	int64_t send_ns[SUBSECOND_PROBES_MAX];	/* monotonic */
	int64_t end_ns;				/* monotonic */
};

void bound_init(struct offset_bound *);
void bound_add(struct offset_bound *, int64_t, int64_t, int64_t);
int64_t bound_width(const struct offset_bound *);
int64_t bound_middle(const struct offset_bound *);
int64_t probe_aim(const struct offset_bound *, int64_t, int, int);
void probe_schedule(const struct probe *, int, int64_t, int64_t, int64_t,
    struct probe_schedule *);

#endif
