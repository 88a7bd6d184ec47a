/*
 * timeclient's network side in a child without privilege, when it will
 * set the clock: what the child measured comes back as one fixed-size
 * result, checked before the parent uses it.
 */
#ifndef PRIVSEP_H
#define PRIVSEP_H

#include <stdint.h>

#include "majority.h"
#include "options.h"
#include "query.h"
#include "sources.h"
#include "subsecond.h"

#define PRIVSEP_USER	"nobody"
#define PRIVSEP_MAGIC	0x74696d65u	/* "time": a result, not garbage */

/* What the network side measured: all that setting the clock needs. */
struct network_result {
	uint32_t magic;
	int host;			/* its index in the options' hosts */
	struct answer ans;		/* the first answer */
	int subsecond_done;		/* -x: sub holds every round */
	struct subsecond sub;
	int nsources;			/* -m: every source, instead */
	struct source src[MAJORITY_SOURCES_MAX];
};

typedef void network_fn(const struct client_options *,
    struct network_result *);

int privsep_wanted(const struct client_options *);
void privsep_network(const struct client_options *, network_fn *,
    struct network_result *);
int privsep_result_check(const struct client_options *,
    const struct network_result *, int64_t, int64_t, struct why *);

#endif
