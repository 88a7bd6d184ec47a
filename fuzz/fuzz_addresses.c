/* Source addresses as recvfrom gives them: the filter and the limiter. */
#include <sys/socket.h>

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "../common/addr.h"
#include "../server/ratelimit.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int initialized;
	static uint64_t now = 1;
	struct sockaddr_storage ss;
	char host[ADDR_TEXT_MAX];
	unsigned port;
	size_t len;
	int log;

	if (!initialized) {
		limit_init(3, 42);
		initialized = 1;
	}
	if (size < 2)
		return 0;
	memset(&ss, 0, sizeof(ss));
	ss.ss_family = data[0] & 1 ? AF_INET6 : AF_INET;
	len = ss.ss_family == AF_INET6 ? sizeof(struct sockaddr_in6) :
	    sizeof(struct sockaddr_in);
	if (size - 2 < len - offsetof(struct sockaddr_in, sin_port))
		return 0;
	memcpy((char *)&ss + offsetof(struct sockaddr_in, sin_port), data + 2,
	    len - offsetof(struct sockaddr_in, sin_port));
	now += data[1];
	source_check((struct sockaddr *)&ss, data[0] & 2,
	    (const unsigned[]){ 8037 }, 1);
	limit_take(data[0] & 4 ? SOCK_STREAM : SOCK_DGRAM,
	    (struct sockaddr *)&ss, now, &log);
	destination_unicast((struct sockaddr *)&ss, NULL);
	addr_text((struct sockaddr *)&ss, host, sizeof(host), &port);
	return 0;
}
