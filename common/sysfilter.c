/*
 * A system call filter of the process's own, through libseccomp: it knows
 * each architecture's call numbers, the 32-bit systems' 64-bit-time calls
 * and i386's socketcall(2), which a BPF program written by hand gets wrong.
 *
 * A call outside the list traps (SIGSYS): the handler says which call it
 * was, by name, and the process dies of the signal, so that neither an
 * operator nor a test can miss it. The names are looked up before the
 * filter is loaded, since the handler may not allocate.
 */
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "sysfilter.h"

/* AddressSanitizer's builds (gcc says so; clang, through __has_feature). */
#if defined(__SANITIZE_ADDRESS__)
#define SANITIZED	1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SANITIZED	1
#endif
#endif
#ifdef SANITIZED
#include <sanitizer/lsan_interface.h>
#endif

/*
 * Under AddressSanitizer, its leak check now rather than at exit: at exit
 * it stops the threads with ptrace and reads /proc, which a filter kills
 * (and a change of user or root forbids). Elsewhere nothing.
 */
void
sysfilter_leak_check_now(void)
{
#ifdef SANITIZED
	__lsan_do_leak_check();
#endif
}

#ifdef HAVE_SECCOMP

#include <seccomp.h>

#define CALL_NAMES	512	/* the native calls the handler can name */
#ifndef SYS_SECCOMP		/* glibc's <signal.h> lacks it; musl's has it */
#define SYS_SECCOMP	1	/* si_code of a filter's trap (asm-generic) */
#endif

static char *call_names[CALL_NAMES];
static uint32_t native_arch;
static sysfilter_report *report_refusal;
static pid_t filtered;			/* this process, whose kill is allowed */

/* Decimal digits of n into buf, as the handler may not call snprintf. */
static const char *
decimal(unsigned long n, char *buf, size_t size)
{
	char *p = buf + size - 1;

	*p = '\0';
	do {
		*--p = (char)('0' + n % 10);
		n /= 10;
	} while (n > 0 && p > buf);
	return p;
}

/*
 * A refused call: one line that names it, then death by the signal
 * itself (SA_RESETHAND restored its default action), a core where the
 * system keeps them. A SIGSYS another process sent (kill -SYS) is not
 * the filter's: death by it, without a line that would blame the filter.
 * Async-signal-safe: strlcpy and strlcat only copy; report only writes.
 */
static void
on_sigsys(int sig, siginfo_t *si, void *context)
{
	char line[160], digits[24];
	const char *name = "a call";
	int nr = si->si_syscall;

	(void)context;
	if (si->si_code != SYS_SECCOMP) {
		kill(filtered, sig);
		_exit(128 + sig);
	}
	if (si->si_arch != native_arch)
		name = "another architecture's call";
	else if (nr >= 0 && nr < CALL_NAMES && call_names[nr] != NULL)
		name = call_names[nr];
	strlcpy(line, "system call filter: ", sizeof(line));
	strlcat(line, name, sizeof(line));
	strlcat(line, " (number ", sizeof(line));
	strlcat(line, decimal((unsigned long)(unsigned)nr, digits,
	    sizeof(digits)), sizeof(line));
	strlcat(line, ") is not allowed: killed (SIGSYS)", sizeof(line));
	if (report_refusal != NULL)
		report_refusal(line);
	kill(filtered, sig);
	_exit(128 + sig);
}

/* The names of this architecture's calls, for the handler. */
static void
names_load(void)
{
	int nr;

	native_arch = seccomp_arch_native();
	for (nr = 0; nr < CALL_NAMES; nr++)
		if (call_names[nr] == NULL)
			call_names[nr] = seccomp_syscall_resolve_num_arch(
			    native_arch, nr);
}

/* A rule's conditions as libseccomp takes them; returns their count. */
static unsigned
conditions(const struct sysfilter_rule *r, struct scmp_arg_cmp *cmp)
{
	unsigned i, n = 0;

	for (i = 0; i < SYSFILTER_ARGS; i++) {
		if (r->arg[i].op == 0)
			continue;
		memset(&cmp[n], 0, sizeof(cmp[n]));
		cmp[n].arg = r->arg[i].index;
		if (r->arg[i].op == SYSFILTER_EQ) {
			cmp[n].op = SCMP_CMP_EQ;
			cmp[n].datum_a = r->arg[i].value;
		} else {
			cmp[n].op = SCMP_CMP_MASKED_EQ;
			cmp[n].datum_a = r->arg[i].mask;
			cmp[n].datum_b = r->arg[i].value;
		}
		n++;
	}
	return n;
}

/* The rules, and the one the handler needs: to kill this process. */
static int
rules_add(scmp_filter_ctx ctx, const struct sysfilter_rule *rules, size_t n,
    struct why *why)
{
	struct scmp_arg_cmp cmp[SYSFILTER_ARGS];
	size_t i;
	int nr, rc;

	for (i = 0; i < n; i++) {
		/* Unknown to this libseccomp: no system of its time has it. */
		if ((nr = seccomp_syscall_resolve_name(rules[i].name)) ==
		    __NR_SCMP_ERROR)
			continue;
		rc = seccomp_rule_add_array(ctx, SCMP_ACT_ALLOW, nr,
		    conditions(&rules[i], cmp), cmp);
		if (rc < 0) {
			why_set(why, "system call filter: cannot allow %s: %s",
			    rules[i].name, strerror(-rc));
			return -1;
		}
	}
#ifdef SANITIZED
	/* The sanitizers' runtime: its signal stack, memory given back. */
	if ((rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(sigaltstack),
	    0)) < 0 || (rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW,
	    SCMP_SYS(madvise), 0)) < 0) {
		why_set(why, "system call filter: %s", strerror(-rc));
		return -1;
	}
#endif
	memset(cmp, 0, sizeof(cmp));
	cmp[0].arg = 0;
	cmp[0].op = SCMP_CMP_EQ;
	cmp[0].datum_a = (scmp_datum_t)filtered;
	cmp[1].arg = 1;
	cmp[1].op = SCMP_CMP_EQ;
	cmp[1].datum_a = SIGSYS;
	rc = seccomp_rule_add_array(ctx, SCMP_ACT_ALLOW, SCMP_SYS(kill), 2,
	    cmp);
	if (rc < 0) {
		why_set(why, "system call filter: cannot allow kill: %s",
		    strerror(-rc));
		return -1;
	}
	return 0;
}

/*
 * Loads the filter: rules allowed, anything else trapped, said through
 * report, and fatal; a call of another architecture (a 64-bit process
 * making 32-bit calls) kills at once. Sets no_new_privs, which a filter
 * needs. Returns 0, or -1 with why, loading nothing.
 */
int
sysfilter_load(const struct sysfilter_rule *rules, size_t n,
    sysfilter_report *report, struct why *why)
{
	struct sigaction sa;
	scmp_filter_ctx ctx;
	int rc;

	filtered = getpid();
	if ((ctx = seccomp_init(SCMP_ACT_TRAP)) == NULL) {
		why_set(why, "system call filter: libseccomp cannot start one");
		return -1;
	}
	/* Killing the thread kills a process of one, where the kernel is
	 * older than 4.14 or libseccomp cannot ask it (valgrind). */
	if (seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH,
	    SCMP_ACT_KILL_PROCESS) < 0)
		rc = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH,
		    SCMP_ACT_KILL);
	else
		rc = 0;
	if (rc < 0 || (rc = rules_add(ctx, rules, n, why)) < 0) {
		if (rc != -1)
			why_set(why, "system call filter: %s", strerror(-rc));
		seccomp_release(ctx);
		return -1;
	}
	sysfilter_leak_check_now();
	names_load();
	report_refusal = report;
	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_sigaction = on_sigsys;
	sa.sa_flags = SA_SIGINFO | SA_RESETHAND | SA_NODEFER;
	if (sigaction(SIGSYS, &sa, NULL) == -1) {
		seccomp_release(ctx);
		return why_errno(why, "system call filter: sigaction SIGSYS");
	}
	rc = seccomp_load(ctx);
	seccomp_release(ctx);
	if (rc < 0) {
		why_set(why, "system call filter: the kernel refused it: %s",
		    strerror(-rc));
		return -1;
	}
	return 0;
}

int
sysfilter_built(void)
{
	return 1;
}

#else

int
sysfilter_load(const struct sysfilter_rule *rules, size_t n,
    sysfilter_report *report, struct why *why)
{
	(void)rules;
	(void)n;
	(void)report;
	why_set(why, "system call filter: not built in (no libseccomp)");
	return -1;
}

int
sysfilter_built(void)
{
	return 0;
}

#endif
