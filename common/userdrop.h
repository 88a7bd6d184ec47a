/* Becoming an unprivileged user for good: what timed and timeclient share. */
#ifndef USERDROP_H
#define USERDROP_H

#include <sys/types.h>

#include "why.h"

/* Why user_lookup refused a user, for the caller to add its advice. */
#define USER_ERROR	(-1)	/* the lookup failed: errno in why */
#define USER_UNKNOWN	(-2)
#define USER_ROOT	(-3)
#define USER_ROOT_GROUP	(-4)

int user_lookup(const char *, uid_t *, gid_t *, struct why *);
int user_become(uid_t, gid_t, struct why *);

#endif
