/*
 * Linux's calls that POSIX lacks, each behind a name that says what it is
 * for. A port to another system replaces this file, nothing else.
 */
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/timex.h>

#include <linux/capability.h>
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "platform.h"

/*
 * Whether the kernel says the clock is synchronized, as chrony, ntpd and
 * systemd-timesyncd leave it (and timedatectl reads it), and how far it
 * says the clock may then be off: 1 with *maxerror_us, or 0; or -1 with
 * errno when it cannot say (a sandbox refuses the call). adjtimex with no
 * mode set only reads; musl has it where it lacks ntp_adjtime.
 */
int
platform_clock_maxerror(long *maxerror_us)
{
	struct timex tx;
	int state;

	memset(&tx, 0, sizeof(tx));
	if ((state = adjtimex(&tx)) == -1)
		return -1;
	*maxerror_us = tx.maxerror;
	return state != TIME_ERROR && !(tx.status & STA_UNSYNC);
}

/* The same, whether synchronized alone. */
int
platform_clock_synced(void)
{
	long maxerror_us;

	return platform_clock_maxerror(&maxerror_us);
}

/*
 * Tells the kernel the clock is synchronized, off by at most maxerror_us
 * and by about esterror_us, as timesyncd and chrony do after a sync:
 * setting the clock marked it unsynchronized (maxerror 16 s), and
 * timedatectl, systemd-time-wait-sync, the 11-minute RTC update and
 * timed -S read that mark. The status is read first so that only
 * STA_UNSYNC changes: ADJ_STATUS writes every bit that is not read-only.
 * The kernel ages maxerror by 500 us a second and marks the clock
 * unsynchronized again past 16 s. 0, or -1 with errno.
 */
int
platform_clock_mark_synced(long maxerror_us, long esterror_us)
{
	struct timex tx;

	memset(&tx, 0, sizeof(tx));
	if (adjtimex(&tx) == -1)
		return -1;
	tx.modes = ADJ_STATUS | ADJ_MAXERROR | ADJ_ESTERROR;
	tx.status &= ~STA_UNSYNC;
	tx.maxerror = maxerror_us;
	tx.esterror = esterror_us;
	return adjtimex(&tx) == -1 ? -1 : 0;
}

/* No execve from here on can grant a privilege (a setuid program). */
int
platform_no_new_privs(void)
{
	return prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
}

/*
 * Whether this process may set the clock: CAP_SYS_TIME in its effective
 * set (root has it, but in a container that took it away; the boot unit's
 * dynamic user is given it). capget(2), which libc does not wrap.
 */
int
platform_may_set_clock(void)
{
	struct __user_cap_header_struct head = {
		.version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2];

	if (syscall(SYS_capget, &head, data) == -1)
		return 0;
	return (data[CAP_SYS_TIME / 32].effective &
	    (1u << (CAP_SYS_TIME % 32))) != 0;
}

/* A capability's bit in a 64-bit set, as /proc/PID/status shows them. */
#define CAP_BIT(cap)	((uint64_t)1 << (cap))

/*
 * Every capability outside keep given up, effective, permitted and
 * inheritable (and with them the ambient ones), for good; those in keep
 * stay where they are held. Then checked.
 */
static int
capabilities_keep(uint64_t keep)
{
	struct __user_cap_header_struct head = {
		.version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2];
	int i;

	if (syscall(SYS_capget, &head, data) == -1)
		return -1;
	for (i = 0; i < 2; i++) {
		data[i].effective &= (uint32_t)(keep >> (32 * i));
		data[i].permitted &= (uint32_t)(keep >> (32 * i));
		data[i].inheritable = 0;
	}
	if (syscall(SYS_capset, &head, data) == -1 ||
	    syscall(SYS_capget, &head, data) == -1)
		return -1;
	for (i = 0; i < 2; i++)
		if ((data[i].permitted | data[i].effective) &
		    ~(uint32_t)(keep >> (32 * i)))
			return -1;
	return 0;
}

/*
 * Every capability given up: what a change of user does by itself, done
 * for a process that keeps its user (the boot unit's dynamic user) or
 * whose securebits keep them.
 */
int
platform_drop_capabilities(void)
{
	return capabilities_keep(0);
}

/*
 * What the parent that sets the clock keeps, where it holds them, as
 * ntpd's and chrony's do: CAP_SYS_TIME, and CAP_KILL, without which root
 * cannot end its network side, a hung child running as another user.
 * The bounding set loses the rest too, where CAP_SETPCAP allows it, so
 * that root running a program would not get them back.
 */
int
platform_keep_clock_capabilities(void)
{
	const uint64_t keep = CAP_BIT(CAP_SYS_TIME) | CAP_BIT(CAP_KILL);
	int cap;

	for (cap = 0; prctl(PR_CAPBSET_READ, cap, 0, 0, 0) >= 0; cap++)
		if (!(keep & CAP_BIT(cap)) &&
		    prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) == -1 && errno != EPERM)
			return -1;
	return capabilities_keep(keep);
}

/*
 * No core dump, no ptrace by another process of the same user, and its
 * /proc files root's: what a change of user does by itself, made sure of.
 */
int
platform_not_dumpable(void)
{
	return prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
}
