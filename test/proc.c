/*
 * Processes: the real binaries started with their output captured, waits
 * on what they say or on their exit, each bounded; /proc read about them.
 */
#include <sys/prctl.h>
#include <sys/wait.h>

#include <linux/filter.h>
#include <linux/seccomp.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "proc.h"
#include "../common/sysfilter.h"

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Valgrind makes everything slower: TEST_TIMEOUT_SCALE stretches waits. */
int
scale_ms(int ms)
{
	const char *scale = getenv("TEST_TIMEOUT_SCALE");
	int factor = scale != NULL ? atoi(scale) : 1;

	return ms * (factor > 0 ? factor : 1);
}

const char *
timeclient_path(void)
{
	const char *path = getenv("TIMECLIENT");

	return path != NULL ? path : "./timeclient";
}

const char *
timed_path(void)
{
	const char *path = getenv("TIMED");

	return path != NULL ? path : "./timed";
}

/*
 * ASAN_OPTIONS as the test set them, and detect_leaks=0 after them: for a
 * child that LeakSanitizer cannot check (see proc_start).
 */
static void
asan_without_leaks(void)
{
	static char options[512];
	const char *set = getenv("ASAN_OPTIONS");

	snprintf(options, sizeof(options), "ASAN_OPTIONS=%s%sdetect_leaks=0",
	    set != NULL ? set : "", set != NULL && *set != '\0' ? ":" : "");
	putenv(options);
}

/*
 * Why our programs cannot run with their own system call filters here, or
 * NULL where they can: built without libseccomp, under a wrapper
 * (valgrind runs them on a CPU of its own), or on a system that takes no
 * filter (qemu-user, which runs i386 programs on a kernel without 32-bit
 * x86, answers PR_SET_SECCOMP with EINVAL). Decided once, by trying: a
 * child loads a filter that allows everything.
 */
const char *
proc_unfiltered_why(void)
{
	static char why[128];
	static int tried;
	struct sock_filter allow = BPF_STMT(BPF_RET | BPF_K,
	    SECCOMP_RET_ALLOW);
	struct sock_fprog prog = { 1, &allow };
	int status;
	pid_t pid;

	if (tried)
		return why[0] != '\0' ? why : NULL;
	tried = 1;
	if (!sysfilter_built())
		snprintf(why, sizeof(why), "built without libseccomp: no "
		    "system call filter");
	else if (proc_wrapped())
		snprintf(why, sizeof(why), "under %.*s our programs run "
		    "without their filters (-F)", (int)strcspn(getenv(
		    "TEST_WRAPPER"), " "), getenv("TEST_WRAPPER"));
	else if ((pid = fork()) == 0) {
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1 ||
		    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) == -1)
			_exit(errno > 0 && errno < 256 ? errno : 255);
		_exit(0);
	} else if (pid == -1 || waitpid(pid, &status, 0) == -1 ||
	    !WIFEXITED(status) || WEXITSTATUS(status) != 0)
		snprintf(why, sizeof(why), "this system takes no system call "
		    "filter (%s): our programs run without theirs (-F)",
		    pid == -1 ? strerror(errno) : WIFEXITED(status) ?
		    strerror(WEXITSTATUS(status)) : "the probe died");
	return why[0] != '\0' ? why : NULL;
}

/*
 * Whether argv[i] starts one of our programs that must run without its
 * filter (-F after it): any program under a wrapper, or where no filter
 * loads, a path to timed or timeclient (also behind another program, as
 * systemd-socket-activate ... -- ./timed).
 */
static int
unfiltered_at(const char *const argv[], size_t i, int wrapped)
{
	const char *base = strrchr(argv[i], '/');

	if (argv[i + 1] != NULL && strcmp(argv[i + 1], "--help") == 0)
		return 0;
	if (i == 0 && wrapped)
		return 1;
	if (base == NULL || !sysfilter_built() || proc_unfiltered_why() == NULL)
		return 0;
	return strcmp(base + 1, "timed") == 0 ||
	    strcmp(base + 1, "timeclient") == 0;
}

