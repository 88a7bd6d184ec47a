/*
 * Logging in the OpenBSD daemons' shape. Debug messages (each client, each
 * idle tick) exist only in debug mode: sent to syslog they would be a line a
 * second and a line per client, a flood an attacker could drive.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include "log.h"

static int log_to_stderr = 1;
static int log_debugging;

void
log_init(int to_stderr, int debug, int facility)
{
	log_to_stderr = to_stderr;
	log_debugging = debug;
	if (!to_stderr)
		openlog(getprogname(), LOG_PID | LOG_NDELAY, facility);
	tzset();	/* syslog(3) needs the zone after a chroot */
}

int
log_debug_enabled(void)
{
	return log_debugging;
}

/* One write per line, so a reader of stderr never sees half a message. */
static void
vlog(int priority, const char *fmt, va_list ap, const char *reason)
{
	char line[1024];

	vsnprintf(line, sizeof(line), fmt, ap);
	if (log_to_stderr) {
		if (reason)
			fprintf(stderr, "%s: %s\n", line, reason);
		else
			fprintf(stderr, "%s\n", line);
		fflush(stderr);
	} else if (reason)
		syslog(priority, "%s: %s", line, reason);
	else
		syslog(priority, "%s", line);
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
