/*
 * Sockets on loopback: free ports, queries over TCP and UDP, and fake
 * servers that misbehave as told.
 */
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../common/rfc868.h"
#include "proc.h"

#include "net.h"

static socklen_t
loopback(int family, unsigned port, struct sockaddr_storage *ss)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (family == AF_INET6) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_addr = in6addr_loopback;
		sin6->sin6_port = htons(port);
		return sizeof(*sin6);
	}
	sin->sin_family = AF_INET;
	sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sin->sin_port = htons(port);
	return sizeof(*sin);
}

/*
 * A loopback socket bound to port (listening, for TCP) into *fd, which the
 * caller closes. 0, or -1 with errno and no socket.
 */
int
port_bind(int family, int socktype, unsigned port, int *fd)
{
	struct sockaddr_storage ss;
	socklen_t len = loopback(family, port, &ss);
	int saved;

	*fd = socket(family, socktype | SOCK_CLOEXEC, 0);
	if (*fd == -1)
		return -1;
	if (bind(*fd, (struct sockaddr *)&ss, len) == 0 &&
	    (socktype != SOCK_STREAM || listen(*fd, 64) == 0))
		return 0;
	saved = errno;
	close(*fd);
	*fd = -1;
	errno = saved;
	return -1;
}

/*
 * Binds a loopback socket on a port the kernel picks and keeps it open in
 * *fd (the caller closes it), so the test owns a port nobody else has.
 */
int
port_free(int family, int socktype, unsigned *port, int *fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if (port_bind(family, socktype, 0, fd) == -1 ||
	    getsockname(*fd, (struct sockaddr *)&ss, &len) == -1)
		return -1;
	*port = ntohs(family == AF_INET6 ?
	    ((struct sockaddr_in6 *)&ss)->sin6_port :
	    ((struct sockaddr_in *)&ss)->sin_port);
	return 0;
}

/* Connects, reads to EOF. Returns the bytes read, or -1 on error/timeout. */
long
tcp_query(int family, unsigned port, unsigned char *buf, size_t size,
    int timeout_ms)
{
	struct sockaddr_storage ss;
	socklen_t len = loopback(family, port, &ss);
	struct timeval tv;
	size_t got = 0;
	ssize_t n = 0;
	int fd;

	tv.tv_sec = scale_ms(timeout_ms) / 1000;
	tv.tv_usec = scale_ms(timeout_ms) % 1000 * 1000;
	fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd == -1)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&ss, len) == -1) {
		close(fd);
		return -1;
	}
	while (got < size && (n = read(fd, buf + got, size - got)) > 0)
		got += n;
	if (got < size && n == -1) {
		close(fd);
		return -1;
	}
	close(fd);
	return got;
}

/* Sends one datagram, waits for one reply. -1 when none came in time. */
long
udp_query(int family, unsigned port, const void *request, size_t reqlen,
    unsigned char *buf, size_t size, int timeout_ms)
{
	struct sockaddr_storage ss;
	socklen_t len = loopback(family, port, &ss);
	struct pollfd pfd;
	ssize_t n = -1;
	int fd;

	fd = socket(family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd == -1)
		return -1;
	if (sendto(fd, request, reqlen, 0, (struct sockaddr *)&ss, len) ==
	    (ssize_t)reqlen) {
		pfd.fd = fd;
		pfd.events = POLLIN;
		if (poll(&pfd, 1, scale_ms(timeout_ms)) == 1)
			n = recv(fd, buf, size, 0);
	}
	close(fd);
	return n;
}

/* A UDP socket bound to src, for queries from a chosen source; errno. */
int
udp_from(const char *src, unsigned src_port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0), saved;

	sin.sin_port = htons(src_port);
	inet_pton(AF_INET, src, &sin.sin_addr);
	if (fd != -1 && bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1) {
		saved = errno;
		close(fd);
		errno = saved;
		return -1;
	}
	return fd;
}

/* An empty datagram from fd to 127.0.0.1 port: 0, or -1 with errno. */
int
udp_send_to_port(int fd, unsigned port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };

	sin.sin_port = htons(port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return sendto(fd, "", 0, 0, (struct sockaddr *)&sin, sizeof(sin)) == 0 ?
	    0 : -1;
}

/* Replies that came to fd, a wait_ms of quiet apart, each checked to be 4 bytes. */
int
udp_replies(int fd, int wait_ms)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	unsigned char reply[16];
	int n = 0;

	while (poll(&pfd, 1, scale_ms(wait_ms)) == 1) {
		ck_assert_int_eq(recv(fd, reply, sizeof(reply), 0), 4);
		n++;
	}
	return n;
}

/*
 * Starts a server in a child on a loopback port the kernel picks. TCP: for
 * each connection, serve(fd) and close. UDP: serve(fd, request, peer) for
 * each datagram. Returns the child's pid, or -1.
 */
static pid_t fake_serve(int, int, serve_fn);

pid_t
fake_server(int family, int socktype, serve_fn serve, unsigned *port)
{
	int fd;

	if (port_free(family, socktype, port, &fd) == -1)
		return -1;
	return fake_serve(fd, socktype, serve);
}

/*
 * The same on an IPv4 loopback address of the test's choice (127.0.0.2),
 * on *port, or on one the kernel picks when *port is 0.
 */
pid_t
fake_server_at(const char *address, int socktype, serve_fn serve,
    unsigned *port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	socklen_t len = sizeof(sin);
	int fd;

	sin.sin_port = htons(*port);
	if (inet_pton(AF_INET, address, &sin.sin_addr) != 1 ||
	    (fd = socket(AF_INET, socktype | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1 ||
	    getsockname(fd, (struct sockaddr *)&sin, &len) == -1) {
		close(fd);
		return -1;
	}
	*port = ntohs(sin.sin_port);
	return fake_serve(fd, socktype, serve);
}

/* The server's child, on the bound socket fd. */
static pid_t
fake_serve(int fd, int socktype, serve_fn serve)
{
	struct sockaddr_storage peer;
	socklen_t peerlen;
	unsigned char request[512];
	ssize_t n;
	pid_t pid;
	int conn;

	if (socktype == SOCK_STREAM)
		listen(fd, 64);
	pid = fork();
	if (pid != 0) {
		close(fd);
		return pid;
	}
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	signal(SIGPIPE, SIG_IGN);
	for (;;) {
		peerlen = sizeof(peer);
		if (socktype == SOCK_STREAM) {
			conn = accept(fd, (struct sockaddr *)&peer, &peerlen);
			if (conn == -1)
				continue;
			serve(conn, NULL, 0, &peer, peerlen);
			close(conn);
		} else {
			n = recvfrom(fd, request, sizeof(request), 0,
			    (struct sockaddr *)&peer, &peerlen);
			if (n >= 0)
				serve(fd, request, n, &peer, peerlen);
		}
	}
}

void
fake_server_stop(pid_t pid)
{
	if (pid > 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
}

int64_t
now_rfc868(void)
{
	return (int64_t)time(NULL) + RFC868_UNIX_EPOCH;
}

int64_t
rfc868_value(const unsigned char *b)
{
	return rfc868_unpack(b);
}