/* Drains what the child wrote into its buffers, for up to timeout_ms. */
static void
proc_read(struct proc *p, int timeout_ms)
{
	struct pollfd pfd[2];
	ssize_t n;
	int i;

	pfd[0].fd = p->out_fd;
	pfd[1].fd = p->err_fd;
	pfd[0].events = pfd[1].events = POLLIN;
	if (p->out_fd == -1 && p->err_fd == -1) {
		if (timeout_ms > 0)
			poll(NULL, 0, timeout_ms < 20 ? timeout_ms : 20);
		return;
	}
	if (poll(pfd, 2, timeout_ms) <= 0)
		return;
	for (i = 0; i < 2; i++) {
		char *buf = i == 0 ? p->out : p->err;
		size_t *len = i == 0 ? &p->outlen : &p->errlen;
		int *fd = i == 0 ? &p->out_fd : &p->err_fd;

		if (pfd[i].fd == -1 || pfd[i].revents == 0)
			continue;
		n = read(*fd, buf + *len, OUTPUT_MAX - 1 - *len);
		if (n > 0) {
			*len += n;
			buf[*len] = '\0';
		} else if (n == 0 || errno != EINTR) {
			close(*fd);
			*fd = -1;
		}
	}
}

int
proc_start(struct proc *p, const char *const argv[], const char *const env[],
    child_setup_fn setup)
{
	const char *wrapper = getenv("TEST_WRAPPER");
	const char *args[64];
	char *words = NULL, *word;
	int out[2], err[2], null;
	size_t i, n = 0;

	memset(p, 0, sizeof(*p));
	p->pid = -1;
	/* TEST_WRAPPER="valgrind -q ..." runs our own binaries under it. */
	if (wrapper != NULL && *wrapper != '\0' && argv[0][0] == '.') {
		words = strdup(wrapper);
		for (word = strtok(words, " "); word != NULL && n < 32;
		    word = strtok(NULL, " "))
			args[n++] = word;
	}
	/*
	 * valgrind runs a program on a CPU of its own, whose system calls
	 * (executable memory for its translations, its signal machinery) a
	 * seccomp filter would judge as the program's: under it, and where
	 * no filter loads (qemu-user), our programs run without theirs (-F,
	 * first). The other runs test the filters.
	 */
	for (i = 0; argv[i] != NULL && n < 62; i++) {
		args[n++] = argv[i];
		if (unfiltered_at(argv, i, words != NULL))
			args[n++] = "-F";
	}
	args[n] = NULL;
	if (pipe2(out, O_CLOEXEC) == -1 || pipe2(err, O_CLOEXEC) == -1)
		return -1;
	p->pid = fork();
	if (p->pid == -1)
		return -1;
	if (p->pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if ((null = open("/dev/null", O_RDONLY)) != -1)
			dup2(null, STDIN_FILENO);
		dup2(out[1], STDOUT_FILENO);
		dup2(err[1], STDERR_FILENO);
		/*
		 * LeakSanitizer's check at exit stops the process's threads
		 * with ptrace and reads /proc: timed's system call filter
		 * kills it for that, and timed started as root has changed
		 * root to an empty directory besides. valgrind (make
		 * check-valgrind) checks timed's leaks instead.
		 */
		for (i = 0; env != NULL && env[i] != NULL; i++)
			putenv((char *)env[i]);
		if (strstr(argv[0], "timed") != NULL &&
		    strstr(argv[0], "timeclient") == NULL)
			asan_without_leaks();
		if (setup != NULL)
			setup();
		execvp(args[0], (char *const *)args);
		fprintf(stderr, "exec %s: %s\n", args[0], strerror(errno));
		_exit(127);
	}
	free(words);
	close(out[1]);
	close(err[1]);
	p->out_fd = out[0];
	p->err_fd = err[0];
	return 0;
}

/*
 * Waits until text appears in stderr past its first from bytes, or (from
 * 0) in stdout. Returns 1 if it did.
 */
int
proc_wait_text_from(struct proc *p, size_t from, const char *text,
    int timeout_ms)
{
	long long deadline = now_ms() + scale_ms(timeout_ms);
	long long left;

	for (;;) {
		if ((from <= p->errlen && strstr(p->err + from, text) != NULL) ||
		    (from == 0 && strstr(p->out, text) != NULL))
			return 1;
		left = deadline - now_ms();
		if (left <= 0 || (p->out_fd == -1 && p->err_fd == -1))
			return 0;
		proc_read(p, (int)left);
	}
}

