/* SNTP (RFC 4330) for timeclient -n: the request and the checks of a reply. */
#ifndef SNTP_H
#define SNTP_H

#include <stddef.h>
#include <stdint.h>

#define SNTP_PORT	123
#define SNTP_SIZE	48	/* without authentication */

/* The reason sntp_reply gives for a datagram not answering our request. */
extern const char sntp_not_ours[];

void sntp_request(unsigned char[SNTP_SIZE], uint64_t);
const char *sntp_reply(const unsigned char *, size_t, uint64_t, int64_t,
    int64_t, int64_t *);
int64_t sntp_to_unix_ns(const unsigned char *);

#endif
