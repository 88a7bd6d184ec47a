/* The loop that answers: signals, the sockets, the counters. */
#ifndef SERVE_H
#define SERVE_H

#include <stddef.h>

#include "../timed.h"

void serve_init(int);
void serve_signals(void);
void serve(struct listener *, size_t, int);
int serve_connection(int);

#endif
