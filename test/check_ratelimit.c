/* The abuse limits, with the clock passed in. */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <check.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "../server/ratelimit.h"
#include "tests.h"

#define WAYS_FILLED	4	/* sources a set of the table holds */

static struct sockaddr_storage ss;

static const struct sockaddr *
v4(const char *addr, unsigned port)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)&ss;

	memset(&ss, 0, sizeof(ss));
	sin->sin_family = AF_INET;
	sin->sin_port = htons(port);
	ck_assert_int_eq(inet_pton(AF_INET, addr, &sin->sin_addr), 1);
	return (struct sockaddr *)&ss;
}

/* 10.x.y.z from its low 24 bits, for the floods: no text to parse. */
static const struct sockaddr *
v4_net10(unsigned i, unsigned port)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)&ss;

	memset(&ss, 0, sizeof(ss));
	sin->sin_family = AF_INET;
	sin->sin_port = htons(port);
	sin->sin_addr.s_addr = htonl(10U << 24 | (i & 0xffffff));
	return (struct sockaddr *)&ss;
}

static const struct sockaddr *
v6(const char *addr, unsigned port)
{
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;

	memset(&ss, 0, sizeof(ss));
	sin6->sin6_family = AF_INET6;
	sin6->sin6_port = htons(port);
	ck_assert_int_eq(inet_pton(AF_INET6, addr, &sin6->sin6_addr), 1);
	return (struct sockaddr *)&ss;
}

#define OWN_PORT	8037	/* a port timed serves on, in these tests */

static enum source_verdict
verdict(const struct sockaddr *sa, int dual_stack)
{
	static const unsigned own[] = { 9037, OWN_PORT };

	return source_check(sa, dual_stack, own, 2);
}

START_TEST(sources_that_are_fine)
{
	ck_assert_int_eq(verdict(v4("127.0.0.1", 40000), 0), SOURCE_OK);
	ck_assert_int_eq(verdict(v4("192.0.2.7", 1024), 0), SOURCE_OK);
	ck_assert_int_eq(verdict(v6("::1", 40000), 0), SOURCE_OK);
	ck_assert_int_eq(verdict(v6("2001:db8::1", 65535), 0), SOURCE_OK);
}
END_TEST

START_TEST(sources_on_low_ports)
{
	/* echo, chargen, time, ntp: a loop waiting to happen. */
	ck_assert_int_eq(verdict(v4("127.0.0.1", 7), 0), SOURCE_LOW_PORT);
	ck_assert_int_eq(verdict(v4("192.0.2.7", 19), 0), SOURCE_LOW_PORT);
	ck_assert_int_eq(verdict(v4("192.0.2.7", 37), 0), SOURCE_LOW_PORT);
	ck_assert_int_eq(verdict(v4("192.0.2.7", 1023), 0),
	    SOURCE_LOW_PORT);
	ck_assert_int_eq(verdict(v4("192.0.2.7", 0), 0), SOURCE_LOW_PORT);
	ck_assert_int_eq(verdict(v6("::1", 123), 0), SOURCE_LOW_PORT);
}
END_TEST

START_TEST(sources_that_cannot_be)
{
	ck_assert_int_eq(verdict(v4("0.0.0.0", 40000), 0), SOURCE_BOGUS);
	ck_assert_int_eq(verdict(v4("0.1.2.3", 40000), 0), SOURCE_BOGUS);
	ck_assert_int_eq(verdict(v4("224.0.0.1", 40000), 0), SOURCE_BOGUS);
	ck_assert_int_eq(verdict(v4("239.255.255.250", 40000), 0),
	    SOURCE_BOGUS);
	ck_assert_int_eq(verdict(v4("255.255.255.255", 40000), 0),
	    SOURCE_BOGUS);
	ck_assert_int_eq(verdict(v6("::", 40000), 0), SOURCE_BOGUS);
	ck_assert_int_eq(verdict(v6("ff02::1", 40000), 0), SOURCE_BOGUS);
	/* Class E, reserved: no host has such an address. */
	ck_assert_int_eq(verdict(v4("240.0.0.1", 40000), 0), SOURCE_BOGUS);
	ck_assert_int_eq(verdict(v4("254.1.2.3", 40000), 0), SOURCE_BOGUS);
	/* IPv4-compatible IPv6, deprecated and routed nowhere. */
	ck_assert_int_eq(verdict(v6("::10.1.2.3", 40000), 0),
	    SOURCE_BOGUS);
	/* On an IPv6-only socket, IPv4 in disguise is forged. */
	ck_assert_int_eq(verdict(v6("::ffff:127.0.0.1", 40000), 0),
	    SOURCE_BOGUS);
}
END_TEST

