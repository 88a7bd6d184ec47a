#include <sys/socket.h>

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"

/*
 * A port is a number from 0 to 65535 or a name from services(5). Returns 0,
 * or -1 with *errstr completing "port %s is %s".
 */
int
port_parse(const char *text, unsigned *port, const char **errstr)
{
	const char *numerr;
	struct servent *service;
	long long number;

	number = strtonum(text, 0, 65535, &numerr);
	if (numerr == NULL) {
		*port = number;
		return 0;
	}
	if (strcmp(numerr, "invalid") != 0) {
		*errstr = numerr;	/* "too large", "too small" */
		return -1;
	}
	if (*text != '\0' && (service = getservbyname(text, NULL)) != NULL) {
		*port = ntohs(service->s_port);
		return 0;
	}
	*errstr = "not a number or a known service";
	return -1;
}

static const char *
text_of(const struct sockaddr *sa, char *host, size_t hostlen, unsigned *port,
    int scope_number)
{
	const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)sa;
	const struct sockaddr_in *sin = (const struct sockaddr_in *)sa;
	char scope[16];
	socklen_t salen;

	salen = sa->sa_family == AF_INET6 ? sizeof(*sin6) : sizeof(*sin);
	if (scope_number && sa->sa_family == AF_INET6 &&
	    sin6->sin6_scope_id != 0) {
		if (inet_ntop(AF_INET6, &sin6->sin6_addr, host, hostlen) ==
		    NULL)
			strlcpy(host, "?", hostlen);
		snprintf(scope, sizeof(scope), "%%%u",
		    (unsigned)sin6->sin6_scope_id);
		strlcat(host, scope, hostlen);
	} else if (getnameinfo(sa, salen, host, hostlen, NULL, 0,
	    NI_NUMERICHOST) != 0)
		strlcpy(host, "?", hostlen);
	if (port != NULL)
		*port = ntohs(sa->sa_family == AF_INET6 ? sin6->sin6_port :
		    sin->sin_port);
	return host;
}

/*
 * The numeric host of an address, and its port through *port if asked; a
 * link-local address with its interface's name (fe80::1%eth0).
 */
const char *
addr_text(const struct sockaddr *sa, char *host, size_t hostlen, unsigned *port)
{
	return text_of(sa, host, hostlen, port, 0);
}

/*
 * The same, a link-local address with its interface's number (fe80::1%2):
 * getnameinfo(3) opens a socket to name it (if_indextoname(3)), which timed's
 * system call filter does not allow once it serves.
 */
const char *
addr_text_numeric(const struct sockaddr *sa, char *host, size_t hostlen,
    unsigned *port)
{
	return text_of(sa, host, hostlen, port, 1);
}

void
addr_set_port(struct sockaddr_storage *ss, unsigned port)
{
	if (ss->ss_family == AF_INET6)
		((struct sockaddr_in6 *)ss)->sin6_port = htons(port);
	else
		((struct sockaddr_in *)ss)->sin_port = htons(port);
}

/* Adds sa unless it is there already ("-l ::1 -l localhost": ::1 once). */
void
addr_list_add(struct addr_list *list, const struct sockaddr *sa,
    socklen_t salen)
{
	size_t i;

	if (salen > sizeof(list->addr[0]))
		return;
	for (i = 0; i < list->n; i++)
		if (list->len[i] == salen &&
		    memcmp(&list->addr[i], sa, salen) == 0)
			return;
	if (list->n == ADDR_LIST_MAX) {
		list->left_out++;
		return;
	}
	memset(&list->addr[list->n], 0, sizeof(list->addr[0]));
	memcpy(&list->addr[list->n], sa, salen);
	list->len[list->n++] = salen;
}

/* The IPv4 and IPv6 addresses of a getaddrinfo(3) answer. */
void
addr_list_add_all(struct addr_list *list, const struct addrinfo *res)
{
	for (; res != NULL; res = res->ai_next)
		if (res->ai_family == AF_INET || res->ai_family == AF_INET6)
			addr_list_add(list, res->ai_addr, res->ai_addrlen);
}

/* The key of sa: IPv4 as ::ffff:a.b.c.d, so that both spellings meet. */
void
addr_key_of(const struct sockaddr *sa, struct addr_key *k)
{
	const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)sa;
	uint32_t v4;

	memset(k, 0, sizeof(*k));
	if (addr_ipv4(sa, &v4)) {
		k->a[10] = k->a[11] = 0xff;
		v4 = htonl(v4);
		memcpy(&k->a[12], &v4, 4);
	} else if (sa->sa_family == AF_INET6) {
		memcpy(k->a, &sin6->sin6_addr, 16);
		k->scope = sin6->sin6_scope_id;
	}
}

const char *
socktype_name(int socktype)
{
	return socktype == SOCK_STREAM ? "tcp" : "udp";
}

/* What kind of address sa is (addr.h). */
enum addr_kind
addr_kind(const struct sockaddr *sa)
{
	const struct in6_addr *a6;
	uint32_t a;

	if (addr_ipv4(sa, &a)) {
		if ((a >> 24) == 0)
			return ADDR_THIS_NETWORK;
		if (IN_MULTICAST(a))
			return ADDR_MULTICAST;
		if (a == INADDR_BROADCAST)
			return ADDR_BROADCAST;
		return (a >> 28) == 0xF ? ADDR_RESERVED : ADDR_UNICAST;
	}
	if (sa->sa_family != AF_INET6)
		return ADDR_UNICAST;
	a6 = &((const struct sockaddr_in6 *)sa)->sin6_addr;
	if (IN6_IS_ADDR_UNSPECIFIED(a6))
		return ADDR_UNSPECIFIED;
	if (IN6_IS_ADDR_MULTICAST(a6))
		return ADDR_MULTICAST;
	/*
	 * ::a.b.c.d past ::1, as glibc's IN6_IS_ADDR_V4COMPAT has it; musl's
	 * looks at the last byte alone, and takes ::10.0.0.1 for unicast.
	 */
	memcpy(&a, &a6->s6_addr[12], sizeof(a));
	return memcmp(a6->s6_addr, "\0\0\0\0\0\0\0\0\0\0\0\0", 12) == 0 &&
	    ntohl(a) > 1 ? ADDR_V4COMPAT : ADDR_UNICAST;
}
