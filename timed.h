/*
 * timed: an RFC 868 time server. What the daemon's modules share: the
 * sockets it serves and the user it becomes. Each module declares its own
 * functions in its own header.
 */
#ifndef TIMED_H
#define TIMED_H

#include <sys/types.h>

#include <stddef.h>
#include <stdint.h>

#include "common/addr.h"

#define LISTEN_MAX		32	/* sockets: addresses x {tcp, udp} */
#define LISTEN_ADDRESSES_MAX	(LISTEN_MAX / 2)	/* -l, given or resolved */

struct listener {
	int fd;
	int socktype;			/* SOCK_STREAM or SOCK_DGRAM */
	int dual_stack;			/* IPv6 that carries IPv4 too */
	unsigned port;
	char name[ADDR_TEXT_MAX + 32];	/* "tcp ::1 port 8037", for logs */
	uint64_t resume_ms;		/* paused after a fault until then */
	int fault_logged;		/* since the last success */
};

struct listen_spec {
	int family;			/* AF_UNSPEC, AF_INET or AF_INET6 */
	int tcp, udp;			/* which protocols to serve */
	unsigned port;			/* 0: the kernel chooses, once for all */
	const char *addresses[LISTEN_ADDRESSES_MAX];	/* none: every one */
	size_t naddresses;
};

/* The unprivileged user timed becomes when started as root. */
struct run_user {
	uid_t uid;
	gid_t gid;
};

#endif
