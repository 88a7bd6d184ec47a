/* A time as UTC text, for messages. */
#include <stdio.h>
#include <time.h>

#include "utc.h"

/*
 * t in format (UTC_SECONDS: "2026-11-23 00:00:00 UTC") into buf; the
 * number of seconds where the calendar cannot say (a year past 9999).
 */
const char *
utc_text(time_t t, const char *format, char *buf, size_t size)
{
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL || strftime(buf, size, format, &tm) == 0)
		snprintf(buf, size, "%lld", (long long)t);
	return buf;
}
