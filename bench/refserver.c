/*
 * refserver: the yardstick for make bench. An RFC 868 server written the
 * most direct way: epoll, accept4, one write, close; recvmmsg and sendmmsg
 * for UDP. No options, no checks, no limits: the cost floor.
 */
#include <sys/epoll.h>
#include <sys/socket.h>

#include <arpa/inet.h>
#include <err.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define BATCH 64

static void
pack_now(unsigned char b[4])
{
	uint32_t v = (uint32_t)((uint64_t)time(NULL) + 2208988800u);

	b[0] = v >> 24;
	b[1] = v >> 16;
	b[2] = v >> 8;
	b[3] = v;
}

static int
bound(int type, unsigned port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	int fd, on = 1;

	sin.sin_port = htons(port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((fd = socket(AF_INET, type | SOCK_NONBLOCK, 0)) == -1)
		err(1, "socket");
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1)
		err(1, "bind port %u", port);
	if (type == SOCK_STREAM && listen(fd, SOMAXCONN) == -1)
		err(1, "listen");
	return fd;
}

int
main(int argc, char *argv[])
{
	static struct mmsghdr msgs[BATCH];
	static struct iovec iov[BATCH];
	static struct sockaddr_storage peers[BATCH];
	static unsigned char bufs[BATCH][64];
	struct epoll_event ev = { .events = EPOLLIN }, events[2];
	unsigned char reply[4];
	int tcp, udp, ep, n, i, fd;

	if (argc != 2)
		errx(1, "usage: refserver port");
	signal(SIGPIPE, SIG_IGN);
	tcp = bound(SOCK_STREAM, atoi(argv[1]));
	udp = bound(SOCK_DGRAM, atoi(argv[1]));
	ep = epoll_create1(0);
	ev.data.fd = tcp;
	epoll_ctl(ep, EPOLL_CTL_ADD, tcp, &ev);
	ev.data.fd = udp;
	epoll_ctl(ep, EPOLL_CTL_ADD, udp, &ev);
	for (;;) {
		n = epoll_wait(ep, events, 2, -1);
		for (i = 0; i < n; i++) {
			if (events[i].data.fd == tcp) {
				pack_now(reply);
				while ((fd = accept4(tcp, NULL, NULL,
				    SOCK_NONBLOCK)) != -1) {
					(void)!write(fd, reply, 4);
					close(fd);
				}
				continue;
			}
			for (;;) {
				int j, got;

				for (j = 0; j < BATCH; j++) {
					iov[j].iov_base = bufs[j];
					iov[j].iov_len = sizeof(bufs[j]);
					memset(&msgs[j].msg_hdr, 0,
					    sizeof(msgs[j].msg_hdr));
					msgs[j].msg_hdr.msg_iov = &iov[j];
					msgs[j].msg_hdr.msg_iovlen = 1;
					msgs[j].msg_hdr.msg_name = &peers[j];
					msgs[j].msg_hdr.msg_namelen =
					    sizeof(peers[j]);
				}
				got = recvmmsg(udp, msgs, BATCH, MSG_DONTWAIT,
				    NULL);
				if (got <= 0)
					break;
				pack_now(reply);
				for (j = 0; j < got; j++) {
					iov[j].iov_base = reply;
					iov[j].iov_len = 4;
				}
				sendmmsg(udp, msgs, got, 0);
			}
		}
	}
}
