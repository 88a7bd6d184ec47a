/* Ports and addresses as users write them and as logs show them. */
#ifndef ADDR_H
#define ADDR_H

#include <sys/socket.h>

#include <netdb.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define ADDR_TEXT_MAX	64	/* an IPv6 address with a scope, and a NUL */
#define ADDR_LIST_MAX	16	/* addresses of a name that are used */

/* Addresses a name resolves to, IPv4 and IPv6, each once, in order. */
struct addr_list {
	size_t n;
	size_t left_out;		/* past ADDR_LIST_MAX */
	struct sockaddr_storage addr[ADDR_LIST_MAX];
	socklen_t len[ADDR_LIST_MAX];
};

/*
 * An address as the server it names: IPv4 plain or mapped into IPv6 the
 * same key, a link-local IPv6 one with its interface; no port.
 */
struct addr_key {
	unsigned char a[16];
	uint32_t scope;
};

int port_parse(const char *, unsigned *, const char **);
const char *addr_text(const struct sockaddr *, char *, size_t, unsigned *);
const char *addr_text_numeric(const struct sockaddr *, char *, size_t,
    unsigned *);
void addr_set_port(struct sockaddr_storage *, unsigned);
const char *socktype_name(int);
void addr_list_add(struct addr_list *, const struct sockaddr *, socklen_t);
void addr_list_add_all(struct addr_list *, const struct addrinfo *);
void addr_key_of(const struct sockaddr *, struct addr_key *);

/*
 * Whether sa is an IPv4 address, plain or mapped into IPv6 (as a
 * dual-stack socket shows IPv4 peers); its address, in host order, into *a.
 * Inline: every datagram's source and destination go through it.
 */
static inline int
addr_ipv4(const struct sockaddr *sa, uint32_t *a)
{
	const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)sa;
	uint32_t n;

	if (sa->sa_family == AF_INET)
		n = ((const struct sockaddr_in *)sa)->sin_addr.s_addr;
	else if (sa->sa_family == AF_INET6 &&
	    IN6_IS_ADDR_V4MAPPED(&sin6->sin6_addr))
		memcpy(&n, &sin6->sin6_addr.s6_addr[12], 4);
	else
		return 0;
	*a = ntohl(n);
	return 1;
}

/*
 * What an address is, from the special-purpose registries (RFC 6890),
 * judged once here; each caller chooses which kinds it refuses (timed's
 * listen.c and ratelimit.c). Bits, so that a choice is one mask.
 */
enum addr_kind {
	ADDR_UNICAST = 0,		/* one host: may ask and be asked */
	ADDR_THIS_NETWORK = 1 << 0,	/* 0.0.0.0/8; 0.0.0.0 binds "any" */
	ADDR_UNSPECIFIED = 1 << 1,	/* ::, likewise */
	ADDR_MULTICAST = 1 << 2,	/* 224.0.0.0/4, ff00::/8 */
	ADDR_BROADCAST = 1 << 3,	/* 255.255.255.255, the limited one */
	ADDR_RESERVED = 1 << 4,		/* the rest of 240.0.0.0/4 */
	ADDR_V4COMPAT = 1 << 5,		/* ::a.b.c.d, deprecated, routed nowhere */
};

/*
 * The kind of sa, IPv4 also when mapped into IPv6. A network's own
 * broadcast address (10.0.0.255 on 10.0.0.0/24) is unicast here: only the
 * host's interfaces tell it.
 */
enum addr_kind addr_kind(const struct sockaddr *);

#endif
