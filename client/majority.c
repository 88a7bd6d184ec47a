/*
 * -m: the intersection algorithm over the sources' intervals. Each
 * interval [lo, hi) is a hard bound on the offset (a source that tells the
 * truth has the true offset inside it), so the truth lies where the
 * intervals of the honest sources overlap. A sweep over the ends, sorted,
 * counts how many intervals cover each point: the largest count is the
 * largest group that can all be right at once, and where it is reached is
 * the interval they share. It is believed only when that group is a
 * strict majority of the sources that answered, has two members at least
 * (one source alone agrees with nobody), and is one: two groups of that
 * size apart from each other (a wide interval in both) say two things.
 */
#include "majority.h"

struct end {
	int64_t at;
	int step;		/* +1 an interval begins, -1 one ends */
};

/* Ends first where they meet a beginning: [0, 1) and [1, 2) do not meet. */
static int
end_before(const struct end *a, const struct end *b)
{
	return a->at < b->at || (a->at == b->at && a->step < b->step);
}

static void
ends_sort(struct end *e, size_t n)
{
	struct end t;
	size_t i, j;

	for (i = 1; i < n; i++) {
		t = e[i];
		for (j = i; j > 0 && end_before(&t, &e[j - 1]); j--)
			e[j] = e[j - 1];
		e[j] = t;
	}
}

/* The sweep: the largest count, where it is first reached, how often. */
static void
sweep(const struct end *e, size_t n, struct majority *m)
{
	size_t i;
	int count = 0, in_best = 0;

	for (i = 0; i < n; i++) {
		count += e[i].step;
		if (count > m->largest) {
			m->largest = count;
			m->groups = 1;
			m->lo_ns = e[i].at;
			in_best = 1;
		} else if (count == m->largest && e[i].step > 0) {
			m->groups++;
			in_best = 1;
		} else if (in_best && e[i].step < 0) {
			if (m->groups == 1)
				m->hi_ns = e[i].at;
			in_best = 0;
		}
	}
}

/*
 * Finds the largest group of the n sources whose intervals overlap (have
 * says which answered), and each source's verdict. At most
 * MAJORITY_SOURCES_MAX sources; more are left out.
 */
void
majority_find(const struct interval *iv, const int *have, size_t n,
    struct majority *m, enum verdict *verdicts)
{
	struct end e[2 * MAJORITY_SOURCES_MAX];
	size_t i, ends = 0;

	m->answered = m->largest = m->groups = m->agreed = 0;
	m->lo_ns = m->hi_ns = 0;
	if (n > MAJORITY_SOURCES_MAX)
		n = MAJORITY_SOURCES_MAX;
	for (i = 0; i < n; i++) {
		verdicts[i] = SOURCE_NO_ANSWER;
		if (!have[i])
			continue;
		m->answered++;
		if (iv[i].lo_ns >= iv[i].hi_ns) {
			verdicts[i] = SOURCE_REFUSED;
			continue;
		}
		e[ends++] = (struct end){ iv[i].lo_ns, +1 };
		e[ends++] = (struct end){ iv[i].hi_ns, -1 };
	}
	ends_sort(e, ends);
	sweep(e, ends, m);
	m->agreed = m->largest >= 2 && 2 * m->largest > m->answered &&
	    m->groups == 1;
	for (i = 0; i < n; i++)
		if (have[i] && verdicts[i] != SOURCE_REFUSED)
			verdicts[i] = m->groups == 1 && iv[i].lo_ns <= m->lo_ns &&
			    iv[i].hi_ns >= m->hi_ns ? SOURCE_AGREED :
			    SOURCE_FALSETICKER;
}

const char *
verdict_name(enum verdict v)
{
	switch (v) {
	case SOURCE_NO_ANSWER:
		return "no answer";
	case SOURCE_REFUSED:
		return "refused (an empty interval)";
	case SOURCE_AGREED:
		return "agreed";
	case SOURCE_FALSETICKER:
		return "falseticker";
	}
	return "?";
}
