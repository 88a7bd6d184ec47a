/*
 * RFC 868 counts seconds since 1900-01-01 00:00 UTC in 32 bits, so the value
 * wraps at 2036-02-07 06:28:16 UTC. It carries no era: we read it into
 * 1970-01-01 .. 2106-02-07 06:28:15, the window rdate uses, and never guess
 * from the local clock, which a board without a battery does not have.
 */
#include <stdint.h>
#include <time.h>

#include "rfc868.h"

/* The server's value: Unix time plus 70 years, modulo 2^32, done in 64 bits. */
uint32_t
rfc868_from_unix(time_t unix_seconds)
{
	return (uint32_t)((uint64_t)(int64_t)unix_seconds + RFC868_UNIX_EPOCH);
}

/*
 * The client's reading: unsigned subtraction wraps into the 2^32 window.
 * 64 bits, not time_t, so a 32-bit time_t caller can see what does not fit.
 */
int64_t
rfc868_to_unix(uint32_t value)
{
	return (uint32_t)(value - RFC868_UNIX_EPOCH);
}

void
rfc868_pack(uint32_t value, unsigned char bytes[RFC868_SIZE])
{
	bytes[0] = value >> 24;
	bytes[1] = value >> 16;
	bytes[2] = value >> 8;
	bytes[3] = value;
}

uint32_t
rfc868_unpack(const unsigned char bytes[RFC868_SIZE])
{
	return be32_read(bytes);
}

uint32_t
be32_read(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

uint64_t
be64_read(const unsigned char *p)
{
	return (uint64_t)be32_read(p) << 32 | be32_read(p + 4);
}

/*
 * Whole seconds to add to the local clock, from a server's value read as
 * remote_seconds (Unix), asked at sent_ns and answered at received_ns on
 * our clock. The value is the server's clock cut to the second, so its
 * best estimate is half a second on; it is compared with our clock at the
 * middle of the exchange, and rounded with ties toward zero. Two clocks in
 * step give 0 (rdate's plain difference of seconds gives -1 or 1 near a
 * second boundary, and a needless step).
 */
int64_t
rfc868_offset(int64_t remote_seconds, int64_t sent_ns, int64_t received_ns)
{
	int64_t local_mid = sent_ns + (received_ns - sent_ns) / 2;
	int64_t offset = remote_seconds * NS_PER_SECOND + NS_PER_SECOND / 2 -
	    local_mid;

	if (offset >= 0)
		return (offset + NS_PER_SECOND / 2 - 1) / NS_PER_SECOND;
	return -((-offset + NS_PER_SECOND / 2 - 1) / NS_PER_SECOND);
}
