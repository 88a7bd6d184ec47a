# timed - RFC 868 time server, and timeclient, its client
# See LICENSE file for copyright and license details.
#
# The daemon's modules are in server/ (its main() in timed.c, its types in
# timed.h), the client's in client/, what both use in common/. The programs
# are built at the top: ./timed, ./timeclient.

include config.mk

# What timed needs, whatever flags a packager gives (config.mk):
# _GNU_SOURCE for accept4(2), recvmmsg(2) and SOCK_NONBLOCK/SOCK_CLOEXEC;
# _TIME_BITS=64 and _FILE_OFFSET_BITS=64 give a 32-bit build (i386, armhf)
# glibc's 64-bit time functions (glibc 2.34 and later), or it stops in
# 2038; on a 64-bit build they change nothing (common/rfc868.h refuses a
# 32-bit time_t).
TIMED_CPPFLAGS = -D_GNU_SOURCE -D_TIME_BITS=64 -D_FILE_OFFSET_BITS=64 \
	-DVERSION=\"$(VERSION)\" -DTIME_FLOOR=$(TIME_FLOOR) $(BSD_CFLAGS)
TIMED_CFLAGS = -std=c11 -pedantic -Wall -Wextra $(WERROR)
TIMED_LDLIBS = $(BSD_LIBS)

# The filters' BPF, generated (FILTER_GEN): server/allowed.c and
# client/allowed.c are the rules, which tools/filtergen, run on the build
# host, compiles with the host's libseccomp (only with SECCOMP=yes,
# config.mk) for FILTER_ARCH: the architecture CC compiles for, told by
# its predefined macros (CC -dumpmachine ignores -m32). An ASan build's
# filters let its runtime's calls through too.
FILTER_GEN = server/allowed_bpf.c client/allowed_bpf.c common/sysnames.c
# x32, ARM's ILP32 and big-endian ARM get a name filtergen refuses.
FILTER_ARCH != $(CC) -dM -E -x c /dev/null 2>/dev/null | awk '$$3 != 1 { \
	next } $$2 == "__x86_64__" { a = "x86_64" } $$2 == "__i386__" { \
	a = "x86" } $$2 == "__arm__" { a = "arm" } $$2 == "__aarch64__" { \
	a = "aarch64" } $$2 == "__ILP32__" { ilp32 = 1 } \
	$$2 ~ /^__(ARMEB|AARCH64EB)__$$/ { be = "-be" } END { \
	print a (ilp32 && a ~ /64$$/ ? "-ilp32" : "") be }'
FILTER_ASAN = $(if $(findstring -fsanitize=address,$(CFLAGS)),-a)
FILTERGEN = tools/filtergen $(FILTER_ASAN) $(or $(FILTER_ARCH),unknown)
FILTERGEN_CPPFLAGS_yes = -DHAVE_SECCOMP $(SECCOMP_CFLAGS)
FILTERGEN_LIBS_yes = $(SECCOMP_LIBS)

DAEMON_OBJ = timed.o server/options.o server/listen.o server/serve.o \
	server/fitness.o server/ratelimit.o server/privdrop.o server/daemon.o \
	server/log.o server/syscalls.o server/allowed_bpf.o
CLIENT_OBJ = client/timeclient.o client/options.o client/query.o \
	client/sntp.o client/leaps.o client/subsecond.o client/privsep.o \
	client/majority.o client/sources.o client/measure.o client/lastgood.o \
	client/allowed_bpf.o
COMMON_OBJ = common/rfc868.o common/addr.o common/platform.o common/utc.o \
	common/why.o common/optflag.o common/sysfilter.o common/sysnames.o \
	common/userdrop.o common/record.o
OBJ = $(DAEMON_OBJ) $(CLIENT_OBJ) $(COMMON_OBJ)

all: options timed timeclient

options:
	@echo timed build options:
	@echo "CFLAGS   = $(TIMED_CFLAGS) $(CFLAGS)"
	@echo "CPPFLAGS = $(TIMED_CPPFLAGS) $(CPPFLAGS)"
	@echo "LDFLAGS  = $(LDFLAGS)"
	@echo "LDLIBS   = $(TIMED_LDLIBS) $(LDLIBS)"
	@echo "CC       = $(CC)"

# -MMD -MP: the compiler writes each object's header dependencies (.d).
COMPILE = $(CC) $(TIMED_CPPFLAGS) $(CPPFLAGS) $(TIMED_CFLAGS) $(CFLAGS) \
	-MMD -MP
LINK = $(CC) $(TIMED_CFLAGS) $(CFLAGS) $(LDFLAGS)

.c.o:
	$(COMPILE) -c -o $@ $<

timed: $(DAEMON_OBJ) $(COMMON_OBJ)
	$(LINK) -o $@ $(DAEMON_OBJ) $(COMMON_OBJ) $(TIMED_LDLIBS) $(LDLIBS)

timeclient: $(CLIENT_OBJ) $(COMMON_OBJ)
	$(LINK) -o $@ $(CLIENT_OBJ) $(COMMON_OBJ) $(TIMED_LDLIBS) $(LDLIBS)

$(OBJ): config.mk
$(FILTER_GEN:.c=.o): TIMED_CPPFLAGS += -Icommon

tools/filtergen: tools/filtergen.c server/allowed.c client/allowed.c \
    common/sysfilter.h config.mk
	$(HOSTCC) -std=c11 -Wall -Wextra $(WERROR) -D_GNU_SOURCE \
		$(FILTERGEN_CPPFLAGS_$(SECCOMP)) -o $@ tools/filtergen.c \
		server/allowed.c client/allowed.c $(FILTERGEN_LIBS_$(SECCOMP))

server/allowed_bpf.c: tools/filtergen
	$(FILTERGEN) timed > $@.tmp && mv -f $@.tmp $@
client/allowed_bpf.c: tools/filtergen
	$(FILTERGEN) timeclient > $@.tmp && mv -f $@.tmp $@
common/sysnames.c: tools/filtergen
	$(FILTERGEN) names > $@.tmp && mv -f $@.tmp $@

include test/test.mk
include bench/bench.mk
include fuzz/fuzz.mk

-include $(OBJ:.o=.d) $(TEST_OBJ:.o=.d) $(BENCH_OBJ:.o=.d)

install: all
	mkdir -p $(DESTDIR)$(PREFIX)/sbin $(DESTDIR)$(PREFIX)/bin
	cp -f timed $(DESTDIR)$(PREFIX)/sbin/timed
	chmod 755 $(DESTDIR)$(PREFIX)/sbin/timed
	cp -f timeclient $(DESTDIR)$(PREFIX)/bin/timeclient
	chmod 755 $(DESTDIR)$(PREFIX)/bin/timeclient
	mkdir -p $(DESTDIR)$(MANPREFIX)/man8 $(DESTDIR)$(MANPREFIX)/man1
	sed "s/VERSION/$(VERSION)/g" < man/timed.8 > \
		$(DESTDIR)$(MANPREFIX)/man8/timed.8
	chmod 644 $(DESTDIR)$(MANPREFIX)/man8/timed.8
	sed "s/VERSION/$(VERSION)/g" < man/timeclient.1 > \
		$(DESTDIR)$(MANPREFIX)/man1/timeclient.1
	chmod 644 $(DESTDIR)$(MANPREFIX)/man1/timeclient.1

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/sbin/timed $(DESTDIR)$(PREFIX)/bin/timeclient \
		$(DESTDIR)$(MANPREFIX)/man8/timed.8 \
		$(DESTDIR)$(MANPREFIX)/man1/timeclient.1

# The tarball: what builds and what tests, nothing generated, and the
# build left as it is. In a git checkout, the tracked files as the tree
# has them (git stash create: the uncommitted changes as a commit, which
# touches neither the tree nor the stash; nothing when there are none);
# elsewhere (an unpacked tarball), DIST copied, then cleaned in the copy.
DIST = LICENSE Makefile README.md HACKING.md config.mk .clang-tidy *.c *.h \
	server client common man test tools packaging .ci bench fuzz
DIST_EXCLUDE = --exclude='*.o' --exclude='*.d' --exclude='*.so' \
	--exclude=.peers --exclude=corpus --exclude='crash-*'
DEB_PRODUCTS = .debhelper debhelper-build-stamp files *.substvars \
	*.debhelper.log *.debhelper timed timeclient tmp

dist:
	rm -rf timed-$(VERSION) timed-$(VERSION).tar.gz
	if [ -z "$$(git rev-parse --show-prefix 2>/dev/null || echo no)" ]; then \
		tree=$$(git stash create) && \
		git archive --format=tar.gz -9 --prefix=timed-$(VERSION)/ \
			-o timed-$(VERSION).tar.gz $${tree:-HEAD}; \
	else \
		mkdir timed-$(VERSION) && \
		tar -cf - $(DIST_EXCLUDE) $(DIST) | tar -xf - -C timed-$(VERSION) && \
		$(MAKE) -s -C timed-$(VERSION) clean && \
		(cd timed-$(VERSION)/packaging/debian && rm -rf $(DEB_PRODUCTS)) && \
		tar -cf - timed-$(VERSION) | gzip -9 > timed-$(VERSION).tar.gz && \
		rm -rf timed-$(VERSION); \
	fi

# The .debs land next to the source tree, where dpkg-buildpackage puts them.
deb:
	ln -snf packaging/debian debian
	dpkg-buildpackage -us -uc -b

# Small boxes (README): make musl links timed and timeclient statically to
# musl, in musl/; make musl-check runs the whole suite against them, linked
# dynamically to musl for the preloads. Each builds in a copy of the
# sources (tools/musl), after tools/install-deps --musl.
musl:
	sh tools/musl static timed timeclient -- $(DIST)

musl-check:
	sh tools/musl suite check -- $(DIST)

# Static analysis of the programs (the tests are Check's macros). clang-tidy
# compiles against the system's headers; cppcheck cannot follow libbsd's
# #include_next, so it takes its own model of them (--library=posix).
# Turned off: cppcheck's variableScope, since style(9) declares at the top
# of a function; its notes on getpwnam, getservbyname and readdir, since
# both programs have one thread (and readdir_r is deprecated); its
# cross-file ctuuninitvar in common/why.c, which takes vsnprintf's output
# buffer for a read of the caller's struct (why_set only writes it); its
# uninitvar in server/log.c, whose model of ttyname_r(3) takes the buffer it
# fills for one it reads; clang-tidy's, with their reasons, in .clang-tidy.
# And README.md stays a user's guide: 300 lines at most, no option
# described as the man pages do (tools/readme-check says how it judges).
# The client's functions fit on a screen: 60 lines at most.
LINT_SRC = $(filter-out $(FILTER_GEN),$(OBJ:.o=.c)) server/allowed.c \
	client/allowed.c tools/filtergen.c $(BENCH_OBJ:.o=.c)
lint:
	mandoc -Tlint -W warning man/timed.8 man/timeclient.1
	sh tools/readme-check README.md man/timed.8 man/timeclient.1
	sh tools/function-length 60 client/*.c
	cppcheck -q --error-exitcode=1 --std=c99 \
		--enable=warning,portability,performance,style \
		--suppress=missingIncludeSystem --suppress=variableScope \
		--suppress=getpwnamCalled --suppress=getservbynameCalled \
		--suppress=readdirCalled --suppress=ctuuninitvar:common/why.c \
		--suppress=uninitvar:server/log.c \
		--library=posix -D_GNU_SOURCE -DVERSION=\"lint\" \
		-DTIME_FLOOR=$(TIME_FLOOR) $(LINT_SRC)
	clang-tidy --quiet $(LINT_SRC) -- -std=c99 $(TIMED_CPPFLAGS)

clean: test-clean bench-clean fuzz-clean
	rm -f timed timeclient $(OBJ) $(OBJ:.o=.d) timed-$(VERSION).tar.gz \
		tools/filtergen $(FILTER_GEN)
	rm -rf timed-$(VERSION) musl

.PHONY: all options install uninstall dist deb musl musl-check lint clean
