/*
 * Abuse limits. A UDP time service can be pointed at another small service
 * (echo, chargen, another time server) with a forged source, and the two
 * then bounce datagrams for ever (CERT CA-1996-01, CVE-1999-0103); it can
 * also reflect a flood at a forged victim. So: no replies to ports below
 * 1024 or to impossible sources, and a token bucket per source address in a
 * fixed table (no allocation, bounded memory), under a global bucket.
 */
#include <sys/socket.h>

#include <netinet/in.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "limits.h"

#define WAYS		4	/* a set of slots one address may use */
#define MILLI		1000	/* tokens are counted in thousandths */
#define LOG_INTERVAL_MS	60000	/* a limited source is logged once a minute */

struct bucket {
	unsigned char addr[16];	/* IPv4 as v4-mapped IPv6 */
	uint64_t last_ms;	/* last refill; 0: slot unused */
	uint64_t logged_ms;
	uint64_t tokens;	/* in thousandths */
};

static struct bucket table[LIMIT_SLOTS];
static struct bucket global;
static unsigned rate;		/* 0: no limits */
static uint32_t seed;		/* so nobody can aim at one set */

static enum source_verdict
ipv4_check(in_port_t port, uint32_t a)
{
	if (ntohs(port) < 1024)
		return SOURCE_LOW_PORT;
	if ((a >> 24) == 0 ||			/* 0.0.0.0/8 */
	    (a >> 28) == 0xE ||			/* 224.0.0.0/4 */
	    a == 0xFFFFFFFFu)			/* broadcast */
		return SOURCE_BOGUS;
	return SOURCE_OK;
}

/*
 * May a UDP request from sa be answered at all? On an IPv6-only socket a
 * v4-mapped source is forged; on a dual-stack one (as systemd or inetd may
 * hand over) it is an IPv4 client, checked as such.
 */
enum source_verdict
source_check(const struct sockaddr *sa, int dual_stack)
{
	const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)sa;
	const struct sockaddr_in *sin = (const struct sockaddr_in *)sa;
	uint32_t a;

	if (sa->sa_family == AF_INET)
		return ipv4_check(sin->sin_port, ntohl(sin->sin_addr.s_addr));
	if (IN6_IS_ADDR_V4MAPPED(&sin6->sin6_addr)) {
		if (!dual_stack)
			return SOURCE_BOGUS;
		memcpy(&a, &sin6->sin6_addr.s6_addr[12], 4);
		return ipv4_check(sin6->sin6_port, ntohl(a));
	}
	if (ntohs(sin6->sin6_port) < 1024)
		return SOURCE_LOW_PORT;
	if (IN6_IS_ADDR_UNSPECIFIED(&sin6->sin6_addr) ||
	    IN6_IS_ADDR_MULTICAST(&sin6->sin6_addr))
		return SOURCE_BOGUS;
	return SOURCE_OK;
}

/*
 * rate replies a second to each source; 0 turns every limit off. The table
 * starts zeroed (static storage): clearing it again would make its 160 kB
 * resident before the first client, so only a second call clears it.
 */
void
limit_init(unsigned per_source, uint64_t random_seed)
{
	static int initialized;

	rate = per_source;
	seed = (uint32_t)random_seed;
	if (initialized) {
		memset(table, 0, sizeof(table));
		memset(&global, 0, sizeof(global));
	}
	initialized = 1;
}

static void
addr_key(const struct sockaddr *sa, unsigned char key[16])
{
	memset(key, 0, 16);
	if (sa->sa_family == AF_INET6) {
		memcpy(key, &((const struct sockaddr_in6 *)sa)->sin6_addr, 16);
		return;
	}
	key[10] = key[11] = 0xFF;
	memcpy(key + 12, &((const struct sockaddr_in *)sa)->sin_addr, 4);
}

/* FNV-1a with a secret start, so sets cannot be chosen from outside. */
static uint32_t
addr_hash(const unsigned char key[16])
{
	uint32_t h = 2166136261u ^ seed;
	int i;

	for (i = 0; i < 16; i++)
		h = (h ^ key[i]) * 16777619u;
	return h;
}

/* Refills b for the time since its last use, up to capacity; takes one. */
static int
bucket_take(struct bucket *b, uint64_t now_ms, uint64_t per_second,
    uint64_t capacity)
{
	uint64_t tokens;

	if (now_ms > b->last_ms) {
		tokens = b->tokens + (now_ms - b->last_ms) * per_second;
		b->tokens = tokens > capacity ? capacity : tokens;
		b->last_ms = now_ms;
	}
	if (b->tokens < MILLI)
		return 0;
	b->tokens -= MILLI;
	return 1;
}

/* The slot of this address, or the least recently used of its set. */
static struct bucket *
slot_find(const unsigned char key[16], uint64_t now_ms)
{
	struct bucket *set, *oldest;
	int i;

	set = &table[(size_t)(addr_hash(key) % (LIMIT_SLOTS / WAYS)) * WAYS];
	oldest = &set[0];
	for (i = 0; i < WAYS; i++) {
		if (set[i].last_ms != 0 && memcmp(set[i].addr, key, 16) == 0)
			return &set[i];
		if (set[i].last_ms < oldest->last_ms)
			oldest = &set[i];
	}
	/* A new source starts with a full bucket. */
	memcpy(oldest->addr, key, 16);
	oldest->last_ms = now_ms;
	oldest->logged_ms = 0;
	oldest->tokens = (uint64_t)rate * LIMIT_BURST_SECONDS * MILLI;
	return oldest;
}

/*
 * May the source at sa have a reply now (monotonic ms, never 0)? *log is
 * set when a refusal is the first for this source in a minute.
 */
enum limit_verdict
limit_take(const struct sockaddr *sa, uint64_t now_ms, int *log)
{
	unsigned char key[16];
	struct bucket *b;
	uint64_t global_rate = (uint64_t)rate * LIMIT_GLOBAL_FACTOR;

	*log = 0;
	if (rate == 0)
		return LIMIT_OK;
	addr_key(sa, key);
	b = slot_find(key, now_ms);
	if (!bucket_take(b, now_ms, rate, (uint64_t)rate *
	    LIMIT_BURST_SECONDS * MILLI)) {
		if (b->logged_ms == 0 || now_ms - b->logged_ms >=
		    LOG_INTERVAL_MS) {
			b->logged_ms = now_ms;
			*log = 1;
		}
		return LIMIT_SOURCE;
	}
	if (global.last_ms == 0) {
		global.last_ms = now_ms;
		global.tokens = global_rate * MILLI;
	}
	if (!bucket_take(&global, now_ms, global_rate, global_rate * MILLI)) {
		b->tokens += MILLI;	/* not this source's fault */
		return LIMIT_GLOBAL;
	}
	return LIMIT_OK;
}
