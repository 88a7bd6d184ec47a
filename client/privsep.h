/*
 * timeclient's network side in a child without privilege, when it will
 * set the clock: what the child measured comes back as one small fixed
 * message (struct measurement), whose bounds the parent checks before it
 * acts on it.
 */
#ifndef PRIVSEP_H
#define PRIVSEP_H

#include <stdint.h>

#include "../common/why.h"
#include "measure.h"
#include "options.h"

#define PRIVSEP_USER	"nobody"
#define PRIVSEP_MAGIC	0x74696d65u	/* "time": a message, not garbage */

typedef void network_fn(const struct client_options *, struct measurement *);

int privsep_wanted(const struct client_options *);
int privsep_network(const struct client_options *, network_fn *,
    struct measurement *, struct why *);
int privsep_check(const struct client_options *, const struct measurement *,
    int64_t, int64_t, struct why *);

#endif
