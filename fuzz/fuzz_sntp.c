/* An SNTP reply to our request, whatever the network brings. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "../client/sntp.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint64_t cookie = 0;
	int64_t offset = 0, t;
	struct why why;

	if (size >= 40 + 8)
		memcpy(&cookie, data + 24, 8);	/* often matching */
	if (size > 0 && data[0] & 0x80)
		cookie ^= 1;			/* sometimes not */
	t = 1795418917LL * 1000000000LL;
	if (sntp_which(data, size, &cookie, 1) == 0)
		sntp_reply(data, size, t, t + 1000000, &offset, &why);
	if (size >= 8)
		sntp_to_unix_ns(data);
	return 0;
}
