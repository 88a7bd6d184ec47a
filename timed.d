timed.o: timed.c daemon.h timed.h addr.h listen.h log.h options.h \
 privdrop.h ratelimit.h serve.h
daemon.h:
timed.h:
addr.h:
listen.h:
log.h:
options.h:
privdrop.h:
ratelimit.h:
serve.h:
