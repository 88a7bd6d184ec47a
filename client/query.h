/* Asking one host for the time, within a deadline: RFC 868 or SNTP. */
#ifndef QUERY_H
#define QUERY_H

#include <stddef.h>
#include <stdint.h>

#include "../common/addr.h"
#include "../common/why.h"
#include "subsecond.h"

#define QUERY_REFUSED	(-4)	/* answered, nothing usable */
#define QUERY_TIMED_OUT	(-2)	/* query_one: its time ran out */
#define REPLY_MAX 64	/* more than any reply we accept: extra bytes are seen */

struct query_options {
	int family;		/* AF_UNSPEC, AF_INET or AF_INET6 */
	int udp;		/* RFC 868 over UDP instead of TCP */
	int sntp;		/* SNTP (always UDP) instead of RFC 868 */
	unsigned port;		/* 0: the protocol's own */
	long timeout_ms;	/* for the whole host: resolving, connecting, reading */
	void (*note)(const char *);	/* told what failed on the way; or NULL */
};

struct answer {
	unsigned char reply[REPLY_MAX];
	size_t length;			/* bytes in reply */
	size_t size;			/* bytes the server sent (capped) */
	int64_t asked_ns;		/* our clock, Unix ns: the server read */
	int64_t sent_ns, received_ns;	/* its clock between asked and received; */
					/* most likely after sent (a resend) */
	int64_t sntp_offset_ns;		/* SNTP: remote minus local */
	long delay_ms;			/* from the first packet to the answer */
	char peer[ADDR_TEXT_MAX + 16];	/* "::1 port 37" */
	struct sockaddr_storage addr;	/* the address that answered */
	socklen_t addrlen;
};

int query_host(const char *, const struct query_options *, struct answer *,
    struct why *);
int query_addresses(const char *, const struct query_options *, long long,
    struct addr_list *, struct why *);
int query_one(const struct sockaddr_storage *, socklen_t,
    const struct query_options *, struct answer *, long long, struct why *);
long long query_clock_ms(void);
int64_t query_realtime_ns(void);
int query_probes(const struct answer *, const struct query_options *,
    struct probe *, int, int64_t, long long,
    struct why *);

#endif
