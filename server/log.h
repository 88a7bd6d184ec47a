/* Logging: stderr in debug mode, syslog under inetd, both until ready. */
#ifndef LOG_H
#define LOG_H

#include <stdarg.h>

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
