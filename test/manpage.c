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

/*
 * Whether binary's --help exits 0, starts with the usage line usage (as
 * usage_line() reads it, the name first), and
 * has a line "  -X" for every option letter usage names. 0, or -1 with
 * what is wrong in why.
 */
int
help_covers_usage(const char *binary, const char *usage, char *why,
    size_t size)
{
	static struct proc p;
	const char *argv[] = { binary, "--help", NULL };
	char first[512], words[512], line[16], *w, *end;

	if (proc_run(&p, argv, NULL, NULL, 5000) == -1 || exit_code(&p) != 0) {
		snprintf(why, size, "--help: exit %d", exit_code(&p));
		return -1;
	}
	snprintf(first, sizeof(first), "usage: %s\n", usage);
	if (strncmp(p.out, first, strlen(first)) != 0) {
		snprintf(why, size, "--help starts \"%.80s\"", p.out);
		return -1;
	}
	/* "[-46dfiSTUV]": each letter; "[-l" (of "[-l address]"): its one. */
	snprintf(words, sizeof(words), "%s", usage);
	for (w = strtok(words, " "); w != NULL; w = strtok(NULL, " ")) {
		if (strncmp(w, "[-", 2) != 0)
			continue;
		end = strchr(w, ']') != NULL ? strchr(w, ']') : w + 3;
		for (w += 2; w < end; w++) {
			snprintf(line, sizeof(line), "\n  -%c ", *w);
			if (strstr(p.out, line) == NULL) {
				snprintf(why, size, "no line for -%c in --help",
				    *w);
				return -1;
			}
		}
	}
	return 0;
}
