/*
 * Runs every suite in fork mode, so a crash fails its test, not the run.
 * CK_RUN_SUITE=name runs one suite, CK_RUN_CASE=name one case (Check's own).
 */
#include <sys/stat.h>

#include <check.h>
#include <stdio.h>
#include <stdlib.h>

#include "tests.h"

int
main(void)
{
	char scratch[] = "/tmp/timed-test-XXXXXX", cmd[64];
	SRunner *runner;
	int failed;

	/* One directory for the run's files, removed whatever the tests do. */
	if (mkdtemp(scratch) == NULL || chmod(scratch, 0755) == -1) {
		perror("test scratch directory");
		return EXIT_FAILURE;
	}
	setenv("TIMED_TEST_SCRATCH", scratch, 1);
	runner = srunner_create(rfc868_suite());
	srunner_add_suite(runner, addr_suite());
	srunner_add_suite(runner, timed_suite());
	srunner_add_suite(runner, client_suite());
	srunner_add_suite(runner, timeclient_suite());
	srunner_add_suite(runner, limits_suite());
	srunner_add_suite(runner, service_suite());
	srunner_add_suite(runner, stress_suite());
	srunner_set_fork_status(runner, CK_FORK);
	srunner_run_all(runner, CK_NORMAL);
	failed = srunner_ntests_failed(runner);
	srunner_free(runner);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", scratch);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", scratch);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
