/* Changing root and dropping it, once the sockets are bound. */
#ifndef PRIVDROP_H
#define PRIVDROP_H

#include <stddef.h>

#include "timed.h"

int privdrop_lookup(const char *, struct run_user *, char *, size_t);
int chroot_dir_open(const char *, char *, size_t);
int privdrop(const struct run_user *, const char *, char *, size_t);

#endif
