/*
 * Test helpers: start a binary with its stdout and stderr captured, wait for
 * a line or for its exit with a deadline, and query a server over loopback.
 * Every wait is bounded; children die with the test (PR_SET_PDEATHSIG).
 */
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <arpa/inet.h>
#include <check.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <grp.h>
#include <limits.h>
#include <linux/capability.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "helpers.h"
#include "../common/rfc868.h"

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * A test that cannot run here says why, and leaves its name and reason in
 * the run's list of skips ($TIMED_TEST_SCRATCH/skips), which the runner
 * reads at the end: tests run in children of their own, so a file is how
 * they tell it. The name is the test's, without Check's "_fn".
 */
void
test_skip(const char *function, const char *fmt, ...)
{
	const char *base = getenv("TIMED_TEST_SCRATCH");
	char name[128], reason[512], path[PATH_MAX];
	size_t len;
	va_list ap;
	FILE *f;

	snprintf(name, sizeof(name), "%s", function);
	len = strlen(name);
	if (len > 3 && strcmp(name + len - 3, "_fn") == 0)
		name[len - 3] = '\0';
	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	reason[strcspn(reason, "\n")] = '\0';
	fprintf(stderr, "SKIP %s: %s\n", name, reason);
	if (base == NULL)
		return;
	snprintf(path, sizeof(path), "%s/skips", base);
	if ((f = fopen(path, "a")) != NULL) {
		fprintf(f, "%s\t%s\n", name, reason);
		fclose(f);
	}
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
	for (i = 0; argv[i] != NULL && n < 63; i++)
		args[n++] = argv[i];
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
		 * timed started as root changes root to an empty directory,
		 * where LeakSanitizer cannot read /proc and fails at exit;
		 * valgrind (make check-valgrind) checks those leaks instead.
		 */
		for (i = 0; env != NULL && env[i] != NULL; i++)
			putenv((char *)env[i]);
		if (geteuid() == 0 && strstr(argv[0], "timed") != NULL &&
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

/* Waits until text appears in stdout or stderr. Returns 1 if it did. */
int
proc_wait_text(struct proc *p, const char *text, int timeout_ms)
{
	long long deadline = now_ms() + scale_ms(timeout_ms);
	long long left;

	for (;;) {
		if (strstr(p->err, text) != NULL || strstr(p->out, text) != NULL)
			return 1;
		left = deadline - now_ms();
		if (left <= 0 || (p->out_fd == -1 && p->err_fd == -1))
			return 0;
		proc_read(p, (int)left);
	}
}

/* Waits for the exit, reading output to EOF. Returns 1 if it exited. */
int
proc_wait_exit(struct proc *p, int timeout_ms)
{
	long long deadline = now_ms() + scale_ms(timeout_ms);
	long long left;
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
	while (p->out_fd != -1 || p->err_fd != -1) {
		left = deadline - now_ms();
		proc_read(p, left > 0 ? (int)left : 0);
		if (left <= 0)
			break;
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

/*
 * Starts "timed -d -p 0 -u nobody args..." and reads back the port it
 * logged (-u matters only to root, as in CI). Returns 0, or -1 with the
 * daemon stopped.
 */
int
timed_start(struct proc *p, unsigned *port, const char *const args[],
    const char *const env[])
{
	const char *argv[32] = { timed_path(), "-d", "-p", "0", "-u", "nobody" };
	size_t n = 6, i;

	for (i = 0; args != NULL && args[i] != NULL && n < 31; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	if (proc_start(p, argv, env, NULL) == -1)
		return -1;
	if (timed_port(p, port) == -1) {
		proc_stop(p);
		return -1;
	}
	return 0;
}

/*
 * Starts "timed -f -u nobody -l 127.0.0.1 -p PORT extra..." on a free port
 * and waits until it answers over TCP: no line per client, so a flood
 * writes nothing to a pipe nobody reads. Returns 0, or -1.
 */
int
timed_start_quiet(struct proc *p, unsigned *port, const char *const extra[])
{
	char portarg[8];
	const char *argv[16] = { timed_path(), "-f", "-u", "nobody", "-l",
	    "127.0.0.1", "-p", portarg };
	unsigned char reply[8];
	size_t n = 8, i;
	int fd;

	for (i = 0; extra != NULL && extra[i] != NULL && n < 15; i++)
		argv[n++] = extra[i];
	argv[n] = NULL;
	if (port_free(AF_INET, SOCK_STREAM, port, &fd) == -1)
		return -1;
	close(fd);
	snprintf(portarg, sizeof(portarg), "%u", *port);
	if (proc_start(p, argv, NULL, NULL) == -1)
		return -1;
	for (i = 0; i < 250; i++) {
		if (tcp_query(AF_INET, *port, reply, sizeof(reply), 1000) == 4)
			return 0;
		usleep(20000);
	}
	return -1;
}

/*
 * Waits until a timed started in debug mode says it serves, and reads back
 * the port of its first socket. Returns 0, or -1.
 */
int
timed_port(struct proc *p, unsigned *port)
{
	const char *found;

	if (!proc_wait_text(p, "serving on", 5000))
		return -1;
	found = strstr(p->err, " port ");
	if (found == NULL || sscanf(found, " port %u", port) != 1)
		return -1;
	return 0;
}

static socklen_t
loopback(int family, unsigned port, struct sockaddr_storage *ss)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (family == AF_INET6) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_addr = in6addr_loopback;
		sin6->sin6_port = htons(port);
		return sizeof(*sin6);
	}
	sin->sin_family = AF_INET;
	sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sin->sin_port = htons(port);
	return sizeof(*sin);
}

/*
 * Binds a loopback socket on a port the kernel picks and keeps it open in
 * *fd (the caller closes it), so the test owns a port nobody else has.
 */
int
port_free(int family, int socktype, unsigned *port, int *fd)
{
	struct sockaddr_storage ss;
	socklen_t len = loopback(family, 0, &ss);

	*fd = socket(family, socktype | SOCK_CLOEXEC, 0);
	if (*fd == -1 || bind(*fd, (struct sockaddr *)&ss, len) == -1)
		return -1;
	if (socktype == SOCK_STREAM && listen(*fd, 1) == -1)
		return -1;
	if (getsockname(*fd, (struct sockaddr *)&ss, &len) == -1)
		return -1;
	*port = ntohs(family == AF_INET6 ?
	    ((struct sockaddr_in6 *)&ss)->sin6_port :
	    ((struct sockaddr_in *)&ss)->sin_port);
	return 0;
}

/* Connects, reads to EOF. Returns the bytes read, or -1 on error/timeout. */
long
tcp_query(int family, unsigned port, unsigned char *buf, size_t size,
    int timeout_ms)
{
	struct sockaddr_storage ss;
	socklen_t len = loopback(family, port, &ss);
	struct timeval tv;
	size_t got = 0;
	ssize_t n = 0;
	int fd;

	tv.tv_sec = scale_ms(timeout_ms) / 1000;
	tv.tv_usec = scale_ms(timeout_ms) % 1000 * 1000;
	fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd == -1)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&ss, len) == -1) {
		close(fd);
		return -1;
	}
	while (got < size && (n = read(fd, buf + got, size - got)) > 0)
		got += n;
	if (got < size && n == -1) {
		close(fd);
		return -1;
	}
	close(fd);
	return got;
}

