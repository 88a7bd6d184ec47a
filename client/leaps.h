/* Leap seconds from a TZif file (the right/UTC zone), for timeclient -c. */
#ifndef LEAPS_H
#define LEAPS_H

#include <stddef.h>
#include <stdint.h>
#include "../common/why.h"

#define LEAPS_MAX	64
#define LEAPS_CORRECTION_MAX	1000	/* seconds; 37 is far off */
#define LEAPS_FILE_MAX	65536	/* right/UTC is about 1 kB */
#define LEAPS_FILE	"/usr/share/zoneinfo/right/UTC"

struct leaps {
	size_t n;
	int64_t when[LEAPS_MAX];	/* in the leap-counting ("right") scale */
	int32_t correction[LEAPS_MAX];	/* leap seconds in force from then */
};

int leaps_parse(const unsigned char *, size_t, struct leaps *);
int leaps_load(const char *, struct leaps *, struct why *);
int64_t leaps_posix_to_right(const struct leaps *, int64_t);

#endif
