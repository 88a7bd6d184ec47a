/* timed's options, parsed by the function main() calls. */
#include <sys/socket.h>

#include <check.h>
#include <stdarg.h>
#include <string.h>

#include "../server/options.h"
#include "../server/ratelimit.h"
#include "helpers.h"
#include "tests.h"

static struct timed_options opts;
static struct why why;		/* what the parser said */

/* parse("-x", ..., NULL): the arguments after "timed". */
#define parse(...)	ARGS_PARSE(timed_options, &opts, &why, "timed", __VA_ARGS__)

START_TEST(defaults)
{
	ck_assert_int_eq(parse(NULL), 0);
	ck_assert_int_eq(opts.spec.family, AF_UNSPEC);
	ck_assert(opts.spec.tcp && opts.spec.udp);
	ck_assert_uint_eq(opts.spec.port, 37);
	ck_assert_uint_eq(opts.spec.naddresses, 0);
	ck_assert_int_eq(opts.rate, LIMIT_RATE_DEFAULT);
	ck_assert_str_eq(opts.username, "_timed");
	ck_assert_ptr_null(opts.pidfile);
	ck_assert(!opts.debug && !opts.foreground && !opts.inetd);
	ck_assert(!opts.spec_given && !opts.version);
}
END_TEST

START_TEST(every_letter)
{
	ck_assert_int_eq(parse("-6dfT", "-l", "::1", "-l", "localhost", "-P",
	    "/tmp/p", "-p", "time", "-r", "0", "-u", "nobody", NULL), 0);
	ck_assert_int_eq(opts.spec.family, AF_INET6);
	ck_assert(opts.spec.tcp && !opts.spec.udp);
	ck_assert_uint_eq(opts.spec.naddresses, 2);
	ck_assert_str_eq(opts.spec.addresses[1], "localhost");
	ck_assert_str_eq(opts.pidfile, "/tmp/p");
	ck_assert_uint_eq(opts.spec.port, 37);
	ck_assert_int_eq(opts.rate, 0);
	ck_assert_str_eq(opts.username, "nobody");
	ck_assert(opts.debug && opts.foreground && opts.spec_given);
	ck_assert_int_eq(parse("-4U", "-V", NULL), 0);
	ck_assert(opts.version && !opts.spec.tcp && opts.spec.udp);
}
END_TEST

struct refusal {
	const char *args[6];
	const char *message;	/* "": the usage line */
};

static const struct refusal refusals[] = {
	{ { "-p", "99999" }, "port 99999 is too large" },
	{ { "-p", "nosuch" }, "port nosuch is not a number or a known service" },
	{ { "-r", "fast" }, "rate fast is invalid" },
	{ { "-r", "100001" }, "rate 100001 is too large" },
	{ { "-4", "-6" }, "-4 and -6 exclude each other; give neither for both" },
	{ { "-T", "-U" }, "-T and -U exclude each other; give neither for both" },
	{ { "-i", "-p", "37" }, "-i takes its socket from inetd: -4 -6 -l -p -T "
	    "-U do not apply" },
	{ { "-x" }, "" },
	{ { "-p" }, "" },
	{ { "extra" }, "" },
	/* The first error is the one said. */
	{ { "-r", "x", "-p", "y" }, "rate x is invalid" },
	/* -t judges a start, and these start no server. */
	{ { "-t", "-V" }, "-t checks the options of a start: -V starts no "
	    "server" },
	{ { "-t", "--help" }, "-t checks the options of a start: --help "
	    "starts no server" },
	{ { "--help", "-ft" }, "-t checks the options of a start: --help "
	    "starts no server" },
};

START_TEST(refused)
{
	const struct refusal *r = &refusals[_i];

	ck_assert_int_eq(parse(r->args[0], r->args[1], r->args[2], r->args[3],
	    r->args[4], r->args[5], NULL), -1);
	ck_assert_str_eq(why.text, r->message);
}
END_TEST

START_TEST(too_many_addresses)
{
	char *argv[2 + 2 * LISTEN_ADDRESSES_MAX + 2] = { "timed" };
	int i, argc = 1;

	for (i = 0; i <= LISTEN_ADDRESSES_MAX; i++) {
		argv[argc++] = "-l";
		argv[argc++] = "127.0.0.1";
	}
	ck_assert_int_eq(timed_options(argc, argv, &opts, &why),
	    -1);
	ck_assert_str_eq(why.text, "too many -l addresses (at most 16)");
}
END_TEST

/*
 * Under inetd, stderr is the client's socket: the caller must know of -i
 * and -d before it says what is wrong, wherever they stand.
 */
START_TEST(inetd_known_after_an_error)
{
	ck_assert_int_eq(parse("-x", "-i", NULL), -1);
	ck_assert(opts.inetd && !opts.debug);
	ck_assert_int_eq(parse("-r", "x", "-i", "-d", NULL), -1);
	ck_assert(opts.inetd && opts.debug);
}
END_TEST

Suite *
timed_options_suite(void)
{
	Suite *s = suite_create("timed_options");
	TCase *tc = tcase_create("parse");

	tcase_add_test(tc, defaults);
	tcase_add_test(tc, every_letter);
	tcase_add_loop_test(tc, refused, 0, sizeof(refusals) /
	    sizeof(refusals[0]));
	tcase_add_test(tc, too_many_addresses);
	tcase_add_test(tc, inetd_known_after_an_error);
	suite_add_tcase(s, tc);
	return s;
}
