/*
 * timeclient: asks an RFC 868 (or SNTP) server for the time, prints it and
 * sets the clock, with rdate's options and output; unlike rdate it never
 * hangs, reads replies that come in pieces, and is right after 2036.
 */
#include <sys/time.h>

#include <err.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "options.h"
#include "leaps.h"
#include "query.h"
#include "../common/rfc868.h"
#include "subsecond.h"

#define US_PER_SECOND	1000000
#define AIM_MARGIN_NS	20000000	/* -x: time to set a round up */

static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr, "usage: %s %s\n", getprogname(), CLIENT_USAGE);
	exit(1);
}

/* -v: what failed on the way to an answer. */
static void
note(const char *text)
{
	fprintf(stderr, "%s: %s\n", getprogname(), text);
}

/*
 * A timeval of offset_ns, its microseconds within 0 .. 999999 as the BSDs
 * require (timerisvalid): -0.3 s is -1 s + 700000 us, not 0 s - 300000.
 */
static struct timeval
timeval_of(int64_t offset_ns)
{
	struct timeval tv;
	int64_t us = offset_ns / 1000;

	tv.tv_sec = us / US_PER_SECOND;
	tv.tv_usec = us % US_PER_SECOND;
	if (tv.tv_usec < 0) {
		tv.tv_usec += US_PER_SECOND;
		tv.tv_sec--;
	}
	return tv;
}

/*
 * One round of n probes at the server's next second edge (subsecond.c),
 * to the address that gave the first answer, their replies added to *b.
 * Returns how many were answered, or -1 when the deadline (monotonic ms)
 * leaves no time for it. Exits 1 when no one offset explains the replies.
 */
static int
subsecond_round(const char *host, const struct query_options *qo,
    const struct answer *first, long long deadline, int n,
    struct offset_bound *b)
{
	struct probe probes[SUBSECOND_ROUND_PROBES];
	int64_t margin;
	char why[256];
	int i, got;

	memset(probes, 0, sizeof(probes));
	margin = AIM_MARGIN_NS > 2 * b->rtt_min_ns ? AIM_MARGIN_NS :
	    2 * b->rtt_min_ns;
	for (i = 0; i < n; i++)
		probes[i].aim_ns = probe_aim(b, query_realtime_ns() + margin,
		    i, n);
	if (query_clock_ms() + (probes[n - 1].aim_ns - query_realtime_ns()) /
	    1000000 >= deadline)
		return -1;
	got = query_probes(first, qo, probes, n, b->rtt_min_ns / 2, deadline,
	    why, sizeof(why));
	if (got == -1)
		errx(1, "%s: -x: %s", host, why);
	for (i = 0; i < n; i++)
		if (probes[i].answered)
			bound_add(b, rfc868_to_unix(probes[i].value),
			    probes[i].sent_ns, probes[i].received_ns);
	if (b->inconsistent)
		errx(1, "%s: -x: the replies agree on no one offset: the "
		    "server's clock moved during the measurement, or more than "
		    "one server answered", host);
	return got;
}

/*
 * -x: rounds of probes aimed at the server's next second edges, each
 * spreading its probes over the window the edge must fall in, then a last
 * round of the two guards alone around the edge found: a clock that moved
 * during the last round (which that round cannot see: its readings stay in
 * order) is caught there. Until the rounds are done, the deadline comes,
 * or two rounds in a row go unanswered; the result is never a confident
 * wrong offset.
 */
static void
subsecond_measure(const char *host, const struct query_options *qo,
    const struct answer *first, long long deadline, int verbose,
    struct offset_bound *b, int *queries)
{
	int round, n, got, unanswered = 0;

	bound_init(b);
	bound_add(b, rfc868_to_unix(rfc868_unpack(first->reply)),
	    first->sent_ns, first->received_ns);
	*queries = 1;
	for (round = 0; round <= SUBSECOND_ROUNDS && unanswered < 2; round++) {
		n = round < SUBSECOND_ROUNDS ? SUBSECOND_ROUND_PROBES :
		    SUBSECOND_CHECK_PROBES;
		if (*queries + n > SUBSECOND_QUERIES_MAX)
			break;
		if ((got = subsecond_round(host, qo, first, deadline, n,
		    b)) == -1)
			break;
		*queries += n;
		unanswered = got == 0 ? unanswered + 1 : 0;
		if (verbose)
			fprintf(stderr, "%s: -x: %d probes, %d answered, the "
			    "offset known to %.3f ms\n", getprogname(), n, got,
			    (double)bound_width(b) / 1000000);
	}
}

