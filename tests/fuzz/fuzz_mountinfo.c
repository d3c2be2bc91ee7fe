/* libFuzzer target: /proc/<pid>/mountinfo lines, as the kernel would
 * never write them. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "host/mountinfo.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1), *cursor;
	struct mountinfo_entry e;
	int n = 0;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	cursor = text;
	while (mountinfo_next(&cursor, &e) == 1 && n++ < 100000) {
		/* Every field points into the buffer and ends there. */
		const char *f[] = { e.root, e.mountpoint, e.options, e.tags,
				    e.fstype, e.source };

		for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++)
			if (!f[i] || f[i] < text || f[i] > text + size)
				abort();
		(void)mountinfo_under(e.mountpoint, e.root);
	}
	free(text);
	return 0;
}
