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

/*
 * Whether an ELF program is linked statically: it names no loader (no
 * PT_INTERP), so no library can be preloaded into it (make musl's).
 */
int
elf_static(const char *path)
{
	Elf64_Ehdr h64;
	Elf32_Ehdr *h32 = (Elf32_Ehdr *)&h64;
	Elf64_Phdr p64;
	Elf32_Phdr *p32 = (Elf32_Phdr *)&p64;
	int fd = open(path, O_RDONLY | O_CLOEXEC), wide, i, n, interp = 0;
	off_t at;

	if (fd == -1)
		return 0;
	if (read(fd, &h64, sizeof(h64)) < (ssize_t)sizeof(*h32) ||
	    memcmp(h64.e_ident, ELFMAG, SELFMAG) != 0) {
		close(fd);
		return 0;
	}
	wide = h64.e_ident[EI_CLASS] == ELFCLASS64;
	n = wide ? h64.e_phnum : h32->e_phnum;
	at = wide ? (off_t)h64.e_phoff : (off_t)h32->e_phoff;
	for (i = 0; i < n && !interp; i++) {
		if (pread(fd, &p64, wide ? sizeof(p64) : sizeof(*p32), at) < 0)
			break;
		interp = (wide ? p64.p_type : p32->p_type) == PT_INTERP;
		at += wide ? h64.e_phentsize : h32->e_phentsize;
	}
	close(fd);
	return i == n && !interp;
}

/*
 * Whether an ELF file was linked to musl: a program names musl's loader
 * (its interpreter), a library musl's "libc.so" where glibc's is
 * "libc.so.6". Read from the file's strings, as ldd would print them.
 */
static int
elf_musl(const char *path)
{
	static const char loader[] = "/ld-musl-", libc[] = "libc.so";
	char buf[1 << 16];
	size_t n, i, keep = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC), musl = 0;
	ssize_t got;

	if (fd == -1)
		return 0;
	while (!musl && (got = read(fd, buf + keep, sizeof(buf) - keep)) > 0) {
		n = keep + (size_t)got;
		for (i = 0; i + sizeof(loader) <= n && !musl; i++)
			musl = memcmp(buf + i, loader, sizeof(loader) - 1) == 0 ||
			    (memcmp(buf + i, libc, sizeof(libc)) == 0 &&
			    (i == 0 || buf[i - 1] == '\0'));
		/* A name cut by the buffer's end is read whole next time. */
		keep = n < sizeof(loader) ? n : sizeof(loader);
		memmove(buf, buf + n - keep, keep);
	}
	close(fd);
	return musl;
}

/*
 * Whether library can be preloaded into binary: one ELF class, one
 * machine, one C library (glibc's loader cannot load a library linked to
 * musl, nor the other way round).
 */
int
elf_match(const char *library, const char *binary)
{
	unsigned char class1, class2;
	unsigned machine1, machine2;

	return elf_kind(library, &class1, &machine1) == 0 &&
	    elf_kind(binary, &class2, &machine2) == 0 && class1 == class2 &&
	    machine1 == machine2 && elf_musl(library) == elf_musl(binary);
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
 * there; and so does a binary linked to musl, which cannot load glibc's
 * libfaketime. Both are copied to the scratch directory, where a timed
 * started as nobody can read them.
 */
const char *
faketime_preload_for(const char *binary)
{
	static char preload[2][2 * PATH_MAX + 32];
	char noshm[PATH_MAX] = "";	/* scratch_copy reuses a path it finds */
	unsigned char want_class, class;
	unsigned want_machine, machine;
	const char *lib = NULL, *own;
	int ours;
	char *cached;
	glob_t g;
	size_t i;

	if (elf_kind(binary, &want_class, &want_machine) == -1)
		return NULL;
	ours = want_class == ELFCLASS32 || elf_musl(binary);
	cached = preload[ours];
	if (cached[0] != '\0')
		return cached;
	if (ours) {
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
