/* libFuzzer target: the event reader over any bytes, as a line from the
 * other end of the REPL's and the TUI's socket would give them.  A line
 * it takes is written back exactly as it came (the escapes and numbers
 * have one form each), and that line is read as the same event. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "session/event.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
same(const char *a, const char *b)
{
	if ((a == NULL) != (b == NULL) || (a && strcmp(a, b) != 0))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *line = malloc(size + 1), *again;
	struct event e, d;
	size_t n;

	if (!line)
		return 0;
	memcpy(line, data, size);
	if (event_decode(line, size, &e) < 0) {
		if (e.kind != EVENT_NONE || e.text || e.layers)
			abort(); /* a refused line leaves nothing behind */
		free(line);
		return 0;
	}
	if (e.kind <= EVENT_NONE || e.kind >= EVENT_NKINDS)
		abort();
	n = event_encode(&e, NULL, 0);
	if (n != size + 1 || !(again = malloc(n + 1)))
		abort();
	if (event_encode(&e, again, n + 1) != n || again[n - 1] != '\n' ||
	    memcmp(again, data, size) != 0)
		abort();
	if (event_decode(again, n - 1, &d) < 0 || d.kind != e.kind ||
	    d.pid != e.pid || d.ms != e.ms || d.visible != e.visible)
		abort();
	same(d.layers, e.layers);
	same(d.hostname, e.hostname);
	same(d.rootfs, e.rootfs);
	same(d.text, e.text);
	free(again);
	free(line);
	return 0;
}
