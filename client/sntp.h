/* SNTP (RFC 4330) for timeclient -n: the request and the checks of a reply. */
#ifndef SNTP_H
#define SNTP_H

#include <stddef.h>
#include <stdint.h>

#include "../common/why.h"

#define SNTP_PORT	123
#define SNTP_SIZE	48	/* without authentication */

void sntp_request(unsigned char[SNTP_SIZE], uint64_t);
int sntp_which(const unsigned char *, size_t, const uint64_t *, size_t);
int sntp_reply(const unsigned char *, size_t, int64_t, int64_t, int64_t *,
    struct why *);
int64_t sntp_to_unix_ns(const unsigned char *);
int64_t sntp_root_distance_ns(const unsigned char[SNTP_SIZE]);

#endif
