/*
 * The last good time (client/lastgood.c), through the real timeclient
 * under the clock spy, each test in a /var/lib of its own (a private mount
 * namespace and a tmpfs, private_state): kept after a good set and not
 * otherwise, a floor no server's time may go below, the clock advanced to
 * it at boot and kept at shutdown, and refused when anyone but its owners
 * could have planted it.
 */
#include <sys/socket.h>
#include <sys/stat.h>

#include <check.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../common/rfc868.h"
#include "helpers.h"
#include "tests.h"

#define CLOCK_FILE	"/var/lib/timeclient/clock"

static struct proc client;
static pid_t fake_pid;
static char portarg[16];
static char spy_file[PATH_MAX];
static int64_t fake_offset;	/* the fake server's clock, from ours */
static long long ran_from, ran_to;	/* our clock around the last run */

/* A server whose clock is fake_offset seconds from ours. */
static void
serve_offset(int fd, const void *req, size_t len, const void *peer,
    unsigned peerlen)
{
	unsigned char b[4];
	size_t done = 0;
	ssize_t n;

	(void)req, (void)len, (void)peer, (void)peerlen;
	rfc868_pack(rfc868_from_unix((int64_t)time(NULL) + fake_offset), b);
	while (done < sizeof(b) && (n = write(fd, b + done, sizeof(b) -
	    done)) > 0)
		done += (size_t)n;
}

static void
fake_at(int64_t offset)
{
	unsigned port;

	fake_offset = offset;
	fake_pid = fake_server(AF_INET, SOCK_STREAM, serve_offset, &port);
	ck_assert_int_gt(fake_pid, 0);
	snprintf(portarg, sizeof(portarg), "%u", port);
}

static void
teardown(void)
{
	if (fake_pid > 0)
		fake_server_stop(fake_pid);
	fake_pid = 0;
}

/* A /var/lib of the test's own, or a skip saying why not. */
#define OWN_STATE() do {						\
	if (private_state() == -1)					\
		SKIP("a /var/lib of the test's own: %s",		\
		    strerror(errno));					\
} while (0)

/*
 * Runs timeclient under the spy (its record in spy_file), with more in
 * the environment if given; its exit status.
 */
static int
run_as(const char *const args[], const char *more, child_setup_fn setup)
{
	static char spyenv[PATH_MAX + 16];
	const char *env[] = { "LD_PRELOAD=./test/clockspy.so", spyenv,
	    "ASAN_OPTIONS=verify_asan_link_order=0", "TZ=UTC", more, NULL };
	const char *argv[16] = { timeclient_path() };
	size_t i;

	snprintf(spy_file, sizeof(spy_file), "%s/spy", scratch_dir());
	ck_assert(mkdir(spy_file, 0755) == 0 || errno == EEXIST);
	snprintf(spy_file, sizeof(spy_file), "%s/spy/clockspy", scratch_dir());
	snprintf(spyenv, sizeof(spyenv), "CLOCKSPY=%s", spy_file);
	for (i = 0; args[i] != NULL && i < 14; i++)
		argv[i + 1] = args[i];
	argv[i + 1] = NULL;
	ran_from = (long long)time(NULL);
	ck_assert_msg(proc_run(&client, argv, env, setup, 10000) == 0,
	    "timeclient ran past 10 s");
	ran_to = (long long)time(NULL);
	return exit_code(&client);
}

static int
run(const char *const args[], const char *more)
{
	return run_as(args, more, drop_clock_privilege);
}

/* timeclient -s against the fake server, under the spy. */
static int
set_from_fake(const char *more)
{
	return run((const char *const[]){ "-s", "-o", portarg, "127.0.0.1",
	    NULL }, more);
}

/* The step the spy recorded, in s; 0 when nothing was set. */
static int
stepped(long long *seconds)
{
	FILE *f = fopen(spy_file, "r");
	long long ns;
	int found;

	if (f == NULL)
		return 0;
	found = fscanf(f, "step %lld", &ns) == 1;
	fclose(f);
	*seconds = ns / 1000000000LL;
	return found;
}

static void
write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	ck_assert_int_ge(fputs(text, f), 0);
	ck_assert_int_eq(fclose(f), 0);
}

/* A last good time of now + offset s: that time. */
static long long
keep_at(int64_t offset)
{
	long long t = (long long)time(NULL) + offset;
	char text[32];

	snprintf(text, sizeof(text), "%lld\n", t);
	write_file(CLOCK_FILE, text);
	return t;
}

