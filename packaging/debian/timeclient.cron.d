# Keeps the clock where systemd does not run (under systemd,
# timeclient-sync.timer does; see timeclient(1)): every hour, one try at
# the hosts of /etc/default/timeclient, after a delay of this host's own
# (set-clock --cron), so that a fleet does not ask a server in one second.
SHELL=/bin/sh
PATH=/usr/sbin:/usr/bin:/sbin:/bin

7 * * * *	root	test -d /run/systemd/system || test ! -x /usr/libexec/timeclient/set-clock || /usr/libexec/timeclient/set-clock --cron
