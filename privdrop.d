privdrop.o: privdrop.c log.h privdrop.h timed.h addr.h
log.h:
privdrop.h:
timed.h:
addr.h:
