/*
 * A UDP relay on loopback that delays every datagram, each way, by a delay
 * and a uniform jitter: for bench/subsecond where the kernel has no netem.
 * Each client address gets a socket of its own towards the server, so the
 * replies find their way back. Bounded: it exits after SECONDS.
 *
 * usage: delayrelay listen-port server-port delay-ms jitter-ms seconds
 * With listen-port 0 the kernel picks one; the port is printed either way.
 */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define CLIENTS		256
#define PENDING		1024
#define DGRAM_MAX	512

struct client {
	struct sockaddr_in addr;
	int fd;			/* connected to the server */
	int64_t used_ns;
};

/*
 * A datagram on its way. It names its client by address, not by slot: a
 * slot may be given to another client meanwhile, and a late reply must
 * never reach a socket that did not ask (which would pair it with another
 * request's send time).
 */
struct pending {
	int64_t due_ns;
	int to_server;
	struct sockaddr_in client;
	size_t len;
	unsigned char data[DGRAM_MAX];
};

static struct client clients[CLIENTS];
static struct pending queue[PENDING];
static int nclients, npending;
static int64_t delay_ns, jitter_ns;

static int64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void
enqueue(int to_server, const struct sockaddr_in *client,
    const unsigned char *data, size_t len)
{
	struct pending *p;

	if (npending == PENDING || len > DGRAM_MAX)
		return;			/* dropped, as a full link would */
	p = &queue[npending++];
	p->due_ns = now_ns() + delay_ns + (jitter_ns > 0 ?
	    (int64_t)(arc4random_uniform(2 * (uint32_t)(jitter_ns / 1000) + 1))
	    * 1000 - jitter_ns : 0);
	p->to_server = to_server;
	p->client = *client;
	p->len = len;
	memcpy(p->data, data, len);
}

static int
client_find(const struct sockaddr_in *addr)
{
	int i;

	for (i = 0; i < nclients; i++)
		if (clients[i].addr.sin_port == addr->sin_port &&
		    clients[i].addr.sin_addr.s_addr == addr->sin_addr.s_addr)
			return i;
	return -1;
}

/*
 * The client's slot, made (with its socket to the server) if new, in place
 * of the one unused longest when all are taken.
 */
static int
client_of(const struct sockaddr_in *from, const struct sockaddr_in *server)
{
	int i, oldest = 0, fd;

	if ((i = client_find(from)) != -1) {
		clients[i].used_ns = now_ns();
		return i;
	}
	if (nclients == CLIENTS) {
		for (i = 1; i < CLIENTS; i++)
			if (clients[i].used_ns < clients[oldest].used_ns)
				oldest = i;
		i = oldest;
	} else
		i = nclients++;
	if (clients[i].fd > 0)
		close(clients[i].fd);
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	if (fd == -1 || connect(fd, (const struct sockaddr *)server,
	    sizeof(*server)) == -1) {
		perror("delayrelay: server socket");
		exit(1);
	}
	clients[i].addr = *from;
	clients[i].fd = fd;
	clients[i].used_ns = now_ns();
	return i;
}

int
main(int argc, char *argv[])
{
	struct sockaddr_in front_addr = { .sin_family = AF_INET };
	struct sockaddr_in server = { .sin_family = AF_INET }, from;
	struct pollfd pfd[CLIENTS + 1];
	unsigned char buf[DGRAM_MAX];
	socklen_t fromlen;
	int64_t end, next;
	ssize_t n;
	int front, i, c, timeout;

	if (argc != 6) {
		fprintf(stderr, "usage: delayrelay listen-port server-port "
		    "delay-ms jitter-ms seconds\n");
		return 1;
	}
	front_addr.sin_addr.s_addr = server.sin_addr.s_addr =
	    htonl(INADDR_LOOPBACK);
	front_addr.sin_port = htons(atoi(argv[1]));
	server.sin_port = htons(atoi(argv[2]));
	delay_ns = atoll(argv[3]) * 1000000;
	jitter_ns = atoll(argv[4]) * 1000000;
	end = now_ns() + atoll(argv[5]) * 1000000000;
	front = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	if (front == -1 || bind(front, (struct sockaddr *)&front_addr,
	    sizeof(front_addr)) == -1) {
		perror("delayrelay: listen");
		return 1;
	}
	/* Port 0: the kernel's choice, said for the caller (the tests). */
	fromlen = sizeof(from);
	if (getsockname(front, (struct sockaddr *)&from, &fromlen) == 0) {
		printf("port %u\n", ntohs(from.sin_port));
		fflush(stdout);
	}
	while (now_ns() < end) {
		/* Send what is due, soonest first. */
		for (i = 0; i < npending; i++) {
			if (queue[i].due_ns > now_ns())
				continue;
			c = client_find(&queue[i].client);
			if (queue[i].to_server && c != -1)
				send(clients[c].fd, queue[i].data, queue[i].len,
				    0);
			else if (!queue[i].to_server)
				sendto(front, queue[i].data, queue[i].len, 0,
				    (struct sockaddr *)&queue[i].client,
				    sizeof(queue[i].client));
			queue[i--] = queue[--npending];
		}
		next = end;
		for (i = 0; i < npending; i++)
			if (queue[i].due_ns < next)
				next = queue[i].due_ns;
		timeout = (int)((next - now_ns()) / 1000000);
		pfd[0].fd = front;
		pfd[0].events = POLLIN;
		for (i = 0; i < nclients; i++) {
			pfd[i + 1].fd = clients[i].fd;
			pfd[i + 1].events = POLLIN;
		}
		if (poll(pfd, nclients + 1, timeout > 0 ? timeout : 0) <= 0)
			continue;
		if (pfd[0].revents & POLLIN) {
			fromlen = sizeof(from);
			n = recvfrom(front, buf, sizeof(buf), 0,
			    (struct sockaddr *)&from, &fromlen);
			if (n >= 0) {
				client_of(&from, &server);
				enqueue(1, &from, buf, n);
			}
		}
		for (i = 0; i < nclients; i++)
			if (pfd[i + 1].revents & POLLIN &&
			    (n = recv(clients[i].fd, buf, sizeof(buf), 0)) >= 0)
				enqueue(0, &clients[i].addr, buf, n);
	}
	return 0;
}