/* Sends one datagram, waits for one reply. -1 when none came in time. */
long
udp_query(int family, unsigned port, const void *request, size_t reqlen,
    unsigned char *buf, size_t size, int timeout_ms)
{
	struct sockaddr_storage ss;
	socklen_t len = loopback(family, port, &ss);
	struct pollfd pfd;
	ssize_t n = -1;
	int fd;

	fd = socket(family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd == -1)
		return -1;
	if (sendto(fd, request, reqlen, 0, (struct sockaddr *)&ss, len) ==
	    (ssize_t)reqlen) {
		pfd.fd = fd;
		pfd.events = POLLIN;
		if (poll(&pfd, 1, scale_ms(timeout_ms)) == 1)
			n = recv(fd, buf, size, 0);
	}
	close(fd);
	return n;
}

/* A UDP socket bound to src, for queries from a chosen source; errno. */
int
udp_from(const char *src, unsigned src_port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0), saved;

	sin.sin_port = htons(src_port);
	inet_pton(AF_INET, src, &sin.sin_addr);
	if (fd != -1 && bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1) {
		saved = errno;
		close(fd);
		errno = saved;
		return -1;
	}
	return fd;
}

/* Replies that came to fd, a wait_ms of quiet apart, each checked to be 4 bytes. */
int
udp_replies(int fd, int wait_ms)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	unsigned char reply[16];
	int n = 0;

	while (poll(&pfd, 1, scale_ms(wait_ms)) == 1) {
		ck_assert_int_eq(recv(fd, reply, sizeof(reply), 0), 4);
		n++;
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
 * Starts a server in a child on a loopback port the kernel picks. TCP: for
 * each connection, serve(fd) and close. UDP: serve(fd, request, peer) for
 * each datagram. Returns the child's pid, or -1.
 */
pid_t
fake_server(int family, int socktype, serve_fn serve, unsigned *port)
{
	struct sockaddr_storage peer;
	socklen_t peerlen;
	unsigned char request[512];
	ssize_t n;
	pid_t pid;
	int fd, conn;

	if (port_free(family, socktype, port, &fd) == -1)
		return -1;
	if (socktype == SOCK_STREAM)
		listen(fd, 64);
	pid = fork();
	if (pid != 0) {
		close(fd);
		return pid;
	}
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	signal(SIGPIPE, SIG_IGN);
	for (;;) {
		peerlen = sizeof(peer);
		if (socktype == SOCK_STREAM) {
			conn = accept(fd, (struct sockaddr *)&peer, &peerlen);
			if (conn == -1)
				continue;
			serve(conn, NULL, 0, &peer, peerlen);
			close(conn);
		} else {
			n = recvfrom(fd, request, sizeof(request), 0,
			    (struct sockaddr *)&peer, &peerlen);
			if (n >= 0)
				serve(fd, request, n, &peer, peerlen);
		}
	}
}

void
fake_server_stop(pid_t pid)
{
	if (pid > 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
}

int64_t
now_rfc868(void)
{
	return (int64_t)time(NULL) + RFC868_UNIX_EPOCH;
}

int64_t
rfc868_value(const unsigned char *b)
{
	return rfc868_unpack(b);
}

/*
 * The test's own directory for files: anyone may enter it and nobody (the
 * user timed becomes) may write in it. Made on first use inside the run's
 * directory ($TIMED_TEST_SCRATCH, see run.c), which the runner removes at
 * the end: a failed test leaves its process by _exit, so it cannot clean up
 * after itself. NULL on error.
 */
const char *
scratch_dir(void)
{
	static char dir[256];
	const char *base = getenv("TIMED_TEST_SCRATCH");

	if (dir[0] != '\0')
		return dir;
	snprintf(dir, sizeof(dir), "%s/test-XXXXXX", base ? base : "/tmp");
	if (mkdtemp(dir) == NULL || chmod(dir, 0755) == -1 ||
	    (geteuid() == 0 && chown(dir, 65534, 65534) == -1)) {
		dir[0] = '\0';
		return NULL;
	}
	return dir;
}

/*
 * A copy of a file in the scratch directory, executable by all: for what a
 * process started as nobody must run or preload wherever the checkout lives.
 * The path, in a static buffer per name; NULL on error.
 */
static const char *
scratch_copy(const char *src, const char *name, char *path, size_t size)
{
	char cmd[PATH_MAX * 2 + 64];

	if (path[0] != '\0')
		return path;
	if (scratch_dir() == NULL)
		return NULL;
	snprintf(path, size, "%s/%s", scratch_dir(), name);
	snprintf(cmd, sizeof(cmd), "cp %s %s && chmod 755 %s", src, path,
	    path);
	if (system(cmd) != 0) {
		path[0] = '\0';
		return NULL;
	}
	return path;
}

/* A copy of timed that nobody may run. */
const char *
timed_copy(void)
{
	static char path[PATH_MAX];

	return scratch_copy(timed_path(), "timed", path, sizeof(path));
}

/* Child setup: become nobody before exec, as a user without privilege. */
void
become_nobody(void)
{
	gid_t gid = 65534;

	if (geteuid() == 0 && (setgroups(1, &gid) == -1 ||
	    setgid(65534) == -1 || setuid(65534) == -1))
		_exit(126);
}

/*
 * The class (32 or 64 bits) and machine of an ELF file, for matching a
 * library to the binary it is preloaded into. 0, or -1 when unreadable.
 */
static int
elf_kind(const char *path, unsigned char *class, unsigned *machine)
{
	Elf32_Ehdr h;	/* e_machine sits at the same offset in both */
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd == -1)
		return -1;
	n = read(fd, &h, sizeof(h));
	close(fd);
	if (n != (ssize_t)sizeof(h) || memcmp(h.e_ident, ELFMAG, SELFMAG) != 0)
		return -1;
	*class = h.e_ident[EI_CLASS];
	*machine = h.e_machine;
	return 0;
}

/* Whether library can be preloaded into binary: one ELF class, one machine. */
int
elf_match(const char *library, const char *binary)
{
	unsigned char class1, class2;
	unsigned machine1, machine2;

	return elf_kind(library, &class1, &machine1) == 0 &&
	    elf_kind(binary, &class2, &machine2) == 0 && class1 == class2 &&
	    machine1 == machine2;
}

/*
 * The LD_PRELOAD that fakes the clock (FAKETIME=...) in binary, or NULL
 * when there is none. On a multiarch host several libfaketime are
 * installed; the one whose ELF class and machine are the binary's is
 * taken, since a 64-bit binary cannot load a 32-bit library (and the other
 * way round), with noshm.so first to keep it out of /dev/shm: none when
 * noshm.so was built for another machine (xinetd in a 32-bit run). A 32-bit
 * binary gets the project's own fakeclock.so instead: Debian's 32-bit
 * libfaketime does not wrap the 64-bit-time functions that timed calls
 * there. Both are copied to the scratch directory, where a timed started
 * as nobody can read them.
 */
const char *
faketime_preload_for(const char *binary)
{
	static char preload[2][2 * PATH_MAX + 32];
	char noshm[PATH_MAX] = "";	/* scratch_copy reuses a path it finds */
	unsigned char want_class, class;
	unsigned want_machine, machine;
	const char *lib = NULL, *own;
	char *cached;
	glob_t g;
	size_t i;

	if (elf_kind(binary, &want_class, &want_machine) == -1)
		return NULL;
	cached = preload[want_class == ELFCLASS32];
	if (cached[0] != '\0')
		return cached;
	if (want_class == ELFCLASS32) {
		if (elf_match("./test/fakeclock.so", binary) &&
		    (own = scratch_preload("fakeclock.so")) != NULL)
			snprintf(cached, sizeof(preload[0]), "%s", own);
		return cached[0] != '\0' ? cached : NULL;
	}
	if (glob("/usr/lib/*/faketime/libfaketime.so.1", 0, NULL, &g) != 0)
		return NULL;
	for (i = 0; i < g.gl_pathc && lib == NULL; i++)
		if (elf_kind(g.gl_pathv[i], &class, &machine) == 0 &&
		    class == want_class && machine == want_machine)
			lib = g.gl_pathv[i];
	/* Without a noshm.so it can load, libfaketime would fill /dev/shm. */
	if (lib != NULL && elf_match("./test/noshm.so", binary) &&
	    scratch_copy("./test/noshm.so", "noshm.so", noshm,
	    sizeof(noshm)) != NULL)
		snprintf(cached, sizeof(preload[0]), "LD_PRELOAD=%s %s", noshm,
		    lib);
	globfree(&g);
	return cached[0] != '\0' ? cached : NULL;
}

/* The clock-faking LD_PRELOAD for our own binaries (see above). */
const char *
faketime_preload(void)
{
	return faketime_preload_for(timed_path());
}

/*
 * The environment of one of our binaries whose wall clock reads when
 * (FAKETIME's syntax), its monotonic clock left alone; NULL when nothing
 * can fake it here. One at a time: the next call rewrites it.
 */
const char *const *
faketime_env(const char *when)
{
	static char faketime[128];
	static const char *env[] = { NULL, faketime,
	    "FAKETIME_DONT_FAKE_MONOTONIC=1",
	    "ASAN_OPTIONS=verify_asan_link_order=0", NULL };

	if ((env[0] = faketime_preload()) == NULL)
		return NULL;
	snprintf(faketime, sizeof(faketime), "FAKETIME=%s", when);
	return env;
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

/*
 * Child setup for a timeclient that might set the clock: without
 * CAP_SYS_TIME, so that should a preloaded spy fail to load, the real call
 * fails instead of moving this machine's clock. Root that cannot drop it
 * does not run the child at all (exit 125).
 */
void
drop_clock_privilege(void)
{
	if (capability_drop(CAP_SYS_TIME) == -1)
		_exit(125);
}

/*
 * Drops cap for this process and what it executes: from the bounding set,
 * and from the inheritable and ambient sets, through which a program gets
 * after exec what the bounding set lost (root's inheritable set is full in
 * systemd-nspawn and some container runtimes). 0, or -1 with errno.
 */
int
capability_drop(int cap)
{
	struct __user_cap_header_struct head = {
		.version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2];

	if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) == -1 && geteuid() == 0 &&
	    prctl(PR_CAPBSET_READ, cap, 0, 0, 0) != 0)
		return -1;
	if (syscall(SYS_capget, &head, data) == -1)
		return -1;
	data[cap / 32].inheritable &= ~(1u << (cap % 32));
	if (syscall(SYS_capset, &head, data) == -1)
		return -1;
	/* Ambient needs inheritable, so it went with it; said, to be sure. */
	if (prctl(PR_CAP_AMBIENT_IS_SET, cap, 0, 0, 0) == 1)
		return -1;
	return 0;
}