START_TEST(dual_stack_sources_are_ipv4)
{
	ck_assert_int_eq(verdict(v6("::ffff:127.0.0.1", 40000), 1),
	    SOURCE_OK);
	ck_assert_int_eq(verdict(v6("::ffff:127.0.0.1", 19), 1),
	    SOURCE_LOW_PORT);
	ck_assert_int_eq(verdict(v6("::ffff:224.0.0.1", 40000), 1),
	    SOURCE_BOGUS);
	ck_assert_int_eq(verdict(v6("::ffff:0.0.0.0", 40000), 1),
	    SOURCE_BOGUS);
}
END_TEST

/*
 * From the port timed serves on: its own reply (one forged datagram from
 * its own address and port) or another server's, a loop either way.
 */
START_TEST(sources_on_our_own_port)
{
	ck_assert_int_eq(verdict(v4("127.0.0.1", OWN_PORT), 0),
	    SOURCE_OWN_PORT);
	ck_assert_int_eq(verdict(v4("192.0.2.7", OWN_PORT), 0),
	    SOURCE_OWN_PORT);
	ck_assert_int_eq(verdict(v6("::1", OWN_PORT), 0), SOURCE_OWN_PORT);
	ck_assert_int_eq(verdict(v6("::ffff:127.0.0.1", OWN_PORT), 1),
	    SOURCE_OWN_PORT);
	ck_assert_int_eq(verdict(v4("127.0.0.1", OWN_PORT + 1), 0),
	    SOURCE_OK);
}
END_TEST

/* Only requests sent to this host alone are answered. */
START_TEST(destinations_unicast_only)
{
	struct in_addr local;

	ck_assert(destination_unicast(v4("127.0.0.2", 0), NULL));
	ck_assert(destination_unicast(v6("::1", 0), NULL));
	ck_assert(destination_unicast(v6("fe80::1", 0), NULL));
	ck_assert(!destination_unicast(v4("255.255.255.255", 0), NULL));
	ck_assert(!destination_unicast(v4("224.0.0.1", 0), NULL));
	ck_assert(!destination_unicast(v4("239.255.255.250", 0), NULL));
	ck_assert(!destination_unicast(v6("ff02::1", 0), NULL));
	ck_assert(!destination_unicast(v6("::ffff:224.0.0.1", 0), NULL));
	/* A directed broadcast: the kernel would answer from elsewhere. */
	inet_pton(AF_INET, "10.99.0.1", &local);
	ck_assert(!destination_unicast(v4("10.99.0.255", 0), &local));
	ck_assert(!destination_unicast(v6("::ffff:10.99.0.255", 0), &local));
	ck_assert(destination_unicast(v4("10.99.0.1", 0), &local));
}
END_TEST

/* The limiter's verdict on a UDP request. */
static enum limit_verdict
udp_take(const struct sockaddr *sa, uint64_t now, int *log)
{
	return limit_take(SOCK_DGRAM, sa, now, log);
}

/* How many of count requests at one instant over socktype are allowed. */
static int
allowed_over(int socktype, const struct sockaddr *sa, uint64_t now, int count)
{
	int i, n = 0, log;

	for (i = 0; i < count; i++)
		n += limit_take(socktype, sa, now, &log) == LIMIT_OK;
	return n;
}

static int
allowed(const struct sockaddr *sa, uint64_t now, int count)
{
	return allowed_over(SOCK_DGRAM, sa, now, count);
}

