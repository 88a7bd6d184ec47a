test/helpers.o: test/helpers.c test/helpers.h test/../rfc868.h
test/helpers.h:
test/../rfc868.h:
