/* Options that only turn something on, as a table both parsers read; --help. */
#ifndef OPTFLAG_H
#define OPTFLAG_H

#include <stddef.h>

struct option_flag {
	int letter;
	size_t offset;		/* of the int it sets, in the options struct */
};

int option_flag_set(const struct option_flag *, size_t, int, void *);
int option_help_asked(int, char *[]);

#endif
