/* The suites the runner collects. */
#ifndef TESTS_H
#define TESTS_H

#include <check.h>

Suite *rfc868_suite(void);
Suite *addr_suite(void);
Suite *timed_suite(void);
Suite *client_options_suite(void);
Suite *sntp_suite(void);
Suite *leaps_suite(void);
Suite *ratelimit_suite(void);
Suite *service_suite(void);
Suite *stress_suite(void);
Suite *timeclient_suite(void);
Suite *attacks_suite(void);
Suite *timed_options_suite(void);
Suite *subsecond_suite(void);
Suite *fitness_suite(void);
Suite *log_suite(void);
Suite *daemon_suite(void);
Suite *listen_suite(void);
Suite *serve_suite(void);
Suite *privsep_suite(void);
Suite *majority_suite(void);
Suite *lastgood_suite(void);
Suite *sysfilter_suite(void);

#endif
