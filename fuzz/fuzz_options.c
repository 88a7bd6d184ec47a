/* timeclient's command line: NUL-separated words. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../client.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char buf[1024];
	char *argv[32] = { "timeclient" };
	struct client_options o;
	char err[256];
	size_t i, start = 0;
	int argc = 1;

	if (size >= sizeof(buf))
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	for (i = 0; i <= size && argc < 31; i++)
		if (buf[i] == '\0') {
			argv[argc++] = buf + start;
			start = i + 1;
		}
	argv[argc] = NULL;
	if (client_options(argc, argv, &o, err, sizeof(err)) == 0) {
		if (o.nhosts < 1 || o.query.timeout_ms < 1000 ||
		    o.query.port > 65535)
			abort();
	}
	return 0;
}
