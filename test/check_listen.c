/*
 * listen.c: the sockets timed opens, one port for all, and what it takes
 * over from inetd, told apart by what the descriptor is.
 */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <check.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "../server/listen.h"
#include "helpers.h"
#include "tests.h"

static struct listener listeners[LISTEN_MAX];
static struct why why;
static char expect[128];

static struct listen_spec
spec_of(const char *address)
{
	struct listen_spec spec = { .family = AF_UNSPEC, .tcp = 1, .udp = 1,
	    .port = 0, .naddresses = 1 };

	spec.addresses[0] = address;
	return spec;
}

/* -p 0: the kernel picks one port, and TCP and UDP both have it. */
START_TEST(one_port_for_tcp_and_udp)
{
	struct listen_spec spec = spec_of("127.0.0.1");
	char name[64];

	ck_assert_int_eq(listen_open(&spec, listeners, LISTEN_MAX, &why), 2);
	ck_assert_uint_ne(listeners[0].port, 0);
	ck_assert_uint_eq(listeners[0].port, listeners[1].port);
	ck_assert_int_eq(listeners[0].socktype, SOCK_STREAM);
	ck_assert_int_eq(listeners[1].socktype, SOCK_DGRAM);
	snprintf(name, sizeof(name), "tcp 127.0.0.1 port %u",
	    listeners[0].port);
	ck_assert_str_eq(listeners[0].name, name);
	listen_close(listeners, 2);
}
END_TEST

START_TEST(multicast_and_broadcast_refused)
{
	struct listen_spec spec = spec_of("224.0.0.1");

	ck_assert_int_eq(listen_open(&spec, listeners, LISTEN_MAX, &why), -1);
	ck_assert_str_eq(why.text, "address 224.0.0.1 is multicast: timed answers "
	    "only requests sent to this host alone");
	spec = spec_of("255.255.255.255");
	ck_assert_int_eq(listen_open(&spec, listeners, LISTEN_MAX, &why), -1);
	ck_assert(strstr(why.text, "is the broadcast address") != NULL);
}
END_TEST

/*
 * A network's broadcast address, lo's 127.255.255.255 (127.0.0.1/8): the
 * kernel takes it as broadcast though lo says none, and timed would
 * answer nothing there. Refused, by -t too; another address of lo's
 * network is not.
 */
START_TEST(directed_broadcast_refused)
{
	struct listen_spec spec = spec_of("127.255.255.255");

	ck_assert_int_eq(listen_check(&spec, &why), -1);
	ck_assert_str_eq(why.text, "address 127.255.255.255 is the broadcast "
	    "address of lo: timed answers only requests sent to this host "
	    "alone");
	ck_assert_int_eq(listen_open(&spec, listeners, LISTEN_MAX, &why), -1);
	spec = spec_of("127.0.0.255");
	ck_assert_int_eq(listen_check(&spec, &why), 0);
}
END_TEST

/* bind(2) refuses it (EINVAL): refused first, and by -t (listen_check). */
START_TEST(ipv4_mapped_refused)
{
	struct listen_spec spec = spec_of("::ffff:127.0.0.1");

	ck_assert_int_eq(listen_check(&spec, &why), -1);
	ck_assert_str_eq(why.text, "address ::ffff:127.0.0.1 is an IPv4-mapped "
	    "IPv6 address (give the IPv4 address)");
	ck_assert_int_eq(listen_open(&spec, listeners, LISTEN_MAX, &why), -1);
}
END_TEST

/* inetd's descriptor 0: a connection, a datagram socket, or neither. */
START_TEST(inherited_told_apart)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	socklen_t len = sizeof(sin);
	int listener, client, conn, udp, pair[2], connected;
	unsigned port;

	ck_assert_int_eq(port_free(AF_INET, SOCK_STREAM, &port, &listener), 0);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sin.sin_port = htons(port);
	ck_assert_int_ne(client = socket(AF_INET, SOCK_STREAM, 0), -1);
	ck_assert_int_eq(connect(client, (struct sockaddr *)&sin, len), 0);
	ck_assert_int_ne(conn = accept(listener, NULL, NULL), -1);
	ck_assert_int_eq(listen_inherit(conn, &listeners[0], &connected, &why), 0);
	ck_assert_int_eq(connected, 1);
	ck_assert_int_eq(listen_inherit(listener, &listeners[0], &connected, &why), 0);
	ck_assert_int_eq(connected, 0);		/* inetd's "stream wait" */
	ck_assert_int_eq(port_free(AF_INET, SOCK_DGRAM, &port, &udp), 0);
	ck_assert_int_eq(listen_inherit(udp, &listeners[0], &connected, &why), 0);
	ck_assert_int_eq(listeners[0].socktype, SOCK_DGRAM);
	ck_assert_int_eq(connected, 0);
	ck_assert_int_eq(pipe(pair), 0);
	ck_assert_int_eq(listen_inherit(pair[0], &listeners[0], &connected, &why), -1);
	snprintf(expect, sizeof(expect), "descriptor %d is not a socket",
	    pair[0]);
	ck_assert_str_eq(why.text, expect);
	close(pair[0]);
	close(pair[1]);
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, pair), 0);
	ck_assert_int_eq(listen_inherit(pair[0], &listeners[0], &connected, &why), -1);
	ck_assert(strstr(why.text, "is not an IPv4 or IPv6 socket") != NULL);
}
END_TEST

Suite *
listen_suite(void)
{
	Suite *s = suite_create("listen");
	TCase *sockets = tcase_create("sockets");

	tcase_add_test(sockets, one_port_for_tcp_and_udp);
	tcase_add_test(sockets, multicast_and_broadcast_refused);
	tcase_add_test(sockets, directed_broadcast_refused);
	tcase_add_test(sockets, ipv4_mapped_refused);
	tcase_add_test(sockets, inherited_told_apart);
	suite_add_tcase(s, sockets);
	return s;
}
