/*
 * What only Linux has, in one place (as openntpd-portable keeps its
 * compat files): the rest of the code is POSIX with libbsd.
 */
#ifndef PLATFORM_H
#define PLATFORM_H

/* The kernel's limit of maxerror (NTP_PHASE_LIMIT): 16 s, in us. */
#define PLATFORM_MAXERROR_US	16000000L

int platform_clock_synced(void);
int platform_clock_maxerror(long *);
int platform_clock_mark_synced(long, long);
int platform_no_new_privs(void);
int platform_may_set_clock(void);
int platform_drop_capabilities(void);
int platform_keep_clock_capabilities(void);
int platform_not_dumpable(void);

#endif
