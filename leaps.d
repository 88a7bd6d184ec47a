leaps.o: leaps.c leaps.h rfc868.h
leaps.h:
rfc868.h:
