/*
 * A process's own system call filter (seccomp, through libseccomp): an
 * allow-list; any other call kills the process, said first in one line.
 * Built without libseccomp, sysfilter_load() refuses and says so.
 */
#ifndef SYSFILTER_H
#define SYSFILTER_H

#include <stddef.h>
#include <stdint.h>

#include "why.h"

#define SYSFILTER_ARGS	2	/* conditions a rule may put on arguments */

/* How argument index is compared; every condition of a rule must hold. */
enum sysfilter_op {
	SYSFILTER_EQ = 1,	/* arg == value */
	SYSFILTER_MASKED_EQ,	/* (arg & mask) == value */
};

struct sysfilter_arg {
	enum sysfilter_op op;	/* 0: no condition */
	unsigned index;		/* 0 .. 5 */
	uint64_t mask;		/* SYSFILTER_MASKED_EQ */
	uint64_t value;
};

/*
 * One call allowed, under its conditions; a name twice is either rule.
 * A name this architecture does not have (a 32-bit system's 64-bit-time
 * call on a 64-bit one) is passed over.
 */
struct sysfilter_rule {
	const char *name;
	struct sysfilter_arg arg[SYSFILTER_ARGS];
};

/* Called from the SIGSYS handler with the line to say: no stdio there. */
typedef void sysfilter_report(const char *);

int sysfilter_built(void);
void sysfilter_leak_check_now(void);
int sysfilter_load(const struct sysfilter_rule *, size_t, sysfilter_report *,
    struct why *);

#endif
