rfc868.o: rfc868.c rfc868.h
rfc868.h:
