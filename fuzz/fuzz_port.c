/* Ports as typed after -p and -o. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../common/addr.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char text[64];
	const char *errstr = NULL;
	unsigned port = 70000;

	if (size >= sizeof(text))
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (port_parse(text, &port, &errstr) == 0) {
		if (port > 65535 || errstr != NULL)
			abort();
	} else if (errstr == NULL || port != 70000)
		abort();
	return 0;
}
