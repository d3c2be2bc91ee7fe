/* libFuzzer target: the /proc parsers of the host view (status, cgroup,
 * cmdline, namespace links) over any bytes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "host/hostview.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1), buf[512];
	struct hostview hv;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	memset(&hv, 0, sizeof(hv));
	hostview_parse_status(text, &hv);
	if (hostview_parse_cgroup(text, buf, sizeof(buf)) == 0 &&
	    strnlen(buf, sizeof(buf)) == sizeof(buf))
		abort();
	/* cmdline is NUL-separated: the raw bytes, zeros and all. */
	if (hostview_format_cmdline((const char *)data, size, buf,
				    sizeof(buf)) &&
	    strnlen(buf, sizeof(buf)) == sizeof(buf))
		abort();
	(void)hostview_parse_ns_link(text);
	hostview_free(&hv);
	free(text);
	return 0;
}
