/* Changing root and dropping it, once the sockets are bound. */
#ifndef PRIVDROP_H
#define PRIVDROP_H

#include <stddef.h>

#include "../common/why.h"
#include "../timed.h"

int privdrop_lookup(const char *, struct run_user *, struct why *);
int privdrop_user_shared(uid_t);
int chroot_dir_open(const char *, struct why *);
int privdrop(const struct run_user *, const char *, struct why *);

#endif
