daemon.o: daemon.c daemon.h timed.h addr.h log.h
daemon.h:
timed.h:
addr.h:
log.h:
