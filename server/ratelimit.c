/*
 * Abuse limits. A UDP time service can be pointed at another small service
 * (echo, chargen, another time server) with a forged source, and the two
 * then bounce datagrams for ever (CERT CA-1996-01, CVE-1999-0103); it can
 * also reflect a flood at a forged victim. So: no replies to ports below
 * 1024, to impossible sources or for broadcast and multicast requests, and
 * a rate per source address under a global cap.
 *
 * The rate is GCRA, a token bucket kept as one time per source: the
 * "theoretical arrival time" (TAT) at which its bucket would be full again.
 * Sources live in a fixed table (no allocation, bounded memory). A source
 * pushed out of the table leaves its TAT behind in a second array, keyed
 * by another hash, from which it starts again when it comes back: filling
 * the table with fresh sources cannot hand a forged victim a fresh burst.
 * TCP and UDP have tables of their own, since a forged UDP flood must not
 * spend the allowance of a TCP client, whose address cannot be forged; the
 * global cap, against reflection, is UDP's alone.
 *
 * The cap is in two halves, so that a flood from many forged sources
 * cannot deny the clients timed was already answering: any source draws on
 * the open half, and a known one (in the table for a second or more, and
 * asking within a minute) on the reserved half once the open one is spent.
 * A new source can never push a known one out of the table, so the
 * fresh addresses of a flood neither spend the reserve nor forget who may.
 * Together the halves are the cap: what forged victims get stays bounded.
 */
#include <sys/socket.h>

#include <netinet/in.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../common/addr.h"
#include "ratelimit.h"

#define WAYS		4	/* a set of slots one address may use */
#define NS		1000000000ULL
#define LOG_INTERVAL_MS	60000	/* a limited source is logged once a minute */
#define LOGS_PER_MINUTE	10	/* in all: forged sources must not flood syslog */
#define KNOWN_AFTER_NS	(1 * NS)	/* in the table this long: known */
#define KNOWN_IDLE_NS	(60 * NS)	/* and not idle this long */

struct bucket {
	unsigned char key[16];	/* IPv4 as v4-mapped, IPv6 by its /64 */
	uint64_t tat_ns;	/* full again at this time; 0: slot unused */
	uint64_t since_ns;	/* when it took the slot */
	uint64_t logged_ms;
};

struct table {
	struct bucket slots[LIMIT_SLOTS];
	uint64_t left[LIMIT_SLOTS];	/* TATs of sources pushed out */
};

static struct table udp_table, tcp_table;
static uint64_t open_tat_ns, reserved_tat_ns;	/* the cap's two halves */
static uint64_t interval_ns, tolerance_ns;	/* per source */
static uint64_t global_interval_ns, global_tolerance_ns;
static unsigned rate;		/* 0: no limits */
static uint32_t seed;		/* so nobody can aim at one set */
static uint64_t log_minute;	/* the minute the lines below were in */
static unsigned log_lines;

/*
 * Sources no client has; destinations that reach more than this host, or
 * none (:: reaches no socket: the kernel sends to ::1 instead).
 */
#define NOT_A_SOURCE	(ADDR_THIS_NETWORK | ADDR_UNSPECIFIED | \
	ADDR_MULTICAST | ADDR_BROADCAST | ADDR_RESERVED | ADDR_V4COMPAT)
#define NOT_A_HOST	(ADDR_THIS_NETWORK | ADDR_MULTICAST | \
	ADDR_BROADCAST | ADDR_RESERVED)

/*
 * May a UDP request from sa be answered at all? A request from one of the
 * n ports timed serves UDP on (own_ports) is a reply of timed's: its own,
 * sent to itself by one forged datagram (or from one of its sockets to
 * another), or another server's on that port; answering would start a
 * loop that never ends. Clients use other ports.
 * On an IPv6-only socket a v4-mapped source is forged; on a dual-stack
 * one (as systemd or inetd may hand over) it is an IPv4 client, checked
 * as such. IPv4-compatible addresses (::a.b.c.d) are deprecated and routed
 * nowhere.
 */
