/* Unit tests for asciicast v2 output: JSON escaping, UTF-8 cut between
 * reads, invalid bytes, and a whole recording's lines. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ui/cast.h"

static char out[1024];

static const char *
esc(struct cast *c, const char *s, size_t n)
{
	cast_escape(c, s, n, out);
	return out;
}

static void
escapes_json(void **state)
{
	struct cast c = { 0 };

	(void)state;
	assert_string_equal(esc(&c, "a\"b\\c\n\r\t", 8), "a\\\"b\\\\c\\n\\r\\t");
	assert_string_equal(esc(&c, "\033[1m\x7f", 5), "\\u001b[1m\\u007f");
	assert_string_equal(esc(&c, "\0x", 2), "\\u0000x");
}

static void
keeps_utf8_across_reads(void **state)
{
	struct cast c = { 0 };
	const char *check = "\xe2\x9c\x93"; /* U+2713 */

	(void)state;
	/* Cut after each of its bytes: nothing is lost, nothing doubled. */
	assert_string_equal(esc(&c, "ok \xe2", 4), "ok ");
	assert_int_equal(c.ncarry, 1);
	assert_string_equal(esc(&c, "\x9c", 1), "");
	assert_string_equal(esc(&c, "\x93 done", 6), "\xe2\x9c\x93 done");
	assert_int_equal(c.ncarry, 0);
	assert_string_equal(esc(&c, check, 3), check);
}

static void
replaces_what_is_not_utf8(void **state)
{
	struct cast c = { 0 };

	(void)state;
	assert_string_equal(esc(&c, "a\xff" "b", 3), "a\xef\xbf\xbd" "b");
	/* A lead byte followed by a non-continuation. */
	assert_string_equal(esc(&c, "\xe2(x", 3), "\xef\xbf\xbd(x");
	/* Overlong and surrogate forms. */
	assert_string_equal(esc(&c, "\xc0\xaf", 2), "\xef\xbf\xbd\xef\xbf\xbd");
	assert_string_equal(esc(&c, "\xed\xa0\x80", 3),
			    "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
	/* A cut lead byte that the next read proves wrong. */
	assert_string_equal(esc(&c, "\xe2", 1), "");
	assert_string_equal(esc(&c, "A", 1), "\xef\xbf\xbd" "A");
}

static void
writes_a_recording(void **state)
{
	struct cast c;
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	(void)state;
	assert_int_equal(cast_begin(&c, f, 100, 30, 10.0, 1700000000, "xterm"), 0);
	cast_output(&c, 10.5, "hi\r\n", 4);
	cast_resize(&c, 11.25, 120, 40);
	cast_output(&c, 12.0, "\xe2", 1);
	assert_int_equal(cast_end(&c), 0);
	assert_string_equal(text,
		"{\"version\": 2, \"width\": 100, \"height\": 30, "
		"\"timestamp\": 1700000000, \"title\": \"boxstep\", "
		"\"env\": {\"TERM\": \"xterm\", \"SHELL\": \"/bin/sh\"}}\n"
		"[0.500000, \"o\", \"hi\\r\\n\"]\n"
		"[1.250000, \"r\", \"120x40\"]\n"
		"[2.000000, \"o\", \"\xef\xbf\xbd\"]\n");
	free(text);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(escapes_json),
		cmocka_unit_test(keeps_utf8_across_reads),
		cmocka_unit_test(replaces_what_is_not_utf8),
		cmocka_unit_test(writes_a_recording),
	};

	return cmocka_run_group_tests_name("cast", tests, NULL, NULL);
}
