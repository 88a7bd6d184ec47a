/*
 * timed's system call filter loaded: the program tools/filtergen built
 * from allowed.c for the options in use, with the pidfile's directory
 * filled in.
 */
#include <sys/types.h>

#include "../common/sysfilter.h"
#include "log.h"
#include "syscalls.h"

/* allowed_bpf.c (generated): numbered by the optional groups' bits. */
extern const struct sysfilter_program timed_filters[4];
#define WITH_SYNC_READ	1u	/* allowed.c's synced_read */
#define WITH_PIDFILE	2u	/* allowed.c's pidfile_removal */

/*
 * Loads timed's filter: what serving needs, what -S needs (sync_read),
 * and the removal of a pidfile in pid_dir, the directory timed kept (-1:
 * none). Returns 0, or -1 with why.
 */
int
syscalls_confine(int sync_read, int pid_dir, struct why *why)
{
	unsigned variant = 0;

	if (sync_read)
		variant |= WITH_SYNC_READ;
	if (pid_dir != -1)
		variant |= WITH_PIDFILE;
	/* The handler's line may only be copied and written. */
	log_signal_prepare();
	return sysfilter_load(&timed_filters[variant],
	    pid_dir != -1 ? (uint32_t)pid_dir : 0, log_signal_say, why);
}
