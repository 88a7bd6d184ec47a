test/check_stress.o: test/check_stress.c test/../bench/load.h \
 test/../rfc868.h test/helpers.h test/tests.h
test/../bench/load.h:
test/../rfc868.h:
test/helpers.h:
test/tests.h:
