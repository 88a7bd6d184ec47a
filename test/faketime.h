/*
 * A clock of the test's choosing for our binaries: libfaketime, or the
 * project's fakeclock.so, whichever the binary can load.
 */
#ifndef FAKETIME_H
#define FAKETIME_H

int elf_match(const char *, const char *);
int elf_static(const char *);

/* A test that preloads a library into timed: not into a static timed. */
#define SKIP_IF_STATIC() do {						\
	if (elf_static(timed_path()))					\
		SKIP("%s is linked statically: no library can be "	\
		    "preloaded into it", timed_path());			\
} while (0)
const char *faketime_preload_for(const char *);
const char *faketime_preload(void);
const char *const *faketime_env(const char *);

#endif
