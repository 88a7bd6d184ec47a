/*
 * Sockets on loopback: free ports, queries over TCP and UDP, and fake
 * servers that misbehave as told.
 */
#ifndef NET_H
#define NET_H

#include <sys/types.h>

#include <stddef.h>
#include <stdint.h>

/* A server that misbehaves as told, in a child; see fake_server(). */
typedef void (*serve_fn)(int fd, const void *request, size_t len,
    const void *peer, unsigned peerlen);

int port_bind(int, int, unsigned, int *);
int port_free(int family, int socktype, unsigned *, int *);
long tcp_query(int family, unsigned port, unsigned char *, size_t, int);
long udp_query(int family, unsigned port, const void *, size_t,
    unsigned char *, size_t, int);
int udp_from(const char *, unsigned);
int udp_send_to_port(int, unsigned);
int udp_replies(int, int);
pid_t fake_server(int family, int socktype, serve_fn, unsigned *);
pid_t fake_server_at(const char *, int, serve_fn, unsigned *);
void fake_server_stop(pid_t);
int64_t now_rfc868(void);
int64_t rfc868_value(const unsigned char *);

#endif
