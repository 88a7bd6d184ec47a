/*
 * Preloaded by the tests of the system call filters: at each SIGUSR2 the
 * process opens a file to write, which neither timed's filter nor that of
 * timeclient's network side allows. The filter must kill it, and say
 * which call it was; unfiltered (timed -F), the call fails (the directory
 * does not exist) and the process lives on.
 */
#include <sys/syscall.h>

#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

static void
on_usr2(int sig)
{
	long fd;

	(void)sig;
	/* openat(2) itself: every architecture has it, libc or not. */
	if ((fd = syscall(SYS_openat, AT_FDCWD, "/nonexistent/trespass",
	    O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) >= 0)
		close((int)fd);
}

__attribute__((constructor)) static void
trespass_init(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_usr2;
	sa.sa_flags = SA_RESTART;
	sigaction(SIGUSR2, &sa, NULL);
}
