/*
 * The daemon a test runs, one at a time: started on a port it chose and
 * read back, stopped by the case's teardown, and its counters.
 */
#ifndef FIXTURE_H
#define FIXTURE_H

#include "proc.h"

/* SIGUSR1's line, every field. */
struct counters {
	unsigned long long tcp, udp;
	unsigned long long low_port, bogus, source_rate, global_rate;
	unsigned long long without_clock, before_floor, unsynced, not_unicast;
	unsigned long long accept_errors, send_errors, recv_errors;
	unsigned long long log_lost, up;
};

extern struct proc daemon_proc;

int timed_start(struct proc *, unsigned *, const char *const[],
    const char *const[]);
int timed_port(struct proc *, unsigned *);
unsigned daemon_up(const char *const[], const char *const[]);
unsigned sockets_hold(int);
void sockets_handed_over(void);
void sockets_release(void);
unsigned daemon_up_quiet(int, const char *const[]);
void daemon_stop(void);
int counters_parse(const char *, struct counters *);
void counters_read(struct counters *);
int stderr_quiet(const struct proc *);

#endif
