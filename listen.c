/*
 * The listening sockets: opened for every address asked for, TCP and UDP,
 * or taken over from inetd or systemd.
 */
#include <sys/select.h>
#include <sys/socket.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "timed.h"

#define PORT_TRIES 16	/* -p 0: attempts to find one port free for all */

struct endpoint {
	struct sockaddr_storage addr;
	socklen_t addrlen;
	int wildcard;		/* chosen by default, not named by the user */
};

static int
endpoint_add(struct endpoint *endpoints, size_t *n, const struct sockaddr *sa,
    socklen_t salen, int wildcard)
{
	size_t i;

	for (i = 0; i < *n; i++)	/* "-l ::1 -l localhost" binds ::1 once */
		if (endpoints[i].addrlen == salen &&
		    memcmp(&endpoints[i].addr, sa, salen) == 0)
			return 0;
	if (*n == ADDRESSES_MAX)
		return -1;
	memcpy(&endpoints[*n].addr, sa, salen);
	endpoints[*n].addrlen = salen;
	endpoints[*n].wildcard = wildcard;
	(*n)++;
	return 0;
}

static int
endpoints_collect(const struct listen_spec *spec, struct endpoint *endpoints,
    size_t *n, char *err, size_t errlen)
{
	struct sockaddr_in any4 = { .sin_family = AF_INET };
	struct sockaddr_in6 any6 = { .sin6_family = AF_INET6 };
	struct addrinfo hints, *res, *ai;
	size_t i;
	int error;

	*n = 0;
	if (spec->naddresses == 0) {
		any4.sin_addr.s_addr = htonl(INADDR_ANY);
		any6.sin6_addr = in6addr_any;
		if (spec->family != AF_INET6)
			endpoint_add(endpoints, n, (struct sockaddr *)&any4,
			    sizeof(any4), 1);
		if (spec->family != AF_INET)
			endpoint_add(endpoints, n, (struct sockaddr *)&any6,
			    sizeof(any6), 1);
		return 0;
	}
	for (i = 0; i < spec->naddresses; i++) {
		memset(&hints, 0, sizeof(hints));
		hints.ai_family = spec->family;
		hints.ai_socktype = SOCK_DGRAM;	/* one entry per address */
		hints.ai_flags = AI_PASSIVE;
		error = getaddrinfo(spec->addresses[i], NULL, &hints, &res);
		if (error != 0) {
			snprintf(err, errlen, "address %s: %s",
			    spec->addresses[i], gai_strerror(error));
			return -1;
		}
		for (ai = res; ai != NULL; ai = ai->ai_next) {
			if (ai->ai_family != AF_INET &&
			    ai->ai_family != AF_INET6)
				continue;
			if (endpoint_add(endpoints, n, ai->ai_addr,
			    ai->ai_addrlen, 0) == -1) {
				freeaddrinfo(res);
				snprintf(err, errlen, "too many addresses to "
				    "listen on (at most %d)", ADDRESSES_MAX);
				return -1;
			}
		}
		freeaddrinfo(res);
	}
	return 0;
}