enum source_verdict
source_check(const struct sockaddr *sa, int dual_stack,
    const unsigned *own_ports, size_t n)
{
	const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)sa;
	const struct sockaddr_in *sin = (const struct sockaddr_in *)sa;
	in_port_t port = sa->sa_family == AF_INET ? sin->sin_port :
	    sin6->sin6_port;
	uint32_t a;
	size_t i;

	for (i = 0; i < n; i++)
		if (ntohs(port) == own_ports[i])
			return SOURCE_OWN_PORT;
	if (sa->sa_family == AF_INET6 && !dual_stack && addr_ipv4(sa, &a))
		return SOURCE_BOGUS;
	if (ntohs(port) < 1024)
		return SOURCE_LOW_PORT;
	return (addr_kind(sa) & NOT_A_SOURCE) != 0 ? SOURCE_BOGUS : SOURCE_OK;
}

/*
 * Was a request sent to this host alone? One sent to a broadcast or
 * multicast address would make every server on the link answer a forged
 * victim. For IPv4 the kernel also says (IP_PKTINFO's ipi_spec_dst) which
 * local address it would answer from: the destination itself for unicast,
 * another for a directed broadcast such as 10.0.0.255, which nothing else
 * tells apart without the netmask. local is that address, or NULL.
 */
int
destination_unicast(const struct sockaddr *dst, const struct in_addr *local)
{
	uint32_t a;

	if (addr_kind(dst) & NOT_A_HOST)
		return 0;
	return !addr_ipv4(dst, &a) || local == NULL ||
	    ntohl(local->s_addr) == a;
}

/*
 * rate replies a second to each source; 0 turns every limit off. The
 * tables start zeroed (static storage): clearing them again would make
 * their pages resident before the first client, so only a second call
 * clears them.
 */
void
limit_init(unsigned per_source, uint64_t random_seed)
{
	static int initialized;

	rate = per_source;
	seed = (uint32_t)random_seed;
	if (rate > 0) {
		interval_ns = NS / rate;
		tolerance_ns = interval_ns * ((uint64_t)rate *
		    LIMIT_BURST_SECONDS - 1);
		/* Each half: half the cap, with a second's worth of burst. */
		global_interval_ns = 2 * NS / ((uint64_t)rate *
		    LIMIT_GLOBAL_FACTOR);
		global_tolerance_ns = NS - global_interval_ns;
	}
	if (initialized) {
		memset(&udp_table, 0, sizeof(udp_table));
		memset(&tcp_table, 0, sizeof(tcp_table));
		open_tat_ns = reserved_tat_ns = 0;
		log_minute = log_lines = 0;
	}
	initialized = 1;
}

/*
 * The key of a source: an IPv4 address, or an IPv6 /64, which is what one
 * host or one customer gets (DNS servers' response-rate limits do the
 * same). A link-local address is not: fe80::/64 is the prefix of every
 * host on every link. It is keyed as the host it names on the link it came
 * from, its interface (the scope) in the bytes the prefix leaves zero, so
 * neighbours, and hosts on other links, have buckets of their own.
 */
static void
addr_key(const struct sockaddr *sa, unsigned char key[16])
{
	const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)sa;

	memset(key, 0, 16);
	if (sa->sa_family == AF_INET6) {
		memcpy(key, &sin6->sin6_addr, 16);
		if (IN6_IS_ADDR_LINKLOCAL(&sin6->sin6_addr))
			memcpy(key + 4, &sin6->sin6_scope_id, 4);
		else if (!IN6_IS_ADDR_V4MAPPED(&sin6->sin6_addr))
			memset(key + 8, 0, 8);
		return;
	}
	key[10] = key[11] = 0xFF;
	memcpy(key + 12, &((const struct sockaddr_in *)sa)->sin_addr, 4);
}

/* FNV-1a with a secret start, so slots cannot be chosen from outside. */
static uint32_t
addr_hash(const unsigned char key[16], uint32_t start)
{
	uint32_t h = 2166136261u ^ start;
	int i;

	for (i = 0; i < 16; i++)
		h = (h ^ key[i]) * 16777619u;
	return h;
}

static uint64_t *
left_behind(struct table *t, const unsigned char key[16])
{
	return &t->left[addr_hash(key, ~seed) % LIMIT_SLOTS];
}