/* Waits until text appears in stdout or stderr. Returns 1 if it did. */
int
proc_wait_text(struct proc *p, const char *text, int timeout_ms)
{
	return proc_wait_text_from(p, 0, text, timeout_ms);
}

/*
 * Waits for the exit, reading output to EOF. Returns 1 if it exited.
 * What the process wrote is all in the pipes once it has exited; a pipe
 * that a descendant still holds (a detached daemon's valgrind, which
 * keeps a stderr of its own) is read until it has been quiet for
 * PROC_QUIET_MS, not to the deadline.
 */
#define PROC_QUIET_MS	200

int
proc_wait_exit(struct proc *p, int timeout_ms)
{
	long long deadline = now_ms() + scale_ms(timeout_ms);
	long long left, quiet;
	size_t seen;
	pid_t pid;

	while (!p->exited) {
		pid = waitpid(p->pid, &p->status, WNOHANG);
		if (pid == p->pid) {
			p->exited = 1;
			break;
		}
		left = deadline - now_ms();
		if (left <= 0)
			return 0;
		proc_read(p, left < 20 ? (int)left : 20);
	}
	quiet = now_ms() + PROC_QUIET_MS;
	while (p->out_fd != -1 || p->err_fd != -1) {
		left = (deadline < quiet ? deadline : quiet) - now_ms();
		if (left <= 0)
			break;
		seen = p->outlen + p->errlen;
		proc_read(p, (int)left);
		if (p->outlen + p->errlen != seen)
			quiet = now_ms() + PROC_QUIET_MS;
	}
	return 1;
}

/* Kills the process if it still runs and reaps it. */
void
proc_stop(struct proc *p)
{
	if (p->pid > 0 && !p->exited) {
		kill(p->pid, SIGKILL);
		waitpid(p->pid, &p->status, 0);
		p->exited = 1;
	}
	if (p->out_fd != -1)
		close(p->out_fd);
	if (p->err_fd != -1)
		close(p->err_fd);
	p->out_fd = p->err_fd = -1;
}

/* Runs a command to its end. Returns 0, or -1 if it ran past timeout_ms. */
int
proc_run(struct proc *p, const char *const argv[], const char *const env[],
    child_setup_fn setup, int timeout_ms)
{
	if (proc_start(p, argv, env, setup) == -1)
		return -1;
	if (!proc_wait_exit(p, timeout_ms)) {
		proc_stop(p);
		return -1;
	}
	return 0;
}

/* The exit status, or 128 + the signal that killed it. */
int
exit_code(const struct proc *p)
{
	if (WIFEXITED(p->status))
		return WEXITSTATUS(p->status);
	if (WIFSIGNALED(p->status))
		return 128 + WTERMSIG(p->status);
	return -1;
}

/* Whether pid has exited: no such process, or a zombie not yet reaped. */
int
process_gone(pid_t pid)
{
	char path[64], line[512], *paren, state = '?';
	FILE *f;

	if (kill(pid, 0) == -1 && errno == ESRCH)
		return 1;
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if ((f = fopen(path, "r")) == NULL)
		return 1;
	paren = fgets(line, sizeof(line), f) != NULL ? strrchr(line, ')') :
	    NULL;
	fclose(f);
	if (paren != NULL)
		sscanf(paren + 2, "%c", &state);
	return state == 'Z' || state == 'X';
}

/*
 * A symbolic link in /proc/PID, or NULL with errno: EACCES when this
 * process may not ptrace pid (root without CAP_SYS_PTRACE, as in Docker,
 * looking at a process of another user).
 */
const char *
proc_link(pid_t pid, const char *what)
{
	static char target[PATH_MAX];
	char path[64];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, what);
	if ((n = readlink(path, target, sizeof(target) - 1)) == -1)
		return NULL;
	target[n] = '\0';
	return target;
}

/*
 * Whether pid's root directory is dir. Without ptrace access, from
 * /proc/PID/mountinfo, which anyone may read: it lists only the mounts
 * inside the process's root, relative to it, so a process at the real root
 * has a mount on "/" and one changed into a plain directory such as
 * /var/empty has none. That tells "/" from "not /", no more.
 */
