/*
 * A system call filter of the process's own: a BPF program tools/filtergen
 * built at build time for this architecture (libseccomp's knowledge, not
 * its code), its placeholders filled in, loaded with prctl(2).
 *
 * A call outside the list traps (SIGSYS): the handler says which call it
 * was, by name, and the process dies of the signal, so that neither an
 * operator nor a test can miss it. The names are generated with the
 * filters, since the handler may not allocate.
 */
#include <sys/prctl.h>

#include <linux/filter.h>
#include <linux/seccomp.h>

#include <signal.h>
#include <stdlib.h>
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

#ifndef SYS_SECCOMP		/* glibc's <signal.h> lacks it; musl's has it */
#define SYS_SECCOMP	1	/* si_code of a filter's trap (asm-generic) */
#endif

static sysfilter_report *report_refusal;
static pid_t filtered;			/* this process, whose kill is allowed */
/* The program loaded, kept: freed, it could need a call now forbidden. */
static struct sock_filter *loaded;

/* The name of call nr, or NULL: the nr-th of the names (async-safe). */
static const char *
call_name(int nr)
{
	const char *p = sysfilter_names;
	int i;

	if (nr < 0 || nr >= SYSFILTER_CALLS || sysfilter_arch == 0)
		return NULL;
	for (i = 0; i < nr; i++)
		p += strlen(p) + 1;
	return *p != '\0' ? p : NULL;
}

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
	if (si->si_arch != sysfilter_arch)
		name = "another architecture's call";
	else if (call_name(nr) != NULL)
		name = call_name(nr);
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

/*
 * The program's placeholders replaced by their values, each found exactly
 * as often as tools/filtergen wrote it, else the copy is not to be loaded.
 * Returns 0, or -1.
 */
static int
holes_fill(struct sock_filter *code, size_t len,
    const unsigned char *expected, const uint32_t *value)
{
	unsigned found[SYSFILTER_HOLES] = { 0 };
	size_t i;
	unsigned h;

	for (i = 0; i < len; i++)
		for (h = 0; h < SYSFILTER_HOLES; h++)
			if (code[i].k == SYSFILTER_HOLE(h)) {
				code[i].k = value[h];
				found[h]++;
			}
	for (h = 0; h < SYSFILTER_HOLES; h++)
		if (found[h] != expected[h])
			return -1;
	return 0;
}

/*
 * Loads the filter p with dir in its directory's place: rules allowed,
 * anything else trapped, said through report, and fatal; a call of
 * another architecture (a 64-bit process making 32-bit calls) kills at
 * once. Sets no_new_privs, which a filter needs. Returns 0, or -1 with
 * why, loading nothing.
 */
int
sysfilter_load(const struct sysfilter_program *p, uint32_t dir,
    sysfilter_report *report, struct why *why)
{
	struct sock_fprog prog;
	struct sigaction sa;
	struct sock_filter *code;
	uint32_t value[SYSFILTER_HOLES];

	if (p->len == 0)
		return why_set(why, "system call filter: not built in "
		    "(no libseccomp)");
	filtered = getpid();
	value[SYSFILTER_HOLE_PID] = (uint32_t)filtered;
	value[SYSFILTER_HOLE_DIR] = dir;
	if (loaded != NULL)
		return why_set(why, "system call filter: loaded already");
	if ((code = malloc(p->len * sizeof(*code))) == NULL)
		return why_errno(why, "system call filter");
	memcpy(code, p->code, p->len * sizeof(*code));
	if (holes_fill(code, p->len, p->holes, value) == -1) {
		free(code);
		return why_set(why, "system call filter: its placeholders "
		    "are not where the build put them");
	}
	sysfilter_leak_check_now();
	report_refusal = report;
	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_sigaction = on_sigsys;
	sa.sa_flags = SA_SIGINFO | SA_RESETHAND | SA_NODEFER;
	if (sigaction(SIGSYS, &sa, NULL) == -1) {
		free(code);
		return why_errno(why, "system call filter: sigaction SIGSYS");
	}
	prog.len = p->len;
	prog.filter = code;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1 ||
	    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) == -1) {
		free(code);
		return why_errno(why, "system call filter: the kernel "
		    "refused it");
	}
	loaded = code;
	return 0;
}

int
sysfilter_built(void)
{
	return sysfilter_arch != 0;
}
