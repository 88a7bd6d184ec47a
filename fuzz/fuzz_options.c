/*
 * The command lines of timeclient and timed: NUL-separated words; the
 * first byte picks the program.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../client/options.h"
#include "../server/options.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char buf[1024];
	char *argv[32] = { "timeclient" };
	struct client_options o;
	struct timed_options t;
	struct why why;
	size_t i, start = 0;
	int argc = 1;

	if (size < 1 || size >= sizeof(buf))
		return 0;
	if (data[0] & 1) {
		argv[0] = "timed";
		data++;
		size--;
	}
	memcpy(buf, data, size);
	buf[size] = '\0';
	for (i = 0; i <= size && argc < 31; i++)
		if (buf[i] == '\0') {
			argv[argc++] = buf + start;
			start = i + 1;
		}
	argv[argc] = NULL;
	if (argv[0][0] == 't' && argv[0][4] == 'd') {
		if (timed_options(argc, argv, &t, &why) == 0 &&
		    (t.spec.port > 65535 || t.rate < 0 || t.rate > 100000 ||
		    t.spec.naddresses > LISTEN_ADDRESSES_MAX ||
		    (t.inetd && t.spec_given)))
			abort();
		return 0;
	}
	/* A host is needed but to ask for help or the version. */
	if (client_options(argc, argv, &o, &why) == 0) {
		if ((o.nhosts < 1 && !o.help && !o.version) ||
		    o.query.timeout_ms < 1000 || o.query.port > 65535)
			abort();
	}
	return 0;
}