START_TEST(burst_then_rate)
{
	struct sockaddr_storage a;
	int log;

	limit_init(10, 1);
	memcpy(&a, v4("192.0.2.1", 40000), sizeof(a));
	/* Four seconds' worth at once, then nothing. */
	ck_assert_int_eq(allowed((struct sockaddr *)&a, 1000, 100), 40);
	ck_assert_int_eq(udp_take((struct sockaddr *)&a, 1000, &log),
	    LIMIT_SOURCE);
	ck_assert_int_eq(log, 0);	/* the first refusal was logged */
	/* A tenth of a second buys one reply; a second buys ten. */
	ck_assert_int_eq(allowed((struct sockaddr *)&a, 1100, 100), 1);
	ck_assert_int_eq(allowed((struct sockaddr *)&a, 2100, 100), 10);
	/* Ten idle seconds refill to the burst, no more. */
	ck_assert_int_eq(allowed((struct sockaddr *)&a, 12100, 100), 40);
}
END_TEST

START_TEST(one_source_does_not_starve_another)
{
	int log;

	limit_init(10, 1);
	ck_assert_int_eq(allowed(v4("192.0.2.1", 40000), 1000, 1000), 40);
	ck_assert_int_eq(allowed(v4("192.0.2.2", 40000), 1000, 1), 1);
	ck_assert_int_eq(allowed(v6("2001:db8::1", 40000), 1000, 1), 1);
	/* The port does not make another source. */
	ck_assert_int_eq(udp_take(v4("192.0.2.1", 40001), 1000, &log),
	    LIMIT_SOURCE);
}
END_TEST

START_TEST(refusals_logged_once_a_minute)
{
	int log, i, logged;

	limit_init(1, 1);
	ck_assert_int_eq(allowed(v4("192.0.2.1", 40000), 1000, 4), 4);
	ck_assert_int_eq(udp_take(v4("192.0.2.1", 40000), 1000, &log),
	    LIMIT_SOURCE);
	ck_assert_int_eq(log, 1);
	for (i = 0; i < 59; i++) {
		udp_take(v4("192.0.2.1", 40000), 1500 + i * 1000, &log);
		ck_assert_int_eq(log, 0);
	}
	/* A minute after the first, the next refusal is logged, once. */
	for (i = 0, logged = 0; i < 10; i++)
		if (udp_take(v4("192.0.2.1", 40000), 61000, &log) ==
		    LIMIT_SOURCE)
			logged += log;
	ck_assert_int_eq(logged, 1);
}
END_TEST

/*
 * Sources 192.0.2.1 on, count of them, each spending its burst (rate 1)
 * at now and then refused once: how many of the refusals are logged.
 */
static int
refusals_logged(int count, uint64_t now)
{
	char addr[32];
	int log, i, logged = 0;

	for (i = 0; i < count; i++) {
		snprintf(addr, sizeof(addr), "192.0.2.%d", i + 1);
		ck_assert_int_eq(allowed(v4(addr, 40000), now, 4), 4);
		ck_assert_int_eq(udp_take(v4(addr, 40000), now, &log),
		    LIMIT_SOURCE);
		logged += log;
	}
	return logged;
}

/* Many limited sources: ten refusal lines a minute in all, the rest quiet. */
START_TEST(refusals_logged_ten_a_minute)
{
	limit_init(1, 1);
	ck_assert_int_eq(refusals_logged(30, 1000), 10);
	ck_assert_int_eq(refusals_logged(30, 61000), 10);	/* a new minute */
}
END_TEST

/* Sources 10.a.b.1, count of them from first, each asking once at now. */
static int
fresh_sources(int first, int count, uint64_t now)
{
	int i, n = 0, log;

	for (i = first; i < first + count; i++)
		n += udp_take(v4_net10(i, 40000), now, &log) == LIMIT_OK;
	return n;
}

START_TEST(global_cap)
{
	int n, log;

	/*
	 * Rate 1: each source may have 4, the server 1000 a second, half of
	 * it kept for sources it knows. New ones share the other half.
	 */
	limit_init(1, 1);
	ck_assert_int_eq(fresh_sources(0, 1500, 5000), 500);
	ck_assert_int_eq(udp_take(v4("10.200.0.1", 40000), 5000, &log),
	    LIMIT_GLOBAL);
	/* A refusal for the server's sake costs the source nothing. */
	ck_assert_int_eq(allowed(v4("10.200.0.1", 40000), 6000, 4), 4);
	/* Known ones (asking again a second later) have the rest: 1000. */
	n = fresh_sources(0, 1500, 6000);
	ck_assert_int_le(n, 1000);
	ck_assert_int_ge(n, 500);
}
END_TEST

