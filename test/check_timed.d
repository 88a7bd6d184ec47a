test/check_timed.o: test/check_timed.c test/../rfc868.h test/helpers.h \
 test/tests.h
test/../rfc868.h:
test/helpers.h:
test/tests.h:
