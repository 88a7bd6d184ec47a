/* Ports and addresses as users type them. */
#include <arpa/inet.h>
#include <check.h>
#include <netinet/in.h>
#include <string.h>

#include "../common/addr.h"
#include "tests.h"

static const char *
port_error(const char *text)
{
	const char *errstr = NULL;
	unsigned port = 12345;

	ck_assert_int_eq(port_parse(text, &port, &errstr), -1);
	ck_assert_uint_eq(port, 12345);	/* untouched on error */
	return errstr;
}

static unsigned
port_ok(const char *text)
{
	const char *errstr = NULL;
	unsigned port = 12345;

	ck_assert_int_eq(port_parse(text, &port, &errstr), 0);
	ck_assert_ptr_null(errstr);
	return port;
}

START_TEST(port_numbers)
{
	ck_assert_uint_eq(port_ok("0"), 0);
	ck_assert_uint_eq(port_ok("37"), 37);
	ck_assert_uint_eq(port_ok("8037"), 8037);
	ck_assert_uint_eq(port_ok("65535"), 65535);
}
END_TEST

START_TEST(port_service_names)
{
	ck_assert_uint_eq(port_ok("time"), 37);
	ck_assert_uint_eq(port_ok("ntp"), 123);
}
END_TEST

START_TEST(port_out_of_range)
{
	ck_assert_str_eq(port_error("65536"), "too large");
	ck_assert_str_eq(port_error("99999"), "too large");
	ck_assert_str_eq(port_error("99999999999999999999"), "too large");
	ck_assert_str_eq(port_error("-1"), "too small");
}
END_TEST

START_TEST(port_garbage)
{
	const char *msg = "not a number or a known service";

	ck_assert_str_eq(port_error(""), msg);
	ck_assert_str_eq(port_error("nosuchservice"), msg);
	ck_assert_str_eq(port_error("80x"), msg);
	ck_assert_str_eq(port_error("8 0"), msg);
	ck_assert_str_eq(port_error("0x25"), msg);
}
END_TEST

START_TEST(address_text)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	struct sockaddr_in6 sin6 = { .sin6_family = AF_INET6 };
	char host[ADDR_TEXT_MAX];
	unsigned port = 0;

	sin.sin_port = htons(51234);
	inet_pton(AF_INET, "127.0.0.1", &sin.sin_addr);
	ck_assert_str_eq(addr_text((struct sockaddr *)&sin, host, sizeof(host),
	    &port), "127.0.0.1");
	ck_assert_uint_eq(port, 51234);
	sin6.sin6_port = htons(37);
	inet_pton(AF_INET6, "::1", &sin6.sin6_addr);
	ck_assert_str_eq(addr_text((struct sockaddr *)&sin6, host, sizeof(host),
	    &port), "::1");
	ck_assert_uint_eq(port, 37);
	inet_pton(AF_INET6, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
	    &sin6.sin6_addr);
	ck_assert_str_eq(addr_text((struct sockaddr *)&sin6, host, sizeof(host),
	    NULL), "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
}
END_TEST

/*
 * Copied in, as the kernel fills a sockaddr: the optimizer need not see a
 * store through one struct type in a load through another.
 */
static enum addr_kind
kind_of(const char *text)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	struct sockaddr_in6 sin6 = { .sin6_family = AF_INET6 };
	struct sockaddr_storage ss = { 0 };

	if (inet_pton(AF_INET, text, &sin.sin_addr) == 1)
		memcpy(&ss, &sin, sizeof(sin));
	else {
		ck_assert_int_eq(inet_pton(AF_INET6, text, &sin6.sin6_addr),
		    1);
		memcpy(&ss, &sin6, sizeof(sin6));
	}
	return addr_kind((struct sockaddr *)&ss);
}

/* Each kind at its edges, IPv4 also mapped into IPv6 as it is judged. */
START_TEST(address_kinds)
{
	static const struct {
		const char *text;
		enum addr_kind kind;
	} t[] = {
		{ "127.0.0.1", ADDR_UNICAST },
		{ "1.0.0.0", ADDR_UNICAST },
		{ "223.255.255.255", ADDR_UNICAST },
		{ "127.255.255.255", ADDR_UNICAST },	/* an interface's say */
		{ "0.0.0.0", ADDR_THIS_NETWORK },
		{ "0.255.255.255", ADDR_THIS_NETWORK },
		{ "224.0.0.0", ADDR_MULTICAST },
		{ "239.255.255.255", ADDR_MULTICAST },
		{ "240.0.0.0", ADDR_RESERVED },
		{ "255.255.255.254", ADDR_RESERVED },
		{ "255.255.255.255", ADDR_BROADCAST },
		{ "::ffff:0.1.2.3", ADDR_THIS_NETWORK },
		{ "::ffff:224.0.0.1", ADDR_MULTICAST },
		{ "::ffff:255.255.255.255", ADDR_BROADCAST },
		{ "::ffff:10.0.0.1", ADDR_UNICAST },
		{ "::1", ADDR_UNICAST },
		{ "fe80::1", ADDR_UNICAST },
		{ "2001:db8::1", ADDR_UNICAST },
		{ "::", ADDR_UNSPECIFIED },
		{ "ff02::1", ADDR_MULTICAST },
		{ "ff0e::101", ADDR_MULTICAST },
		{ "::10.0.0.1", ADDR_V4COMPAT },
	};
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		ck_assert_msg(kind_of(t[i].text) == t[i].kind,
		    "%s: kind %d, not %d", t[i].text, kind_of(t[i].text),
		    t[i].kind);
}
END_TEST

Suite *
addr_suite(void)
{
	Suite *s = suite_create("addr");
	TCase *ports = tcase_create("ports");
	TCase *addresses = tcase_create("addresses");

	tcase_add_test(ports, port_numbers);
	tcase_add_test(ports, port_service_names);
	tcase_add_test(ports, port_out_of_range);
	tcase_add_test(ports, port_garbage);
	tcase_add_test(addresses, address_text);
	tcase_add_test(addresses, address_kinds);
	suite_add_tcase(s, ports);
	suite_add_tcase(s, addresses);
	return s;
}
