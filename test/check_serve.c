/*
 * serve.c: the loop and the answers, on sockets of the test's own, without
 * the binary: a handed-over connection gets exactly the 4 bytes, and the
 * loop answers a datagram and ends when idle (inetd's "wait").
 */
#include <sys/socket.h>
#include <sys/wait.h>

#include <check.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../common/rfc868.h"
#include "../server/listen.h"
#include "../server/ratelimit.h"
#include "../server/serve.h"
#include "helpers.h"
#include "tests.h"

/* inetd "nowait": the connection is answered, 4 bytes, the time now. */
START_TEST(connection_gets_the_time)
{
	unsigned char reply[16];
	int pair[2];

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, pair), 0);
	serve_init(0);
	ck_assert_int_eq(serve_connection(pair[0]), 0);
	close(pair[0]);
	ck_assert_int_eq(read(pair[1], reply, sizeof(reply)), 4);
	ck_assert_int_le(llabs(rfc868_value(reply) - now_rfc868() %
	    0x100000000LL), 1);
	ck_assert_int_eq(read(pair[1], reply, sizeof(reply)), 0);
}
END_TEST

/* A datagram waiting when the loop starts is answered; idle, it returns. */
START_TEST(loop_answers_then_idles_out)
{
	struct listen_spec spec = { .family = AF_INET, .udp = 1, .port = 0,
	    .naddresses = 1, .addresses = { "127.0.0.1" } };
	struct listener l[1];
	struct timespec began;
	unsigned char reply[16];
	struct why why;
	int client;

	ck_assert_int_eq(listen_open(&spec, l, 1, &why), 1);
	limit_init(10, 1);
	serve_init(0);
	serve_signals();
	ck_assert_int_ne(client = udp_from("127.0.0.1", 0), -1);
	ck_assert_int_eq(udp_send_to_port(client, l[0].port), 0);
	clock_gettime(CLOCK_MONOTONIC, &began);
	serve(l, 1, 1);
	ck_assert(seconds_since(&began) < 3.0);
	ck_assert_int_eq(recv(client, reply, sizeof(reply), 0), 4);
	ck_assert_int_le(llabs(rfc868_value(reply) - now_rfc868() %
	    0x100000000LL), 1);
	close(client);
	listen_close(l, 1);
}
END_TEST

/*
 * A socket that never empties: its own datagram to itself, with the loop
 * not told its port (so the source check cannot refuse it, and the reply
 * is a request again, for ever). pselect(2) returns at once each pass,
 * without letting SIGTERM in; the loop must take it itself.
 */
START_TEST(signals_taken_when_never_idle)
{
	struct listen_spec spec = { .family = AF_INET, .udp = 1, .port = 0,
	    .naddresses = 1, .addresses = { "127.0.0.1" } };
	struct sockaddr_in self = { .sin_family = AF_INET };
	struct listener l[1];
	struct proc p;
	struct why why;

	ck_assert_int_eq(listen_open(&spec, l, 1, &why), 1);
	self.sin_port = htons(l[0].port);
	self.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	memset(&p, 0, sizeof(p));
	p.out_fd = p.err_fd = -1;
	if ((p.pid = fork()) == 0) {
		limit_init(0, 1);
		serve_init(0);
		serve_signals();
		l[0].port = 0;
		sendto(l[0].fd, "", 0, 0, (struct sockaddr *)&self,
		    sizeof(self));
		serve(l, 1, 0);
		_exit(0);
	}
	ck_assert_int_ne(p.pid, -1);
	usleep(200000);
	ck_assert_msg(!proc_wait_exit(&p, 0), "the loop ended by itself");
	ck_assert_int_eq(kill(p.pid, SIGTERM), 0);
	if (!proc_wait_exit(&p, 1000)) {
		proc_stop(&p);
		ck_abort_msg("the loop still ran a second after SIGTERM");
	}
	ck_assert_int_eq(exit_code(&p), 0);
	listen_close(l, 1);
}
END_TEST

Suite *
serve_suite(void)
{
	Suite *s = suite_create("serve");
	TCase *answers = tcase_create("answers");

	tcase_set_timeout(answers, 10);
	tcase_add_test(answers, connection_gets_the_time);
	tcase_add_test(answers, loop_answers_then_idles_out);
	tcase_add_test(answers, signals_taken_when_never_idle);
	suite_add_tcase(s, answers);
	return s;
}
