# timed - RFC 868 time server
# See LICENSE file for copyright and license details.

include config.mk

DAEMON_OBJ = timed.o listen.o serve.o
COMMON_OBJ = rfc868.o addr.o log.o
TEST_SRC = test/run.c test/helpers.c test/check_rfc868.c test/check_addr.c \
	test/check_timed.c
TEST_OBJ = $(TEST_SRC:.c=.o)

all: options timed

options:
	@echo timed build options:
	@echo "CFLAGS   = $(CFLAGS)"
	@echo "CPPFLAGS = $(CPPFLAGS)"
	@echo "LDFLAGS  = $(LDFLAGS)"
	@echo "LDLIBS   = $(LDLIBS)"
	@echo "CC       = $(CC)"

.c.o:
	$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

rfc868.o: rfc868.c rfc868.h
addr.o: addr.c addr.h
log.o: log.c log.h
listen.o: listen.c addr.h log.h timed.h
serve.o: serve.c addr.h log.h rfc868.h timed.h
timed.o: timed.c addr.h log.h rfc868.h timed.h config.mk

timed: $(DAEMON_OBJ) $(COMMON_OBJ)
	$(CC) $(LDFLAGS) -o $@ $(DAEMON_OBJ) $(COMMON_OBJ) $(LDLIBS)

$(TEST_OBJ): CPPFLAGS += $(CHECK_CFLAGS)
$(TEST_OBJ): test/helpers.h test/tests.h
test/helpers.o: rfc868.h
test/check_rfc868.o: rfc868.h
test/check_addr.o: addr.h
test/check_timed.o: rfc868.h config.mk

test/run: $(TEST_OBJ) $(COMMON_OBJ)
	$(CC) $(LDFLAGS) -o $@ $(TEST_OBJ) $(COMMON_OBJ) $(CHECK_LIBS) $(LDLIBS)

# clock_gettime that fails, preloaded to test what a broken clock does
test/clockfail.so: test/clockfail.c
	$(CC) -O2 -Wall -fPIC -shared -o $@ test/clockfail.c

check: timed test/run test/clockfail.so
	./test/run

# The same suite with our binaries under valgrind; any error fails a test.
VALGRIND = valgrind -q --error-exitcode=99 --leak-check=full \
	--errors-for-leak-kinds=definite
check-valgrind: timed test/run test/clockfail.so
	TEST_TIMEOUT_SCALE=5 TEST_WRAPPER="$(VALGRIND)" ./test/run

lint-man:
	mandoc -Tlint -W warning man/timed.8

clean:
	rm -f timed $(DAEMON_OBJ) $(COMMON_OBJ) $(TEST_OBJ) test/run \
		test/clockfail.so timed-$(VERSION).tar.gz

.PHONY: all options check check-valgrind lint-man clean
