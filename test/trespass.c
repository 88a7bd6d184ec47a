/*
 * Preloaded by the tests of the system call filters: at each SIGUSR2 the
 * process makes a call its filter forbids, and the filter must kill it,
 * and say which call it was. By default it opens a file to write, which
 * neither timed's filter nor that of timeclient's network side allows;
 * unfiltered (timed -F) that fails (the directory does not exist) and the
 * process lives on. TRESPASS=socket makes a socket of another family than
 * the one timed's log may make again, TRESPASS=connect connects such a
 * socket elsewhere than /dev/log: timed's filter kills both.
 */
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>

#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *trespass;

static void
on_usr2(int sig)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	long fd;

	(void)sig;
	if (trespass != NULL && strcmp(trespass, "socket") == 0)
		fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK,
		    0);
	else if (trespass != NULL && strcmp(trespass, "connect") == 0) {
		strncpy(sun.sun_path, "/run/dbus/system_bus_socket",
		    sizeof(sun.sun_path) - 1);
		fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK,
		    0);
		if (fd >= 0)
			(void)connect((int)fd, (struct sockaddr *)&sun,
			    sizeof(sun));
	} else	/* openat(2) itself: every architecture has it, libc or not. */
		fd = syscall(SYS_openat, AT_FDCWD, "/nonexistent/trespass",
		    O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd >= 0)
		close((int)fd);
}

__attribute__((constructor)) static void
trespass_init(void)
{
	struct sigaction sa;

	trespass = getenv("TRESPASS");
	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_usr2;
	sa.sa_flags = SA_RESTART;
	sigaction(SIGUSR2, &sa, NULL);
}
