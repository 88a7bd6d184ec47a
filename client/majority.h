/*
 * -m: which sources agree. Each source's answer bounds the offset; the
 * intersection algorithm (Marzullo's, as RFC 5905's clock selection uses
 * it) finds the interval the largest group shares (pure).
 */
#ifndef MAJORITY_H
#define MAJORITY_H

#include <stddef.h>
#include <stdint.h>

#define MAJORITY_SOURCES_MAX	16

/* What a source's answer says of the offset: lo_ns <= offset < hi_ns. */
struct interval {
	int64_t lo_ns, hi_ns;
};

enum verdict {
	SOURCE_NO_ANSWER,	/* no interval */
	SOURCE_REFUSED,		/* an interval that is empty or inverted */
	SOURCE_AGREED,		/* inside the largest group */
	SOURCE_FALSETICKER,	/* outside it */
};

struct majority {
	int answered;		/* sources with an interval, even a bad one */
	int largest;		/* the largest group whose intervals overlap */
	int groups;		/* groups of that size, apart from each other */
	int agreed;		/* largest > answered / 2, >= 2, one group */
	int64_t lo_ns, hi_ns;	/* the interval the largest group shares */
};

void majority_find(const struct interval *, const int *, size_t,
    struct majority *, enum verdict *);
const char *verdict_name(enum verdict);

#endif
