privdrop.o: privdrop.c privdrop.h timed.h addr.h
privdrop.h:
timed.h:
addr.h:
