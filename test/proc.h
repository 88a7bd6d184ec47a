/*
 * Processes: the real binaries started with their output captured, waits
 * on what they say or on their exit, each bounded; /proc read about them.
 */
#ifndef PROC_H
#define PROC_H

#include <sys/types.h>

#include <stddef.h>
#include <time.h>

#define OUTPUT_MAX 65536

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

int scale_ms(int);
const char *timeclient_path(void);
const char *timed_path(void);
int proc_start(struct proc *, const char *const argv[], const char *const env[],
    child_setup_fn);
int proc_wait_text(struct proc *, const char *, int);
int proc_wait_text_from(struct proc *, size_t, const char *, int);
int proc_wait_exit(struct proc *, int);
void proc_stop(struct proc *);
int proc_run(struct proc *, const char *const argv[], const char *const env[],
    child_setup_fn, int);
int exit_code(const struct proc *);
int process_gone(pid_t);
const char *proc_link(pid_t, const char *);
int proc_root_is(pid_t, const char *);
const char *proc_status(pid_t, const char *);
int proc_wrapped(void);
const char *proc_unfiltered_why(void);
pid_t proc_child(pid_t, int);
int count_text(const char *, const char *);
double seconds_since(const struct timespec *);
/*
 * An option parser under test, called as main() calls it:
 * parser(argc, argv, opts, why) on prog and the arguments up to NULL.
 */
#define ARGS_PARSE(parser, opts, why, prog, ...) \
	(parser)(args_set(prog, __VA_ARGS__), args_argv, (opts), (why))

extern char *args_argv[];
int args_set(const char *, ...);

#endif
