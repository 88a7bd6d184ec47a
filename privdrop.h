/* Changing root and dropping it, once the sockets are bound. */
#ifndef PRIVDROP_H
#define PRIVDROP_H

#include <stddef.h>

#include "timed.h"

void privdrop_lookup(const char *, struct run_user *);
int chroot_dir_open(const char *, char *, size_t);
void privdrop(const struct run_user *, const char *);

#endif
