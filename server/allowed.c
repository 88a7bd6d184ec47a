/*
 * The system calls timed may make once it serves, and nothing else: its
 * filter's allow-list, data only. tools/filtergen turns it into BPF at
 * build time (allowed_bpf.c); syscalls.c loads that after the sockets,
 * the drop of root, detaching and the pidfile, just before timed says it
 * is ready (timed.c), so that a kernel that refuses it fails the start,
 * where the operator sees it. Measured with strace -f over the test
 * suite's daemons, every option; each line says why the call is needed.
 * Several names of one call are the same need on other systems: 32-bit
 * ones have 64-bit time calls (*_time64), glibc falls back to a syscall
 * without the vDSO (valgrind), armhf's send is not sendto, musl's sendmmsg
 * on a 64-bit system is a sendmsg a message.
 */
#include <sys/mman.h>
#include <sys/socket.h>

#include <signal.h>
#include <stddef.h>
#include <time.h>
#include <unistd.h>

#include "../common/sysfilter.h"

#define ARG_EQ(i, v)	{ SYSFILTER_EQ, (i), 0, (uint64_t)(v) }
#define ARG_CLEAR(i, m)	{ SYSFILTER_MASKED_EQ, (i), (uint64_t)(m), 0 }
#define DIR_HELD	SYSFILTER_HOLE(SYSFILTER_HOLE_DIR)

static const struct sysfilter_rule serving[] = {
	/* The loop's wait, with its signal mask; the signals a busy loop
	 * takes without waiting, which pselect would not let in. */
	{ "pselect6", { { 0 } } },
	{ "pselect6_time64", { { 0 } } },
	{ "rt_sigtimedwait", { { 0 } } },
	{ "rt_sigtimedwait_time64", { { 0 } } },
	/* TCP: the connection taken, answered (send is sendto), closed. */
	{ "accept4", { { 0 } } },
	{ "sendto", { { 0 } } },
	{ "send", { { 0 } } },
	{ "close", { { 0 } } },
	/* UDP, in batches; syslog lines go out with send as well. */
	{ "recvmmsg", { { 0 } } },
	{ "recvmmsg_time64", { { 0 } } },
	{ "sendmmsg", { { 0 } } },
	{ "sendmsg", { { 0 } } },
	/* The clock, read per request (the vDSO's when it has one). */
	{ "clock_gettime", { { 0 } } },
	{ "clock_gettime64", { { 0 } } },
	{ "gettimeofday", { { 0 } } },
	{ "time", { { 0 } } },
	/* Lines on stderr, written only when it has room (poll). */
	{ "write", { ARG_EQ(0, STDERR_FILENO) } },
	{ "poll", { { 0 } } },
	{ "ppoll", { { 0 } } },
	{ "ppoll_time64", { { 0 } } },
	/* Ready: the parent told, stdio onto /dev/null (daemon_ready). */
	{ "dup2", { ARG_EQ(1, STDIN_FILENO) } },
	{ "dup2", { ARG_EQ(1, STDOUT_FILENO) } },
	{ "dup2", { ARG_EQ(1, STDERR_FILENO) } },
	{ "dup3", { ARG_EQ(1, STDIN_FILENO) } },
	{ "dup3", { ARG_EQ(1, STDOUT_FILENO) } },
	{ "dup3", { ARG_EQ(1, STDERR_FILENO) } },
	/* The pid in a syslog line. */
	{ "getpid", { { 0 } } },
	/* Returning from a signal handler; exit. */
	{ "rt_sigreturn", { { 0 } } },
	{ "sigreturn", { { 0 } } },
	{ "exit_group", { { 0 } } },
	{ "exit", { { 0 } } },
	/* Memory, should libc want more: never executable. */
	{ "brk", { { 0 } } },
	{ "mmap", { ARG_CLEAR(2, PROT_EXEC) } },
	{ "mmap2", { ARG_CLEAR(2, PROT_EXEC) } },
	{ "munmap", { { 0 } } },
};

/* -S: the clock's state, read from CLOCK_REALTIME (adjtimex(2)). */
static const struct sysfilter_rule synced_read[] = {
	{ "adjtimex", { { 0 } } },
	{ "clock_adjtime", { ARG_EQ(0, CLOCK_REALTIME) } },
	{ "clock_adjtime64", { ARG_EQ(0, CLOCK_REALTIME) } },
};

/*
 * The pidfile removed at exit, in the directory held (its descriptor
 * filled in at run time), and nowhere else.
 */
static const struct sysfilter_rule pidfile_removal[] = {
	{ "newfstatat", { ARG_EQ(0, DIR_HELD) } },
	{ "fstatat64", { ARG_EQ(0, DIR_HELD) } },
	{ "unlinkat", { ARG_EQ(0, DIR_HELD) } },
};

/* Serving always; -S and a pidfile as timed was started (syscalls.c). */
const struct sysfilter_group timed_groups[] = {
	SYSFILTER_GROUP(serving), SYSFILTER_GROUP(synced_read),
	SYSFILTER_GROUP(pidfile_removal),
};
const size_t timed_group_count = sizeof(timed_groups) /
    sizeof(timed_groups[0]);

