/*
 * A clock of the test's choosing for our binaries: libfaketime, or the
 * project's fakeclock.so, whichever the binary can load.
 */
#ifndef FAKETIME_H
#define FAKETIME_H

int elf_match(const char *, const char *);
const char *faketime_preload_for(const char *);
const char *faketime_preload(void);
const char *const *faketime_env(const char *);

#endif
