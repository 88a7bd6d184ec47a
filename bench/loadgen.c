/* loadgen: drive an RFC 868 server on loopback and print what it did. */
#include <sys/socket.h>

#include <err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "load.h"

static void
usage(void)
{
	fprintf(stderr, "usage: loadgen [-46] [-c concurrency] [-m tcp|udp|mix] "
	    "[-n count] [-s source] [-t seconds] port\n");
	exit(1);
}

int
main(int argc, char *argv[])
{
	struct load_spec spec = { AF_INET, 0, LOAD_TCP, 16, 10000, 10, NULL };
	struct load_result res;
	const char *errstr;
	int ch;

	while ((ch = getopt(argc, argv, "46c:m:n:s:t:")) != -1) {
		switch (ch) {
		case '4':
			spec.family = AF_INET;
			break;
		case '6':
			spec.family = AF_INET6;
			break;
		case 'c':
			spec.concurrency = (int)strtonum(optarg, 1, 10000,
			    &errstr);
			if (errstr != NULL)
				errx(1, "concurrency %s is %s", optarg, errstr);
			break;
		case 'm':
			if (strcmp(optarg, "tcp") == 0)
				spec.mode = LOAD_TCP;
			else if (strcmp(optarg, "udp") == 0)
				spec.mode = LOAD_UDP;
			else if (strcmp(optarg, "mix") == 0)
				spec.mode = LOAD_MIX;
			else
				errx(1, "mode %s is not tcp, udp or mix", optarg);
			break;
		case 'n':
			spec.count = strtonum(optarg, 1, 100000000, &errstr);
			if (errstr != NULL)
				errx(1, "count %s is %s", optarg, errstr);
			break;
		case 's':
			spec.source = optarg;
			break;
		case 't':
			spec.seconds = (int)strtonum(optarg, 1, 3600, &errstr);
			if (errstr != NULL)
				errx(1, "seconds %s is %s", optarg, errstr);
			break;
		default:
			usage();
		}
	}
	if (argc - optind != 1)
		usage();
	spec.port = strtonum(argv[optind], 1, 65535, &errstr);
	if (errstr != NULL)
		errx(1, "port %s is %s", argv[optind], errstr);
	if (load_run(&spec, &res) == -1)
		err(1, "load");
	load_print(&spec, &res);
	return res.bad == 0 && res.errors == 0 ? 0 : 1;
}
