# timed - RFC 868 time server
# See LICENSE file for copyright and license details.

include config.mk

DAEMON_OBJ = timed.o options.o listen.o serve.o ratelimit.o privdrop.o \
	daemon.o log.o
CLIENT_OBJ = timeclient.o client.o query.o sntp.o leaps.o subsecond.o
COMMON_OBJ = rfc868.o addr.o
BENCH_OBJ = bench/load.o bench/loadgen.o
TEST_SRC = test/run.c test/helpers.c test/check_rfc868.c test/check_addr.c \
	test/check_timed.c test/check_client.c test/check_timeclient.c \
	test/check_ratelimit.c test/check_service.c test/check_stress.c \
	test/check_attacks.c test/check_options.c test/check_subsecond.c
TEST_LIB_OBJ = client.o query.o sntp.o leaps.o subsecond.o options.o \
	ratelimit.o privdrop.o bench/load.o
TEST_OBJ = $(TEST_SRC:.c=.o)
OBJ = $(DAEMON_OBJ) $(CLIENT_OBJ) $(COMMON_OBJ) $(BENCH_OBJ) $(TEST_OBJ)

all: options timed timeclient

options:
	@echo timed build options:
	@echo "CFLAGS   = $(CFLAGS)"
	@echo "CPPFLAGS = $(CPPFLAGS)"
	@echo "LDFLAGS  = $(LDFLAGS)"
	@echo "LDLIBS   = $(LDLIBS)"
	@echo "CC       = $(CC)"

# -MMD -MP: the compiler writes each object's header dependencies (.d),
# so touching a header rebuilds exactly the objects that include it.
.c.o:
	$(CC) $(CPPFLAGS) $(CFLAGS) -MMD -MP -c -o $@ $<

-include $(OBJ:.o=.d)
$(OBJ): config.mk
$(TEST_OBJ): CPPFLAGS += $(CHECK_CFLAGS)

bench/refserver: bench/refserver.c
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ bench/refserver.c

bench/delayrelay: bench/delayrelay.c
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ bench/delayrelay.c $(LDLIBS)

bench/loadgen: bench/loadgen.o bench/load.o rfc868.o
	$(CC) $(LDFLAGS) -o $@ bench/loadgen.o bench/load.o rfc868.o $(LDLIBS)

timed: $(DAEMON_OBJ) $(COMMON_OBJ)
	$(CC) $(LDFLAGS) -o $@ $(DAEMON_OBJ) $(COMMON_OBJ) $(LDLIBS)

timeclient: $(CLIENT_OBJ) $(COMMON_OBJ)
	$(CC) $(LDFLAGS) -o $@ $(CLIENT_OBJ) $(COMMON_OBJ) $(LDLIBS)

test/run: $(TEST_OBJ) $(TEST_LIB_OBJ) $(COMMON_OBJ)
	$(CC) $(LDFLAGS) -o $@ $(TEST_OBJ) $(TEST_LIB_OBJ) $(COMMON_OBJ) \
		$(CHECK_LIBS) $(LDLIBS)

# Preloaded by the tests, so built without sanitizers: a clock_gettime that
# fails, a spy in place of the calls that set the clock, and what keeps
# libfaketime out of /dev/shm.
# The clock ones are each built twice on a 32-bit glibc, the second time
# as their 64-bit-time twins (test/preload.h), and fakeclock stands in for
# libfaketime where that wraps only the 32-bit names.
PRELOADS = test/clockfail.so test/clockspy.so test/fakeclock.so \
	test/noshm.so test/failcall.so
PRELOAD_CFLAGS = -O2 -Wall -fPIC
TWIN_FLAGS = -DTIME64_TWIN -D_TIME_BITS=64 -D_FILE_OFFSET_BITS=64
test/clockfail.so: test/clockfail.c test/preload.h
	$(CC) $(PRELOAD_CFLAGS) $(TWIN_FLAGS) -c -o test/clockfail.twin.o \
		test/clockfail.c
	$(CC) $(PRELOAD_CFLAGS) -shared -o $@ test/clockfail.c \
		test/clockfail.twin.o
test/clockspy.so: test/clockspy.c test/preload.h
	$(CC) $(PRELOAD_CFLAGS) $(TWIN_FLAGS) -c -o test/clockspy.twin.o \
		test/clockspy.c
	$(CC) $(PRELOAD_CFLAGS) -shared -o $@ test/clockspy.c \
		test/clockspy.twin.o
test/fakeclock.so: test/fakeclock.c test/preload.h
	$(CC) $(PRELOAD_CFLAGS) $(TWIN_FLAGS) -c -o test/fakeclock.twin.o \
		test/fakeclock.c
	$(CC) $(PRELOAD_CFLAGS) -shared -o $@ test/fakeclock.c \
		test/fakeclock.twin.o
test/noshm.so: test/noshm.c
	$(CC) -O2 -Wall -fPIC -shared -o $@ test/noshm.c -ldl
test/failcall.so: test/failcall.c test/preload.h
	$(CC) $(PRELOAD_CFLAGS) $(TWIN_FLAGS) -c -o test/failcall.twin.o \
		test/failcall.c
	$(CC) $(PRELOAD_CFLAGS) -shared -o $@ test/failcall.c \
		test/failcall.twin.o -ldl

# The platform's default time_t, on purpose: no config.mk flags.
test/time32probe: test/time32probe.c
	$(CC) $(PRELOAD_CFLAGS) -o $@ test/time32probe.c

check: timed timeclient test/run $(PRELOADS) test/time32probe
	./test/run

# Speed and memory against the bare reference server (bench/run).
bench: timed bench/loadgen bench/refserver
	sh bench/run

# The suite with the floods ten times larger.
stress: timed timeclient test/run $(PRELOADS) test/time32probe
	STRESS=1 ./test/run

# The same suite with our binaries under valgrind; any error fails a test.
VALGRIND = valgrind -q --vgdb=no --error-exitcode=99 --leak-check=full \
	--errors-for-leak-kinds=definite
check-valgrind: timed timeclient test/run $(PRELOADS)
	TEST_TIMEOUT_SCALE=5 TEST_WRAPPER="$(VALGRIND)" ./test/run

# Sources for the tarball: what builds and what tests, nothing generated.
DIST_SRC = LICENSE Makefile README.md config.mk .clang-tidy $(DAEMON_OBJ:.o=.c) \
	$(CLIENT_OBJ:.o=.c) $(COMMON_OBJ:.o=.c) *.h
DIST_DIRS = man test tools packaging .ci bench fuzz
DIST_EXCLUDE = --exclude='*.o' --exclude='*.d' --exclude=.peers --exclude=corpus \
	--exclude='crash-*'
DEB_PRODUCTS = .debhelper debhelper-build-stamp files *.substvars \
	*.debhelper.log *.debhelper timed timeclient tmp

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

dist:
	rm -rf timed-$(VERSION)
	mkdir -p timed-$(VERSION)
	tar -cf - $(DIST_EXCLUDE) $(DIST_SRC) $(DIST_DIRS) | \
		tar -xf - -C timed-$(VERSION)
	cd timed-$(VERSION)/packaging/debian && rm -rf $(DEB_PRODUCTS)
	cd timed-$(VERSION) && $(MAKE) -s clean >/dev/null
	tar -cf - timed-$(VERSION) | gzip -9 > timed-$(VERSION).tar.gz
	rm -rf timed-$(VERSION)

# The .debs land next to the source tree, where dpkg-buildpackage puts them.
deb:
	ln -snf packaging/debian debian
	dpkg-buildpackage -us -uc -b

# libFuzzer targets for every parser that sees outside input; make fuzz
# runs each for FUZZ_SECONDS over its seeds (fuzz/seeds) and what it found
# before (fuzz/corpus, not kept). A crash fails the run and leaves its input
# as crash-* for a regression test.
FUZZ_CC = clang
FUZZ_FLAGS = -g -O1 -fsanitize=fuzzer,address,undefined \
	-fno-sanitize-recover=all $(CPPFLAGS)
FUZZ_SECONDS = 10
FUZZ_TARGETS = fuzz/port fuzz/options fuzz/addresses fuzz/reply fuzz/sntp \
	fuzz/leaps

