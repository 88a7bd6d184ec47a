/*
 * What a program says its usage is, and what its man page says: they must
 * agree word for word.
 */
#include <stdio.h>
#include <string.h>

#include "proc.h"

#include "manpage.h"

/* What "binary -?" prints after "usage: ". */
int
usage_line(const char *binary, char *out, size_t size)
{
	static struct proc p;
	const char *argv[] = { binary, "-?", NULL };
	const char *usage;
	size_t len;

	if (proc_run(&p, argv, NULL, NULL, 5000) == -1 ||
	    (usage = strstr(p.err, "usage: ")) == NULL)
		return -1;
	usage += strlen("usage: ");
	len = strcspn(usage, "\n");
	if (len >= size)
		return -1;
	memcpy(out, usage, len);
	out[len] = '\0';
	return 0;
}

/* The SYNOPSIS of a man page as mandoc renders it, on one line. */
int
man_synopsis(const char *page, char *out, size_t size)
{
	static struct proc p;
	const char *argv[] = { "mandoc", "-Tascii", page, NULL };
	char *s, *d = out, *end = out + size - 1;

	if (proc_run(&p, argv, NULL, NULL, 5000) == -1 || exit_code(&p) != 0)
		return -1;
	/* Drop the overstrikes: "X\bX" is bold, "_\bX" italic. */
	for (s = d = p.out; *s != '\0'; s++) {
		if (s[1] == '\b' && s[2] != '\0')
			s++;
		else
			*d++ = *s;
	}
	*d = '\0';
	if ((s = strstr(p.out, "SYNOPSIS\n")) == NULL)
		return -1;
	/* Join its lines, folding the indentation, up to the blank line. */
	s += strlen("SYNOPSIS\n");
	s += strspn(s, " ");
	for (d = out; *s != '\0' && !(s[0] == '\n' && s[1] == '\n') &&
	    d < end; s++) {
		if (*s == '\n' || *s == ' ') {
			if (d > out && d[-1] != ' ')
				*d++ = ' ';
		} else
			*d++ = *s;
	}
	*d = '\0';
	return 0;
}
