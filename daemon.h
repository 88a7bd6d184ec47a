/* Running as a daemon: the pidfile, detaching, and saying when ready. */
#ifndef DAEMON_H
#define DAEMON_H

#include "timed.h"

void daemon_pidfile(const char *, const struct run_user *, int);
void daemon_prepare(void);
void daemon_detach(void);
void daemon_ready(void);

#endif
