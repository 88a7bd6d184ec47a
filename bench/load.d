bench/load.o: bench/load.c bench/../rfc868.h bench/load.h
bench/../rfc868.h:
bench/load.h:
