/* A load generator for RFC 868 servers: N queries in flight, bounded. */
#ifndef LOAD_H
#define LOAD_H

#include <stdint.h>

enum load_mode {
	LOAD_TCP,	/* connect, read to EOF, close */
	LOAD_UDP,	/* one datagram, one reply */
	LOAD_MIX,	/* TCP, with every 10th client resetting at once and
			   every 10th never reading */
};

struct load_spec {
	int family;		/* AF_INET or AF_INET6 */
	unsigned port;
	enum load_mode mode;
	int concurrency;	/* queries in flight */
	long count;		/* queries in all */
	int seconds;		/* no new query after this */
	const char *source;	/* bind clients to this address, or NULL */
};

struct load_result {
	long started, answered, bad;	/* bad: wrong length or value */
	long refused, errors, timeouts, resets, unread;
	long stalls;			/* answered after 1 s or more */
	int last_errno;			/* behind the last of errors */
	double seconds;
	long p50_us, p99_us, max_us;
};

int load_run(const struct load_spec *, struct load_result *);
void load_print(const struct load_spec *, const struct load_result *);

#endif