/*
 * Moves the calling process into a mount namespace of its own, in which
 * what is mounted on dir reaches no other namespace: "/" is made private,
 * or, where "/" is not a mount point (a chroot), dir alone. 0, or -1 with
 * errno (EPERM without CAP_SYS_ADMIN, EINVAL when neither is a mount point).
 */
int
private_mount_namespace(const char *dir)
{
	if (unshare(CLONE_NEWNS) == -1)
		return -1;
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == 0)
		return 0;
	if (errno != EINVAL)
		return -1;
	return mount(NULL, dir, NULL, MS_REC | MS_PRIVATE, NULL);
}

/* Writes text to a file of /proc. 0, or -1 with errno. */
static int
proc_write(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	int ok;

	if (f == NULL)
		return -1;
	ok = fputs(text, f) >= 0;
	return fclose(f) == 0 && ok ? 0 : -1;
}

/*
 * Moves the calling process into a network namespace of its own, with its
 * loopback up, where ports below 1024 (37 for busybox rdate, which has no
 * port option) are ours alone. Root with CAP_SYS_ADMIN makes a plain one,
 * and a timed started as root drops to nobody, as on a real server. Anyone
 * else (a user, or root in Docker) makes it in a user namespace of its own,
 * where it may let every user bind low ports (a sysctl of that network
 * namespace only); timed then starts as an ordinary user. 0, or -1 with
 * errno.
 */
int
private_network(void)
{
	struct ifreq ifr;
	int fd;

	if (unshare(CLONE_NEWNET) == -1) {
		if (unshare(CLONE_NEWUSER | CLONE_NEWNET) == -1 ||
		    proc_write("/proc/sys/net/ipv4/ip_unprivileged_port_start",
		    "0") == -1)
			return -1;
	}
	if ((fd = socket(AF_INET, SOCK_DGRAM, 0)) == -1)
		return -1;
	memset(&ifr, 0, sizeof(ifr));
	strncpy(ifr.ifr_name, "lo", IFNAMSIZ - 1);
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) == -1)
		return -1;
	ifr.ifr_flags |= IFF_UP;
	if (ioctl(fd, SIOCSIFFLAGS, &ifr) == -1)
		return -1;
	close(fd);
	return 0;
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
 * A user namespace in which this process is nobody (65534), with a mount
 * namespace it may mount in. Mapping one's own uid needs no privilege, so
 * a user and root without CAP_SYS_ADMIN (Docker) can both; programs started
 * there run as an ordinary user. 0, or -1 with errno.
 */
static int
user_mount_namespace(void)
{
	char map[64];
	uid_t uid = geteuid();
	gid_t gid = getegid();

	if (unshare(CLONE_NEWUSER | CLONE_NEWNS) == -1)
		return -1;
	snprintf(map, sizeof(map), "65534 %u 1\n", (unsigned)uid);
	if (proc_write("/proc/self/uid_map", map) == -1 ||
	    proc_write("/proc/self/setgroups", "deny") == -1)
		return -1;
	snprintf(map, sizeof(map), "65534 %u 1\n", (unsigned)gid);
	return proc_write("/proc/self/gid_map", map);
}

