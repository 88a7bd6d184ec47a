/*
 * Test helpers: start a binary with its stdout and stderr captured, wait for
 * a line or for its exit with a deadline, and query a server over loopback.
 * Every wait is bounded; children die with the test (PR_SET_PDEATHSIG).
 */
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <grp.h>
#include <sys/stat.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "helpers.h"
#include "../rfc868.h"

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
		if (geteuid() == 0 && strstr(argv[0], "timed") != NULL &&
		    strstr(argv[0], "timeclient") == NULL)
			putenv("ASAN_OPTIONS=detect_leaks=0");
		for (i = 0; env != NULL && env[i] != NULL; i++)
			putenv((char *)env[i]);
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
 * A copy of timed in the scratch directory, for tests that run it as nobody
 * wherever the checkout lives. NULL on error.
 */
const char *
timed_copy(void)
{
	static char path[64];
	char cmd[256];

	if (scratch_dir() == NULL)
		return NULL;
	snprintf(path, sizeof(path), "%s/timed", scratch_dir());
	snprintf(cmd, sizeof(cmd), "cp %s %s && chmod 755 %s", timed_path(),
	    path, path);
	return system(cmd) == 0 ? path : NULL;
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

/* "LD_PRELOAD=.../libfaketime.so.1", or NULL when faketime is missing. */
const char *
faketime_preload(void)
{
	static char preload[256];
	glob_t g;

	if (glob("/usr/lib/*/faketime/libfaketime.so.1", 0, NULL, &g) != 0)
		return NULL;
	snprintf(preload, sizeof(preload), "LD_PRELOAD=%s", g.gl_pathv[0]);
	globfree(&g);
	return preload;
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
