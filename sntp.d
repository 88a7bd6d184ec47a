sntp.o: sntp.c rfc868.h sntp.h
rfc868.h:
sntp.h:
