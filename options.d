options.o: options.c options.h timed.h addr.h ratelimit.h rfc868.h
options.h:
timed.h:
addr.h:
ratelimit.h:
rfc868.h:
