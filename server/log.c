/*
 * Logging in the OpenBSD daemons' shape. Debug messages (each client, each
 * idle tick) exist only in debug mode: sent to syslog they would be a line a
 * second and a line per client, a flood an attacker could drive.
 *
 * syslog(3) is not used: it blocks when the log daemon stops reading
 * /dev/log, and traffic can cause log lines, so a stalled syslogd would
 * freeze the loop (and, since signals wait for pselect, SIGTERM with it).
 * timed writes to /dev/log itself, without blocking, in syslog(3)'s format;
 * a line the socket will not take is dropped and counted. stderr is treated
 * the same way: a supervisor that stops reading a pipe must not freeze the
 * loop either; nor a terminal that stopped (a stalled ssh session), whose
 * room poll(2) reports a byte at a time: stderr on a terminal is opened
 * anew, non-blocking, in timed's own descriptor (stderr_private()).
 *
 * Where lines go is decided once, by log_init(): stderr in debug mode;
 * syslog under inetd, whose stderr is the client's socket; otherwise both
 * until the daemon is ready (a start that fails is told to the one who
 * started it, and to syslog), then syslog alone.
 */
#include <sys/socket.h>
#include <sys/un.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <paths.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

static int to_stderr = 1, to_syslog;
static int until_ready;			/* both now, syslog once ready */
static int log_debugging;
static int log_facility = LOG_DAEMON;
static int log_fd = -1;			/* /dev/log, non-blocking */
static int log_stream;			/* a SOCK_STREAM /dev/log */
static unsigned long long log_lost;
static int stderr_refused;		/* a terminal we could not reopen */
static char signal_prefix[64];		/* a syslog line's, for a handler */

/* /dev/log as a datagram socket, or as a stream where syslogd wants one. */
static int
log_connect(void)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd, type;

	strlcpy(sun.sun_path, _PATH_LOG, sizeof(sun.sun_path));
	for (type = SOCK_DGRAM; ; type = SOCK_STREAM) {
		fd = socket(AF_UNIX, type | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
		if (fd == -1)
			return -1;
		if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0) {
			log_stream = type == SOCK_STREAM;
			return fd;
		}
		close(fd);
		if (errno != EPROTOTYPE || type == SOCK_STREAM)
			return -1;
	}
}

/*
 * A terminal reports room for a write when it has one byte free, and a
 * line written then waits for its reader: a session that stalled would
 * freeze the loop and every signal. O_NONBLOCK on descriptor 2 itself
 * would change the open file shared with the shell that started us (its
 * next read would fail with EAGAIN), so the terminal is opened anew, a
 * file of our own, non-blocking, and put in descriptor 2's place (which
 * the filter lets us write). Before the chroot and the drop, while its
 * name is in reach. Where it cannot be opened again (another user's
 * terminal), nothing more is written to it: said once, while its reader
 * has just started us.
 */
static void
stderr_private(void)
{
	char path[PATH_MAX];
	int fd;

	if (!isatty(STDERR_FILENO))
		return;
	if (ttyname_r(STDERR_FILENO, path, sizeof(path)) != 0 ||
	    (fd = open(path, O_WRONLY | O_NOCTTY | O_NONBLOCK |
	    O_CLOEXEC)) == -1) {
		warn("cannot open the terminal again to write to it "
		    "without blocking; no more lines on it (send standard "
		    "error to a file or a pipe)");
		stderr_refused = 1;
		return;
	}
	if (dup2(fd, STDERR_FILENO) == -1)
		stderr_refused = 1;
	close(fd);
}

/*
 * Decides, once, where lines go (see the top of this file). /dev/log is
 * connected now, while it and the zone files are still in reach (before
 * the chroot). Without a syslog daemon, lines meant for it are lost, as
 * syslog(3) loses them.
 */
void
log_init(int debug, int inetd, int facility)
{
	log_debugging = debug;
	log_facility = facility;
	to_stderr = debug || !inetd;
	to_syslog = !debug;
	until_ready = !debug && !inetd;
	tzset();
	if (to_stderr)
		stderr_private();
	if (to_syslog && log_fd == -1)
		log_fd = log_connect();
}

/* The daemon serves: a good start is a quiet one, from now on in syslog. */
void
log_ready(void)
{
	if (until_ready)
		to_stderr = 0;
	until_ready = 0;
}

int
log_debug_enabled(void)
{
	return log_debugging;
}

/* Lines stderr or syslog would not take at once, dropped, not waited for. */
unsigned long long
log_dropped(void)
{
	return log_lost;
}

/* "<30>Nov 23 18:32:01 timed[1234]: text", as syslog(3) sends it. */
static void
syslog_send(int priority, const char *text)
{
	char line[1100], stamp[32];
	struct tm tm;
	time_t now = time(NULL);
	ssize_t sent;
	int len;

	if (log_fd == -1) {
		log_lost++;
		return;
	}
	if (localtime_r(&now, &tm) == NULL ||
	    strftime(stamp, sizeof(stamp), "%b %e %H:%M:%S", &tm) == 0)
		strlcpy(stamp, "-", sizeof(stamp));
	len = snprintf(line, sizeof(line), "<%d>%s %s[%d]: %s",
	    log_facility | priority, stamp, getprogname(), (int)getpid(), text);
	if (len < 0)
		return;
	if ((size_t)len >= sizeof(line))
		len = sizeof(line) - 1;
	/* A stream syslogd reads lines ended by a NUL, as syslog(3) sends. */
	sent = send(log_fd, line, (size_t)len + log_stream, MSG_NOSIGNAL);
	if (sent == len + log_stream)
		return;
	log_lost++;
	if (log_stream && sent > 0) {	/* half a line: the stream is broken */
		close(log_fd);
		log_fd = -1;
	}
}

/*
 * One write per line, so a reader of stderr never sees half a message; and
 * only when stderr can take it at once. A pipe or a socket that reports
 * room takes a line of this size without blocking (a pipe's free buffer,
 * a socket's send space), so a reader that stopped (a pipe nobody drains)
 * costs lines, counted, never the loop. A terminal is non-blocking
 * (stderr_private()): what it will not take is lost, and counted.
 */
static void
stderr_send(const char *line, size_t len)
{
	struct pollfd pfd = { .fd = STDERR_FILENO, .events = POLLOUT };

	if (stderr_refused || poll(&pfd, 1, 0) != 1 || (pfd.revents & POLLOUT) == 0 ||
	    write(STDERR_FILENO, line, len) != (ssize_t)len)
		log_lost++;
}

/*
 * A line from a signal handler (the filter's SIGSYS): vlog's formatting
 * (vsnprintf, the zone's stamp) is not safe there, so the syslog prefix
 * is formatted beforehand, after the last fork, and the handler only
 * copies and writes. The line carries no stamp: syslog daemons give a
 * line without one the time they received it.
 */
void
log_signal_prepare(void)
{
	snprintf(signal_prefix, sizeof(signal_prefix), "<%d>%s[%d]: ",
	    log_facility | LOG_WARNING, getprogname(), (int)getpid());
}

/* Async-signal-safe: copies (strlcpy, strlcat) and writes, nothing else. */
void
log_signal_say(const char *text)
{
	char line[512];
	size_t len;

	if (to_stderr) {
		strlcpy(line, getprogname(), sizeof(line));
		strlcat(line, ": ", sizeof(line));
		strlcat(line, text, sizeof(line));
		len = strlcat(line, "\n", sizeof(line));
		if (len < sizeof(line))
			stderr_send(line, len);
	}
	if (to_syslog && log_fd != -1) {
		strlcpy(line, signal_prefix, sizeof(line));
		len = strlcat(line, text, sizeof(line));
		/* A stream syslogd's NUL: strlcat left one. */
		if (len < sizeof(line))
			(void)send(log_fd, line, len + log_stream,
			    MSG_NOSIGNAL);
	}
}

/* On stderr, warnings and errors carry the program's name, as err(3) does. */
static void
vlog(int priority, const char *fmt, va_list ap, const char *reason)
{
	char line[1024], out[1200];
	const char *name = priority <= LOG_WARNING ? getprogname() : NULL;
	int len;

	vsnprintf(line, sizeof(line), fmt, ap);
	if (to_stderr) {
		len = snprintf(out, sizeof(out), "%s%s%s%s%s\n",
		    name ? name : "", name ? ": " : "", line,
		    reason ? ": " : "", reason ? reason : "");
		if (len >= (int)sizeof(out)) {
			out[sizeof(out) - 2] = '\n';
			len = sizeof(out) - 1;
		}
		if (len > 0)
			stderr_send(out, (size_t)len);
	}
	if (!to_syslog)
		return;
	if (reason) {
		strlcat(line, ": ", sizeof(line));
		strlcat(line, reason, sizeof(line));
	}
	syslog_send(priority, line);
}

void
log_warn(const char *fmt, ...)
{
	const char *reason = strerror(errno);
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_WARNING, fmt, ap, reason);
	va_end(ap);
}

void
log_warnx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_WARNING, fmt, ap, NULL);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_INFO, fmt, ap, NULL);
	va_end(ap);
}

void
log_debug(const char *fmt, ...)
{
	va_list ap;

	if (!log_debugging)
		return;
	va_start(ap, fmt);
	vlog(LOG_DEBUG, fmt, ap, NULL);
	va_end(ap);
}

void
fatal(const char *fmt, ...)
{
	const char *reason = strerror(errno);
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_CRIT, fmt, ap, reason);
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_CRIT, fmt, ap, NULL);
	va_end(ap);
	exit(1);
}
