/* A TZif file where the leap seconds for -c should be. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "../client/leaps.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct leaps leaps;
	size_t i;

	if (leaps_parse(data, size, &leaps) == 0) {
		if (leaps.n > LEAPS_MAX)
			abort();
		for (i = 1; i < leaps.n; i++)
			if (leaps.when[i] <= leaps.when[i - 1])
				abort();
		leaps_posix_to_right(&leaps, 1795418917);
		leaps_posix_to_right(&leaps, INT64_MIN / 2);
	}
	return 0;
}