/*
 * The flood of the adversarial round: 25,000 new sources a second, while a
 * client timed already answered asks 5 times a second. It keeps every
 * answer; the flood gets no more than the cap.
 */
START_TEST(known_source_kept_under_flood)
{
	struct sockaddr_storage client;
	uint64_t now = 1000, flood_began;
	int tick, log, asked = 0, got = 0, flood = 0, next = 0;

	limit_init(10, 9);	/* the cap: 10,000 a second */
	memcpy(&client, v4("192.0.2.5", 40000), sizeof(client));
	for (; now < 3000; now += 200)
		ck_assert_int_eq(udp_take((struct sockaddr *)&client, now,
		    &log), LIMIT_OK);
	flood_began = now;
	for (tick = 0; tick < 1000; tick++, now += 10) {	/* 10 s */
		flood += fresh_sources(next, 250, now);
		next += 250;
		if (tick % 20 == 0) {
			asked++;
			got += udp_take((struct sockaddr *)&client, now,
			    &log) == LIMIT_OK;
		}
	}
	ck_assert_int_eq(got, asked);
	/* The cap, a second's burst of it, over the flood's 10 s. */
	ck_assert_int_le(flood + got, 10000 * (int)(now - flood_began) /
	    1000 + 10000);
	ck_assert_int_ge(flood, 5000 * 10);
}
END_TEST

/* A source new a moment ago has no claim on the reserve. */
START_TEST(new_source_not_known_at_once)
{
	int log;

	limit_init(1, 1);
	ck_assert_int_eq(allowed(v4("192.0.2.5", 40000), 5000, 1), 1);
	ck_assert_int_eq(fresh_sources(0, 1000, 5500), 500);
	ck_assert_int_eq(udp_take(v4("192.0.2.5", 40000), 5500, &log),
	    LIMIT_GLOBAL);
	/* A second after it first asked, it is known. */
	ck_assert_int_eq(udp_take(v4("192.0.2.5", 40000), 6000, &log),
	    LIMIT_OK);
}
END_TEST

START_TEST(many_sources_bounded_table)
{
	int i, log;

	/* Far more sources than slots: old ones are forgotten, nothing grows. */
	limit_init(10, 7);
	for (i = 0; i < 50000; i++) {
		ck_assert_int_eq(udp_take(v4_net10(i, 40000), 1000 + i,
		    &log), LIMIT_OK);
	}
}
END_TEST

/*
 * The attack of the hardening review: bursts "from" a forged victim,
 * between floods of fresh sources that churn the table. However the table
 * churns, the victim gets its burst and its rate, no more. The TCP table,
 * whose eviction is UDP's, shows it without the global cap in the way.
 */
START_TEST(churn_gives_no_fresh_burst)
{
	struct sockaddr_storage victim;
	uint64_t now = 1000;
	int round, i, got = 0;

	limit_init(10, 3);
	memcpy(&victim, v4("192.0.2.99", 40000), sizeof(victim));
	for (round = 0; round < 50; round++, now += 20) {
		got += allowed_over(SOCK_STREAM, (struct sockaddr *)&victim,
		    now, 100);
		for (i = 0; i < 2 * LIMIT_SLOTS; i++)
			allowed_over(SOCK_STREAM,
			    v4_net10(round << 16 | i, 40000), now, 1);
	}
	/* 40 of burst, and 10 a second for the second it lasted. */
	ck_assert_int_le(got, 40 + 10);
	ck_assert_int_ge(got, 40);
}
END_TEST

/*
 * The harder attack: sets filled with sources deeper in debt than the
 * victim push the victim itself out, round after round. It comes back
 * with the state it left, not a fresh burst.
 */
START_TEST(evicted_victim_keeps_its_state)
{
	struct sockaddr_storage victim;
	uint64_t start = 1000, now = start;
	int round, i, got = 0;

	limit_init(10, 5);
	memcpy(&victim, v4("192.0.2.99", 40000), sizeof(victim));
	for (round = 0; round < 5; round++) {
		got += allowed_over(SOCK_STREAM, (struct sockaddr *)&victim,
		    now, 100);
		now += 1;
		for (i = 0; i < WAYS_FILLED * LIMIT_SLOTS; i++)
			allowed_over(SOCK_STREAM,
			    v4_net10(round << 16 | (i & 0xffff), 40000), now, 41);
	}
	ck_assert_int_le(got, 40 + (int)(10 * (now - start) / 1000) + 1);
}
END_TEST

