test/run.o: test/run.c test/tests.h
test/tests.h:
