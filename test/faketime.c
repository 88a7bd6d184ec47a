/*
 * A clock of the test's choosing for our binaries: libfaketime, or the
 * project's fakeclock.so, whichever the binary can load.
 */
#include <elf.h>
#include <fcntl.h>
#include <glob.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "faketime.h"
#include "proc.h"
#include "sandbox.h"

/*
 * The class (32 or 64 bits) and machine of an ELF file, for matching a
 * library to the binary it is preloaded into. 0, or -1 when unreadable.
 */
static int
elf_kind(const char *path, unsigned char *class, unsigned *machine)
{
	Elf32_Ehdr h;	/* e_machine sits at the same offset in both */
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd == -1)
		return -1;
	n = read(fd, &h, sizeof(h));
	close(fd);
	if (n != (ssize_t)sizeof(h) || memcmp(h.e_ident, ELFMAG, SELFMAG) != 0)
		return -1;
	*class = h.e_ident[EI_CLASS];
	*machine = h.e_machine;
	return 0;
}

/* Whether library can be preloaded into binary: one ELF class, one machine. */
int
elf_match(const char *library, const char *binary)
{
	unsigned char class1, class2;
	unsigned machine1, machine2;

	return elf_kind(library, &class1, &machine1) == 0 &&
	    elf_kind(binary, &class2, &machine2) == 0 && class1 == class2 &&
	    machine1 == machine2;
}

/*
 * The LD_PRELOAD that fakes the clock (FAKETIME=...) in binary, or NULL
 * when there is none. On a multiarch host several libfaketime are
 * installed; the one whose ELF class and machine are the binary's is
 * taken, since a 64-bit binary cannot load a 32-bit library (and the other
 * way round), with noshm.so first to keep it out of /dev/shm: none when
 * noshm.so was built for another machine (xinetd in a 32-bit run). A 32-bit
 * binary gets the project's own fakeclock.so instead: Debian's 32-bit
 * libfaketime does not wrap the 64-bit-time functions that timed calls
 * there. Both are copied to the scratch directory, where a timed started
 * as nobody can read them.
 */
const char *
faketime_preload_for(const char *binary)
{
	static char preload[2][2 * PATH_MAX + 32];
	char noshm[PATH_MAX] = "";	/* scratch_copy reuses a path it finds */
	unsigned char want_class, class;
	unsigned want_machine, machine;
	const char *lib = NULL, *own;
	char *cached;
	glob_t g;
	size_t i;

	if (elf_kind(binary, &want_class, &want_machine) == -1)
		return NULL;
	cached = preload[want_class == ELFCLASS32];
	if (cached[0] != '\0')
		return cached;
	if (want_class == ELFCLASS32) {
		if (elf_match("./test/fakeclock.so", binary) &&
		    (own = scratch_preload("fakeclock.so")) != NULL)
			snprintf(cached, sizeof(preload[0]), "%s", own);
		return cached[0] != '\0' ? cached : NULL;
	}
	if (glob("/usr/lib/*/faketime/libfaketime.so.1", 0, NULL, &g) != 0)
		return NULL;
	for (i = 0; i < g.gl_pathc && lib == NULL; i++)
		if (elf_kind(g.gl_pathv[i], &class, &machine) == 0 &&
		    class == want_class && machine == want_machine)
			lib = g.gl_pathv[i];
	/* Without a noshm.so it can load, libfaketime would fill /dev/shm. */
	if (lib != NULL && elf_match("./test/noshm.so", binary) &&
	    scratch_copy("./test/noshm.so", "noshm.so", noshm,
	    sizeof(noshm)) != NULL)
		snprintf(cached, sizeof(preload[0]), "LD_PRELOAD=%s %s", noshm,
		    lib);
	globfree(&g);
	return cached[0] != '\0' ? cached : NULL;
}

/* The clock-faking LD_PRELOAD for our own binaries (see above). */
const char *
faketime_preload(void)
{
	return faketime_preload_for(timed_path());
}

/*
 * The environment of one of our binaries whose wall clock reads when
 * (FAKETIME's syntax), its monotonic clock left alone; NULL when nothing
 * can fake it here. One at a time: the next call rewrites it.
 */
const char *const *
faketime_env(const char *when)
{
	static char faketime[128];
	static const char *env[] = { NULL, faketime,
	    "FAKETIME_DONT_FAKE_MONOTONIC=1",
	    "ASAN_OPTIONS=verify_asan_link_order=0", NULL };

	if ((env[0] = faketime_preload()) == NULL)
		return NULL;
	snprintf(faketime, sizeof(faketime), "FAKETIME=%s", when);
	return env;
}