int
proc_root_is(pid_t pid, const char *dir)
{
	const char *root = proc_link(pid, "root");
	char path[64], line[1024], mountpoint[PATH_MAX];
	int at_slash = 0;
	FILE *f;

	if (root != NULL)
		return strcmp(root, dir) == 0;
	if (errno != EACCES)
		return 0;
	snprintf(path, sizeof(path), "/proc/%d/mountinfo", (int)pid);
	if ((f = fopen(path, "r")) == NULL)
		return 0;
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "%*s %*s %*s %*s %4095s", mountpoint) == 1 &&
		    strcmp(mountpoint, "/") == 0)
			at_slash = 1;
	fclose(f);
	fprintf(stderr, "note: no ptrace access to pid %d; its root is %s, as "
	    "far as mountinfo tells\n", (int)pid, at_slash ? "/" : "not /");
	return at_slash == (strcmp(dir, "/") == 0);
}

/* How many times needle occurs in haystack. */
int
count_text(const char *haystack, const char *needle)
{
	int n = 0;

	while ((haystack = strstr(haystack, needle)) != NULL) {
		n++;
		haystack += strlen(needle);
	}
	return n;
}

/* Seconds on the monotonic clock since start. */
double
seconds_since(const struct timespec *start)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - start->tv_sec) +
	    (double)(now.tv_nsec - start->tv_nsec) / 1e9;
}

/*
 * ARGS_PARSE's command line: prog, then the arguments up to NULL, in a
 * static array (a parser may keep pointers into it) that the next call
 * reuses. Returns argc.
 */
char *args_argv[32];

int
args_set(const char *prog, ...)
{
	const char *arg;
	va_list ap;
	int argc = 1;

	args_argv[0] = (char *)prog;
	va_start(ap, prog);
	while ((arg = va_arg(ap, const char *)) != NULL && argc < 31)
		args_argv[argc++] = (char *)arg;
	va_end(ap);
	args_argv[argc] = NULL;
	return argc;
}

/* Whether our programs run under a wrapper (valgrind), without filters. */
int
proc_wrapped(void)
{
	const char *wrapper = getenv("TEST_WRAPPER");

	return wrapper != NULL && *wrapper != '\0';
}

/* A line of /proc/PID/status, after its "Name:\t"; "" when it has none. */
const char *
proc_status(pid_t pid, const char *field)
{
	static char value[256];
	char path[64], line[256];
	size_t len = strlen(field);
	FILE *f;

	value[0] = '\0';
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	if ((f = fopen(path, "r")) == NULL)
		return value;
	while (fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, field, len) == 0 && line[len] == ':') {
			snprintf(value, sizeof(value), "%s", line + len + 2);
			value[strcspn(value, "\n")] = '\0';
		}
	fclose(f);
	return value;
}

/*
 * The first child of parent found in /proc within timeout_ms, or -1:
 * a process whose fourth field of /proc/PID/stat is parent.
 */
pid_t
proc_child(pid_t parent, int timeout_ms)
{
	struct timespec start;
	struct dirent *e;
	char path[64], stat[512], *close_paren;
	const char *errstr;
	long long pid, ppid;
	FILE *f;
	DIR *d;

	clock_gettime(CLOCK_MONOTONIC, &start);
	do {
		if ((d = opendir("/proc")) == NULL)
			return -1;
		while ((e = readdir(d)) != NULL) {
			pid = strtonum(e->d_name, 1, INT_MAX, &errstr);
			if (errstr != NULL)
				continue;
			snprintf(path, sizeof(path), "/proc/%lld/stat", pid);
			if ((f = fopen(path, "r")) == NULL)
				continue;
			stat[0] = '\0';
			if (fgets(stat, sizeof(stat), f) == NULL)
				stat[0] = '\0';
			fclose(f);
			/* After the name, which may hold anything: " S ppid" */
			if ((close_paren = strrchr(stat, ')')) != NULL &&
			    sscanf(close_paren + 1, " %*c %lld", &ppid) == 1 &&
			    ppid == parent) {
				closedir(d);
				return (pid_t)pid;
			}
		}
		closedir(d);
		usleep(10000);
	} while (seconds_since(&start) * 1000 < timeout_ms);
	return -1;
}
