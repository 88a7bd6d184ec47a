query.o: query.c query.h addr.h rfc868.h sntp.h
query.h:
addr.h:
rfc868.h:
sntp.h:
