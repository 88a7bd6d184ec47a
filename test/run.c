/*
 * Runs every suite in fork mode, so a crash fails its test, not the run.
 * CK_RUN_SUITE=name runs one suite, CK_RUN_CASE=name one case (Check's own).
 * The last line counts what passed, failed and was skipped, and names the
 * skips above it; with TEST_SKIPS_EXPECTED="name ..." (CI, which knows
 * what each of its stages cannot do), a skip not in that list fails the
 * run, so coverage cannot be lost unseen.
 *
 * The runner is a guest on the machine: the tests' files live in one
 * scratch directory it removes, every process a test started is stopped at
 * the end (a daemon that detached too), /dev/null must still be the null
 * device when the run is over, and /dev/shm must hold no file of
 * libfaketime's that was not there before.
 */
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>

#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "proc.h"
#include "tests.h"

#define SWEEP_ROUNDS	20	/* a child's children are ours next round */

/* The name of a process, from /proc/PID/comm. */
static void
process_name(pid_t pid, char *name, size_t size)
{
	char path[64];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	name[0] = '\0';
	if ((f = fopen(path, "r")) != NULL) {
		if (fgets(name, (int)size, f) == NULL)
			name[0] = '\0';
		fclose(f);
	}
	name[strcspn(name, "\n")] = '\0';
}

/*
 * Kills every child still running and reaps it. The runner is a child
 * subreaper, so whatever a test started and lost (a daemon that detached,
 * the children of a test that failed) has become its child. Returns how
 * many were still running.
 */
static int
children_stop(void)
{
	char path[300], line[512], name[64], *paren;
	struct dirent *e;
	int round, found, stopped = 0, ppid;
	char state;
	DIR *proc;
	FILE *f;

	for (round = 0; round < SWEEP_ROUNDS; round++) {
		found = 0;
		if ((proc = opendir("/proc")) == NULL)
			return stopped;
		while ((e = readdir(proc)) != NULL) {
			if (e->d_name[0] < '1' || e->d_name[0] > '9')
				continue;
			snprintf(path, sizeof(path), "/proc/%s/stat", e->d_name);
			if ((f = fopen(path, "r")) == NULL)
				continue;
			paren = fgets(line, sizeof(line), f) != NULL ?
			    strrchr(line, ')') : NULL;
			fclose(f);
			if (paren == NULL || sscanf(paren + 2, "%c %d", &state,
			    &ppid) != 2 || ppid != (int)getpid())
				continue;
			found++;
			if (state == 'Z')
				continue;	/* gone, only to be reaped */
			process_name(atoi(e->d_name), name, sizeof(name));
			fprintf(stderr, "test/run: stopping %s[%s], left running "
			    "by a test\n", name, e->d_name);
			kill(atoi(e->d_name), SIGKILL);
			stopped++;
		}
		closedir(proc);
		while (waitpid(-1, NULL, WNOHANG) > 0)
			;
		if (found == 0)
			break;
		usleep(20000);
	}
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
	return stopped;
}

/* A test that broke /dev/null broke every program on the machine. */
static int
dev_null_intact(void)
{
	struct stat st;

	if (stat("/dev/null", &st) == 0 && S_ISCHR(st.st_mode) &&
	    major(st.st_rdev) == 1 && minor(st.st_rdev) == 3)
		return 1;
	fprintf(stderr, "\n"
	    "test/run: /dev/null IS NO LONGER THE NULL DEVICE.\n"
	    "test/run: something this run started replaced it; every program\n"
	    "test/run: on this machine that writes to /dev/null is affected.\n"
	    "test/run: as root: rm /dev/null && mknod -m 666 /dev/null c 1 3\n");
	return 0;
}

#define SHM_DIR		"/dev/shm"
#define SHM_KNOWN_MAX	4096

/* libfaketime's files in /dev/shm ("faketime_shm_PID", "sem.faketime_..."). */
static char *shm_known[SHM_KNOWN_MAX];
static size_t shm_nknown;

static int
shm_is_faketime(const char *name)
{
	return strncmp(name, "faketime_", 9) == 0 ||
	    strncmp(name, "sem.faketime_", 13) == 0;
}

/* Those there before the run: another's, not ours to judge. */
static void
shm_note(void)
{
	DIR *dir = opendir(SHM_DIR);
	struct dirent *e;

	while (dir != NULL && (e = readdir(dir)) != NULL)
		if (shm_is_faketime(e->d_name) && shm_nknown < SHM_KNOWN_MAX)
			shm_known[shm_nknown++] = strdup(e->d_name);
	if (dir != NULL)
		closedir(dir);
}

/*
 * noshm.so keeps libfaketime from leaving files in /dev/shm for every
 * process a test kills: any the run added say it failed somewhere. They
 * are named and removed. The number left.
 */
