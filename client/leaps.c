/*
 * The leap second table of a TZif file (RFC 8536). The file comes from disk,
 * but it is checked like network input: every count is bounded before use.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "../common/why.h"
#include "leaps.h"
#include "../common/rfc868.h"

#define TZIF_HEADER	44
#define TZIF_COUNT_MAX	100000	/* far above any real zone */
#define LEAPS_EPOCH	63072000	/* 1972-01-01: none before */
#define LEAPS_SPACING	(181 * 86400LL)	/* one each June and December */

struct tzif_header {
	uint32_t isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt;
	unsigned char version;
};

static int
header_read(const unsigned char *p, size_t len, struct tzif_header *h)
{
	if (len < TZIF_HEADER || memcmp(p, "TZif", 4) != 0)
		return -1;
	h->version = p[4];
	h->isutcnt = be32_read(p + 20);
	h->isstdcnt = be32_read(p + 24);
	h->leapcnt = be32_read(p + 28);
	h->timecnt = be32_read(p + 32);
	h->typecnt = be32_read(p + 36);
	h->charcnt = be32_read(p + 40);
	if (h->isutcnt > TZIF_COUNT_MAX || h->isstdcnt > TZIF_COUNT_MAX ||
	    h->leapcnt > TZIF_COUNT_MAX || h->timecnt > TZIF_COUNT_MAX ||
	    h->typecnt > TZIF_COUNT_MAX || h->charcnt > TZIF_COUNT_MAX)
		return -1;
	return 0;
}

/* The size of a data block; timesize is 4 (version 1) or 8. */
static size_t
block_size(const struct tzif_header *h, size_t timesize)
{
	return (size_t)h->timecnt * timesize + h->timecnt +
	    (size_t)h->typecnt * 6 + h->charcnt +
	    (size_t)h->leapcnt * (timesize + 4) + h->isstdcnt + h->isutcnt;
}

/*
 * RFC 8536: the first correction is 1 or -1, and each after it one more
 * or one less than the one before, unless the file is truncated: then
 * the first is what was in force where it starts, which is no more than
 * the leap seconds there could have been by then, one each June and
 * December from 1972 (27 in 2017, where 90 could have been).
 */
static int
first_correction_fits(int64_t when, int32_t correction)
{
	int64_t most = when > LEAPS_EPOCH ?
	    1 + (when - LEAPS_EPOCH) / LEAPS_SPACING : 1;

	return correction == 1 || correction == -1 ||
	    (correction != 0 && correction <= most && -correction <= most);
}

/*
 * Reads the leap records, from the 64-bit block of a version 2+ file (a
 * "slim" file has an empty 32-bit one). Returns 0, or -1 if malformed.
 */
int
leaps_parse(const unsigned char *tzif, size_t len, struct leaps *leaps)
{
	struct tzif_header h;
	size_t timesize = 4, leapoff, i, skip;

	if (header_read(tzif, len, &h) == -1)
		return -1;
	if (h.version >= '2') {
		skip = TZIF_HEADER + block_size(&h, 4);
		if (skip > len || header_read(tzif + skip, len - skip, &h) == -1)
			return -1;
		tzif += skip;
		len -= skip;
		timesize = 8;
	}
	if (TZIF_HEADER + block_size(&h, timesize) > len ||
	    h.leapcnt > LEAPS_MAX)
		return -1;
	leapoff = TZIF_HEADER + (size_t)h.timecnt * timesize + h.timecnt +
	    (size_t)h.typecnt * 6 + h.charcnt;
	for (i = 0; i < h.leapcnt; i++) {
		const unsigned char *rec = tzif + leapoff + i * (timesize + 4);

		leaps->when[i] = timesize == 8 ? (int64_t)be64_read(rec) :
		    (int32_t)be32_read(rec);
		leaps->correction[i] = (int32_t)be32_read(rec + timesize);
		if (i > 0 && leaps->when[i] <= leaps->when[i - 1])
			return -1;	/* the table must be sorted */
		if (leaps->correction[i] > LEAPS_CORRECTION_MAX ||
		    leaps->correction[i] < -LEAPS_CORRECTION_MAX ||
		    !(i == 0 ? first_correction_fits(leaps->when[0],
		    leaps->correction[0]) : leaps->correction[i] -
		    leaps->correction[i - 1] == 1 || leaps->correction[i] -
		    leaps->correction[i - 1] == -1))
			return -1;
	}
	leaps->n = h.leapcnt;
	return 0;
}

/*
 * Reads and parses the TZif file at path. It is opened without blocking (a
 * FIFO there must not hang the client, which has a deadline to keep) and
 * must be a regular file. Returns 0, or -1 with why.
 */
int
leaps_load(const char *path, struct leaps *leaps, struct why *why)
{
	unsigned char tzif[LEAPS_FILE_MAX];
	struct stat st;
	ssize_t n;
	int fd;

	if ((fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)) == -1) {
		why_set(why, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		why_set(why, "%s: not a regular file", path);
		close(fd);
		return -1;
	}
	n = read(fd, tzif, sizeof(tzif));
	close(fd);
	if (n == -1) {
		why_set(why, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (leaps_parse(tzif, (size_t)n, leaps) == -1 || leaps->n == 0) {
		why_set(why, "%s has no leap second table", path);
		return -1;
	}
	return 0;
}

/*
 * POSIX time to the leap-counting scale of the right/ zones: add the leap
 * seconds in force. A record takes effect at its own (right-scale) time, the
 * inserted second itself being 23:59:60.
 */
int64_t
leaps_posix_to_right(const struct leaps *leaps, int64_t posix)
{
	int32_t correction = 0;
	size_t i;

	for (i = 0; i < leaps->n; i++) {
		if (posix + leaps->correction[i] <= leaps->when[i])
			break;
		correction = leaps->correction[i];
	}
	return posix + correction;
}
