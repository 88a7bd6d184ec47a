/*
 * timeclient -x: the clock offset to the millisecond from a server that
 * answers in whole seconds. Pure functions: the bound each reply puts on
 * the offset, the rounds of a measurement, where to aim their probes and
 * when to send them, and what may be stated at the end.
 */
#ifndef SUBSECOND_H
#define SUBSECOND_H

#include <stdint.h>

#include "../common/allowance.h"

/* A measurement never asks faster than timed allows one source. */
#define SUBSECOND_ALLOWED_BURST	ALLOWANCE_BURST
#define SUBSECOND_ALLOWED_RATE	ALLOWANCE_RATE
#define SUBSECOND_ROUNDS	3	/* each at one of the server's edges */
#define SUBSECOND_LAST_TRIES	6	/* the last round, if it must be again */
#define SUBSECOND_ROUND_PROBES	12	/* 10 cut the bound by 10, 2 guard */
#define SUBSECOND_GUARD_NS	2000000	/* guards: this far outside, at least */
#define SUBSECOND_CHECK_PROBES	2	/* after the rounds: a check */
#define SUBSECOND_CHECK_NS	500000	/* its least margin outside */
#define SUBSECOND_PROBES_MAX	16	/* probes in flight in a round */
#define SUBSECOND_LAG_MS	10	/* -g: a tick at 100 Hz, the coarsest */
#define SUBSECOND_LAG_MS_MAX	1000
#define SUBSECOND_DRIFT		2000	/* 1/2000: 500 ppm, NTP's and adjtime's
					   fastest slew */
#define PROBE_GRACE_NS	250000000	/* a probe's answer, at most */
/* The first query, every round's tries and the check: never more. */
#define SUBSECOND_QUERIES_MAX	(1 + SUBSECOND_ROUND_PROBES *		\
	(SUBSECOND_ROUNDS - 1 + SUBSECOND_LAST_TRIES) + SUBSECOND_CHECK_PROBES)

/*
 * The offset (server minus local clock) lies in [lo, hi). Each reply's
 * bound widens as it ages, by the drift a server's clock may have (500
 * ppm): lo_ns and hi_ns hold the bound as of first_ns, bound_at() ages it.
 */
struct offset_bound {
	int64_t lag_ns;			/* how late the server's second may be */
	int64_t first_ns, latest_ns;	/* the first and latest replies' sends */
	int64_t lo_ns, hi_ns;
	int replies;
	int64_t rtt_min_ns, rtt_max_ns;	/* the shortest, longest exchange */
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

/*
 * A whole measurement. Every reply goes into all, which judges whether
 * one offset explains them, and into seen, which is where the server's
 * edge is seen (no lag) and aims the probes; the last round's replies
 * alone go into last, the one bound stated: a server clock that moved
 * before the last round cannot squeeze it.
 */
struct subsecond {
	struct offset_bound all, seen, last;
	int rounds;			/* done; the check after them */
	int last_tries;			/* of the last round */
	int queries;
	int unanswered;			/* rounds in a row */
	int64_t allowed_ns;		/* the server's allowance left, as time */
	int64_t allowed_at_ns;		/* (at the rate allowed) as of then */
};

void bound_init(struct offset_bound *, int64_t);
void bound_add(struct offset_bound *, int64_t, int64_t, int64_t);
void bound_at(const struct offset_bound *, int64_t, int64_t *, int64_t *);
int64_t bound_width(const struct offset_bound *);
int64_t bound_middle(const struct offset_bound *);
int64_t probe_aim(const struct offset_bound *, int64_t, int, int);
void probe_schedule(const struct probe *, int, int64_t, int64_t, int64_t,
    struct probe_schedule *);

void subsecond_start(struct subsecond *, int64_t, uint32_t, int64_t, int64_t,
    int64_t);
int subsecond_next(struct subsecond *, int64_t, struct probe *,
    const char **);
int subsecond_add(struct subsecond *, const struct probe *, int);

#endif
