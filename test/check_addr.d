test/check_addr.o: test/check_addr.c test/../addr.h test/tests.h
test/../addr.h:
test/tests.h:
