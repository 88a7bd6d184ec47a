/* RFC 868 Time Protocol: the 32-bit value and its bytes. Pure functions. */
#ifndef RFC868_H
#define RFC868_H

#include <stdint.h>
#include <time.h>

#define RFC868_PORT	37
#define RFC868_SIZE	4		/* bytes on the wire, big-endian */
#define RFC868_UNIX_EPOCH 2208988800u	/* 1970-01-01 in seconds since 1900 */

uint32_t rfc868_from_unix(time_t);
int64_t rfc868_to_unix(uint32_t);
void rfc868_pack(uint32_t, unsigned char[RFC868_SIZE]);
uint32_t rfc868_unpack(const unsigned char[RFC868_SIZE]);

#endif
