# libFuzzer targets (included by the Makefile) for every parser that sees
# outside input; make fuzz runs each for FUZZ_SECONDS over its seeds
# (fuzz/seeds) and what it found before (fuzz/corpus, not kept). A crash
# fails the run and leaves its input as crash-* for a regression test.

FUZZ_CC = clang
FUZZ = $(FUZZ_CC) -g -O1 -fsanitize=fuzzer,address,undefined \
	-fno-sanitize-recover=all $(TIMED_CPPFLAGS) $(CPPFLAGS)
FUZZ_SECONDS = 10
FUZZ_TARGETS = fuzz/port fuzz/options fuzz/addresses fuzz/reply fuzz/sntp \
	fuzz/leaps

# Each target: its harness, then the sources it calls.
fuzz/port: fuzz/fuzz_port.c common/addr.c
fuzz/options: fuzz/fuzz_options.c client/options.c server/options.c common/addr.c \
    common/optflag.c common/why.c
fuzz/addresses: fuzz/fuzz_addresses.c server/ratelimit.c common/addr.c
fuzz/reply: fuzz/fuzz_reply.c client/options.c common/rfc868.c common/addr.c \
    common/optflag.c common/why.c
fuzz/sntp: fuzz/fuzz_sntp.c client/sntp.c common/rfc868.c common/why.c
fuzz/leaps: fuzz/fuzz_leaps.c client/leaps.c common/rfc868.c common/why.c
$(FUZZ_TARGETS):
	$(FUZZ) -o $@ $(filter %.c,$^) $(TIMED_LDLIBS)

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

fuzz-clean:
	rm -f $(FUZZ_TARGETS)

.PHONY: fuzz fuzz-clean