/*
 * The uncertainty -x states, in whole ms, rounded up: half the bound's
 * width, and the half millisecond the printed offset may be rounded by,
 * so that the printed interval always holds the bound.
 */
static long long
stated_uncertainty(const struct offset_bound *b)
{
	int64_t ns = bound_width(b) / 2 + 500000;

	return (ns + 999999) / 1000000;
}

/*
 * A time before this program was made is plainly wrong: a server that
 * booted without a battery and serves 1970. It is never set (at boot,
 * where -s runs, a wrong server would otherwise win); -p shows it, warned.
 */
static void
below_floor(const char *host, int64_t remote_seconds, int print_only)
{
	char when[64], floor[64];
	time_t t = (time_t)remote_seconds, f = TIME_FLOOR;
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S UTC", &tm) == 0)
		snprintf(when, sizeof(when), "%lld", (long long)remote_seconds);
	if (gmtime_r(&f, &tm) == NULL ||
	    strftime(floor, sizeof(floor), "%Y-%m-%d", &tm) == 0)
		snprintf(floor, sizeof(floor), "%lld", (long long)f);
	if (!print_only)
		errx(1, "%s: its time, %s, is before %s, when this timeclient "
		    "was made: not setting the clock from it", host, when,
		    floor);
	warnx("warning: %s: its time, %s, is before %s, when this "
	    "timeclient was made", host, when, floor);
}

/* Steps the clock by offset_ns, or slews it with adjtime(2). */
static void
clock_change(int64_t offset_ns, int slew)
{
	struct timespec now;
	struct timeval delta;
	int64_t t;

	if (slew) {
		delta = timeval_of(offset_ns);
		if (adjtime(&delta, NULL) == 0)
			return;
		if (errno == EINVAL)
			errx(1, "cannot slew the clock by %lld seconds: too far; "
			    "step it (without -a)",
			    (long long)(offset_ns / NS_PER_SECOND));
	} else {
		clock_gettime(CLOCK_REALTIME, &now);
		t = (int64_t)now.tv_sec * NS_PER_SECOND + now.tv_nsec + offset_ns;
		now.tv_sec = t / NS_PER_SECOND;
		now.tv_nsec = t % NS_PER_SECOND;
		if (now.tv_nsec < 0) {
			now.tv_nsec += NS_PER_SECOND;
			now.tv_sec--;
		}
		if (clock_settime(CLOCK_REALTIME, &now) == 0)
			return;
	}
	if (errno == EPERM)
		errx(1, "cannot set the clock: %s; run as root, or use -p to "
		    "print the time only", strerror(errno));
	err(1, "cannot set the clock");
}

