/*
 * What the tests share, each in a file of its own: processes (proc.c),
 * sockets (net.c), the scratch directory, privileges and namespaces
 * (sandbox.c), a faked clock (faketime.c), man pages (manpage.c), and the
 * running daemon (fixture.c).
 */
#ifndef HELPERS_H
#define HELPERS_H

#include "faketime.h"
#include "fixture.h"
#include "manpage.h"
#include "net.h"
#include "proc.h"
#include "sandbox.h"

#endif
