/*
 * RFC 868 Time Protocol: the 32-bit value and its bytes, big-endian as every
 * time protocol's are, and a client's offset from it. Pure functions.
 */
#ifndef RFC868_H
#define RFC868_H

#include <stdint.h>
#include <time.h>

#define RFC868_PORT	37
#define RFC868_SIZE	4		/* bytes on the wire, big-endian */
#define RFC868_UNIX_EPOCH 2208988800u	/* 1970-01-01 in seconds since 1900 */
#define NS_PER_SECOND	1000000000LL

/* config.mk sets it with each release: no clock reads earlier than that. */
#ifndef TIME_FLOOR
#error "TIME_FLOOR (Unix seconds of the release date) comes from config.mk"
#endif

/*
 * A 32-bit time_t ends in January 2038: such a timed would fall silent
 * and such a timeclient could not say 2040. Refused at build time, not
 * found out then.
 */
_Static_assert(sizeof(time_t) >= 8, "time_t is 32 bits here: build with "
    "-D_TIME_BITS=64 -D_FILE_OFFSET_BITS=64 (glibc 2.34 or later; config.mk "
    "does), or with a libc whose time_t is 64 bits");

uint32_t rfc868_from_unix(time_t);
int64_t rfc868_to_unix(uint32_t);
void rfc868_pack(uint32_t, unsigned char[RFC868_SIZE]);
uint32_t rfc868_unpack(const unsigned char[RFC868_SIZE]);
int64_t rfc868_offset(int64_t, int64_t, int64_t);
uint32_t be32_read(const unsigned char *);
uint64_t be64_read(const unsigned char *);

#endif
