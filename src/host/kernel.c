/* kernel: whether the running kernel has time namespaces and seccomp. */
#include "host/kernel.h"

#include <errno.h>
#include <unistd.h>

#include "base/msg.h"

int
kernel_has_time_ns(char *err, size_t errlen)
{
	if (access("/proc/self/ns/time", F_OK) < 0)
		return msg_fail(err, errlen, "this kernel has no time "
				"namespaces (there is no /proc/self/ns/time: "
				"they came with Linux 5.6, built with "
				"CONFIG_TIME_NS)");
	return 0;
}

int
kernel_has_seccomp(char *err, size_t errlen)
{
	/* The filter mode, not seccomp's strict mode, is what the layer
	 * loads; the kernel lists its actions here exactly when it has it. */
	if (access("/proc/sys/kernel/seccomp/actions_avail", F_OK) < 0 &&
	    errno == ENOENT)
		return msg_fail(err, errlen, "this kernel has no seccomp filters "
				"(there is no /proc/sys/kernel/seccomp/"
				"actions_avail: it was built without "
				"CONFIG_SECCOMP_FILTER)");
	return 0;
}
