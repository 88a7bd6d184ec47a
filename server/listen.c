/*
 * The listening sockets: opened for every address asked for, TCP and UDP,
 * or taken over from inetd or systemd.
 */
#include <sys/select.h>
#include <sys/socket.h>

#include <errno.h>
#include <ifaddrs.h>
#include <fcntl.h>
#include <limits.h>
#include <net/if.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../common/why.h"
#include "listen.h"

#define PORT_TRIES 16	/* -p 0: attempts to find one port free for all */
#define ONE_HOST	": timed answers only requests sent to this host alone"

/*
 * Whether a is the broadcast address of one of the host's IPv4 networks
 * (10.0.0.255 on 10.0.0.1/24, 127.255.255.255 on lo's 127.0.0.1/8): its
 * name into ifname. The kernel takes these as broadcast whatever the
 * interface says (lo has no broadcast flag), so they are worked out from
 * each address and netmask. A host whose addresses cannot be listed is
 * not judged here; the loop still answers no broadcast.
 */
static int
broadcast_of_an_interface(uint32_t a, char *ifname, size_t size)
{
	struct ifaddrs *ifa, *i;
	uint32_t addr, mask;
	int found = 0;

	if (getifaddrs(&ifa) == -1)
		return 0;
	for (i = ifa; i != NULL && !found; i = i->ifa_next) {
		if (i->ifa_addr == NULL || i->ifa_netmask == NULL ||
		    i->ifa_addr->sa_family != AF_INET)
			continue;
		addr = ntohl(((struct sockaddr_in *)i->ifa_addr)->sin_addr.s_addr);
		mask = ntohl(((struct sockaddr_in *)i->ifa_netmask)->
		    sin_addr.s_addr);
		/* /31 and /32 have no broadcast address (RFC 3021). */
		found = (mask & 2) == 0 && a == (addr | ~mask);
		if (found)
			strlcpy(ifname, i->ifa_name, size);
	}
	freeifaddrs(ifa);
	return found;
}

/*
 * Why a daemon listening on sa could never answer, or NULL: a multicast
 * or broadcast address (the limited one, or a network's) is where requests
 * go to every host at once, which timed does not answer (ratelimit.c), so
 * it would serve nobody. An
 * IPv4-mapped IPv6 address cannot be bound at all (EINVAL): said here, so
 * that -t refuses it as a start would.
 */
static const char *
address_useless(const struct sockaddr *sa)
{
	const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)sa;
	static char text[IFNAMSIZ + 64 + sizeof(ONE_HOST)];
	char ifname[IFNAMSIZ];
	uint32_t a;

	if (sa->sa_family == AF_INET6 && IN6_IS_ADDR_V4MAPPED(&sin6->sin6_addr))
		return "an IPv4-mapped IPv6 address (give the IPv4 address)";
	switch (addr_kind(sa)) {
	case ADDR_MULTICAST:
		return "multicast" ONE_HOST;
	case ADDR_BROADCAST:
		return "the broadcast address" ONE_HOST;
	default:	/* 0.0.0.0 and :: are "any"; the rest fail to bind */
		break;
	}
	if (addr_ipv4(sa, &a) &&
	    broadcast_of_an_interface(a, ifname, sizeof(ifname))) {
		snprintf(text, sizeof(text), "the broadcast address of %s"
		    ONE_HOST, ifname);
		return text;
	}
	return NULL;
}

/* The addresses of spec, resolved; every address when none is given. */
static int
addresses_collect(const struct listen_spec *spec, struct addr_list *list,
    struct why *why)
{
	struct sockaddr_in any4 = { .sin_family = AF_INET };
	struct sockaddr_in6 any6 = { .sin6_family = AF_INET6 };
	struct addrinfo hints, *res, *ai;
	const char *useless;
	size_t i;
	int error;

