/* A server's RFC 868 reply as timeclient reads it, at any local time. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../client/options.h"
#include "../common/rfc868.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int64_t remote, sent, received, offset;
	char when[64];

	if (size < RFC868_SIZE + 16)
		return 0;
	remote = rfc868_to_unix(rfc868_unpack(data));
	if (remote < 0 || remote > 0xFFFFFFFFLL)
		abort();
	if (rfc868_from_unix((time_t)remote) != rfc868_unpack(data))
		abort();
	memcpy(&sent, data + 4, 8);
	memcpy(&received, data + 12, 8);
	/* Our clock, in ns, within the years a 64-bit count can hold. */
	sent %= 4000000000LL * 1000000000LL;
	received %= 4000000000LL * 1000000000LL;
	if (sent < 0)
		sent = -sent;
	if (received < 0)
		received = -received;
	offset = rfc868_offset(remote, sent, received);
	(void)offset;
	client_format_time((time_t)remote, when, sizeof(when));
	return 0;
}
