/* The listening sockets: opened, or taken from inetd or systemd. */
#ifndef LISTEN_H
#define LISTEN_H

#include <stddef.h>

#include "../common/why.h"
#include "../timed.h"

int listen_check(const struct listen_spec *, struct why *);
int listen_open(const struct listen_spec *, struct listener *, size_t,
    struct why *);
int listen_inherit(int, struct listener *, int *, struct why *);
int listen_activated(struct listener *, size_t, struct why *);
void listen_close(struct listener *, size_t);

#endif
