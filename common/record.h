/* A fixed-size record from a pipe, by a deadline: whole, or known not to be. */
#ifndef RECORD_H
#define RECORD_H

#include <sys/types.h>

#include <stddef.h>

ssize_t record_read(int, void *, size_t, long long, int);

#endif
