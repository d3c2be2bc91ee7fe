/* Unit tests for mirror: a screen written and read back the same, and
 * the decoder refusing all it does not write (a learner's session is on
 * the other end of the socket; the watcher may be root). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "ui/mirror.h"

static struct mirror_buf b;

/* B holds exactly TEXT. */
static void
holds(const char *text)
{
	assert_int_equal(b.len, strlen(text));
	assert_memory_equal(b.data, text, b.len);
}

static void
written_then_read_is_the_same(void **state)
{
	struct mirror_run runs[] = { { 0, 4, 21, MIRROR_BOLD },
				     { 6, 2, 0, MIRROR_REVERSE } };
	struct mirror_screen s;
	struct mirror_run r;
	const char *p, *end;

	(void)state;
	mirror_begin(&b, 3, 10, 1, 5);
	mirror_add_row(&b, "boxstep>  ", 10, runs, 2);
	mirror_add_row(&b, "h\xc3\xa9llo \xe2\x94\x82", 10, NULL, 0);
	mirror_add_row(&b, "", 0, NULL, 0);
	assert_false(b.full);
	holds("screen 3 10 1 5\nboxstep>\n0,4,21,1 6,2,0,2\n"
	      "h\xc3\xa9llo \xe2\x94\x82\n\n\n\n");
	assert_int_equal(mirror_decode(b.data, b.len, &s), 0);
	assert_int_equal(s.rows, 3);
	assert_int_equal(s.cols, 10);
	assert_int_equal(s.cursor_row, 1);
	assert_int_equal(s.cursor_col, 5);
	assert_int_equal(s.text_len[0], 8);
	assert_memory_equal(s.text[0], "boxstep>", 8);
	assert_int_equal(s.text_len[2], 0);
	p = s.styles[0];
	end = p + s.styles_len[0];
	assert_true(mirror_next_run(&p, end, &r));
	assert_int_equal(r.col, 0);
	assert_int_equal(r.len, 4);
	assert_int_equal(r.pair, 21);
	assert_int_equal(r.flags, MIRROR_BOLD);
	assert_true(mirror_next_run(&p, end, &r));
	assert_int_equal(r.col, 6);
	assert_false(mirror_next_run(&p, end, &r));
}

static void
control_bytes_are_not_sent(void **state)
{
	(void)state;
	mirror_begin(&b, 1, 20, -1, -1);
	mirror_add_row(&b, "a\033[2Jb\x7f", 7, NULL, 0);
	holds("screen 1 20 -1 -1\na?[2Jb?\n\n");
}

static void
a_screen_too_big_is_not_sent(void **state)
{
	static char row[MIRROR_COLS_MAX];

	(void)state;
	memset(row, 'x', sizeof(row));
	mirror_begin(&b, MIRROR_ROWS_MAX, MIRROR_COLS_MAX, -1, -1);
	for (int i = 0; i < MIRROR_ROWS_MAX; i++)
		mirror_add_row(&b, row, sizeof(row), NULL, 0);
	assert_true(b.full);
}

static void
what_the_encoder_does_not_write_is_refused(void **state)
{
	static const char *const bad[] = {
		"",
		"screen 1 10 0 0\n",                 /* a row short */
		"screen 1 10 0 0\nab\n\nmore",       /* bytes after */
		"screen 0 10 -1 -1\n",               /* no rows */
		"screen 1 10 -1 0\nab\n\n",          /* half a hidden cursor */
		"screen 1 10 1 0\nab\n\n",           /* cursor below */
		"screen 01 10 0 0\nab\n\n",          /* a leading zero */
		"screen 1 10 0 0\nab \n\n",          /* a blank at the end */
		"screen 1 10 0 0\na\033[2J\n\n",     /* an escape */
		"screen 1 10 0 0\na\xc2\x9b" "2J\n\n", /* C1 CSI, as UTF-8 */
		"screen 1 10 0 0\na\x9b\n\n",        /* a stray byte */
		"screen 1 10 0 0\n\xc0\xaf\n\n",     /* overlong */
		"screen 1 10 0 0\n\xed\xa0\x80\n\n", /* a surrogate */
		"screen 1 10 0 0\nab\n0,11,0,1\n",   /* a run past the edge */
		"screen 1 10 0 0\nab\n4,2,0,1 0,2,0,1\n", /* out of order */
		"screen 1 10 0 0\nab\n0,0,0,1\n",    /* an empty run */
		"screen 1 10 0 0\nab\n0,2,0,1 \n",   /* a blank at the end */
		"screen 1 10 0 0\nab\n0,2,0,256\n",  /* flags past a byte */
		"screen 1 10 0 0\nab\n0,2,0\n",      /* a field short */
		"screen 301 10 0 0\n",               /* too many rows */
	};
	struct mirror_screen s;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (mirror_decode(bad[i], strlen(bad[i]), &s) == 0)
			fail_msg("took bad screen %zu", i);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(written_then_read_is_the_same),
		cmocka_unit_test(control_bytes_are_not_sent),
		cmocka_unit_test(a_screen_too_big_is_not_sent),
		cmocka_unit_test(what_the_encoder_does_not_write_is_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
