test/check_ratelimit.o: test/check_ratelimit.c test/../ratelimit.h \
 test/tests.h
test/../ratelimit.h:
test/tests.h:
