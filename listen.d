listen.o: listen.c listen.h timed.h addr.h
listen.h:
timed.h:
addr.h:
