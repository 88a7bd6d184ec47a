/* Running as a daemon: stdio, the pidfile, detaching, and saying when ready. */
#ifndef DAEMON_H
#define DAEMON_H

void daemon_stdio_open(void);
void daemon_pidfile(const char *, int);
void daemon_pidfile_check(const char *, int);
void daemon_pidfile_write(int);
int daemon_pidfile_directory(void);
void daemon_detach(void);
void daemon_ready(void);

#endif
