/* timed: an RFC 868 time server. What the daemon's modules share. */
#ifndef TIMED_H
#define TIMED_H

#include <sys/types.h>

#include <stddef.h>

#include "addr.h"

#define LISTEN_MAX	32	/* sockets: addresses x {tcp, udp} */
#define ADDRESSES_MAX	(LISTEN_MAX / 2)

struct listener {
	int fd;
	int socktype;			/* SOCK_STREAM or SOCK_DGRAM */
	int dual_stack;			/* IPv6 that carries IPv4 too */
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

/* The unprivileged user timed becomes when started as root. */
struct run_user {
	uid_t uid;
	gid_t gid;
};

/* listen.c */
int listen_open(const struct listen_spec *, struct listener *, size_t,
    char *, size_t);
int listen_inherit(int, struct listener *, int *, char *, size_t);
int listen_activated(struct listener *, size_t, char *, size_t);
void listen_close(struct listener *, size_t);

/* privdrop.c */
int chroot_dir_open(const char *, char *, size_t);
void privdrop_user(const char *, struct run_user *);
void privdrop(const struct run_user *, const char *);

/* service.c */
void service_pidfile(const char *, const struct run_user *, int);
void service_pidfile_write(void);
void service_detach(int);

/* serve.c */
void serve_init(void);
void serve(struct listener *, size_t, int);
int serve_connection(int);

#endif
