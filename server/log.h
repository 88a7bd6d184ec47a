/* Logging: stderr in debug mode, syslog under inetd, both until ready. */
#ifndef LOG_H
#define LOG_H

#include <sys/socket.h>
#include <sys/un.h>

#include <paths.h>
#include <stdarg.h>
#include <stddef.h>
#include <syslog.h>		/* _PATH_LOG, with glibc */

/* The sockets log.c makes for /dev/log, and the length of its address:
 * all that timed's filter lets it make and connect (syscalls.c). */
#define LOG_SOCKET_FLAGS	(SOCK_CLOEXEC | SOCK_NONBLOCK)
#define LOG_ADDRESS_SIZE	((socklen_t)(offsetof(struct sockaddr_un, \
	sun_path) + sizeof(_PATH_LOG)))

#define LOG_PRINTF(f, a) __attribute__((format(printf, f, a)))

void log_init(int, int, int);
void log_ready(void);
int log_debug_enabled(void);
unsigned long long log_dropped(void);
void log_signal_prepare(void);
void log_signal_say(const char *);
void log_warn(const char *, ...) LOG_PRINTF(1, 2);
void log_warnx(const char *, ...) LOG_PRINTF(1, 2);
void log_info(const char *, ...) LOG_PRINTF(1, 2);
void log_debug(const char *, ...) LOG_PRINTF(1, 2);
__attribute__((noreturn)) void fatal(const char *, ...) LOG_PRINTF(1, 2);
__attribute__((noreturn)) void fatalx(const char *, ...) LOG_PRINTF(1, 2);

#endif
