# The test suite (included by the Makefile): Check's runner, and the
# libraries it preloads into the real binaries.

TEST_OBJ = test/run.o test/proc.o test/net.o test/sandbox.o test/faketime.o \
	test/manpage.o test/fixture.o test/check_rfc868.o test/check_addr.o \
	test/check_timed.o test/check_client_options.o test/check_sntp.o \
	test/check_leaps.o test/check_timeclient.o \
	test/check_ratelimit.o test/check_service.o test/check_stress.o \
	test/check_attacks.o test/check_timed_options.o test/check_subsecond.o \
	test/check_fitness.o test/check_log.o test/check_daemon.o \
	test/check_listen.o test/check_serve.o test/check_privsep.o \
	test/check_majority.o test/check_lastgood.o test/check_sysfilter.o
# The modules the unit tests call: never a file that holds main().
TEST_LIB_OBJ = client/options.o client/query.o client/sntp.o \
	client/leaps.o client/subsecond.o client/privsep.o client/majority.o \
	client/sources.o client/measure.o client/allowed_bpf.o \
	server/options.o server/fitness.o server/ratelimit.o server/privdrop.o \
	server/log.o server/daemon.o server/listen.o server/serve.o bench/load.o \
	$(COMMON_OBJ)

$(TEST_OBJ): config.mk
$(TEST_OBJ): TIMED_CPPFLAGS += $(CHECK_CFLAGS)

test/run: $(TEST_OBJ) $(TEST_LIB_OBJ)
	$(LINK) -o $@ $(TEST_OBJ) $(TEST_LIB_OBJ) $(CHECK_LIBS) \
		$(TIMED_LDLIBS) $(LDLIBS)

# Preloaded by the tests, so built without the sanitizers of CFLAGS: a
# clock_gettime that fails, a spy in place of the calls that set the
# clock, a fake clock, what keeps libfaketime out of /dev/shm, a call
# that fails, and a call timed's filter forbids. On a 32-bit glibc the clock ones are each built twice, the
# second time as their 64-bit-time twins (test/preload.h); fakeclock
# stands in for libfaketime where that wraps only the 32-bit names.
PRELOADS = test/clockfail.so test/clockspy.so test/fakeclock.so \
	test/noshm.so test/failcall.so test/trespass.so
PRELOAD_CC = $(CC) -O2 -Wall -fPIC
TWIN_FLAGS = -DTIME64_TWIN -D_TIME_BITS=64 -D_FILE_OFFSET_BITS=64

test/clockfail.so test/clockspy.so test/fakeclock.so test/failcall.so: \
    test/preload.h
	$(PRELOAD_CC) $(TWIN_FLAGS) -c -o $(@:.so=.twin.o) $(@:.so=.c)
	$(PRELOAD_CC) -shared -o $@ $(@:.so=.c) $(@:.so=.twin.o) -ldl
test/clockfail.so: test/clockfail.c
test/clockspy.so: test/clockspy.c
test/fakeclock.so: test/fakeclock.c
test/failcall.so: test/failcall.c
test/noshm.so: test/noshm.c
	$(PRELOAD_CC) -shared -o $@ test/noshm.c -ldl
test/trespass.so: test/trespass.c
	$(PRELOAD_CC) -shared -o $@ test/trespass.c

# The platform's default time_t, on purpose: none of the project's flags.
test/time32probe: test/time32probe.c
	$(PRELOAD_CC) -o $@ test/time32probe.c

TEST_NEEDS = timed timeclient test/run $(PRELOADS) test/time32probe \
	bench/delayrelay

check: $(TEST_NEEDS) filter-check
	./test/run

# The filters' BPF, for each architecture the programs are built for
# (x86_64, i386, armhf), generated here and decoded by test/bpfcheck on
# the build host: each architecture's AUDIT_ARCH_*, its call numbers, i386's
# socketcall and the 32-bit systems' *_time64 calls (qemu-user loads no
# filter, so this is where armhf's and i386's are checked); then the
# build's own (FILTER_GEN), as linked into timed and timeclient.
FILTER_CHECK_ARCHES = x86_64 x86 arm
BPFCHECK = $(HOSTCC) -std=c11 -Wall -Wextra $(WERROR) -Icommon
# Built as files (make tests builds them, make check only runs them), so
# that two runs of make check at once never rebuild a checker the other
# is running ("Text file busy").
FILTER_CHECKERS_yes = $(FILTER_CHECK_ARCHES:%=test/bpf/%/bpfcheck) \
	test/bpf/bpfcheck
FILTER_CHECKERS = $(FILTER_CHECKERS_$(SECCOMP))
test/bpf/%/bpfcheck: tools/filtergen test/bpfcheck.c common/sysfilter.h
	mkdir -p test/bpf/$*
	for part in timed timeclient names; do \
		tools/filtergen $* $$part > test/bpf/$*/$$part.c || exit 1; \
	done
	$(BPFCHECK) -o $@ test/bpfcheck.c test/bpf/$*/timed.c \
	    test/bpf/$*/timeclient.c test/bpf/$*/names.c
test/bpf/bpfcheck: test/bpfcheck.c common/sysfilter.h $(FILTER_GEN)
	mkdir -p test/bpf
	$(BPFCHECK) -o $@ test/bpfcheck.c $(FILTER_GEN)

filter-check: $(FILTER_CHECKERS)
	@if [ "$(SECCOMP)" != yes ]; then \
		echo "filter-check: SKIP: built without libseccomp"; exit 0; fi; \
	for arch in $(FILTER_CHECK_ARCHES); do \
		test/bpf/$$arch/bpfcheck $$arch || exit 1; \
	done; \
	echo "filter-check: the build's own filters:" && \
	    test/bpf/bpfcheck $(FILTER_ARCH)

# What make check runs, built only (CI builds once, then runs two at once).
tests: $(TEST_NEEDS) $(FILTER_CHECKERS)

# The suite with the floods ten times larger.
stress: $(TEST_NEEDS)
	STRESS=1 ./test/run

# The same suite with our binaries under valgrind; any error fails a test.
VALGRIND = valgrind -q --vgdb=no --error-exitcode=99 --leak-check=full \
	--errors-for-leak-kinds=definite
check-valgrind: $(TEST_NEEDS)
	TEST_TIMEOUT_SCALE=5 TEST_WRAPPER="$(VALGRIND)" ./test/run

test-clean:
	rm -f test/run $(TEST_OBJ) $(TEST_OBJ:.o=.d) $(PRELOADS) \
		test/*.twin.o test/time32probe
	rm -rf test/bpf

.PHONY: check filter-check tests stress check-valgrind test-clean
