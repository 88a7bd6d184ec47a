/* What keeps timed from being used as a weapon: source checks, rate limits. */
#ifndef RATELIMIT_H
#define RATELIMIT_H

#include <sys/socket.h>

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>

#include "../common/allowance.h"

#define LIMIT_RATE_DEFAULT	ALLOWANCE_RATE
#define LIMIT_BURST_SECONDS	ALLOWANCE_BURST_SECONDS
#define LIMIT_GLOBAL_FACTOR	1000	/* UDP, the server: this times the rate */
#define LIMIT_SLOTS		4096	/* sources remembered, per protocol */

enum source_verdict {
	SOURCE_OK,
	SOURCE_LOW_PORT,	/* a service, not a client: a loop waiting */
	SOURCE_BOGUS,		/* an address no client can have */
	SOURCE_OWN_PORT,	/* the port it was sent to: a server's reply */
};

enum limit_verdict {
	LIMIT_OK,
	LIMIT_SOURCE,		/* this source is over its rate */
	LIMIT_GLOBAL,		/* the whole server is */
};

enum source_verdict source_check(const struct sockaddr *, int,
    const unsigned *, size_t);
int destination_unicast(const struct sockaddr *, const struct in_addr *);
void limit_init(unsigned, uint64_t);
enum limit_verdict limit_take(int, const struct sockaddr *, uint64_t, int *);

#endif