fuzz/port: fuzz/fuzz_port.c addr.c addr.h
	$(FUZZ_CC) $(FUZZ_FLAGS) -o $@ fuzz/fuzz_port.c addr.c $(LDLIBS)
fuzz/options: fuzz/fuzz_options.c client.c options.c addr.c client.h \
	options.h
	$(FUZZ_CC) $(FUZZ_FLAGS) -o $@ fuzz/fuzz_options.c client.c options.c \
		addr.c $(LDLIBS)
fuzz/addresses: fuzz/fuzz_addresses.c ratelimit.c addr.c ratelimit.h addr.h
	$(FUZZ_CC) $(FUZZ_FLAGS) -o $@ fuzz/fuzz_addresses.c ratelimit.c addr.c \
		$(LDLIBS)
fuzz/reply: fuzz/fuzz_reply.c client.c rfc868.c addr.c client.h rfc868.h
	$(FUZZ_CC) $(FUZZ_FLAGS) -o $@ fuzz/fuzz_reply.c client.c rfc868.c \
		addr.c $(LDLIBS)
fuzz/sntp: fuzz/fuzz_sntp.c sntp.c rfc868.c sntp.h
	$(FUZZ_CC) $(FUZZ_FLAGS) -o $@ fuzz/fuzz_sntp.c sntp.c rfc868.c $(LDLIBS)
fuzz/leaps: fuzz/fuzz_leaps.c leaps.c rfc868.c leaps.h rfc868.h
	$(FUZZ_CC) $(FUZZ_FLAGS) -o $@ fuzz/fuzz_leaps.c leaps.c rfc868.c \
		$(LDLIBS)

fuzz: $(FUZZ_TARGETS)
	for t in $(FUZZ_TARGETS); do \
		name=$${t#fuzz/}; mkdir -p fuzz/corpus/$$name; \
		echo "fuzz: $$name for $(FUZZ_SECONDS) s"; \
		./$$t -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
			-artifact_prefix=fuzz/crash-$$name- \
			fuzz/corpus/$$name fuzz/seeds/$$name \
			>fuzz/corpus/$$name.log 2>&1 || \
			{ tail -n 40 fuzz/corpus/$$name.log; exit 1; }; \
		grep -E '^#[0-9]+.*DONE' fuzz/corpus/$$name.log; \
	done

lint-man:
	mandoc -Tlint -W warning man/timed.8 man/timeclient.1

# Static analysis of the programs (the tests are Check's macros). clang-tidy
# compiles against the system's headers; cppcheck cannot follow libbsd's
# #include_next, so it takes its own model of them (--library=posix).
# Turned off: cppcheck's variableScope, since style(9) declares at the top
# of a function; its notes on getpwnam, getservbyname and readdir, since
# both programs have one thread (and readdir_r is deprecated); clang-tidy's,
# with their reasons, in .clang-tidy.
LINT_SRC = $(DAEMON_OBJ:.o=.c) $(CLIENT_OBJ:.o=.c) $(COMMON_OBJ:.o=.c) \
	bench/load.c bench/loadgen.c
lint: lint-man
	cppcheck -q --error-exitcode=1 --std=c99 \
		--enable=warning,portability,performance,style \
		--suppress=missingIncludeSystem --suppress=variableScope \
		--suppress=getpwnamCalled --suppress=getservbynameCalled \
		--suppress=readdirCalled \
		--library=posix -D_GNU_SOURCE -DVERSION=\"lint\" \
		-DTIME_FLOOR=$(TIME_FLOOR) -I. $(LINT_SRC)
	clang-tidy --quiet $(LINT_SRC) -- -std=c99 $(CPPFLAGS)

clean:
	rm -f bench/loadgen bench/refserver bench/delayrelay $(FUZZ_TARGETS)
	rm -f timed timeclient $(OBJ) $(OBJ:.o=.d) test/run $(PRELOADS) \
		test/*.twin.o test/time32probe \
		timed-$(VERSION).tar.gz
	rm -rf timed-$(VERSION)

.PHONY: all options check check-valgrind stress bench fuzz lint lint-man clean install uninstall \
	dist deb
