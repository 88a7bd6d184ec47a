/* timed: an RFC 868 time server. What the daemon's modules share. */
#ifndef TIMED_H
#define TIMED_H

#include <stddef.h>

#include "addr.h"

#define LISTEN_MAX	32	/* sockets: addresses x {tcp, udp} */
#define ADDRESSES_MAX	(LISTEN_MAX / 2)

struct listener {
	int fd;
	int socktype;			/* SOCK_STREAM or SOCK_DGRAM */
	unsigned port;
	char name[ADDR_TEXT_MAX + 32];	/* "tcp ::1 port 8037", for logs */
};

struct listen_spec {
	int family;			/* AF_UNSPEC, AF_INET or AF_INET6 */
	int tcp, udp;			/* which protocols to serve */
	unsigned port;			/* 0: the kernel chooses, once for all */
	const char *addresses[ADDRESSES_MAX];	/* none: every address */
	size_t naddresses;
};

/* listen.c */
int listen_open(const struct listen_spec *, struct listener *, size_t,
    char *, size_t);
void listen_close(struct listener *, size_t);

/* serve.c */
void serve_signals(void);
void serve(struct listener *, size_t);

#endif
