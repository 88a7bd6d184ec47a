client.o: client.c addr.h client.h query.h
addr.h:
client.h:
query.h:
