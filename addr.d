addr.o: addr.c addr.h
addr.h:
