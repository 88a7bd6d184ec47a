/*
 * The system calls timed may make once it serves, and nothing else: the
 * filter is loaded after the sockets, the drop of root, detaching and the
 * pidfile, just before timed says it is ready (timed.c), so that a kernel
 * that refuses it fails the start, where the operator sees it. Measured with strace -f over the test suite's daemons,
 * every option; each line says why the call is needed. Several names of
 * one call are the same need on other systems: 32-bit ones have 64-bit
 * time calls (*_time64), glibc falls back to a syscall without the vDSO
 * (valgrind), armhf's send is not sendto, musl's sendmmsg on a 64-bit
 * system is a sendmsg a message.
 */
#include <sys/mman.h>
#include <sys/socket.h>

#include <signal.h>
#include <stddef.h>
#include <time.h>
#include <unistd.h>

#include "../common/sysfilter.h"
#include "log.h"
#include "syscalls.h"

#define ARG_EQ(i, v)	{ SYSFILTER_EQ, (i), 0, (uint64_t)(v) }
#define ARG_CLEAR(i, m)	{ SYSFILTER_MASKED_EQ, (i), (uint64_t)(m), 0 }
#define RULES_MAX	64

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

/* The pidfile removed at exit, in the directory held, and nowhere else. */
static const char *const pidfile_calls[] = {
	"newfstatat", "fstatat64", "unlinkat",
};

static size_t
rules_append(struct sysfilter_rule *to, size_t n,
    const struct sysfilter_rule *from, size_t count)
{
	size_t i;

	for (i = 0; i < count && n < RULES_MAX; i++)
		to[n++] = from[i];
	return n;
}

/*
 * Loads timed's filter: what serving needs, what -S needs (sync_read),
 * and the removal of a pidfile in pid_dir, the directory timed kept (-1:
 * none). Returns 0, or -1 with why.
 */
int
syscalls_confine(int sync_read, int pid_dir, struct why *why)
{
	struct sysfilter_rule rules[RULES_MAX];
	size_t i, n;

	n = rules_append(rules, 0, serving, sizeof(serving) /
	    sizeof(serving[0]));
	if (sync_read)
		n = rules_append(rules, n, synced_read, sizeof(synced_read) /
		    sizeof(synced_read[0]));
	for (i = 0; pid_dir != -1 && i < sizeof(pidfile_calls) /
	    sizeof(pidfile_calls[0]) && n < RULES_MAX; i++)
		rules[n++] = (struct sysfilter_rule){ pidfile_calls[i],
		    { ARG_EQ(0, pid_dir) } };
	/* The handler's line may only be copied and written. */
	log_signal_prepare();
	return sysfilter_load(rules, n, log_signal_say, why);
}