/*
 * Puts text in place of the file at path, for this process and its
 * children only: a mount namespace of its own (inside a user namespace
 * where a plain one is refused) and a scratch file bound over path. 0, or
 * -1 with errno.
 */
int
private_file(const char *path, const char *text)
{
	char copy[PATH_MAX];
	FILE *f;

	if (scratch_dir() == NULL)
		return -1;
	snprintf(copy, sizeof(copy), "%s/private-%d", scratch_dir(),
	    (int)getpid());
	if ((f = fopen(copy, "w")) == NULL)
		return -1;
	fputs(text, f);
	if (fclose(f) != 0 || chmod(copy, 0644) == -1)
		return -1;
	if (private_mount_namespace("/etc") == -1 &&
	    (errno != EPERM || user_mount_namespace() == -1))
		return -1;
	return mount(copy, path, NULL, MS_BIND, NULL);
}

/*
 * A syslog of the test's own: a mount namespace of its own with a /dev of
 * its own, holding /dev/null and a /dev/log socket. Where a plain mount
 * namespace is refused (EPERM: a user, or Docker's root), one inside a user
 * namespace; there /dev/null cannot be made and is bound from outside, and
 * timed runs as an ordinary user. -1 with errno when both are refused.
 */
int
syslog_trap(void)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	char outside[64];
	int null, fd;

	if (private_mount_namespace("/dev") == -1 &&
	    (errno != EPERM || user_mount_namespace() == -1))
		return -1;
	/* Opened in the new namespace, before the tmpfs hides it. */
	if ((null = open("/dev/null", O_RDWR | O_CLOEXEC)) == -1)
		return -1;
	snprintf(outside, sizeof(outside), "/proc/self/fd/%d", null);
	if (mount("tmpfs", "/dev", "tmpfs", 0, "mode=755") == -1)
		return -1;
	if (mknod("/dev/null", S_IFCHR | 0666, makedev(1, 3)) == -1) {
		if ((fd = open("/dev/null", O_CREAT | O_WRONLY | O_CLOEXEC,
		    0666)) == -1)
			return -1;
		close(fd);
		if (mount(outside, "/dev/null", NULL, MS_BIND, NULL) == -1)
			return -1;
	}
	close(null);
	chmod("/dev/null", 0666);
	strncpy(sun.sun_path, "/dev/log", sizeof(sun.sun_path) - 1);
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd == -1 || bind(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1)
		return -1;
	chmod("/dev/log", 0666);
	return fd;
}

