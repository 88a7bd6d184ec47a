/*
 * What a child measured or looked up comes back to its parent as one
 * record of a fixed size through a pipe; the parent reads it here, by a
 * deadline, and never waits past it for a child that hangs.
 */
#include <errno.h>
#include <poll.h>
#include <time.h>
#include <unistd.h>

#include "record.h"

/* The monotonic clock in ms; a clock that cannot be read has no time left. */
static long long
monotonic_ms(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) == -1)
		return -1;
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * Reads a record of size bytes from fd into record by the deadline
 * (monotonic ms), in as many pieces as it comes. With alone, the record
 * must be all the writer sends: its end (or one byte more, counted) is
 * awaited too. Returns the bytes read: size when the record is whole,
 * fewer when the writer closed or the read failed, size + 1 when a byte
 * followed (alone); -1 when the deadline came first.
 */
ssize_t
record_read(int fd, void *record, size_t size, long long deadline, int alone)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	size_t got = 0, want = alone ? size + 1 : size;
	long long now, left;
	ssize_t n;
	char extra;

	while (got < want) {
		if ((now = monotonic_ms()) == -1 || (left = deadline - now) <= 0)
			return -1;
		if (poll(&pfd, 1, left > 60000 ? 60000 : (int)left) == -1) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (pfd.revents == 0)
			continue;
		n = got < size ? read(fd, (char *)record + got, size - got) :
		    read(fd, &extra, 1);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	return (ssize_t)got;
}
