/*
 * timeclient's measurement: the first host to answer (and -x's rounds
 * with it), or -m's majority, as one small fixed message: all that
 * crosses from the network side to the process that sets the clock
 * (privsep.c), and all that main() reports and acts on. Measuring never
 * ends the program: a failure is an exit status and a reason.
 */
#ifndef MEASURE_H
#define MEASURE_H

#include <stddef.h>
#include <stdint.h>

#include "../common/addr.h"
#include "leaps.h"
#include "options.h"

#define MEASURE_REASON_MAX	512
#define MEASURE_PEER_MAX	(ADDR_TEXT_MAX + 16)

struct measurement {
	uint32_t magic;			/* privsep.c's: a message, not garbage */
	int status;			/* 0, or the exit status (options.h) */
	char reason[MEASURE_REASON_MAX];	/* why not; "" when said */
	int host;			/* its index in the options' hosts */
	int zero;			/* it sent 0: a server without a clock */
	int bounded;			/* -x, -m: offset_ns is [lo, hi)'s middle */
	int64_t utc_seconds;		/* the server's time */
	int64_t remote_seconds;		/* the same, leap-counting with -c */
	int64_t offset_ns;		/* to add to the local clock */
	int64_t adjust_seconds;		/* RFC 868 without -x: whole seconds */
	int64_t lo_ns, hi_ns;		/* -x, -m: the offset's stated interval */
	int64_t error_ns;		/* how far the clock may be off, set */
	int queries;			/* -x; -m: in all */
	int agree, answered;		/* -m: the group, the sources answering */
	int replies, last_replies;	/* -x: in all, in the last round */
	/* The answer that stands for it, as the lines say it. */
	char peer[MEASURE_PEER_MAX];	/* "::1 port 37" */
	char address[ADDR_TEXT_MAX];	/* -q */
	unsigned port;
	size_t size;			/* bytes the server sent (capped) */
	int64_t asked_ns, sent_ns, received_ns;
	long delay_ms;
};

void measure(const struct client_options *, const struct leaps *,
    struct measurement *);
const char *measure_how(const struct client_options *);

#endif
