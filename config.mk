# timed version
VERSION = 0.1.0
# The floor, set with each release: timed serves no time before it, and
# timeclient sets none (a board without a battery boots to 1970). Unix
# seconds of the release date (here 2026-11-23 00:00:00 UTC), a constant so
# that builds are reproducible.
TIME_FLOOR = 1795392000

# Customize below to fit your system

# paths
PREFIX = /usr/local
MANPREFIX = $(PREFIX)/share/man

PKG_CONFIG = pkg-config

# libbsd brings strtonum, pidfile, strlcpy and closefrom without #ifdefs
BSD_CFLAGS != $(PKG_CONFIG) --cflags libbsd-overlay
BSD_LIBS != $(PKG_CONFIG) --libs libbsd-overlay
CHECK_CFLAGS != $(PKG_CONFIG) --cflags check
CHECK_LIBS != $(PKG_CONFIG) --libs check

# flags: += so that a packager's CPPFLAGS, CFLAGS and LDFLAGS (hardening) survive
# _GNU_SOURCE for accept4(2) and SOCK_NONBLOCK/SOCK_CLOEXEC
# _TIME_BITS=64 and _FILE_OFFSET_BITS=64: a 32-bit build (i386, armhf) gets
# glibc's 64-bit time functions (glibc 2.34 and later), or it stops in
# 2038; on a 64-bit build they change nothing. rfc868.h refuses to build
# with a 32-bit time_t.
# WERROR=-Werror (CI, development) makes warnings errors; not by default,
# so that a user's next compiler, with new warnings, still builds timed.
WERROR ?=
CPPFLAGS += -D_GNU_SOURCE -D_TIME_BITS=64 -D_FILE_OFFSET_BITS=64 \
	-DVERSION=\"$(VERSION)\" -DTIME_FLOOR=$(TIME_FLOOR) $(BSD_CFLAGS)
CFLAGS += -std=c11 -pedantic -Wall -Wextra $(WERROR) -O2 -g
LDFLAGS +=
LDLIBS += $(BSD_LIBS)

# compiler: make's own default, cc; another with make CC=clang
