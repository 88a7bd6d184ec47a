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

/*
 * Logs to stderr until log_to_syslog(). The syslog connection is opened now
 * (LOG_NDELAY), while /dev/log and the zone files are still in reach.
 */
void
log_init(int debug, int facility)
{
	log_to_stderr = 1;
	log_debugging = debug;
	tzset();
	openlog(getprogname(), LOG_PID | LOG_NDELAY, facility);
}

void
log_to_syslog(void)
{
	log_to_stderr = 0;
}

int
log_debug_enabled(void)
{
	return log_debugging;
}

/*
 * One write per line, so a reader of stderr never sees half a message.
 * On stderr, warnings and errors carry the program's name, as err(3) does.
 */
static void
vlog(int priority, const char *fmt, va_list ap, const char *reason)
{
	char line[1024];
	const char *name = priority <= LOG_WARNING ? getprogname() : NULL;

	vsnprintf(line, sizeof(line), fmt, ap);
	if (log_to_stderr) {
		fprintf(stderr, "%s%s%s%s%s\n", name ? name : "",
		    name ? ": " : "", line, reason ? ": " : "",
		    reason ? reason : "");
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