	memset(list, 0, sizeof(*list));
	if (spec->naddresses == 0) {
		any4.sin_addr.s_addr = htonl(INADDR_ANY);
		any6.sin6_addr = in6addr_any;
		if (spec->family != AF_INET6)
			addr_list_add(list, (struct sockaddr *)&any4,
			    sizeof(any4));
		if (spec->family != AF_INET)
			addr_list_add(list, (struct sockaddr *)&any6,
			    sizeof(any6));
		return 0;
	}
	for (i = 0; i < spec->naddresses; i++) {
		memset(&hints, 0, sizeof(hints));
		hints.ai_family = spec->family;
		hints.ai_socktype = SOCK_DGRAM;	/* one entry per address */
		hints.ai_flags = AI_PASSIVE;
		error = getaddrinfo(spec->addresses[i], NULL, &hints, &res);
		if (error != 0) {
			why_set(why, "address %s: %s",
			    spec->addresses[i], gai_strerror(error));
			return -1;
		}
		for (ai = res, useless = NULL; ai != NULL && useless == NULL;
		    ai = ai->ai_next)
			useless = address_useless(ai->ai_addr);
		if (useless == NULL)
			addr_list_add_all(list, res);
		freeaddrinfo(res);
		if (useless != NULL) {
			why_set(why, "address %s is %s", spec->addresses[i],
			    useless);
			return -1;
		}
	}
	if (list->left_out > 0) {
		why_set(why, "too many addresses to listen on (at most "
		    "%d)", ADDR_LIST_MAX);
		return -1;
	}
	return 0;
}

/*
 * Whether spec's addresses can be listened on, as listen_open() would judge
 * them, without a socket: 0, or -1 with why (timed -t).
 */
int
listen_check(const struct listen_spec *spec, struct why *why)
{
	struct addr_list list;

	return addresses_collect(spec, &list, why);
}

/* "tcp ::1 port 8037", for logs. */
static void
listener_name(struct listener *l, const struct sockaddr *sa)
{
	char host[ADDR_TEXT_MAX];

	addr_text(sa, host, sizeof(host), NULL);
	snprintf(l->name, sizeof(l->name), "%s %s port %u",
	    socktype_name(l->socktype), host, l->port);
}

/*
 * Each datagram then says where it was sent, so that its reply leaves from
 * there and one sent to a broadcast address can be told (serve.c). On a
 * dual-stack socket IP_PKTINFO adds, for IPv4 clients, the local address
 * the kernel would answer from. 0, or -1 with errno.
 */
static int
pktinfo_enable(int fd, int family, int dual_stack)
{
	int on = 1;

	if (family == AF_INET6) {
		if (setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &on,
		    sizeof(on)) == -1)
			return -1;
		if (!dual_stack)
			return 0;
	}
	return setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &on, sizeof(on));
}

/*
 * One socket, bound and listening. Returns its descriptor, or -1 with errno
 * kept for the caller and the step that failed in *step.
 */
static int
socket_bound(const struct sockaddr_storage *addr, socklen_t addrlen,
    int socktype, const char **step)
{
	int fd, on = 1, saved;

	*step = "socket";
	fd = socket(addr->ss_family, socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1)
		return -1;
	if (fd >= FD_SETSIZE) {		/* select(2) cannot watch it */
		close(fd);
		errno = EMFILE;
		return -1;
	}
	*step = "setsockopt";
	/* Separate IPv4 and IPv6 sockets: each family shows its own peers. */
	if (addr->ss_family == AF_INET6 && setsockopt(fd, IPPROTO_IPV6,
	    IPV6_V6ONLY, &on, sizeof(on)) == -1)
		goto fail;
	if (socktype == SOCK_DGRAM &&
	    pktinfo_enable(fd, addr->ss_family, 0) == -1)
		goto fail;
	/* A restart must not wait for the last run's TIME_WAIT to clear. */
	if (socktype == SOCK_STREAM && setsockopt(fd, SOL_SOCKET,
	    SO_REUSEADDR, &on, sizeof(on)) == -1)
		goto fail;
	*step = "bind";
	if (bind(fd, (const struct sockaddr *)addr, addrlen) == -1)
		goto fail;
	*step = "listen";
	/* SOMAXCONN: a short queue makes clients wait seconds under load. */
	if (socktype == SOCK_STREAM && listen(fd, SOMAXCONN) == -1)
		goto fail;
	return fd;
fail:
	saved = errno;
	close(fd);
	errno = saved;
	return -1;
}