/* A source that has held its slot a while and still asks. */
static int
bucket_known(const struct bucket *b, uint64_t now_ns)
{
	return b->tat_ns != 0 && now_ns - b->since_ns >= KNOWN_AFTER_NS &&
	    b->tat_ns + KNOWN_IDLE_NS > now_ns;
}

/*
 * The slot of this key. A new key takes the slot of its set that is
 * nearest to full (the smallest TAT, an unused one first), a known
 * source's only when the whole set is known; the TAT it pushes out is left
 * behind, and it starts from whatever TAT its own key left there.
 */
static struct bucket *
slot_find(struct table *t, const unsigned char key[16], uint64_t now_ns)
{
	struct bucket *set, *taken;
	uint64_t *left;
	int i, known, taken_known;

	set = &t->slots[(size_t)(addr_hash(key, seed) %
	    (LIMIT_SLOTS / WAYS)) * WAYS];
	for (i = 0; i < WAYS; i++)
		if (set[i].tat_ns != 0 && memcmp(set[i].key, key, 16) == 0)
			return &set[i];
	/* A new key: the hit above stays as cheap as it was. */
	taken = &set[0];
	taken_known = bucket_known(taken, now_ns);
	for (i = 1; i < WAYS; i++) {
		known = bucket_known(&set[i], now_ns);
		if (known < taken_known || (known == taken_known &&
		    set[i].tat_ns < taken->tat_ns)) {
			taken = &set[i];
			taken_known = known;
		}
	}
	if (taken->tat_ns > now_ns) {
		left = left_behind(t, taken->key);
		if (*left < taken->tat_ns)
			*left = taken->tat_ns;
	}
	memcpy(taken->key, key, 16);
	left = left_behind(t, key);
	taken->tat_ns = *left > now_ns ? *left : now_ns;
	taken->since_ns = now_ns;
	taken->logged_ms = 0;
	return taken;
}

/* GCRA: conforming while the TAT is within tolerance of now; then one more. */
static int
gcra_take(uint64_t *tat_ns, uint64_t now_ns, uint64_t interval,
    uint64_t tolerance)
{
	uint64_t tat = *tat_ns > now_ns ? *tat_ns : now_ns;

	if (tat - now_ns > tolerance)
		return 0;
	*tat_ns = tat + interval;
	return 1;
}

/*
 * Whether a refusal of b's source is logged: the first in a minute for the
 * source, and only while the minute has had fewer than LOGS_PER_MINUTE.
 */
static int
refusal_logged(struct bucket *b, uint64_t now_ms)
{
	if (b->logged_ms != 0 && now_ms - b->logged_ms < LOG_INTERVAL_MS)
		return 0;
	b->logged_ms = now_ms ? now_ms : 1;
	if (now_ms / 60000 != log_minute) {
		log_minute = now_ms / 60000;
		log_lines = 0;
	}
	if (log_lines == LOGS_PER_MINUTE)
		return 0;
	log_lines++;
	return 1;
}

/*
 * May the source at sa have a reply now (monotonic ms)? socktype picks the
 * table. *log is set when a refusal should be logged (refusal_logged).
 */
enum limit_verdict
limit_take(int socktype, const struct sockaddr *sa, uint64_t now_ms, int *log)
{
	struct table *t = socktype == SOCK_STREAM ? &tcp_table : &udp_table;
	uint64_t now_ns = now_ms * 1000000 + 1;	/* never 0: "unused" */
	unsigned char key[16];
	struct bucket *b;

	*log = 0;
	if (rate == 0)
		return LIMIT_OK;
	addr_key(sa, key);
	b = slot_find(t, key, now_ns);
	if (!gcra_take(&b->tat_ns, now_ns, interval_ns, tolerance_ns)) {
		*log = refusal_logged(b, now_ms);
		return LIMIT_SOURCE;
	}
	if (socktype != SOCK_STREAM && !gcra_take(&open_tat_ns, now_ns,
	    global_interval_ns, global_tolerance_ns) &&
	    !(bucket_known(b, now_ns) && gcra_take(&reserved_tat_ns, now_ns,
	    global_interval_ns, global_tolerance_ns))) {
		b->tat_ns -= interval_ns;	/* not this source's fault */
		return LIMIT_GLOBAL;
	}
	return LIMIT_OK;
}