/*
 * The time kept (Unix seconds); when timeclient wrote it (ours), its
 * file's mtime the same.
 */
static long long
kept_as(int ours)
{
	char text[32] = "";
	struct stat st;
	long long t;
	FILE *f;

	ck_assert_int_eq(lstat(CLOCK_FILE, &st), 0);
	ck_assert(S_ISREG(st.st_mode));
	ck_assert_int_eq(st.st_mode & 022, 0);
	ck_assert_ptr_nonnull(f = fopen(CLOCK_FILE, "r"));
	ck_assert_ptr_nonnull(fgets(text, sizeof(text), f));
	fclose(f);
	t = strtoll(text, NULL, 10);
	if (ours)
		ck_assert_int_eq(st.st_mtime, t);
	return t;
}

#define kept() kept_as(1)

/*
 * What the last run kept, lo .. hi s from our clock while it ran (a slow
 * machine, valgrind, stretch that while).
 */
#define ASSERT_KEPT(lo, hi) do {					\
	long long k_ = kept();						\
	ck_assert_msg(k_ >= ran_from + (lo) && k_ <= ran_to + (hi),	\
	    "kept %lld, not %+d .. %+d s from %lld .. %lld", k_, (lo),	\
	    (hi), ran_from, ran_to);					\
} while (0)

/* The last run stepped the clock to t (Unix seconds), as the spy saw. */
#define ASSERT_STEPPED_TO(t) do {					\
	long long s_;							\
	ck_assert(stepped(&s_));					\
	ck_assert_msg(s_ >= (t) - ran_to - 1 && s_ <= (t) - ran_from,	\
	    "stepped by %lld s, not to %lld from %lld .. %lld", s_,	\
	    (long long)(t), ran_from, ran_to);				\
} while (0)

#define ASSERT_SAID(text) ck_assert_msg(strstr(client.err, (text)) !=	\
	NULL, "not said: %s; said: %s", (text), client.err)

/*
 * A good set keeps the earliest the server's time could have been: 100 s
 * ahead, less its second's bound. Before, nothing was kept.
 */
START_TEST(kept_after_a_good_set)
{
	long long s;

	OWN_STATE();
	fake_at(100);
	ck_assert_int_eq(set_from_fake(NULL), 0);
	ck_assert(stepped(&s));
	ck_assert_msg(s >= 98 && s <= 101, "stepped by %lld s", s);
	ASSERT_KEPT(96, 100);
}
END_TEST

/*
 * Root that may set the clock sets it from its parent, which keeps only
 * CAP_SYS_TIME (privsep.c): that parent keeps the time, root's, in root's
 * directory. The spy stands in for the clock; CAP_SYS_TIME is kept, so
 * the server's clock is ours, as in check_timeclient.c's tests of the
 * network side: were the spy not loaded, the clock would not move.
 */
START_TEST(kept_by_the_parent)
{
	struct stat st;
	long long s;

	OWN_STATE();
	if (geteuid() != 0)
		SKIP("only root's timeclient sets from a parent apart, and "
		    "this /var/lib is a user namespace's (uid %u)",
		    (unsigned)geteuid());
	fake_at(0);
	ck_assert_int_eq(run_as((const char *const[]){ "-s", "-o", portarg,
	    "127.0.0.1", NULL }, NULL, NULL), 0);
	ck_assert(stepped(&s));
	ASSERT_KEPT(-4, 0);
	ck_assert_int_eq(stat(CLOCK_FILE, &st), 0);
	ck_assert_uint_eq(st.st_uid, 0);
}
END_TEST

/* -p sets nothing and keeps nothing; nor does a set that failed (exit 5). */
START_TEST(not_kept_without_a_good_set)
{
	long long s;

	OWN_STATE();
	fake_at(100);
	ck_assert_int_eq(run((const char *const[]){ "-p", "-o", portarg,
	    "127.0.0.1", NULL }, NULL), 0);
	ck_assert_int_eq(access(CLOCK_FILE, F_OK), -1);
	ck_assert_int_eq(set_from_fake("CLOCKSPY_DENY=1"), 5);
	ck_assert_int_eq(access(CLOCK_FILE, F_OK), -1);
	ck_assert(!stepped(&s));
}
END_TEST

/*
 * A server whose time is before the last good time is refused (exit 4),
 * the clock left; -p still prints it. A later one is set and kept, and
 * an earlier good set never lowers what is kept.
 */