/* The port the kernel gave a socket bound to port 0. */
static unsigned
socket_port(int fd)
{
	struct sockaddr_storage ss;
	socklen_t sslen = sizeof(ss);
	char host[ADDR_TEXT_MAX];
	unsigned port = 0;

	if (getsockname(fd, (struct sockaddr *)&ss, &sslen) == 0)
		addr_text((struct sockaddr *)&ss, host, sizeof(host), &port);
	return port;
}

/*
 * One listener on addr and port. Returns 0, or an errno value with a
 * message naming the socket in why.
 */
static int
listener_make(struct sockaddr_storage *addr, socklen_t addrlen, int socktype,
    unsigned port, struct listener *listener, struct why *why)
{
	char host[ADDR_TEXT_MAX];
	const char *step, *hint = "";
	int error;

	addr_set_port(addr, port);
	memset(listener, 0, sizeof(*listener));
	listener->socktype = socktype;
	listener->dual_stack = 0;	/* IPV6_V6ONLY */
	listener->fd = socket_bound(addr, addrlen, socktype, &step);
	if (listener->fd != -1) {
		listener->port = port != 0 ? port : socket_port(listener->fd);
		listener_name(listener, (struct sockaddr *)addr);
		return 0;
	}
	error = errno;
	if ((error == EACCES || error == EPERM) && port > 0 && port < 1024)
		hint = " (ports below 1024 need root or CAP_NET_BIND_SERVICE;"
		    " try -p 8037)";
	addr_text((struct sockaddr *)addr, host, sizeof(host), NULL);
	why_set(why, "%s %s %s port %u: %s%s", step,
	    socktype_name(socktype), host, port, strerror(error), hint);
	return error;
}

void
listen_close(struct listener *listeners, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		close(listeners[i].fd);
}

/*
 * Every socket of spec on one port. Returns how many, or -1 with a message
 * in why and *retry set when another port may succeed. A wildcard address
 * a host lacks (no IPv6) is passed over, said in why->note.
 */
static int
listen_one_port(const struct listen_spec *spec, struct addr_list *list,
    struct listener *listeners, size_t max, struct why *why, int *retry)
{
	static const int socktypes[] = { SOCK_STREAM, SOCK_DGRAM };
	unsigned port = spec->port;
	size_t i, t, n = 0;
	int error;

	*retry = 0;
	for (i = 0; i < list->n; i++) {
		for (t = 0; t < 2; t++) {
			if ((socktypes[t] == SOCK_STREAM && !spec->tcp) ||
			    (socktypes[t] == SOCK_DGRAM && !spec->udp))
				continue;
			if (n == max) {
				why_set(why, "too many sockets "
				    "(at most %zu)", max);
				goto fail;
			}
			error = listener_make(&list->addr[i], list->len[i],
			    socktypes[t], port, &listeners[n], why);
			if (error != 0 && spec->naddresses == 0 &&
			    (error == EAFNOSUPPORT || error == EADDRNOTAVAIL)) {
				snprintf(why->note, sizeof(why->note),
				    "not listening: %.*s", WHY_MAX - 16,
				    why->text);
				continue;
			}
			if (error != 0) {
				/* The port the kernel chose for the first. */
				*retry = spec->port == 0 && n > 0 &&
				    error == EADDRINUSE;
				goto fail;
			}
			port = listeners[n].port;
			n++;
		}
	}
	if (n == 0) {
		why_set(why, "no address to listen on");
		return -1;
	}
	return (int)n;
fail:
	listen_close(listeners, n);
	return -1;
}

/*
 * Opens a socket for every address and protocol in spec. With port 0 the
 * kernel picks a port for the first and the rest take the same, so one port
 * serves TCP and UDP alike. Returns how many, or -1 with a message in why;
 * what was passed over is said in why->note (empty if nothing).
 */
int
listen_open(const struct listen_spec *spec, struct listener *listeners,
    size_t max, struct why *why)
{
	struct addr_list list;
	int try, retry, n;

	why->note[0] = '\0';
	if (addresses_collect(spec, &list, why) == -1)
		return -1;
	for (try = 0; try < PORT_TRIES; try++) {
		n = listen_one_port(spec, &list, listeners, max, why, &retry);
		if (n != -1 || !retry)
			return n;
	}
	return -1;
}

