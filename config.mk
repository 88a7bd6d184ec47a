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

# libbsd brings strtonum, flopen, strlcpy and closefrom without #ifdefs
BSD_CFLAGS != $(PKG_CONFIG) --cflags libbsd-overlay
BSD_LIBS != $(PKG_CONFIG) --libs libbsd-overlay
# The system call filters are compiled at build time by tools/filtergen,
# a program of the build host (HOSTCC) linked with the host's libseccomp,
# for the architecture CC compiles for; the programs link no libseccomp.
# Where the host has none, or with SECCOMP=no, both build without a filter
# (timed -V says which).
HOSTCC = cc
HOST_PKG_CONFIG = pkg-config
SECCOMP != $(HOST_PKG_CONFIG) --exists libseccomp && echo yes || echo no
SECCOMP_CFLAGS != $(HOST_PKG_CONFIG) --cflags libseccomp 2>/dev/null || true
SECCOMP_LIBS != $(HOST_PKG_CONFIG) --libs libseccomp 2>/dev/null || true
CHECK_CFLAGS != $(PKG_CONFIG) --cflags check
CHECK_LIBS != $(PKG_CONFIG) --libs check

# A packager's or a user's flags, from the environment or make's command
# line, replace these; the flags timed needs are the Makefile's own
# (TIMED_CPPFLAGS, TIMED_CFLAGS) and are always used besides.
CPPFLAGS ?=
CFLAGS ?= -O2 -g
LDFLAGS ?=
# WERROR=-Werror (CI, development) makes warnings errors; not by default,
# so that a user's next compiler, with new warnings, still builds timed.
WERROR ?=

# compiler: make's own default, cc; another with make CC=clang
