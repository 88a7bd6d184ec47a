/* A time as UTC text, for messages: what timed logs and timeclient says. */
#ifndef UTC_H
#define UTC_H

#include <stddef.h>
#include <time.h>

#define UTC_SECONDS	"%Y-%m-%d %H:%M:%S UTC"
#define UTC_DAY		"%Y-%m-%d"

const char *utc_text(time_t, const char *, char *, size_t);

#endif
