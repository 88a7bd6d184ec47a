/* Options that only turn something on, as a table both parsers read. */
#include <string.h>

#include "optflag.h"

/* Sets the int of letter ch in options; 0 when ch is not in the table. */
int
option_flag_set(const struct option_flag *flags, size_t n, int ch,
    void *options)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (flags[i].letter == ch) {
			*(int *)(void *)((char *)options + flags[i].offset) = 1;
			return 1;
		}
	return 0;
}

/* Whether --help is among the arguments, before any "--". */
int
option_help_asked(int argc, char *argv[])
{
	int i;

	for (i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
		if (strcmp(argv[i], "--help") == 0)
			return 1;
	return 0;
}
