/*
 * The last good time: kept after each good set, a floor timeclient never
 * sets the clock below, and the time a clock behind it is advanced to at
 * boot (timeclient(1), THE LAST GOOD TIME).
 */
#ifndef LASTGOOD_H
#define LASTGOOD_H

#include <stdint.h>

#define LASTGOOD_DIR	"/var/lib/timeclient"
#define LASTGOOD_FILE	"clock"

void lastgood_check(const char *, int64_t, int64_t);
void lastgood_keep(int64_t, int64_t, int);
int lastgood_advance(int);

#endif
