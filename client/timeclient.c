/*
 * timeclient: asks an RFC 868 (or SNTP) server for the time, prints it and
 * sets the clock, with rdate's options and output; unlike rdate it never
 * hangs, reads replies that come in pieces, and is right after 2036.
 */
#include <sys/stat.h>
#include <sys/time.h>

#include <err.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "../common/platform.h"
#include "../common/rfc868.h"
#include "../common/utc.h"
#include "lastgood.h"
#include "leaps.h"
#include "majority.h"
#include "measure.h"
#include "options.h"
#include "privsep.h"
#include "query.h"

#define US_PER_SECOND	1000000

static struct leaps leaps;	/* -c: read before the network side starts */

static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr, "usage: %s %s\n", getprogname(), CLIENT_USAGE);
	exit(1);
}

/* --help: the usage line and a line an option; timeclient(1) is the reference. */
static void __attribute__((noreturn))
help(void)
{
	printf("usage: %s %s\n"
	    "  -4          IPv4 addresses only\n"
	    "  -6          IPv6 addresses only\n"
	    "  -a          slew the clock with adjtime(2)\n"
	    "  -c          count leap seconds (the right/ time zones)\n"
	    "  -F          no system call filter on the network side\n"
	    "  -m          ask every host at once; believe only a majority\n"
	    "  -n          SNTP instead of RFC 868\n"
	    "  -p          print the time only\n"
	    "  -q          print one line for scripts; never set the clock\n"
	    "  -s          set the clock only\n"
	    "  -u          RFC 868 over UDP\n"
	    "  -v          verbose\n"
	    "  -x          the offset to the millisecond\n"
	    "  -V          print the version\n"
	    "  -b sec      step when more than sec off, slew below\n"
	    "  -g msec     -x: the server's second may change this late (10)\n"
	    "  -o port     ask this port (37; 123 with -n)\n"
	    "  -t msec     refuse an answer slower than this (exit 2)\n"
	    "  -w sec      the deadline for each host (10)\n"
	    "See timeclient(1).\n", getprogname(), CLIENT_USAGE);
	exit(fflush(stdout) == 0 ? 0 : 1);
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
 * The uncertainty -x states, in whole ms, rounded up: half the bound's
 * width, and the half millisecond the printed offset may be rounded by,
 * so that the printed interval always holds the bound.
 */
static long long
stated_uncertainty(int64_t lo_ns, int64_t hi_ns)
{
	int64_t ns = (hi_ns - lo_ns) / 2 + 500000;

	return (ns + 999999) / 1000000;
}

/*
 * SNTP's uncertainty: its offset takes the ways there and back as equally
 * long, so it is off by at most half the round trip.
 */
static int64_t
half_trip(const struct measurement *m)
{
	return (m->received_ns - m->sent_ns) / 2;
}

/*
 * 0 is what a server without a clock sends (inetd's built-in time, when
 * time(3) fails): it reads as 2036-02-07, which is never set; -p shows
 * it, warned.
 */
static void
sent_zero(const char *host, int print_only)
{
	if (!print_only)
		errx(EXIT_REFUSED, "%s sent 0, what a server without a clock sends: not "
		    "setting the clock from it", host);
	warnx("warning: %s sent 0, what a server without a clock sends",
	    host);
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

	utc_text((time_t)remote_seconds, UTC_SECONDS, when, sizeof(when));
	utc_text(TIME_FLOOR, UTC_DAY, floor, sizeof(floor));
	if (!print_only)
		errx(EXIT_REFUSED, "%s: its time, %s, is before %s, when this timeclient "
		    "was made: not setting the clock from it", host, when,
		    floor);
	warnx("warning: %s: its time, %s, is before %s, when this "
	    "timeclient was made", host, when, floor);
}

/* Steps the clock by offset_ns, or slews it with adjtime(2): 0, or -1. */
static int
clock_change(int64_t offset_ns, int slew)
{
	struct timespec now;
	struct timeval delta;
	int64_t t;

	if (slew) {
		delta = timeval_of(offset_ns);
		return adjtime(&delta, NULL);
	}
	t = query_realtime_ns() + offset_ns;
	now.tv_sec = t / NS_PER_SECOND;
	now.tv_nsec = t % NS_PER_SECOND;
	if (now.tv_nsec < 0) {
		now.tv_nsec += NS_PER_SECOND;
		now.tv_sec--;
	}
	return clock_settime(CLOCK_REALTIME, &now);
}

/* Why clock_change failed (errno), and exit 5. */
static void __attribute__((noreturn))
clock_unchanged(int64_t offset_ns, int slew)
{
	if (slew && errno == EINVAL)
		errx(EXIT_NOT_SET, "cannot slew the clock by %lld seconds: too far; "
		    "step it (without -a)",
		    (long long)(offset_ns / NS_PER_SECOND));
	if (errno == EPERM)
		errx(EXIT_NOT_SET, "cannot set the clock: %s; run as root, or use -p to "
		    "print the time only", strerror(errno));
	err(EXIT_NOT_SET, "cannot set the clock");
}

/*
 * Once the clock is set, the kernel is told how far it may be off, which
 * marks it synchronized (platform.c): the measurement's error, and while
 * a slew is under way the part of the offset not yet slewed, in us
 * rounded up, as maxerror and esterror both (a bound is all that is
 * known). A bound past the kernel's limit marks nothing: the kernel
 * would hold the clock unsynchronized anyway. -v says which.
 */
static void
clock_mark(const struct client_options *o, const struct measurement *m,
    int slew)
{
	int64_t ns = m->error_ns + (slew ? llabs(m->offset_ns) : 0);
	int64_t us = (ns + 999) / 1000;

	if (us > PLATFORM_MAXERROR_US) {
		if (o->verbose)
			warnx("the clock is not marked synchronized: it may be "
			    "%.6f s off, more than the kernel's %ld s", (double)
			    ns / NS_PER_SECOND, PLATFORM_MAXERROR_US / 1000000);
		return;
	}
	if (platform_clock_mark_synced((long)us, (long)us) == -1) {
		warn("the clock was set, but cannot be marked synchronized");
		return;
	}
	if (o->verbose)
		warnx("the clock marked synchronized, off by %.6f s at most "
		    "(the kernel's maxerror and esterror %lld us)",
		    (double)us / 1000000, (long long)us);
}

/*
 * Whether stderr is the journal: systemd says so in JOURNAL_STREAM, the
 * device and inode of the stream it gave (systemd.exec(5)).
 */
static int
stderr_is_journal(void)
{
	const char *stream = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;
	char *end;

	if (stream == NULL || fstat(STDERR_FILENO, &st) == -1)
		return 0;
	dev = strtoull(stream, &end, 10);
	if (end == stream || *end != ':')
		return 0;
	ino = strtoull(end + 1, &end, 10);
	return *end == '\0' && st.st_dev == dev && st.st_ino == ino;
}

/* The offset with its sign, and its uncertainty, as the mode knows them. */
static void
offset_text(const struct measurement *m, const char *how, char *offset,
    size_t offset_size, char *plusminus, size_t pm_size)
{
	char digits[32];
	int decimals = m->bounded ? 3 : 6;

	if (!m->bounded && strcmp(how, "sntp") != 0) {
		snprintf(offset, offset_size, "%+lld", (long long)m->adjust_seconds);
		*plusminus = '\0';
		return;
	}
	client_format_seconds(m->offset_ns, decimals, digits, sizeof(digits));
	snprintf(offset, offset_size, "%s%s", digits[0] == '-' ? "" : "+",
	    digits);
	if (m->bounded)
		snprintf(plusminus, pm_size, " \302\261 %.3f s",
		    (double)stated_uncertainty(m->lo_ns, m->hi_ns) / 1000);
	else
		snprintf(plusminus, pm_size, " \302\261 %.6f s",
		    (double)half_trip(m) / NS_PER_SECOND);
}

/*
 * Whenever the clock is changed, one line says by how much, how and from
 * where: on stderr, and in syslog where stderr is neither a terminal nor
 * the journal (cron, a script's log file), as ntpdate and timesyncd say it.
 * When it could not be (done 0), the same line says what was measured, so
 * that the journal of a failed boot still holds the offset.
 */
static void
say_change(const struct client_options *o, const struct measurement *m,
    int slew, int done)
{
	char line[512], offset[40], plusminus[40];

	offset_text(m, measure_how(o), offset, sizeof(offset), plusminus,
	    sizeof(plusminus));
	snprintf(line, sizeof(line), "clock %s%s by %s s%s, to the time of %s "
	    "(%s) over %s", done ? "" : "could not be ", slew ? "slewed" :
	    "stepped", offset, plusminus, o->hosts[m->host], m->peer,
	    measure_how(o));
	fprintf(stderr, "%s: %s\n", getprogname(), line);
	if (!isatty(STDERR_FILENO) && !stderr_is_journal()) {
		openlog(getprogname(), LOG_PID, LOG_DAEMON);
		syslog(LOG_NOTICE, "%s", line);
		closelog();
	}
}

/*
 * Sets the clock, unless -p: stepped, or slewed with -a, or, as rdate
 * does with -b, slewed below its limit and stepped above it, and says so;
 * then marks it synchronized and keeps the time as the last good one.
 * The one place the clock is set. Returns
 * whether it slewed, and through *suffix what -b makes the report say; or
 * exits 5, having said what it measured.
 */
static int
apply(const struct client_options *o, const struct measurement *m,
    const char **suffix)
{
	int slew = o->slew, saved;

	*suffix = "";
	if (o->print_only)
		return slew;
	if (o->step_above >= 0) {
		slew = llabs(m->offset_ns) <= o->step_above * NS_PER_SECOND;
		*suffix = slew ? " (adjtime)" : " (instant change)";
	}
	if (clock_change(m->offset_ns, slew) == -1) {
		saved = errno;
		say_change(o, m, slew, 0);
		errno = saved;
		clock_unchanged(m->offset_ns, slew);
	}
	say_change(o, m, slew, 1);
	clock_mark(o, m, slew);
	lastgood_keep(m->utc_seconds, m->error_ns, o->verbose);
	return slew;
}

/*
 * -q: one line for scripts and monitoring, its format fixed (timeclient(1)):
 * the offset to add to the local clock, and how far it may be off.
 * Without -x or -n, that is the causal bound of the one answer: a second
 * and the round trip wide.
 */
static void
report_query(const struct client_options *o, const struct measurement *m)
{
	int64_t offset = m->offset_ns, half;

	if (m->bounded)
		half = (m->hi_ns - m->lo_ns) / 2;
	else if (o->query.sntp)
		half = half_trip(m);
	else {
		offset = m->remote_seconds * NS_PER_SECOND + NS_PER_SECOND / 2 -
		    m->asked_ns / 2 - m->received_ns / 2;
		half = (NS_PER_SECOND + m->received_ns - m->asked_ns) / 2;
	}
	printf("host=%s address=%s port=%u proto=%s offset=%+.6f "
	    "uncertainty=%.6f queries=%d", o->hosts[m->host], m->address,
	    m->port, measure_how(o), (double)offset / 1e9, (double)half / 1e9,
	    m->queries > 0 ? m->queries : 1);
	if (m->answered > 0)
		printf(" agree=%d/%d", m->agree, m->answered);
	printf("\n");
}

/* -v: where the time came from, on stderr. */
static void
report_source(const struct client_options *o, const struct measurement *m)
{
	fprintf(stderr, "%s: time from %s (%s) over %s\n", getprogname(),
	    o->hosts[m->host], m->peer, measure_how(o));
	if (!o->query.sntp && m->size > RFC868_SIZE)
		fprintf(stderr, "%s: reply was %zu bytes, used the first %d\n",
		    getprogname(), m->size, RFC868_SIZE);
	if (o->query.sntp)
		fprintf(stderr, "%s: -n: round trip %.6f s: the offset holds "
		    "to \302\261 %.6f s, as the ways there and back differ\n",
		    getprogname(), (double)(m->received_ns - m->sent_ns) /
		    NS_PER_SECOND, (double)half_trip(m) / NS_PER_SECOND);
	if (m->queries > 0 && m->answered == 0)
		fprintf(stderr, "%s: -x: %d queries, %d replies, the last "
		    "round's %d: the offset in [%.6f, %.6f) s\n",
		    getprogname(), m->queries, m->replies, m->last_replies,
		    (double)m->lo_ns / NS_PER_SECOND,
		    (double)m->hi_ns / NS_PER_SECOND);
}

/*
 * rdate's output: the date, and the adjustment when slewing or asked
 * (-v), in the precision the mode has.
 */
static void
report(const struct client_options *o, const struct measurement *m,
    const char *when, int slew, const char *suffix)
{
	char seconds[32];

	printf("%s\n", when);
	if ((slew || o->verbose) && m->bounded) {		/* -x, -m */
		printf("%s: adjust local clock by %s seconds \302\261 %.3f s",
		    getprogname(), client_format_seconds(m->offset_ns, 3,
		    seconds, sizeof(seconds)),
		    (double)stated_uncertainty(m->lo_ns, m->hi_ns) / 1000);
		if (o->verbose)
			printf(" (%d queries)", m->queries);
		printf("%s\n", suffix);
	} else if ((slew || o->verbose) && o->query.sntp)
		printf("%s: adjust local clock by %s seconds%s\n",
		    getprogname(), client_format_seconds(m->offset_ns, 6,
		    seconds, sizeof(seconds)), suffix);
	else if (slew || o->verbose)
		printf("%s: adjust local clock by %lld seconds%s\n",
		    getprogname(), (long long)m->adjust_seconds, suffix);
	if (o->verbose && o->max_delay_ms > 0)
		printf("%s: network delay %ld msecs\n", getprogname(),
		    m->delay_ms);
}

/* The options, --help and -V, -c's table: what comes before asking. */
static void
setup(int argc, char *argv[], struct client_options *o)
{
	struct why why;

	if (client_options(argc, argv, o, &why) == -1) {
		if (why.text[0] != '\0')
			errx(1, "%s", why.text);
		if (o->bad_option != 0)
			warnx("%s -- '%c'", o->bad_option_missing ? "option "
			    "requires an argument" : "invalid option",
			    o->bad_option);
		usage();
	}
	if (o->help)
		help();
	if (o->version) {
		printf("timeclient %s\n", VERSION);
		exit(fflush(stdout) == 0 ? 0 : 1);
	}
	if (o->leaps && leaps_load(LEAPS_FILE, &leaps, &why) == -1)
		errx(1, "-c needs the leap seconds of %s: %s", LEAPS_FILE,
		    why.text);
	if (o->nhosts == 0)			/* -s alone: lastgood.c */
		exit(lastgood_advance(o->verbose));
	if (o->verbose)
		o->query.note = note;
	if (o->majority && o->nhosts > MAJORITY_SOURCES_MAX)
		warnx("-m: %d hosts: the first %d are asked", o->nhosts,
		    MAJORITY_SOURCES_MAX);
}

/* The network side: the measurement (measure.c), with -c's table. */
static void
network_side(const struct client_options *o, struct measurement *m)
{
	measure(o, &leaps, m);
}

/*
 * What is never set, whoever measured it: a server without a clock (0),
 * a time this system cannot hold, one before the floor or, setting, the
 * last good time (lastgood.c).
 */
static void
judge(const struct client_options *o, const struct measurement *m)
{
	const char *host = o->hosts[m->host];

	if (m->zero)
		sent_zero(host, o->print_only);
	if ((time_t)m->remote_seconds != m->remote_seconds)
		errx(1, "%s: the time %lld does not fit this system's time_t",
		    host, (long long)m->remote_seconds);
	/*
	 * -c: the leap seconds are this table's, read before the network
	 * side started, not whatever a message says: a subverted side could
	 * otherwise lift its UTC time over the floors by up to 100 s.
	 */
	if (m->remote_seconds != (o->leaps ? leaps_posix_to_right(&leaps,
	    m->utc_seconds) : m->utc_seconds))
		errx(EXIT_REFUSED, "%s: %lld s is not %lld UTC with the leap "
		    "seconds of %s", host, (long long)m->remote_seconds,
		    (long long)m->utc_seconds, LEAPS_FILE);
	/* The floor is UTC's: -c's leap seconds must not lift a time over. */
	if (m->utc_seconds < TIME_FLOOR)
		below_floor(host, m->utc_seconds, o->print_only);
	if (!o->print_only)
		lastgood_check(host, m->utc_seconds, m->error_ns);
}

/*
 * Measures (in a confined child when the clock will be set), judges, sets
 * the clock unless -p, and reports.
 */
int
main(int argc, char *argv[])
{
	struct client_options o;
	struct measurement m;
	const char *suffix;
	struct why why;
	char when[64];
	int slew, status;

	setup(argc, argv, &o);
	if (!privsep_wanted(&o))
		network_side(&o, &m);
	else if ((status = privsep_network(&o, network_side, &m, &why)) != 0) {
		if (why.text[0] != '\0')
			errx(status, "%s", why.text);
		exit(status);
	}
	if (m.status != 0) {
		if (m.reason[0] != '\0')
			errx(m.status, "%s", m.reason);
		exit(m.status);
	}
	judge(&o, &m);
	slew = apply(&o, &m, &suffix);
	/*
	 * Judged only where a date is printed (not -q, not -s), and after the
	 * clock is set: the zone that shows it never decides the setting.
	 */
	if (!o.query_only && !o.set_only && client_format_time(m.remote_seconds,
	    when, sizeof(when)) == 0)
		errx(1, "%s: cannot show the time %lld in this time zone",
		    o.hosts[m.host], (long long)m.remote_seconds);
	if (o.verbose)
		report_source(&o, &m);
	if (o.query_only)
		report_query(&o, &m);
	else if (!o.set_only)
		report(&o, &m, when, slew, suffix);
	if (fflush(stdout) == EOF || ferror(stdout))
		err(1, "stdout");
	return 0;
}
