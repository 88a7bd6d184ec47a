/*
 * Why something failed, for the caller to say: the one error channel of
 * the modules that return their errors rather than print them.
 */
#ifndef WHY_H
#define WHY_H

#define WHY_MAX	512

struct why {
	char text[WHY_MAX];	/* what failed, and with what value */
	char note[WHY_MAX];	/* what was passed over, even on success */
};

int why_set(struct why *, const char *, ...)
    __attribute__((format(printf, 2, 3)));
int why_errno(struct why *, const char *, ...)
    __attribute__((format(printf, 2, 3)));

#endif
