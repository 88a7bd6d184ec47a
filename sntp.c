/*
 * SNTP, RFC 4330. The request's transmit timestamp is a random cookie, not
 * our clock: the server echoes it as the originate timestamp, so a reply that
 * does not carry it is not an answer to us (and our clock is not disclosed).
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "rfc868.h"
#include "sntp.h"

#define LI_ALARM	3	/* leap indicator: clock not synchronized */
#define MODE_CLIENT	3
#define MODE_SERVER	4
#define NTP_VERSION	4
#define ORIGINATE	24
#define RECEIVE		32
#define TRANSMIT	40

const char sntp_not_ours[] = "reply does not match the request";

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
 * Checks a reply to the request that carried cookie, sent at local time sent
 * and received at received (Unix ns). Returns NULL with the clock offset in
 * *offset, or why the reply is refused.
 */
const char *
sntp_reply(const unsigned char *packet, size_t len, uint64_t cookie,
    int64_t sent, int64_t received, int64_t *offset)
{
	int64_t server_received, server_sent;
	int leap, version, mode, stratum;

	if (len < SNTP_SIZE)
		return "short reply";
	leap = packet[0] >> 6;
	version = packet[0] >> 3 & 7;
	mode = packet[0] & 7;
	stratum = packet[1];
	if (mode != MODE_SERVER)
		return "not a server reply";
	if (version < 1 || version > 4)
		return "unknown NTP version";
	if (be64_read(packet + ORIGINATE) != cookie)
		return sntp_not_ours;
	if (stratum == 0)
		return "server refused (kiss-o'-death)";
	if (stratum > 15)
		return "invalid stratum";
	if (leap == LI_ALARM)
		return "server clock is not synchronized";
	if (be64_read(packet + TRANSMIT) == 0)
		return "server sent no time";
	server_received = sntp_to_unix_ns(packet + RECEIVE);
	server_sent = sntp_to_unix_ns(packet + TRANSMIT);
	*offset = ((server_received - sent) + (server_sent - received)) / 2;
	return NULL;
}