/* A forged UDP flood from a client's address spends nothing of its TCP. */
START_TEST(tcp_apart_from_udp)
{
	int log;

	limit_init(10, 1);
	ck_assert_int_eq(allowed(v4("192.0.2.1", 40000), 1000, 1000), 40);
	ck_assert_int_eq(limit_take(SOCK_STREAM, v4("192.0.2.1", 40000), 1000,
	    &log), LIMIT_OK);
}
END_TEST

/* An IPv6 source is its /64: a host has one, and all the addresses in it. */
START_TEST(ipv6_by_its_64)
{
	char addr[64];
	int i, n = 0, log;

	limit_init(10, 1);
	for (i = 0; i < 200; i++) {
		snprintf(addr, sizeof(addr), "2001:db8:1:2:%x::%x", i, i + 1);
		n += udp_take(v6(addr, 40000), 1000, &log) ==
		    LIMIT_OK;
	}
	ck_assert_int_eq(n, 40);
	ck_assert_int_eq(allowed(v6("2001:db8:1:3::1", 40000), 1000, 1), 1);
	/* IPv4 on a dual-stack socket stays one address a source. */
	ck_assert_int_eq(allowed(v6("::ffff:192.0.2.1", 40000), 1000, 100), 40);
	ck_assert_int_eq(allowed(v6("::ffff:192.0.2.2", 40000), 1000, 1), 1);
}
END_TEST

/* A link-local source with its interface: fe80::/64 is every link's. */
static const struct sockaddr *
link_local(const char *addr, unsigned ifindex)
{
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)v6(addr, 40000);

	sin6->sin6_scope_id = ifindex;
	return (struct sockaddr *)sin6;
}

START_TEST(link_local_by_host_and_link)
{
	limit_init(10, 1);
	ck_assert_int_eq(allowed(link_local("fe80::1", 2), 1000, 100), 40);
	/* The same address on another link is another host. */
	ck_assert_int_eq(allowed(link_local("fe80::1", 3), 1000, 100), 40);
	/* A neighbour on the first link is not held to its bucket. */
	ck_assert_int_eq(allowed(link_local("fe80::2", 2), 1000, 100), 40);
	ck_assert_int_eq(allowed(link_local("fe80::1", 2), 1000, 1), 0);
	ck_assert_int_eq(allowed(link_local("fe80::1", 3), 1000, 1), 0);
}
END_TEST

START_TEST(rate_zero_is_off)
{
	limit_init(0, 1);
	ck_assert_int_eq(allowed(v4("192.0.2.1", 40000), 1000, 100000), 100000);
}
END_TEST

Suite *
ratelimit_suite(void)
{
	Suite *s = suite_create("ratelimit");
	TCase *sources = tcase_create("sources");
	TCase *rates = tcase_create("rates");

	tcase_add_test(sources, sources_that_are_fine);
	tcase_add_test(sources, sources_on_low_ports);
	tcase_add_test(sources, sources_that_cannot_be);
	tcase_add_test(sources, dual_stack_sources_are_ipv4);
	tcase_add_test(sources, sources_on_our_own_port);
	tcase_add_test(sources, destinations_unicast_only);
	tcase_add_test(rates, burst_then_rate);
	tcase_add_test(rates, one_source_does_not_starve_another);
	tcase_add_test(rates, refusals_logged_once_a_minute);
	tcase_add_test(rates, refusals_logged_ten_a_minute);
	tcase_add_test(rates, global_cap);
	tcase_add_test(rates, known_source_kept_under_flood);
	tcase_add_test(rates, new_source_not_known_at_once);
	tcase_add_test(rates, many_sources_bounded_table);
	tcase_add_test(rates, churn_gives_no_fresh_burst);
	tcase_add_test(rates, evicted_victim_keeps_its_state);
	tcase_add_test(rates, tcp_apart_from_udp);
	tcase_add_test(rates, ipv6_by_its_64);
	tcase_add_test(rates, link_local_by_host_and_link);
	tcase_add_test(rates, rate_zero_is_off);
	suite_add_tcase(s, sources);
	suite_add_tcase(s, rates);
	return s;
}
