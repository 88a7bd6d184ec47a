test/check_attacks.o: test/check_attacks.c test/../privdrop.h \
 test/../timed.h test/../addr.h test/helpers.h test/tests.h
test/../privdrop.h:
test/../timed.h:
test/../addr.h:
test/helpers.h:
test/tests.h:
