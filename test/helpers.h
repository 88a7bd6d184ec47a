/* Running the real binaries and querying them over real sockets. */
#ifndef HELPERS_H
#define HELPERS_H

#include <sys/types.h>

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#define OUTPUT_MAX 65536

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

struct proc {
	pid_t pid;
	int out_fd, err_fd;		/* read ends; -1 once at EOF */
	char out[OUTPUT_MAX], err[OUTPUT_MAX];	/* NUL-terminated */
	size_t outlen, errlen;
	int status;			/* wait(2) status, once exited */
	int exited;
};

/* Runs in the child before exec, e.g. to drop a privilege. */
typedef void (*child_setup_fn)(void);

int proc_start(struct proc *, const char *const argv[], const char *const env[],
    child_setup_fn);
int proc_wait_text(struct proc *, const char *, int);
int proc_wait_exit(struct proc *, int);
void proc_stop(struct proc *);
int proc_run(struct proc *, const char *const argv[], const char *const env[],
    child_setup_fn, int);
int exit_code(const struct proc *);

const char *timed_path(void);
int timed_start(struct proc *, unsigned *, const char *const args[],
    const char *const env[]);
int port_free(int family, int socktype, unsigned *, int *);

int udp_from(const char *, unsigned);
int udp_replies(int, int);
double seconds_since(const struct timespec *);
long tcp_query(int family, unsigned port, unsigned char *, size_t, int);
long udp_query(int family, unsigned port, const void *, size_t,
    unsigned char *, size_t, int);
/* A server that misbehaves as told, in a child; see fake_server(). */
typedef void (*serve_fn)(int fd, const void *request, size_t len,
    const void *peer, unsigned peerlen);
pid_t fake_server(int family, int socktype, serve_fn, unsigned *);
void fake_server_stop(pid_t);
const char *timeclient_path(void);
const char *faketime_preload(void);
const char *faketime_preload_for(const char *);
const char *const *faketime_env(const char *);
int elf_match(const char *, const char *);
const char *scratch_dir(void);
const char *timed_copy(void);
int timed_port(struct proc *, unsigned *);
int timed_start_quiet(struct proc *, unsigned *, const char *const[]);
void become_nobody(void);
void drop_clock_privilege(void);
int capability_drop(int);
int private_mount_namespace(const char *);
int private_network(void);
int process_gone(pid_t);
int syslog_trap(void);
int private_file(const char *, const char *);
const char *syslog_wait(int, const char *, int);
const char *scratch_preload(const char *);
const char *const *unsynced_env(char *, size_t);
const char *proc_link(pid_t, const char *);
int proc_root_is(pid_t, const char *);
int count_text(const char *, const char *);
int usage_line(const char *, char *, size_t);
int man_synopsis(const char *, char *, size_t);
int64_t now_rfc868(void);
int64_t rfc868_value(const unsigned char *);
int scale_ms(int);

#endif
