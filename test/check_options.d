test/check_options.o: test/check_options.c test/../options.h \
 test/../timed.h test/../addr.h test/../ratelimit.h test/tests.h
test/../options.h:
test/../timed.h:
test/../addr.h:
test/../ratelimit.h:
test/tests.h:
