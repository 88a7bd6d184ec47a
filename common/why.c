/* Why something failed, for the caller to say. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "why.h"

/* Says why; returns -1, for "return why_set(...)". */
int
why_set(struct why *why, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why->text, sizeof(why->text), fmt, ap);
	va_end(ap);
	return -1;
}

/* The same, with ": " and the text of errno as the call left it. */
int
why_errno(struct why *why, const char *fmt, ...)
{
	const char *reason = strerror(errno);
	size_t len;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why->text, sizeof(why->text), fmt, ap);
	va_end(ap);
	len = strlen(why->text);
	snprintf(why->text + len, sizeof(why->text) - len, ": %s", reason);
	return -1;
}