START_TEST(floor_refuses_a_time_before_it)
{
	long long s, k;

	OWN_STATE();
	keep_at(1000);
	fake_at(0);
	ck_assert_int_eq(set_from_fake(NULL), 4);
	ASSERT_SAID("is before the last good time");
	ASSERT_SAID(CLOCK_FILE);
	ck_assert(!stepped(&s));
	ck_assert_int_eq(run((const char *const[]){ "-p", "-o", portarg,
	    "127.0.0.1", NULL }, NULL), 0);
	teardown();
	fake_at(2000);
	ck_assert_int_eq(set_from_fake(NULL), 0);
	ASSERT_KEPT(1996, 2000);
	teardown();
	k = keep_at(5000);
	fake_at(4999);		/* within its second's bound of the floor */
	ck_assert_int_eq(set_from_fake(NULL), 0);
	ck_assert_int_eq(kept_as(0), k);
}
END_TEST

/*
 * timeclient -s alone, at boot: a clock behind the last good time is
 * advanced to it; a clock past it is never moved back.
 */
START_TEST(boot_advances_a_clock_behind_it)
{
	long long s, t;

	OWN_STATE();
	t = keep_at(1000);
	ck_assert_int_eq(run((const char *const[]){ "-s", NULL }, NULL), 0);
	ASSERT_STEPPED_TO(t);
	ASSERT_SAID("timeclient: clock advanced by +");
	ASSERT_SAID("the last good time");
	ck_assert_int_eq(unlink(spy_file), 0);
	keep_at(-1000);
	ck_assert_int_eq(run((const char *const[]){ "-s", NULL }, NULL), 0);
	ck_assert(!stepped(&s));
	ck_assert_int_eq(run((const char *const[]){ "-s", NULL },
	    "CLOCKSPY_DENY=1"), 0);
	/* Nor the release's floor, with nothing kept. */
	ck_assert_int_eq(unlink(CLOCK_FILE), 0);
	ck_assert_int_eq(run((const char *const[]){ "-sv", NULL }, NULL), 0);
	ck_assert(!stepped(&s));
	/* A clock that cannot be advanced: exit 5. */
	keep_at(1000);
	ck_assert_int_eq(run((const char *const[]){ "-s", NULL },
	    "CLOCKSPY_DENY=1"), 5);
	ASSERT_SAID("cannot advance the clock to");
}
END_TEST

/*
 * timeclient -s alone, at shutdown: a clock the kernel holds synchronized
 * (to within 2 s here) is kept, less that bound; an unsynchronized one is
 * not.
 */
START_TEST(shutdown_keeps_a_synchronized_clock)
{
	long long t;

	OWN_STATE();
	t = keep_at(-1000);
	ck_assert_int_eq(run((const char *const[]){ "-s", NULL }, NULL), 0);
	ck_assert_int_eq(kept_as(0), t);
	ck_assert_int_eq(run((const char *const[]){ "-sv", NULL },
	    "CLOCKSPY_SYNCED=2000000"), 0);
	ASSERT_KEPT(-3, -2);
	ASSERT_SAID("the last good time kept: ");
}
END_TEST

/*
 * What anyone but root (or timeclient's own user) could have planted is
 * not believed: a symbolic link, a group-writable directory or file,
 * something else than a file, what holds no time. Each is said, with
 * what it means for the floor; the boot's advance exits 4 and leaves the
 * clock; a server's time is set, the release's floor alone checked.
 */
static const struct planted {
	const char *what, *said;
} planted[] = {
	{ "link", "is a symbolic link" },
	{ "dir", "/var/lib/timeclient is owned by uid" },
	{ "file", "/var/lib/timeclient/clock is owned by uid" },
	{ "fifo", "is not a regular file" },
	{ "corrupt", "holds no time" },
	{ "beyond", "holds no time" },	/* past what the kernel can set */
};

