/*
 * The system calls of timeclient's network side (privsep.c), and nothing
 * else: its filter's allow-list, data only, which tools/filtergen turns
 * into BPF at build time (allowed_bpf.c).
 */
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>

#include <linux/netlink.h>
#include <linux/sockios.h>

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>

#include "../common/sysfilter.h"

#define ANY		{ { 0 } }
#define ARG_EQ(i, v)	{ { SYSFILTER_EQ, (i), 0, (uint64_t)(v) } }
#define ARG_CLEAR(i, m)	{ { SYSFILTER_MASKED_EQ, (i), (uint64_t)(m), 0 } }

/* Namespaces a fork could make, and threads: never the child's. */
#define CLONE_REFUSED	(CLONE_NEWNS | CLONE_NEWUSER | CLONE_NEWNET | \
			CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWUTS | \
			CLONE_NEWCGROUP | CLONE_VM | CLONE_THREAD)

/*
 * The child's calls, measured with strace -f over the suite's timeclient
 * runs: resolving (getaddrinfo reads /etc and may load an NSS module,
 * hence files read-only, executable memory and Unix sockets for nscd and
 * systemd-resolved; names are looked up in a grandchild, killed at the
 * deadline), TCP, UDP and SNTP exchanges, waiting for a second's edge
 * (-x), the message into the pipe, and the lines -v writes. Not allowed,
 * among all else: setting the clock, writing or making a file, execve,
 * ptrace, a namespace, a thread.
 */
static const struct sysfilter_rule network_calls[] = {
	/* Resolving: files read, never written; an NSS module loaded. */
	{ "openat", ARG_CLEAR(2, O_ACCMODE | O_CREAT | O_TRUNC | O_APPEND) },
	{ "open", ARG_CLEAR(1, O_ACCMODE | O_CREAT | O_TRUNC | O_APPEND) },
	{ "read", ANY }, { "pread64", ANY }, { "lseek", ANY },
	{ "_llseek", ANY },
	{ "fstat", ANY }, { "fstat64", ANY }, { "newfstatat", ANY },
	{ "fstatat64", ANY }, { "stat", ANY }, { "stat64", ANY },
	{ "statx", ANY }, { "access", ANY }, { "faccessat", ANY },
	{ "faccessat2", ANY }, { "uname", ANY }, { "getrandom", ANY },
	{ "mmap", ANY }, { "mmap2", ANY }, { "mprotect", ANY },
	{ "munmap", ANY }, { "brk", ANY }, { "madvise", ANY },
	{ "futex", ANY }, { "futex_time64", ANY },
	/*
	 * Names are looked up in a grandchild: a fork, not a thread (musl's
	 * fork is the fork call where the system has one).
	 */
	{ "clone", ARG_CLEAR(0, CLONE_REFUSED) }, { "fork", ANY },
	{ "set_robust_list", ANY }, { "wait4", ANY }, { "waitpid", ANY },
	{ "setpgid", ANY },	/* -m: its processes, killed together */
	{ "kill", ARG_EQ(1, SIGKILL) },
	/*
	 * The exchanges, and the resolver's: Unix sockets (nscd,
	 * systemd-resolved), Internet ones of either family whatever -4 or
	 * -6 asks (a name server's address is of its own family), and glibc's
	 * netlink route socket, through which getaddrinfo learns the host's
	 * addresses to sort a name's (RFC 6724, AI_ADDRCONFIG). Without
	 * CAP_NET_ADMIN that socket can only read what any user may.
	 */
	{ "socket", ARG_EQ(0, AF_UNIX) }, { "socket", ARG_EQ(0, AF_INET) },
	{ "socket", ARG_EQ(0, AF_INET6) },
	{ "socket", { { SYSFILTER_EQ, 0, 0, AF_NETLINK },
	    { SYSFILTER_EQ, 2, 0, NETLINK_ROUTE } } },
	{ "connect", ANY }, { "bind", ANY }, { "getsockname", ANY },
	{ "getpeername", ANY }, { "setsockopt", ANY }, { "getsockopt", ANY },
	{ "sendto", ANY }, { "send", ANY }, { "sendmsg", ANY },
	{ "sendmmsg", ANY }, { "recvfrom", ANY }, { "recv", ANY },
	{ "recvmsg", ANY }, { "recvmmsg", ANY }, { "recvmmsg_time64", ANY },
	{ "poll", ANY }, { "ppoll", ANY }, { "ppoll_time64", ANY },
	{ "fcntl", ANY }, { "fcntl64", ANY }, { "ioctl", ARG_EQ(1, FIONREAD) },
	/* A link-local address as typed (fe80::1%eth0): its link's number. */
	{ "ioctl", ARG_EQ(1, SIOCGIFINDEX) },
	{ "close", ANY }, { "shutdown", ANY }, { "pipe", ANY },
	{ "pipe2", ANY },
	/* Clocks, and waiting for an edge. */
	{ "clock_gettime", ANY }, { "clock_gettime64", ANY },
	{ "gettimeofday", ANY }, { "time", ANY },
	{ "clock_nanosleep", ANY }, { "clock_nanosleep_time64", ANY },
	{ "nanosleep", ANY },
	/* The message, -v's lines, errors; signals; the end. */
	{ "write", ANY }, { "writev", ANY },
	{ "getpid", ANY }, { "gettid", ANY },
	{ "getuid", ANY }, { "geteuid", ANY }, { "getgid", ANY },
	{ "getegid", ANY }, { "getuid32", ANY }, { "geteuid32", ANY },
	{ "getgid32", ANY }, { "getegid32", ANY },
	{ "rt_sigaction", ANY }, { "rt_sigprocmask", ANY },
	{ "rt_sigreturn", ANY }, { "sigreturn", ANY },
	{ "exit_group", ANY }, { "exit", ANY },
};

const struct sysfilter_group timeclient_groups[] = {
	SYSFILTER_GROUP(network_calls),
};
const size_t timeclient_group_count = sizeof(timeclient_groups) /
    sizeof(timeclient_groups[0]);