static void
endpoint_set_port(struct endpoint *endpoint, unsigned port)
{
	if (endpoint->addr.ss_family == AF_INET6)
		((struct sockaddr_in6 *)&endpoint->addr)->sin6_port =
		    htons(port);
	else
		((struct sockaddr_in *)&endpoint->addr)->sin_port = htons(port);
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
socket_open(const struct endpoint *endpoint, int socktype, const char **step)
{
	int fd, on = 1, saved;

	*step = "socket";
	fd = socket(endpoint->addr.ss_family,
	    socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1)
		return -1;
	if (fd >= FD_SETSIZE) {		/* select(2) cannot watch it */
		close(fd);
		errno = EMFILE;
		return -1;
	}
	*step = "setsockopt";
	/* Separate IPv4 and IPv6 sockets: each family shows its own peers. */
	if (endpoint->addr.ss_family == AF_INET6 && setsockopt(fd,
	    IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof(on)) == -1)
		goto fail;
	if (socktype == SOCK_DGRAM &&
	    pktinfo_enable(fd, endpoint->addr.ss_family, 0) == -1)
		goto fail;
	/* A restart must not wait for the last run's TIME_WAIT to clear. */
	if (socktype == SOCK_STREAM && setsockopt(fd, SOL_SOCKET,
	    SO_REUSEADDR, &on, sizeof(on)) == -1)
		goto fail;
	*step = "bind";
	if (bind(fd, (const struct sockaddr *)&endpoint->addr,
	    endpoint->addrlen) == -1)
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
 * Opens one listener on endpoint and port. Returns 0, or an errno value with
 * a message naming the socket in err.
 */
static int
listener_open(struct endpoint *endpoint, int socktype, unsigned port,
    struct listener *listener, char *err, size_t errlen)
{
	char host[ADDR_TEXT_MAX];
	const char *step, *hint = "";
	int error;

	endpoint_set_port(endpoint, port);
	addr_text((struct sockaddr *)&endpoint->addr, host, sizeof(host), NULL);
	listener->socktype = socktype;
	listener->dual_stack = 0;	/* IPV6_V6ONLY */
	listener->fd = socket_open(endpoint, socktype, &step);
	if (listener->fd != -1) {
		listener->port = port != 0 ? port : socket_port(listener->fd);
		snprintf(listener->name, sizeof(listener->name),
		    "%s %s port %u", socktype_name(socktype), host,
		    listener->port);
		return 0;
	}
	error = errno;
	if ((error == EACCES || error == EPERM) && port > 0 && port < 1024)
		hint = " (ports below 1024 need root or CAP_NET_BIND_SERVICE;"
		    " try -p 8037)";
	snprintf(err, errlen, "%s %s %s port %u: %s%s", step,
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
 * One attempt at opening every socket on one port. Returns how many, or -1
 * with a message in err and *retry set when another port may succeed.
 */
static int
listen_attempt(const struct listen_spec *spec, struct endpoint *endpoints,
    size_t nendpoints, struct listener *listeners, size_t max, char *err,
    size_t errlen, int *retry)
{
	static const int socktypes[] = { SOCK_STREAM, SOCK_DGRAM };
	unsigned port = spec->port;
	size_t i, t, n = 0;
	int error;

	*retry = 0;
	for (i = 0; i < nendpoints; i++) {
		for (t = 0; t < 2; t++) {
			if ((socktypes[t] == SOCK_STREAM && !spec->tcp) ||
			    (socktypes[t] == SOCK_DGRAM && !spec->udp))
				continue;
			if (n == max) {
				snprintf(err, errlen, "too many sockets "
				    "(at most %zu)", max);
				goto fail;
			}
			error = listener_open(&endpoints[i], socktypes[t], port,
			    &listeners[n], err, errlen);
			/* A host without IPv6 still serves IPv4. */
			if (error != 0 && endpoints[i].wildcard &&
			    (error == EAFNOSUPPORT || error == EADDRNOTAVAIL)) {
				log_warnx("not listening: %s", err);
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
		snprintf(err, errlen, "no address to listen on");
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
 * serves TCP and UDP alike. Returns how many, or -1 with a message in err.
 */
int
listen_open(const struct listen_spec *spec, struct listener *listeners,
    size_t max, char *err, size_t errlen)
{
	struct endpoint endpoints[ADDRESSES_MAX];
	size_t nendpoints;
	int try, retry, n;

	if (endpoints_collect(spec, endpoints, &nendpoints, err, errlen) == -1)
		return -1;
	for (try = 0; try < PORT_TRIES; try++) {
		n = listen_attempt(spec, endpoints, nendpoints, listeners, max,
		    err, errlen, &retry);
		if (n != -1 || !retry)
			return n;
	}
	return -1;
}

/*
 * A socket handed over by inetd or systemd: its type and address are read
 * from the socket itself. *connected tells a TCP connection (inetd's
 * "nowait") from a listening socket. Returns 0, or -1 with why in err.
 */
int
listen_inherit(int fd, struct listener *l, int *connected, char *err,
    size_t errlen)
{
	struct sockaddr_storage ss;
	socklen_t sslen = sizeof(ss), optlen = sizeof(int);
	char host[ADDR_TEXT_MAX];
	int type, accepting = 0, v6only = 1;

	memset(&ss, 0, sizeof(ss));
	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &optlen) == -1) {
		snprintf(err, errlen, "descriptor %d is not a socket", fd);
		return -1;
	}
	if (type != SOCK_STREAM && type != SOCK_DGRAM) {
		snprintf(err, errlen, "descriptor %d is neither a stream nor a "
		    "datagram socket", fd);
		return -1;
	}
	if (getsockname(fd, (struct sockaddr *)&ss, &sslen) == -1 ||
	    (ss.ss_family != AF_INET && ss.ss_family != AF_INET6)) {
		snprintf(err, errlen, "descriptor %d is not an IPv4 or IPv6 "
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
		snprintf(err, errlen, "descriptor %d: packet info: %s", fd,
		    strerror(errno));
		return -1;
	}
	if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) == -1 ||
	    fcntl(fd, F_SETFD, FD_CLOEXEC) == -1) {
		snprintf(err, errlen, "descriptor %d: %s", fd, strerror(errno));
		return -1;
	}
	if (fd >= FD_SETSIZE) {
		snprintf(err, errlen, "descriptor %d is too high for select",
		    fd);
		return -1;
	}
	l->fd = fd;
	l->socktype = type;
	addr_text((struct sockaddr *)&ss, host, sizeof(host), &l->port);
	snprintf(l->name, sizeof(l->name), "%s %s port %u",
	    socktype_name(type), host, l->port);
	return 0;
}

/*
 * systemd's socket activation: LISTEN_FDS sockets from descriptor 3 on,
 * when LISTEN_PID is ours. Returns how many, 0 when not activated, or -1
 * with why in err.
 */
int
listen_activated(struct listener *listeners, size_t max, char *err,
    size_t errlen)
{
	const char *pid = getenv("LISTEN_PID"), *fds = getenv("LISTEN_FDS");
	const char *errstr;
	int n, i, connected;

	if (pid == NULL || fds == NULL ||
	    strtonum(pid, 1, INT_MAX, NULL) != getpid())
		return 0;
	n = (int)strtonum(fds, 1, (long long)max, &errstr);
	if (errstr != NULL) {
		snprintf(err, errlen, "LISTEN_FDS=%s is %s", fds, errstr);
		return -1;
	}
	unsetenv("LISTEN_PID");
	unsetenv("LISTEN_FDS");
	unsetenv("LISTEN_FDNAMES");
	for (i = 0; i < n; i++) {
		if (listen_inherit(3 + i, &listeners[i], &connected, err,
		    errlen) == -1)
			return -1;
		if (connected) {
			snprintf(err, errlen, "descriptor %d is a connection,"
			    " not a listening socket (use Accept=no)", 3 + i);
			return -1;
		}
	}
	return n;
}
