test/check_client.o: test/check_client.c test/../client.h test/../query.h \
 test/../addr.h test/../leaps.h test/../rfc868.h test/../sntp.h \
 test/tests.h
test/../client.h:
test/../query.h:
test/../addr.h:
test/../leaps.h:
test/../rfc868.h:
test/../sntp.h:
test/tests.h:
