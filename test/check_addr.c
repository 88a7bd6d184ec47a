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
	suite_add_tcase(s, ports);
	suite_add_tcase(s, addresses);
	return s;
}
