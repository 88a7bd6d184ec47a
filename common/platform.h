/*
 * What only Linux has, in one place (as openntpd-portable keeps its
 * compat files): the rest of the code is POSIX with libbsd.
 */
#ifndef PLATFORM_H
#define PLATFORM_H

int platform_clock_synced(void);
int platform_no_new_privs(void);
int platform_may_set_clock(void);
int platform_drop_capabilities(void);
int platform_keep_clock_capabilities(void);
int platform_not_dumpable(void);

#endif
