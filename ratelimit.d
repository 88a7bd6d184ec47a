ratelimit.o: ratelimit.c ratelimit.h
ratelimit.h:
