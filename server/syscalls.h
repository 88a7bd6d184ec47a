/* The system calls timed may make once it serves (a seccomp filter). */
#ifndef SYSCALLS_H
#define SYSCALLS_H

#include "../common/why.h"

int syscalls_confine(int, int, struct why *);

#endif
