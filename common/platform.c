/*
 * Linux's calls that POSIX lacks, each behind a name that says what it is
 * for. A port to another system replaces this file, nothing else.
 */
#include <sys/prctl.h>
#include <sys/timex.h>

#include <string.h>

#include "platform.h"

/*
 * Whether the kernel says the clock is synchronized, as chrony, ntpd and
 * systemd-timesyncd leave it (and timedatectl reads it): 1 or 0, or -1
 * with errno when it cannot say (a sandbox refuses the call). adjtimex
 * with no mode set only reads; musl has it where it lacks ntp_adjtime.
 */
int
platform_clock_synced(void)
{
	struct timex tx;
	int state;

	memset(&tx, 0, sizeof(tx));
	if ((state = adjtimex(&tx)) == -1)
		return -1;
	return state != TIME_ERROR && !(tx.status & STA_UNSYNC);
}

/* No execve from here on can grant a privilege (a setuid program). */
int
platform_no_new_privs(void)
{
	return prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
}
