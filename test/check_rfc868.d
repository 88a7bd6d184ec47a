test/check_rfc868.o: test/check_rfc868.c test/../rfc868.h test/tests.h
test/../rfc868.h:
test/tests.h:
