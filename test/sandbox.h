/*
 * What keeps the suite a guest: the run's scratch directory, its skips,
 * copies the run user can reach, privileges dropped, and namespaces of the
 * test's own for system paths (/run, /etc, /dev/log) and the network.
 */
#ifndef SANDBOX_H
#define SANDBOX_H

#include <stddef.h>

/*
 * Check has no skip: the test passes, says SKIP and why on stderr, and is
 * counted and named by the runner (test_skip), which can fail the run on a
 * skip it was not told to expect (TEST_SKIPS_EXPECTED).
 */
#define SKIP(...) do {							\
	test_skip(__func__, __VA_ARGS__);				\
	return;								\
} while (0)
void test_skip(const char *, const char *, ...)
    __attribute__((format(printf, 2, 3)));

const char *scratch_dir(void);
const char *scratch_copy(const char *, const char *, char *, size_t);
const char *timed_copy(void);
const char *scratch_preload(const char *);
void become_nobody(void);
void drop_clock_privilege(void);
void drop_clock_privilege_cron(void);
void hide_last_good(void);
int capability_drop(int);
int private_mount_namespace(const char *);
int private_network(void);
int private_file(const char *, const char *);
int private_state(void);
int syslog_trap(void);
const char *syslog_wait(int, const char *, int);
const char *const *unsynced_env(int);

#endif
