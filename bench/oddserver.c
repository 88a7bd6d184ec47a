/*
 * An RFC 868 server over UDP on loopback whose clock misbehaves on
 * purpose, for bench/subsecond: it runs AHEAD ms ahead of ours; with -l
 * it drops every other datagram, the first included; with -s STEP -t
 * AFTER its clock steps by STEP ms AFTER ms into a measurement; with -r
 * PPM it runs PPM parts per million fast from the start of a measurement.
 * SIGHUP starts a measurement (the first request after it is its start).
 * Each answer's offset, in ns, is written as a line to the file -o names,
 * so the benchmark knows the truth when the client printed. Bounded: it
 * exits after SECONDS.
 *
 * usage: oddserver [-l] [-a ahead] [-s step -t after] [-r ppm] -o file
 *            port seconds
 */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "../common/rfc868.h"

static volatile sig_atomic_t restart = 1;

static void
on_hup(int sig)
{
	(void)sig;
	restart = 1;
}

static int64_t
now_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (int64_t)ts.tv_sec * NS_PER_SECOND + ts.tv_nsec;
}

int
main(int argc, char *argv[])
{
	struct sockaddr_in addr = { .sin_family = AF_INET }, peer;
	int64_t ahead = 0, step = 0, after = -1, ppm = 0, start = 0, end;
	int64_t offset, since;
	unsigned char buf[512], reply[4];
	socklen_t peerlen;
	const char *out = NULL;
	struct pollfd pfd;
	int ch, lossy = 0, requests = 0, fd;
	FILE *f;

	while ((ch = getopt(argc, argv, "a:lo:r:s:t:")) != -1)
		switch (ch) {
		case 'a': ahead = atoll(optarg) * 1000000; break;
		case 'l': lossy = 1; break;
		case 'o': out = optarg; break;
		case 'r': ppm = atoll(optarg); break;
		case 's': step = atoll(optarg) * 1000000; break;
		case 't': after = atoll(optarg) * 1000000; break;
		default: goto usage;
		}
	if (argc - optind != 2 || out == NULL)
		goto usage;
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	addr.sin_port = htons(atoi(argv[optind]));
	end = now_ns(CLOCK_MONOTONIC) + atoll(argv[optind + 1]) * NS_PER_SECOND;
	signal(SIGHUP, on_hup);
	if ((fd = socket(AF_INET, SOCK_DGRAM, 0)) == -1 ||
	    bind(fd, (struct sockaddr *)&addr, sizeof(addr)) == -1) {
		perror("oddserver");
		return 1;
	}
	pfd.fd = fd;
	pfd.events = POLLIN;
	while (now_ns(CLOCK_MONOTONIC) < end) {
		if (poll(&pfd, 1, 100) != 1)
			continue;
		peerlen = sizeof(peer);
		if (recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&peer,
		    &peerlen) < 0)
			continue;
		if (restart) {
			restart = 0;
			start = now_ns(CLOCK_MONOTONIC);
			requests = 0;
		}
		if (lossy && requests++ % 2 == 0)
			continue;
		since = now_ns(CLOCK_MONOTONIC) - start;
		offset = ahead + since / 1000 * ppm / 1000;
		if (after >= 0 && since >= after)
			offset += step;
		rfc868_pack(rfc868_from_unix((now_ns(CLOCK_REALTIME) + offset) /
		    NS_PER_SECOND), reply);
		sendto(fd, reply, sizeof(reply), 0, (struct sockaddr *)&peer,
		    peerlen);
		if ((f = fopen(out, "a")) != NULL) {
			fprintf(f, "%lld\n", (long long)offset);
			fclose(f);
		}
	}
	return 0;
usage:
	fprintf(stderr, "usage: oddserver [-l] [-a ahead] [-s step -t after] "
	    "[-r ppm] -o file port seconds\n");
	return 1;
}
