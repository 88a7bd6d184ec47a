/*
 * SNTP, RFC 4330. The request's transmit timestamp is a random cookie, not
 * our clock: the server echoes it as the originate timestamp, so a reply that
 * does not carry it is not an answer to us (and our clock is not disclosed).
 */
#include <ctype.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "../common/rfc868.h"
#include "../common/why.h"
#include "sntp.h"

#define LI_ALARM	3	/* leap indicator: clock not synchronized */
#define MODE_CLIENT	3
#define MODE_SERVER	4
#define NTP_VERSION	4
#define ROOT_DELAY	4
#define ROOT_DISPERSION	8
#define REFERENCE_ID	12
#define ORIGINATE	24
#define RECEIVE		32
#define TRANSMIT	40
/*
 * The most a server may say its own clock is off (root distance): RFC
 * 5905's MAXDISP, and the kernel's bound on a synchronized clock. A reply
 * past it is refused: its bound would let its time pass under the last
 * good time (lastgood.c) by up to 22 hours (root delay and dispersion of
 * 16.16 bits each).
 */
#define ROOT_DISTANCE_MAX	(16 * NS_PER_SECOND)

void
sntp_request(unsigned char packet[SNTP_SIZE], uint64_t cookie)
{
	int i;

	memset(packet, 0, SNTP_SIZE);
	packet[0] = NTP_VERSION << 3 | MODE_CLIENT;
	for (i = 0; i < 8; i++)
		packet[TRANSMIT + i] = cookie >> (56 - 8 * i);
}

/*
 * An NTP timestamp (32.32 fixed point) as Unix nanoseconds. The era follows
 * RFC 4330: seconds with the top bit set are 1968-2036, the rest 2036-2104.
 */
int64_t
sntp_to_unix_ns(const unsigned char *timestamp)
{
	uint64_t t = be64_read(timestamp);
	uint32_t seconds = t >> 32, fraction = (uint32_t)t;
	int64_t unix_seconds;

	unix_seconds = (int64_t)seconds - RFC868_UNIX_EPOCH;
	if (!(seconds & 0x80000000u))
		unix_seconds += 0x100000000LL;
	return unix_seconds * NS_PER_SECOND +
	    (int64_t)(((uint64_t)fraction * NS_PER_SECOND) >> 32);
}

/*
 * Which of our requests a datagram answers: the index of the cookie it
 * echoes as its originate timestamp, or -1 for a stray (too short to carry
 * one, or carrying another). A stray is ignored; an answer is judged.
 */
int
sntp_which(const unsigned char *packet, size_t len, const uint64_t *cookies,
    size_t n)
{
	uint64_t originate;
	size_t i;

	if (len < SNTP_SIZE)
		return -1;
	originate = be64_read(packet + ORIGINATE);
	for (i = 0; i < n; i++)
		if (cookies[i] == originate)
			return (int)i;
	return -1;
}

/*
 * Whether the server says its clock is not synchronized, or may be too far
 * off (its root distance): -1 with why, else 0.
 */
static int
unsynchronized(const unsigned char *packet, struct why *why)
{
	if (packet[0] >> 6 == LI_ALARM)
		return why_set(why, "server clock is not synchronized");
	if (sntp_root_distance_ns(packet) > ROOT_DISTANCE_MAX)
		return why_set(why, "server says its clock may be %.3f s off "
		    "(root distance): more than %lld s", (double)
		    sntp_root_distance_ns(packet) / NS_PER_SECOND,
		    (long long)(ROOT_DISTANCE_MAX / NS_PER_SECOND));
	return 0;
}

/*
 * Judges the answer to a request sent at sent and received at received
 * (Unix ns, our clock), as RFC 4330 section 5 asks of a client: a server's
 * reply, synchronized, of a valid stratum, with both of its times, sent no
 * earlier than it was received, and no longer inside the server than the
 * whole round trip took. Returns 0 with the clock offset in *offset, or -1
 * with why.
 */
int
sntp_reply(const unsigned char *packet, size_t len, int64_t sent,
    int64_t received, int64_t *offset, struct why *why)
{
	int64_t server_received, server_sent;
	int version, mode, stratum;
	char code[5];
	int i;

	if (len < SNTP_SIZE) {
		why_set(why, "short reply: %zu bytes", len);
		return -1;
	}
	version = packet[0] >> 3 & 7;
	mode = packet[0] & 7;
	stratum = packet[1];
	if (mode != MODE_SERVER) {
		why_set(why, "not a server reply (mode %d)", mode);
		return -1;
	}
	if (version < 1 || version > 4) {
		why_set(why, "unknown NTP version %d", version);
		return -1;
	}
	if (stratum == 0) {
		/* The reference id says why, in four ASCII letters. */
		for (i = 0; i < 4; i++)
			code[i] = isprint(packet[REFERENCE_ID + i]) ?
			    (char)packet[REFERENCE_ID + i] : '?';
		code[4] = '\0';
		why_set(why, "server refused (kiss-o'-death %s)",
		    code);
		return -1;
	}
	if (stratum > 15) {
		why_set(why, "invalid stratum %d", stratum);
		return -1;
	}
	if (unsynchronized(packet, why) == -1)
		return -1;
	if (be64_read(packet + RECEIVE) == 0 ||
	    be64_read(packet + TRANSMIT) == 0) {
		why_set(why, "server sent no time");
		return -1;
	}
	server_received = sntp_to_unix_ns(packet + RECEIVE);
	server_sent = sntp_to_unix_ns(packet + TRANSMIT);
	if (server_sent < server_received ||
	    server_sent - server_received > received - sent) {
		why_set(why, "server times do not fit the exchange "
		    "(in the server %lld ns, round trip %lld ns)",
		    (long long)(server_sent - server_received),
		    (long long)(received - sent));
		return -1;
	}
	*offset = ((server_received - sent) + (server_sent - received)) / 2;
	return 0;
}

/* A 16.16 fixed-point count of seconds as nanoseconds. */
static int64_t
short_format_ns(const unsigned char *p, int is_signed)
{
	uint32_t v = be32_read(p);
	int64_t units = is_signed ? (int64_t)(int32_t)v : (int64_t)v;

	return units * NS_PER_SECOND / 65536;
}

/*
 * How far the server's own clock may be from the true time, as it says:
 * half its root delay and its root dispersion (RFC 5905, root distance,
 * without our own part, the round trip, which the caller adds). A
 * negative root delay counts as none.
 */
int64_t
sntp_root_distance_ns(const unsigned char packet[SNTP_SIZE])
{
	int64_t delay = short_format_ns(packet + ROOT_DELAY, 1);

	return (delay > 0 ? delay / 2 : 0) +
	    short_format_ns(packet + ROOT_DISPERSION, 0);
}