int
main(int argc, char *argv[])
{
	struct client_options o;
	struct answer ans;
	struct leaps leaps;
	struct offset_bound bound;
	const char *how, *suffix = "";
	char why[512], when[64];
	int64_t offset_ns, remote_seconds, adjust_seconds = 0;
	long long started = 0;
	int i, slew, queries = 0, too_slow = 0;

	memset(&ans, 0, sizeof(ans));
	memset(&leaps, 0, sizeof(leaps));
	bound_init(&bound);
	if (client_options(argc, argv, &o, why, sizeof(why)) == -1) {
		if (*why != '\0')
			errx(1, "%s", why);
		usage();
	}
	if (o.leaps && leaps_load(LEAPS_FILE, &leaps, why, sizeof(why)) == -1)
		errx(1, "-c needs the leap seconds of %s: %s", LEAPS_FILE, why);
	if (o.verbose)
		o.query.note = note;

	/* Hosts are tried in turn; the first to answer in time is used. */
	for (i = 0; i < o.nhosts; i++) {
		started = query_clock_ms();
		if (query_host(o.hosts[i], &o.query, &ans, why, sizeof(why)) ==
		    -1) {
			warnx("%s", why);
			continue;
		}
		if (o.max_delay_ms > 0 && ans.delay_ms > o.max_delay_ms) {
			warnx("Network delay exceeded (%ld msec)", ans.delay_ms);
			too_slow = 1;
			continue;
		}
		break;
	}
	if (i == o.nhosts)
		return too_slow ? 2 : 1;

	if (o.query.sntp) {
		offset_ns = ans.sntp_offset_ns;
		remote_seconds = (ans.received_ns + offset_ns) / NS_PER_SECOND;
		if (o.leaps) {
			adjust_seconds = leaps_posix_to_right(&leaps,
			    remote_seconds) - remote_seconds;
			offset_ns += adjust_seconds * NS_PER_SECOND;
			remote_seconds += adjust_seconds;
		}
		how = "sntp";
	} else if (o.subsecond) {
		remote_seconds = rfc868_to_unix(rfc868_unpack(ans.reply));
		subsecond_measure(o.hosts[i], &o.query, &ans, started +
		    o.query.timeout_ms, o.verbose, &bound, &queries);
		if (o.leaps)
			adjust_seconds = leaps_posix_to_right(&leaps,
			    remote_seconds) - remote_seconds;
		remote_seconds += adjust_seconds;
		offset_ns = bound_middle(&bound) + adjust_seconds *
		    NS_PER_SECOND;
		how = o.query.udp ? "udp" : "tcp";
	} else {
		remote_seconds = rfc868_to_unix(rfc868_unpack(ans.reply));
		if (o.leaps)
			remote_seconds = leaps_posix_to_right(&leaps,
			    remote_seconds);
		adjust_seconds = rfc868_offset(remote_seconds, ans.sent_ns,
		    ans.received_ns);
		offset_ns = adjust_seconds * NS_PER_SECOND;
		how = o.query.udp ? "udp" : "tcp";
	}
	if ((time_t)remote_seconds != remote_seconds)
		errx(1, "%s: the time %lld does not fit this system's time_t",
		    o.hosts[i], (long long)remote_seconds);
	if (remote_seconds < TIME_FLOOR)
		below_floor(o.hosts[i], remote_seconds, o.print_only);
	if (!o.set_only && client_format_time(remote_seconds, when,
	    sizeof(when)) == 0)
		errx(1, "%s: cannot show the time %lld in this time zone",
		    o.hosts[i], (long long)remote_seconds);

	/* As rdate: -b slews below its limit and steps above it. */
	slew = o.slew;
	if (!o.print_only) {
		if (o.step_above >= 0) {
			slew = llabs(offset_ns) <= o.step_above * NS_PER_SECOND;
			suffix = slew ? " (adjtime)" : " (instant change)";
		}
		clock_change(offset_ns, slew);
	}
	if (o.verbose) {
		fprintf(stderr, "%s: time from %s (%s) over %s\n", getprogname(),
		    o.hosts[i], ans.peer, how);
		if (!o.query.sntp && ans.size > RFC868_SIZE)
			fprintf(stderr, "%s: reply was %zu bytes, used the "
			    "first %d\n", getprogname(), ans.size, RFC868_SIZE);
		if (o.subsecond)
			fprintf(stderr, "%s: -x: %d queries, %d replies, the "
			    "offset in [%.6f, %.6f) s\n", getprogname(), queries,
			    bound.replies, (double)bound.lo_ns / NS_PER_SECOND,
			    (double)bound.hi_ns / NS_PER_SECOND);
	}
	/* As rdate: the adjustment is said when slewing, or asked (-v). */
	if (!o.set_only) {
		printf("%s\n", when);
		if ((slew || o.verbose) && o.subsecond) {
			printf("%s: adjust local clock by %.3f seconds "
			    "\302\261 %.3f s", getprogname(),
			    (double)offset_ns / NS_PER_SECOND,
			    (double)stated_uncertainty(&bound) / 1000);
			if (o.verbose)
				printf(" (%d queries)", queries);
			printf("%s\n", suffix);
		} else if (slew || o.verbose) {
			if (o.query.sntp)
				printf("%s: adjust local clock by %.6f "
				    "seconds%s\n", getprogname(),
				    (double)offset_ns / NS_PER_SECOND, suffix);
			else
				printf("%s: adjust local clock by %lld "
				    "seconds%s\n", getprogname(),
				    (long long)adjust_seconds, suffix);
		}
		if (o.verbose && o.max_delay_ms > 0)
			printf("%s: network delay %ld msecs\n", getprogname(),
			    ans.delay_ms);
	}
	if (fflush(stdout) == EOF || ferror(stdout))
		err(1, "stdout");
	return 0;
}
