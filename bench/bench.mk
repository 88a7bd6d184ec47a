# Benchmarks (included by the Makefile): speed and memory against the bare
# reference server, by bench/run; the static musl timed (make musl) beside
# the glibc one, by bench/musl; how close timeclient -x gets, by
# bench/subsecond.

BENCH_OBJ = bench/load.o bench/loadgen.o

bench/refserver: bench/refserver.c
	$(COMPILE) $(LDFLAGS) -o $@ bench/refserver.c

bench/delayrelay: bench/delayrelay.c
	$(COMPILE) $(LDFLAGS) -o $@ bench/delayrelay.c $(TIMED_LDLIBS) $(LDLIBS)

bench/oddserver: bench/oddserver.c common/rfc868.o
	$(COMPILE) $(LDFLAGS) -o $@ bench/oddserver.c common/rfc868.o \
		$(TIMED_LDLIBS) $(LDLIBS)

bench/loadgen: $(BENCH_OBJ) common/rfc868.o
	$(LINK) -o $@ $(BENCH_OBJ) common/rfc868.o $(TIMED_LDLIBS) $(LDLIBS)

$(BENCH_OBJ): config.mk

bench: timed bench/loadgen bench/refserver
	sh bench/run
	sh bench/musl
	sh bench/subsecond

bench-clean:
	rm -f bench/loadgen bench/refserver bench/delayrelay bench/oddserver $(BENCH_OBJ) \
		$(BENCH_OBJ:.o=.d)

.PHONY: bench bench-clean