/* The next syslog message that holds text, or NULL after timeout_ms. */
const char *
syslog_wait(int fd, const char *text, int timeout_ms)
{
	static char msg[2048];
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	ssize_t n;

	while (poll(&pfd, 1, scale_ms(timeout_ms)) == 1) {
		n = recv(fd, msg, sizeof(msg) - 1, 0);
		if (n <= 0)
			continue;
		msg[n] = '\0';
		if (strstr(msg, text) != NULL)
			return msg;
	}
	return NULL;
}

/*
 * "LD_PRELOAD=<scratch>/name", a copy of ./test/name that a timed started
 * as nobody can read wherever the checkout lives. NULL on error.
 */
const char *
scratch_preload(const char *name)
{
	static char env[PATH_MAX + 16];
	char path[PATH_MAX], src[PATH_MAX];

	path[0] = '\0';
	snprintf(src, sizeof(src), "./test/%s", name);
	if (scratch_copy(src, name, path, sizeof(path)) == NULL)
		return NULL;
	snprintf(env, sizeof(env), "LD_PRELOAD=%s", path);
	return env;
}

/* What "binary -?" prints after "usage: ". */
int
usage_line(const char *binary, char *out, size_t size)
{
	static struct proc p;
	const char *argv[] = { binary, "-?", NULL };
	const char *usage;
	size_t len;

	if (proc_run(&p, argv, NULL, NULL, 5000) == -1 ||
	    (usage = strstr(p.err, "usage: ")) == NULL)
		return -1;
	usage += strlen("usage: ");
	len = strcspn(usage, "\n");
	if (len >= size)
		return -1;
	memcpy(out, usage, len);
	out[len] = '\0';
	return 0;
}