/*
 * A socket handed over by inetd or systemd: its type and address are read
 * from the socket itself. *connected tells a TCP connection (inetd's
 * "nowait") from a listening socket. Returns 0, or -1 with why.
 */
int
listen_inherit(int fd, struct listener *l, int *connected, struct why *why)
{
	struct sockaddr_storage ss;
	socklen_t sslen = sizeof(ss), optlen = sizeof(int);
	int type, accepting = 0, v6only = 1, flags;

	memset(&ss, 0, sizeof(ss));
	memset(l, 0, sizeof(*l));
	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &optlen) == -1) {
		why_set(why, "descriptor %d is not a socket", fd);
		return -1;
	}
	if (type != SOCK_STREAM && type != SOCK_DGRAM) {
		why_set(why, "descriptor %d is neither a stream nor a "
		    "datagram socket", fd);
		return -1;
	}
	if (getsockname(fd, (struct sockaddr *)&ss, &sslen) == -1 ||
	    (ss.ss_family != AF_INET && ss.ss_family != AF_INET6)) {
		why_set(why, "descriptor %d is not an IPv4 or IPv6 "
		    "socket", fd);
		return -1;
	}
	optlen = sizeof(accepting);
	if (type == SOCK_STREAM && getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN,
	    &accepting, &optlen) == -1)
		accepting = 0;
	*connected = type == SOCK_STREAM && !accepting;
	/* Its IPv4 clients show as ::ffff:a.b.c.d, and are real. */
	optlen = sizeof(v6only);
	if (ss.ss_family == AF_INET6 && getsockopt(fd, IPPROTO_IPV6,
	    IPV6_V6ONLY, &v6only, &optlen) == -1)
		v6only = 1;
	l->dual_stack = ss.ss_family == AF_INET6 && !v6only;
	if (type == SOCK_DGRAM &&
	    pktinfo_enable(fd, ss.ss_family, l->dual_stack) == -1) {
		why_set(why, "descriptor %d: packet info: %s", fd,
		    strerror(errno));
		return -1;
	}
	if ((flags = fcntl(fd, F_GETFL)) == -1 ||
	    fcntl(fd, F_SETFL, flags | O_NONBLOCK) == -1 ||
	    fcntl(fd, F_SETFD, FD_CLOEXEC) == -1) {
		why_set(why, "descriptor %d: %s", fd, strerror(errno));
		return -1;
	}
	if (fd >= FD_SETSIZE) {
		why_set(why, "descriptor %d is too high for select",
		    fd);
		return -1;
	}
	l->fd = fd;
	l->socktype = type;
	l->port = ntohs(ss.ss_family == AF_INET6 ?
	    ((struct sockaddr_in6 *)&ss)->sin6_port :
	    ((struct sockaddr_in *)&ss)->sin_port);
	listener_name(l, (struct sockaddr *)&ss);
	return 0;
}

/*
 * systemd's socket activation: LISTEN_FDS sockets from descriptor 3 on,
 * when LISTEN_PID is ours. Returns how many, 0 when not activated, or -1
 * with why.
 */
int
listen_activated(struct listener *listeners, size_t max, struct why *why)
{
	const char *pid = getenv("LISTEN_PID"), *fds = getenv("LISTEN_FDS");
	const char *errstr;
	int n, i, connected;

	if (pid == NULL || fds == NULL ||
	    strtonum(pid, 1, INT_MAX, NULL) != getpid())
		return 0;
	n = (int)strtonum(fds, 1, (long long)max, &errstr);
	if (errstr != NULL) {
		why_set(why, "LISTEN_FDS=%s is %s", fds, errstr);
		return -1;
	}
	unsetenv("LISTEN_PID");
	unsetenv("LISTEN_FDS");
	unsetenv("LISTEN_FDNAMES");
	for (i = 0; i < n; i++) {
		if (listen_inherit(3 + i, &listeners[i], &connected, why) == -1)
			return -1;
		if (connected) {
			why_set(why, "descriptor %d is a connection,"
			    " not a listening socket (use Accept=no)", 3 + i);
			return -1;
		}
	}
	return n;
}