static int
shm_left(void)
{
	DIR *dir = opendir(SHM_DIR);
	struct dirent *e;
	char path[sizeof(SHM_DIR) + 256];
	size_t i;
	int left = 0;

	while (dir != NULL && (e = readdir(dir)) != NULL) {
		if (!shm_is_faketime(e->d_name))
			continue;
		for (i = 0; i < shm_nknown; i++)
			if (shm_known[i] != NULL &&
			    strcmp(shm_known[i], e->d_name) == 0)
				break;
		if (i < shm_nknown)
			continue;
		fprintf(stderr, "test/run: left in %s by libfaketime: %s\n",
		    SHM_DIR, e->d_name);
		snprintf(path, sizeof(path), "%s/%s", SHM_DIR, e->d_name);
		unlink(path);
		left++;
	}
	if (dir != NULL)
		closedir(dir);
	for (i = 0; i < shm_nknown; i++)
		free(shm_known[i]);
	return left;
}

/*
 * Names the tests that skipped (test_skip wrote them in the scratch
 * directory), and returns how many; *unexpected counts those that
 * TEST_SKIPS_EXPECTED, when set, does not list.
 */
static int
skips_report(const char *scratch, int *unexpected)
{
	const char *expected = getenv("TEST_SKIPS_EXPECTED");
	char path[PATH_MAX], line[1024], *tab, padded[1100], list[8192];
	int n = 0;
	FILE *f;

	*unexpected = 0;
	snprintf(list, sizeof(list), " %s ", expected != NULL ? expected : "");
	for (tab = list; *tab != '\0'; tab++)	/* any white space parts names */
		if (*tab == '\t' || *tab == '\n')
			*tab = ' ';
	snprintf(path, sizeof(path), "%s/skips", scratch);
	if ((f = fopen(path, "r")) == NULL)
		return 0;
	while (fgets(line, sizeof(line), f) != NULL) {
		line[strcspn(line, "\n")] = '\0';
		if ((tab = strchr(line, '\t')) == NULL)
			continue;
		*tab = '\0';
		n++;
		snprintf(padded, sizeof(padded), " %s ", line);
		if (expected != NULL && strstr(list, padded) == NULL) {
			(*unexpected)++;
			fprintf(stderr, "skipped, NOT EXPECTED: %s: %s\n", line,
			    tab + 1);
		} else
			fprintf(stderr, "skipped: %s: %s\n", line, tab + 1);
	}
	fclose(f);
	return n;
}

int
main(void)
{
	char scratch[] = "/tmp/timed-test-XXXXXX", cmd[64];
	SRunner *runner;
	int run, failed, skipped, unexpected, intact;

	/* Orphans of the tests become ours, for children_stop(). */
	if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == -1)
		perror("test/run: PR_SET_CHILD_SUBREAPER");
	/* One directory for the run's files, removed whatever the tests do. */
	if (mkdtemp(scratch) == NULL || chmod(scratch, 0755) == -1) {
		perror("test scratch directory");
		return EXIT_FAILURE;
	}
	setenv("TIMED_TEST_SCRATCH", scratch, 1);
	shm_note();
	if (proc_unfiltered_why() != NULL)
		fprintf(stderr, "test/run: %s\n", proc_unfiltered_why());
	runner = srunner_create(rfc868_suite());
	srunner_add_suite(runner, addr_suite());
	srunner_add_suite(runner, timed_options_suite());
	srunner_add_suite(runner, fitness_suite());
	srunner_add_suite(runner, log_suite());
	srunner_add_suite(runner, daemon_suite());
	srunner_add_suite(runner, listen_suite());
	srunner_add_suite(runner, serve_suite());
	srunner_add_suite(runner, privsep_suite());
	srunner_add_suite(runner, majority_suite());
	srunner_add_suite(runner, sysfilter_suite());
	srunner_add_suite(runner, timed_suite());
	srunner_add_suite(runner, client_options_suite());
	srunner_add_suite(runner, sntp_suite());
	srunner_add_suite(runner, leaps_suite());
	srunner_add_suite(runner, subsecond_suite());
	srunner_add_suite(runner, timeclient_suite());
	srunner_add_suite(runner, lastgood_suite());
	srunner_add_suite(runner, ratelimit_suite());
	srunner_add_suite(runner, service_suite());
	srunner_add_suite(runner, stress_suite());
	srunner_add_suite(runner, attacks_suite());
	srunner_set_fork_status(runner, CK_FORK);
	srunner_run_all(runner, CK_NORMAL);
	run = srunner_ntests_run(runner);
	failed = srunner_ntests_failed(runner);
	srunner_free(runner);
	skipped = skips_report(scratch, &unexpected);
	if (unexpected > 0)
		fprintf(stderr, "test/run: %d skip%s not in TEST_SKIPS_EXPECTED: "
		    "coverage lost here\n", unexpected, unexpected == 1 ? "" :
		    "s");
	printf("checks: %d passed, %d failed, %d skipped\n",
	    run - failed - skipped, failed, skipped);
	if (children_stop() > 0)
		fprintf(stderr, "test/run: the processes above were stopped\n");
	snprintf(cmd, sizeof(cmd), "rm -rf %s", scratch);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", scratch);
	intact = dev_null_intact();
	if (shm_left() > 0 || !intact)
		return EXIT_FAILURE;
	return failed == 0 && unexpected == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
