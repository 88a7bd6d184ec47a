/* Ports and addresses as users write them and as logs show them. */
#ifndef ADDR_H
#define ADDR_H

#include <sys/socket.h>

#include <netdb.h>
#include <stddef.h>
#include <stdint.h>

#define ADDR_TEXT_MAX	64	/* an IPv6 address with a scope, and a NUL */
#define ADDR_LIST_MAX	16	/* addresses of a name that are used */

/* Addresses a name resolves to, IPv4 and IPv6, each once, in order. */
struct addr_list {
	size_t n;
	size_t left_out;		/* past ADDR_LIST_MAX */
	struct sockaddr_storage addr[ADDR_LIST_MAX];
	socklen_t len[ADDR_LIST_MAX];
};

int port_parse(const char *, unsigned *, const char **);
int addr_ipv4(const struct sockaddr *, uint32_t *);
const char *addr_text(const struct sockaddr *, char *, size_t, unsigned *);
void addr_set_port(struct sockaddr_storage *, unsigned);
const char *socktype_name(int);
void addr_list_add(struct addr_list *, const struct sockaddr *, socklen_t);
void addr_list_add_all(struct addr_list *, const struct addrinfo *);

#endif
