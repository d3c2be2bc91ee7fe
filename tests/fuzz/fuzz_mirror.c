/* libFuzzer target: the mirror's decoder over any bytes, as a learner's
 * session could send them to a watcher who may be root.  A screen it
 * takes is written back, row by row and run by run, exactly as it came,
 * and its text holds no control character. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ui/mirror.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct mirror_buf b;
static struct mirror_run runs[MIRROR_COLS_MAX];

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mirror_screen s;
	const char *msg = (const char *)data;

	if (mirror_decode(msg, size, &s) < 0)
		return 0;
	mirror_begin(&b, s.rows, s.cols, s.cursor_row, s.cursor_col);
	for (int y = 0; y < s.rows; y++) {
		const char *p = s.styles[y], *end = p + s.styles_len[y];
		size_t n = 0;

		for (size_t i = 0; i < s.text_len[y]; i++)
			if ((unsigned char)s.text[y][i] < 0x20 ||
			    s.text[y][i] == 0x7f)
				abort();
		while (n < MIRROR_COLS_MAX && mirror_next_run(&p, end, &runs[n]))
			n++;
		if (p != end)
			abort();
		mirror_add_row(&b, s.text[y], s.text_len[y], runs, n);
	}
	if (b.full || b.len != size || memcmp(b.data, data, size) != 0)
		abort();
	return 0;
}
