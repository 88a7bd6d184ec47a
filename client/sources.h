/*
 * -m: every host asked at once, a source each (the first of its addresses
 * to answer), hosts that share an address counted once, and what each
 * answer says of the offset.
 */
#ifndef SOURCES_H
#define SOURCES_H

#include <sys/socket.h>

#include "majority.h"
#include "options.h"
#include "query.h"
#include "subsecond.h"

#define SOURCE_WHY_MAX	160

/* One source's outcome: written whole into a pipe, so under PIPE_BUF. */
struct source {
	int host;			/* index in the options' hosts */
	int answered;
	int status;			/* not: EXIT_REFUSED or EXIT_TOO_SLOW */
					/* when an answer came, unused; or 0 */
	int same;			/* an earlier host's server: not counted */
	int naddrs;			/* its host's addresses, to tell that */
	struct addr_key addrs[ADDR_LIST_MAX];
	char why[SOURCE_WHY_MAX];	/* when not */
	struct answer ans;
	int subsecond_done;		/* -x: sub holds every round */
	struct subsecond sub;
};

/* Measures one address of host by the deadline into *s (answered, or why). */
typedef void source_fn(const char *, const struct client_options *,
    const struct sockaddr_storage *, socklen_t, long long, struct source *);

int sources_ask(const struct client_options *, source_fn *, struct source *,
    int *);
int source_interval(const struct client_options *, const struct source *,
    int64_t, struct interval *);
void answer_bound(const struct answer *, int64_t, struct interval *);

#endif
