/*
 * What a program says its usage is, and what its man page says: they must
 * agree word for word.
 */
#ifndef MANPAGE_H
#define MANPAGE_H

#include <stddef.h>

int usage_line(const char *, char *, size_t);
int man_synopsis(const char *, char *, size_t);
int help_covers_usage(const char *, const char *, char *, size_t);

#endif