START_TEST(planted_file_refused)
{
	const struct planted *p = &planted[_i];
	char target[PATH_MAX], text[32];
	long long s;
	FILE *f;

	OWN_STATE();
	snprintf(target, sizeof(target), "%s/target-%d", scratch_dir(),
	    (int)getpid());
	snprintf(text, sizeof(text), "%lld\n", (long long)time(NULL) + 1000);
	if (strcmp(p->what, "link") == 0) {
		write_file(target, text);
		ck_assert_int_eq(symlink(target, CLOCK_FILE), 0);
	} else if (strcmp(p->what, "dir") == 0) {
		keep_at(1000);
		ck_assert_int_eq(chmod("/var/lib/timeclient", 0775), 0);
	} else if (strcmp(p->what, "file") == 0) {
		keep_at(1000);
		ck_assert_int_eq(chmod(CLOCK_FILE, 0664), 0);
	} else if (strcmp(p->what, "fifo") == 0)
		ck_assert_int_eq(mkfifo(CLOCK_FILE, 0644), 0);
	else if (strcmp(p->what, "beyond") == 0)
		write_file(CLOCK_FILE, "9999999999\n");	/* 2286 */
	else
		write_file(CLOCK_FILE, "tomorrow\n");
	ck_assert_int_eq(run((const char *const[]){ "-s", NULL }, NULL), 4);
	ASSERT_SAID(p->said);
	ASSERT_SAID("the clock's floor is this release's date");
	ck_assert(!stepped(&s));
	fake_at(0);
	ck_assert_int_eq(set_from_fake(NULL), 0);
	ASSERT_SAID(p->said);
	ck_assert(stepped(&s));
	if (strcmp(p->what, "link") == 0) {	/* replaced, not followed */
		ASSERT_KEPT(-3, 0);
		ck_assert_ptr_nonnull(f = fopen(target, "r"));
		ck_assert_ptr_nonnull(fgets(target, sizeof(target), f));
		fclose(f);
		ck_assert_str_eq(target, text);
	}
	if (strcmp(p->what, "dir") == 0)	/* nor kept there */
		ASSERT_SAID("the last good time is not kept");
}
END_TEST

/*
 * A file another user owns, though no one else may write it: refused.
 * Only root can give a file away (chown); elsewhere a skip says so.
 */
START_TEST(file_of_another_user_refused)
{
	long long s;

	OWN_STATE();
	keep_at(1000);
	if (chown(CLOCK_FILE, 65533, 65533) == -1)
		SKIP("a file of another user's: chown: %s", strerror(errno));
	ck_assert_int_eq(run((const char *const[]){ "-s", NULL }, NULL), 4);
	ASSERT_SAID("/var/lib/timeclient/clock is owned by uid 65533");
	ck_assert(!stepped(&s));
}
END_TEST

/*
 * Where systemd keeps it for the units' dynamic user: /var/lib/timeclient
 * a link to private/timeclient, that user's, in /var/lib/private, root's
 * and closed to others. Root by hand believes it there (no one else can
 * reach it); not once /var/lib/private is open to others.
 */
START_TEST(dynamic_users_directory)
{
	long long s, t;

	OWN_STATE();
	ck_assert_int_eq(mkdir("/var/lib/private", 0700), 0);
	ck_assert_int_eq(chmod("/var/lib/private", 0700), 0);
	ck_assert_int_eq(rename("/var/lib/timeclient",
	    "/var/lib/private/timeclient"), 0);
	ck_assert_int_eq(symlink("private/timeclient", "/var/lib/timeclient"),
	    0);
	t = keep_at(1000);
	if (chown("/var/lib/private/timeclient", 61234, 61234) == -1 ||
	    chown(CLOCK_FILE, 61234, 61234) == -1)
		SKIP("a directory of another user's: chown: %s",
		    strerror(errno));
	ck_assert_int_eq(run((const char *const[]){ "-s", NULL }, NULL), 0);
	ASSERT_STEPPED_TO(t);
	ck_assert_int_eq(unlink(spy_file), 0);
	ck_assert_int_eq(chmod("/var/lib/private", 0755), 0);
	ck_assert_int_eq(run((const char *const[]){ "-s", NULL }, NULL), 4);
	ASSERT_SAID("/var/lib/timeclient is owned by uid 61234");
	ck_assert(!stepped(&s));
}
END_TEST

Suite *
lastgood_suite(void)
{
	Suite *s = suite_create("lastgood");
	TCase *tc = tcase_create("lastgood");

	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, kept_after_a_good_set);
	tcase_add_test(tc, kept_by_the_parent);
	tcase_add_test(tc, not_kept_without_a_good_set);
	tcase_add_test(tc, floor_refuses_a_time_before_it);
	tcase_add_test(tc, boot_advances_a_clock_behind_it);
	tcase_add_test(tc, shutdown_keeps_a_synchronized_clock);
	tcase_add_loop_test(tc, planted_file_refused, 0,
	    sizeof(planted) / sizeof(planted[0]));
	tcase_add_test(tc, file_of_another_user_refused);
	tcase_add_test(tc, dynamic_users_directory);
	suite_add_tcase(s, tc);
	return s;
}
