/*
 * timeclient -x. An RFC 868 server sends its clock cut to the second, but
 * the value changes exactly at its second edge, so a reply says on which
 * side of an edge the server read its clock. That read happened between
 * our send and our receipt (causality, whatever the path's delays), so a
 * reply of V seconds, sent at s and received at r on our clock, bounds the
 * offset theta (server minus us): V <= t + theta < V + 1 for some t in
 * [s, r], so V - r <= theta < V + 1 - s. One reply bounds theta to a
 * second and the round trip; replies read just before and just after an
 * edge bound it to their spacing. The intersection of every reply's bound
 * is the answer: its middle the offset, its half-width the uncertainty,
 * which contains the true offset as long as the server cuts its clock
 * (floor) rather than rounding it. An empty intersection means no single
 * offset explains the replies: the server's clock moved, or more than one
 * server answered.
 */
#include <stdint.h>

#include "../common/rfc868.h"
#include "subsecond.h"

void
bound_init(struct offset_bound *b)
{
	b->lo_ns = INT64_MIN;
	b->hi_ns = INT64_MAX;
	b->replies = 0;
	b->rtt_min_ns = INT64_MAX;
	b->inconsistent = 0;
}

/* A reply of remote_seconds (Unix), asked at sent_ns, got at received_ns. */
void
bound_add(struct offset_bound *b, int64_t remote_seconds, int64_t sent_ns,
    int64_t received_ns)
{
	int64_t lo = remote_seconds * NS_PER_SECOND - received_ns;
	int64_t hi = (remote_seconds + 1) * NS_PER_SECOND - sent_ns;

	if (lo > b->lo_ns)
		b->lo_ns = lo;
	if (hi < b->hi_ns)
		b->hi_ns = hi;
	if (received_ns - sent_ns < b->rtt_min_ns)
		b->rtt_min_ns = received_ns - sent_ns;
	b->replies++;
	if (b->lo_ns >= b->hi_ns)
		b->inconsistent = 1;
}

int64_t
bound_width(const struct offset_bound *b)
{
	return b->hi_ns - b->lo_ns;
}

int64_t
bound_middle(const struct offset_bound *b)
{
	return b->lo_ns + (b->hi_ns - b->lo_ns) / 2;
}

/*
 * Where the i-th of n probes (n >= 2; 2 are the guards alone, the check
 * round) should find the server reading its
 * clock, on our clock (ns), for the server's next second edge after
 * not_before_ns. With theta in [lo, hi), the server reaches second k at
 * our k - theta, in (k - hi, k - lo]: the n - 2 inner probes are spread
 * evenly over that window (the part of it not yet past), and cut the bound
 * to a gap between two of them. The first and the last are guards, just
 * outside it: they must read k - 1 and k, and if the server's clock moved
 * since the bound was made, one of them does not, and the bound comes out
 * empty. The caller sends half a round trip earlier: the symmetric-delay
 * guess aims a probe, while the bound it gives holds whatever the delays.
 */
int64_t
probe_aim(const struct offset_bound *b, int64_t not_before_ns, int i, int n)
{
	int64_t guard = 4 * b->rtt_min_ns > SUBSECOND_GUARD_NS ?
	    4 * b->rtt_min_ns : SUBSECOND_GUARD_NS;
	int64_t k, start, end;

	k = (not_before_ns + guard + b->lo_ns) / NS_PER_SECOND + 1;
	start = k * NS_PER_SECOND - b->hi_ns;
	end = k * NS_PER_SECOND - b->lo_ns;
	if (start < not_before_ns + guard)
		start = not_before_ns + guard;
	if (i == 0)
		return start - guard;
	if (i == n - 1)
		return end + guard;
	return start + (end - start) * (2 * (int64_t)i - 1) /
	    (2 * (int64_t)n - 4);
}

/*
 * When each of n probes leaves, on the monotonic clock: half the shortest
 * round trip before its aim (the way there), its aim moved from the
 * realtime clock by real_to_mono_ns. The round ends when the last could
 * have been answered (its aim, and a grace that grows with the path), or
 * at the deadline if that comes first; a probe still unanswered then is
 * given up, costing only its share of the round.
 */
void
probe_schedule(const struct probe *probes, int n, int64_t half_rtt_ns,
    int64_t real_to_mono_ns, int64_t deadline_ns, struct probe_schedule *s)
{
	int i;

	for (i = 0; i < n && i < SUBSECOND_PROBES_MAX; i++)
		s->send_ns[i] = probes[i].aim_ns - half_rtt_ns + real_to_mono_ns;
	s->end_ns = probes[n - 1].aim_ns + real_to_mono_ns + 8 * half_rtt_ns +
	    PROBE_GRACE_NS;
	if (s->end_ns > deadline_ns)
		s->end_ns = deadline_ns;
}