/* The SYNOPSIS of a man page as mandoc renders it, on one line. */
int
man_synopsis(const char *page, char *out, size_t size)
{
	static struct proc p;
	const char *argv[] = { "mandoc", "-Tascii", page, NULL };
	char *s, *d = out, *end = out + size - 1;

	if (proc_run(&p, argv, NULL, NULL, 5000) == -1 || exit_code(&p) != 0)
		return -1;
	/* Drop the overstrikes: "X\bX" is bold, "_\bX" italic. */
	for (s = d = p.out; *s != '\0'; s++) {
		if (s[1] == '\b' && s[2] != '\0')
			s++;
		else
			*d++ = *s;
	}
	*d = '\0';
	if ((s = strstr(p.out, "SYNOPSIS\n")) == NULL)
		return -1;
	/* Join its lines, folding the indentation, up to the blank line. */
	s += strlen("SYNOPSIS\n");
	s += strspn(s, " ");
	for (d = out; *s != '\0' && !(s[0] == '\n' && s[1] == '\n') &&
	    d < end; s++) {
		if (*s == '\n' || *s == ' ') {
			if (d > out && d[-1] != ' ')
				*d++ = ' ';
		} else
			*d++ = *s;
	}
	*d = '\0';
	return 0;
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

/*
 * The environment of a timed whose kernel says the clock is not
 * synchronized while the file flag (made here, in the scratch directory)
 * exists, and synchronized once it is gone: clockfail.so's adjtimex,
 * the wall clock untouched (it would fail only if /nonexistent existed).
 */
const char *const *
unsynced_env(char *flag, size_t size)
{
	static char flagenv[PATH_MAX + 32];
	static const char *env[] = { NULL, flagenv,
	    "CLOCKFAIL_WHEN=/nonexistent/clock-fails",
	    "ASAN_OPTIONS=verify_asan_link_order=0", NULL };
	int fd;

	ck_assert_ptr_nonnull(env[0] = scratch_preload("clockfail.so"));
	ck_assert_ptr_nonnull(scratch_dir());
	snprintf(flag, size, "%s/unsynced", scratch_dir());
	snprintf(flagenv, sizeof(flagenv), "CLOCKFAIL_UNSYNCED_WHEN=%s", flag);
	ck_assert_int_ne(fd = open(flag, O_WRONLY | O_CREAT, 0644), -1);
	close(fd);
	return env;
}
