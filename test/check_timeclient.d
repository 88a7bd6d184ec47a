test/check_timeclient.o: test/check_timeclient.c test/../rfc868.h \
 test/../sntp.h test/helpers.h test/tests.h
test/../rfc868.h:
test/../sntp.h:
test/helpers.h:
test/tests.h:
