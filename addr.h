/* Ports and addresses as users write them and as logs show them. */
#ifndef ADDR_H
#define ADDR_H

#include <sys/socket.h>

#define ADDR_TEXT_MAX 64	/* an IPv6 address with a scope, and a NUL */

int port_parse(const char *, unsigned *, const char **);
const char *addr_text(const struct sockaddr *, char *, size_t, unsigned *);
const char *socktype_name(int);

#endif
