timeclient.o: timeclient.c client.h query.h addr.h leaps.h rfc868.h
client.h:
query.h:
addr.h:
leaps.h:
rfc868.h:
