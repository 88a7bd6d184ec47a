serve.o: serve.c log.h ratelimit.h rfc868.h serve.h timed.h addr.h
log.h:
ratelimit.h:
rfc868.h:
serve.h:
timed.h:
addr.h:
