/*
 * bpfcheck ARCH: the filters tools/filtergen generated for ARCH (linked
 * in: ARCH's timed, timeclient and names files), run through a BPF
 * interpreter of this file's own, on the build host: no kernel, no qemu,
 * no libseccomp. Each architecture's call numbers below come from its
 * kernel headers (asm/unistd_64.h, asm/unistd_32.h, ARM's
 * asm/unistd-eabi.h), not from libseccomp, so that a wrong table, a wrong
 * AUDIT_ARCH_* or a lost socketcall or *_time64 rule shows. Prints what
 * it checked; exits 1 at the first wrong verdict.
 */
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sysfilter.h"

extern const struct sysfilter_program timed_filters[4];
extern const struct sysfilter_program timeclient_filters[1];

#define NONE		(-1)	/* not a call of this architecture */
#define PID		4242	/* the pid and directory the loader fills in */
#define DIR		7

/* Verdicts, as the kernel reads them. */
#define ALLOW		SECCOMP_RET_ALLOW
#define TRAP		SECCOMP_RET_TRAP
#define KILL		SECCOMP_RET_KILL_PROCESS

struct arch {
	const char *name;
	uint32_t audit, other;		/* its AUDIT_ARCH_*, another's */
	int pselect6, pselect6_time64, accept4, sendto, send, clock_gettime,
	    clock_gettime64, exit_group, write, mmap, ptrace, execve, socket,
	    socketcall, openat, unlinkat, adjtimex, kill, clone,
	    clock_settime, settimeofday, connect;
};

static const struct arch arches[] = {
	{ "x86_64", AUDIT_ARCH_X86_64, AUDIT_ARCH_I386,
	  270, NONE, 288, 44, NONE, 228, NONE, 231, 1, 9 /* mmap */, 101, 59,
	  41, NONE, 257, 263, 159, 62, 56, 227, 164, 42 },
	{ "x86", AUDIT_ARCH_I386, AUDIT_ARCH_X86_64,
	  308, 413, 364, 369, NONE, 265, 403, 252, 4, 192 /* mmap2 */, 26, 11,
	  359, 102, 295, 301, 124, 37, 120, 264, 79, 362 },
	{ "arm", AUDIT_ARCH_ARM, AUDIT_ARCH_I386,
	  335, 413, 366, 290, 289, 263, 403, 248, 4, 192 /* mmap2 */, 26, 11,
	  281, NONE, 322, 328, 124, 37, 120, 262, 79, 283 },
};

/* i386's socketcall(2) numbers (linux/net.h). */
#define SYS_SOCKET	1
#define SYS_CONNECT	3
#define SYS_SENDTO	11
#define SYS_ACCEPT4	18

static const struct arch *a;
static unsigned checked;

/* Classic BPF as seccomp runs it, over one seccomp_data. */
static uint32_t
run(const struct sock_filter *f, size_t len, const struct seccomp_data *d)
{
	uint32_t A = 0, X = 0, M[BPF_MEMWORDS] = { 0 }, word;
	size_t pc;

	for (pc = 0; pc < len; pc++) {
		const struct sock_filter *i = &f[pc];
		uint32_t operand = BPF_SRC(i->code) == BPF_X ? X : i->k;

		switch (BPF_CLASS(i->code)) {
		case BPF_LD:
			if (i->code == (BPF_LD | BPF_W | BPF_ABS) &&
			    i->k % 4 == 0 && i->k + 4 <= sizeof(*d)) {
				memcpy(&word, (const char *)d + i->k, 4);
				A = word;
			} else if (i->code == (BPF_LD | BPF_IMM))
				A = i->k;
			else if (i->code == (BPF_LD | BPF_MEM) &&
			    i->k < BPF_MEMWORDS)
				A = M[i->k];
			else
				goto bad;
			break;
		case BPF_LDX:
			if (i->code == (BPF_LDX | BPF_IMM))
				X = i->k;
			else if (i->code == (BPF_LDX | BPF_MEM) &&
			    i->k < BPF_MEMWORDS)
				X = M[i->k];
			else
				goto bad;
			break;
		case BPF_ST:
		case BPF_STX:
			if (i->k >= BPF_MEMWORDS)
				goto bad;
			M[i->k] = BPF_CLASS(i->code) == BPF_ST ? A : X;
			break;
		case BPF_ALU:
			switch (BPF_OP(i->code)) {
			case BPF_AND: A &= operand; break;
			case BPF_OR: A |= operand; break;
			case BPF_ADD: A += operand; break;
			case BPF_SUB: A -= operand; break;
			default: goto bad;
			}
			break;
		case BPF_JMP:
			if (BPF_OP(i->code) == BPF_JA) {
				pc += i->k;
				break;
			}
			switch (BPF_OP(i->code)) {
			case BPF_JEQ: word = A == operand; break;
			case BPF_JGT: word = A > operand; break;
			case BPF_JGE: word = A >= operand; break;
			case BPF_JSET: word = (A & operand) != 0; break;
			default: goto bad;
			}
			pc += word ? i->jt : i->jf;
			break;
		case BPF_RET:
			if (BPF_RVAL(i->code) == BPF_K)
				return i->k;
			if (BPF_RVAL(i->code) == BPF_A)
				return A;
			goto bad;
		case BPF_MISC:
			if (BPF_MISCOP(i->code) == BPF_TAX)
				X = A;
			else
				A = X;
			break;
		default:
			goto bad;
		}
	}
bad:
	fprintf(stderr, "bpfcheck: %s: instruction %zu (%#x) unknown, or the "
	    "program ran off its end\n", a->name, pc, pc < len ? f[pc].code :
	    0);
	exit(1);
}

/* A program with its placeholders filled in, as the loader does. */
static struct sock_filter *
filled(const struct sysfilter_program *p)
{
	struct sock_filter *code;
	unsigned seen[SYSFILTER_HOLES] = { 0 };
	size_t i;
	unsigned h;

	if (p->len == 0 || (code = calloc(p->len, sizeof(*code))) == NULL) {
		fprintf(stderr, "bpfcheck: %s: an empty filter\n", a->name);
		exit(1);
	}
	memcpy(code, p->code, p->len * sizeof(*code));
	for (i = 0; i < p->len; i++) {
		if (code[i].k == SYSFILTER_HOLE(SYSFILTER_HOLE_PID)) {
			code[i].k = PID;
			seen[SYSFILTER_HOLE_PID]++;
		} else if (code[i].k == SYSFILTER_HOLE(SYSFILTER_HOLE_DIR)) {
			code[i].k = DIR;
			seen[SYSFILTER_HOLE_DIR]++;
		}
	}
	for (h = 0; h < SYSFILTER_HOLES; h++)
		if (seen[h] != p->holes[h]) {
			fprintf(stderr, "bpfcheck: %s: placeholder %u found %u "
			    "times, not %u\n", a->name, h, seen[h], p->holes[h]);
			exit(1);
		}
	return code;
}

/* The verdict on call nr with up to three arguments, from arch. */
static void
expect(const char *what, const struct sysfilter_program *p, uint32_t arch,
    int nr, uint64_t a0, uint64_t a1, uint64_t a2, uint32_t verdict)
{
	struct seccomp_data d;
	struct sock_filter *code;
	uint32_t got;

	if (nr == NONE)
		return;
	memset(&d, 0, sizeof(d));
	d.nr = nr;
	d.arch = arch;
	d.args[0] = a0;
	d.args[1] = a1;
	d.args[2] = a2;
	code = filled(p);
	got = run(code, p->len, &d) & SECCOMP_RET_ACTION_FULL;
	free(code);
	if (got != verdict) {
		fprintf(stderr, "bpfcheck: %s: %s (number %d): %#x, not %#x\n",
		    a->name, what, nr, got, verdict);
		exit(1);
	}
	checked++;
}

#define ALLOWED(p, call, a0, a1, a2) \
	expect(#call, p, a->audit, a->call, a0, a1, a2, ALLOW)
#define TRAPPED(p, call, a0, a1, a2) \
	expect(#call, p, a->audit, a->call, a0, a1, a2, TRAP)

/* The handler names a call by its number: the names file agrees. */
static void
name_is(int nr, const char *name)
{
	const char *p = sysfilter_names;
	int i;

	if (nr == NONE)
		return;
	for (i = 0; i < nr && i < SYSFILTER_CALLS; i++)
		p += strlen(p) + 1;
	if (nr >= SYSFILTER_CALLS || strcmp(p, name) != 0) {
		fprintf(stderr, "bpfcheck: %s: call %d is not named %s\n",
		    a->name, nr, name);
		exit(1);
	}
	checked++;
}

/* What every filter does: its architecture, the handler's kill, execve. */
static void
common_checks(const struct sysfilter_program *p)
{
	expect("another architecture's call", p, a->other, a->write, 2, 0, 0,
	    KILL);
	if (a->audit == AUDIT_ARCH_X86_64)
		expect("an x32 call", p, a->audit, a->write | 0x40000000, 2, 0,
		    0, KILL);
	ALLOWED(p, kill, PID, 31 /* SIGSYS */, 0);
	TRAPPED(p, kill, 1, 31, 0);
	ALLOWED(p, exit_group, 0, 0, 0);
	ALLOWED(p, clock_gettime, 0, 0, 0);
	ALLOWED(p, clock_gettime64, 0, 0, 0);
	TRAPPED(p, execve, 0, 0, 0);
	TRAPPED(p, ptrace, 0, 0, 0);
	TRAPPED(p, clock_settime, 0, 0, 0);
	TRAPPED(p, settimeofday, 0, 0, 0);
}

static void
timed_checks(void)
{
	unsigned v;

	for (v = 0; v < 4; v++) {
		const struct sysfilter_program *p = &timed_filters[v];

		common_checks(p);
		ALLOWED(p, pselect6, 0, 0, 0);
		ALLOWED(p, pselect6_time64, 0, 0, 0);
		ALLOWED(p, accept4, 3, 0, 0);
		ALLOWED(p, sendto, 3, 0, 0);
		ALLOWED(p, send, 3, 0, 0);
		ALLOWED(p, write, 2, 0, 0);
		TRAPPED(p, write, 1, 0, 0);
		ALLOWED(p, mmap, 0, 4096, 3 /* PROT_READ | PROT_WRITE */);
		TRAPPED(p, mmap, 0, 4096, 5 /* PROT_READ | PROT_EXEC */);
		TRAPPED(p, socket, 2, 1, 0);
		TRAPPED(p, connect, 3, 0, 0);
		TRAPPED(p, openat, 3, 0, 0);
		TRAPPED(p, kill, PID, 9, 0);
		/* i386: the socket calls multiplexed, some. */
		ALLOWED(p, socketcall, SYS_ACCEPT4, 0, 0);
		ALLOWED(p, socketcall, SYS_SENDTO, 0, 0);
		TRAPPED(p, socketcall, SYS_SOCKET, 0, 0);
		TRAPPED(p, socketcall, SYS_CONNECT, 0, 0);
		if (v & 1) {	/* -S */
			ALLOWED(p, adjtimex, 0, 0, 0);
		} else
			TRAPPED(p, adjtimex, 0, 0, 0);
		if (v & 2) {	/* a pidfile in directory DIR */
			ALLOWED(p, unlinkat, DIR, 0, 0);
			TRAPPED(p, unlinkat, DIR + 1, 0, 0);
			TRAPPED(p, unlinkat, (uint32_t)-100 /* AT_FDCWD */, 0,
			    0);
		} else
			TRAPPED(p, unlinkat, DIR, 0, 0);
	}
}

static void
timeclient_checks(void)
{
	const struct sysfilter_program *p = &timeclient_filters[0];

	common_checks(p);
	ALLOWED(p, socket, 2 /* AF_INET */, 1, 0);
	ALLOWED(p, socket, 10 /* AF_INET6 */, 2, 0);
	ALLOWED(p, socket, 16 /* AF_NETLINK */, 3, 0 /* NETLINK_ROUTE */);
	TRAPPED(p, socket, 16, 3, 9 /* NETLINK_AUDIT */);
	TRAPPED(p, socket, 17 /* AF_PACKET */, 3, 0);
	ALLOWED(p, connect, 3, 0, 0);
	ALLOWED(p, socketcall, SYS_CONNECT, 0, 0);
	ALLOWED(p, socketcall, SYS_SENDTO, 0, 0);
	ALLOWED(p, openat, 3, 0, 0 /* O_RDONLY */);
	TRAPPED(p, openat, 3, 0, 01 /* O_WRONLY */);
	TRAPPED(p, openat, 3, 0, 0100 /* O_CREAT */);
	ALLOWED(p, clone, 17 /* SIGCHLD */, 0, 0);
	TRAPPED(p, clone, 17 | 0x10000000 /* CLONE_NEWUSER */, 0, 0);
	TRAPPED(p, clone, 0x100 | 0x10000 /* CLONE_VM | CLONE_THREAD */, 0, 0);
	ALLOWED(p, kill, 1, 9 /* SIGKILL */, 0);
	TRAPPED(p, kill, 1, 15 /* SIGTERM */, 0);
	ALLOWED(p, write, 1, 0, 0);
	TRAPPED(p, unlinkat, 3, 0, 0);
	TRAPPED(p, adjtimex, 0, 0, 0);
}

int
main(int argc, char *argv[])
{
	size_t i;

	for (i = 0; argc == 2 && i < sizeof(arches) / sizeof(arches[0]); i++)
		if (strcmp(argv[1], arches[i].name) == 0)
			a = &arches[i];
	if (a == NULL) {
		fprintf(stderr, "usage: bpfcheck x86_64|x86|arm\n");
		return 2;
	}
	if (sysfilter_arch != a->audit) {
		fprintf(stderr, "bpfcheck: %s: the names are of architecture "
		    "%#x\n", a->name, (unsigned)sysfilter_arch);
		return 1;
	}
	name_is(a->pselect6, "pselect6");
	name_is(a->ptrace, "ptrace");
	name_is(a->clock_gettime64, "clock_gettime64");
	name_is(a->socketcall, "socketcall");
	timed_checks();
	timeclient_checks();
	printf("bpfcheck: %s: AUDIT_ARCH %#x, %u verdicts right (timed: %u, "
	    "%u, %u and %u instructions; timeclient: %u)\n", a->name,
	    (unsigned)a->audit, checked, timed_filters[0].len,
	    timed_filters[1].len, timed_filters[2].len, timed_filters[3].len,
	    timeclient_filters[0].len);
	return 0;
}
