test/check_service.o: test/check_service.c test/../rfc868.h \
 test/helpers.h test/tests.h
test/../rfc868.h:
test/helpers.h:
test/tests.h:
