/* Unit tests for text: the edit distance, suggestions for a mistyped
 * name, filling to a width, and whether output ends a line. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "base/text.h"

static const char *const *names;

static const char *
item(size_t i)
{
	return names[i];
}

static void
test_distance(void **state)
{
	(void)state;
	assert_int_equal(text_distance("run", "run"), 0);
	assert_int_equal(text_distance("rnu", "run"), 1);   /* a swap */
	assert_int_equal(text_distance("pdi", "pid"), 1);
	assert_int_equal(text_distance("hostnmae", "hostname"), 1);
	assert_int_equal(text_distance("rn", "run"), 1);    /* an insertion */
	assert_int_equal(text_distance("runn", "run"), 1);  /* a deletion */
	assert_int_equal(text_distance("ran", "run"), 1);   /* a change */
	assert_int_equal(text_distance("ca", "abc"), 3);    /* OSA, not 2 */
	assert_int_equal(text_distance("", "abc"), 3);
	assert_int_equal(text_distance("kitten", "sitting"), 3);
}

static void
test_suggest(void **state)
{
	static const char *const commands[] = {
		"help", "layers", "enable", "disable", "reset", "set", "show",
		"run", "sh", "start", "stop", "host", "explain", "quit", NULL,
	};
	static const char *const layers[] = {
		"uts", "pid", "mnt", "chroot", "proc", "pids", "memory", NULL,
	};
	static const char *const keys[] = {
		"hostname", "rootfs", "pids.max", "memory.max", "cpu.max", NULL,
	};
	static const char *const animals[] = { "bat", "cut", "dog", "cab", NULL };
	char buf[128];

	(void)state;
	names = commands;
	assert_int_equal(text_suggest("rnu", item, buf, sizeof(buf)), 1);
	assert_string_equal(buf, "run");
	assert_int_equal(text_suggest("enabel", item, buf, sizeof(buf)), 1);
	assert_string_equal(buf, "enable");
	/* Nothing close: none, and an empty string. */
	assert_int_equal(text_suggest("frobnicate", item, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "");
	/* A word of one letter is too short to guess from. */
	assert_int_equal(text_suggest("x", item, buf, sizeof(buf)), 0);
	names = layers;
	assert_int_equal(text_suggest("pdi", item, buf, sizeof(buf)), 1);
	assert_string_equal(buf, "pid");
	/* A tie: "pidd" is one edit from pid and from pids. */
	assert_int_equal(text_suggest("pidd", item, buf, sizeof(buf)), 2);
	assert_string_equal(buf, "pid or pids");
	/* A word of 3 or 4 letters may be one edit off, no more. */
	assert_int_equal(text_suggest("utx", item, buf, sizeof(buf)), 1);
	assert_int_equal(text_suggest("wifi", item, buf, sizeof(buf)), 0);
	assert_int_equal(text_suggest("memroy", item, buf, sizeof(buf)), 1);
	assert_string_equal(buf, "memory");
	names = keys;
	assert_int_equal(text_suggest("hostnmae", item, buf, sizeof(buf)), 1);
	assert_string_equal(buf, "hostname");
	assert_int_equal(text_suggest("pid.max", item, buf, sizeof(buf)), 1);
	assert_string_equal(buf, "pids.max");
	assert_int_equal(text_suggest("colour", item, buf, sizeof(buf)), 0);
	/* Ties are all listed, in the order given. */
	names = animals;
	assert_int_equal(text_suggest("cat", item, buf, sizeof(buf)), 3);
	assert_string_equal(buf, "bat, cut or cab");
	/* A small buffer truncates, never overruns. */
	assert_int_equal(text_suggest("cat", item, buf, 6), 3);
	assert_string_equal(buf, "bat, ");
}

struct wrap_case {
	const char *in;
	size_t width;
	const char *out;
};

static void
test_wrap(void **state)
{
	static const struct wrap_case cases[] = {
		/* Text that fits is kept as written, line breaks included. */
		{ "one two\nthree\n", 20, "one two\nthree\n" },
		{ "no newline", 20, "no newline" },
		/* A paragraph that does not fit is refilled at blanks. */
		{ "aaa bbb ccc ddd\neee\n", 8, "aaa bbb\nccc ddd\neee\n" },
		{ "aaa bbb ccc", 7, "aaa bbb\nccc" },
		/* Paragraphs stay apart. */
		{ "aaa bbb ccc\n\nddd\n", 7, "aaa bbb\nccc\n\nddd\n" },
		/* A list item hangs under its text; each item is a block. */
		{ "  - aaa bbb ccc\n  - ddd\n", 11,
		  "  - aaa bbb\n    ccc\n  - ddd\n" },
		{ "1. aaa bbb ccc\n", 10, "1. aaa bbb\n   ccc\n" },
		{ "   \u2717 missing: aa bb\n", 14,
		  "   \u2717 missing:\n     aa bb\n" },
		{ "[ ] aaa bbb\n", 8, "[ ] aaa\n    bbb\n" },
		/* A code span is one word, and so is a long word. */
		{ "see `run sh -c x` here\n", 12, "see\n`run sh -c x`\nhere\n" },
		{ "a verylongword b\n", 5, "a\nverylongword\nb\n" },
		/* An unclosed backtick is a character like another. */
		{ "a `b c\n", 4, "a `b\nc\n" },
		/* Fenced lines are kept whatever their length. */
		{ "```sh\nthis line is long\n```\n", 5,
		  "```sh\nthis line is long\n```\n" },
		/* Columns are characters, not bytes. */
		{ "\u00e9\u00e9\u00e9 \u00e9\u00e9\u00e9\n", 7,
		  "\u00e9\u00e9\u00e9 \u00e9\u00e9\u00e9\n" },
		{ "", 10, "" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *got = text_wrap(cases[i].in, cases[i].width);

		assert_non_null(got);
		if (strcmp(got, cases[i].out) != 0)
			fail_msg("case %zu: wrap(\"%s\", %zu)\n  got \"%s\"\n"
				 " want \"%s\"", i, cases[i].in, cases[i].width,
				 got, cases[i].out);
		free(got);
	}
}

static void
test_ends_line(void **state)
{
	(void)state;
	assert_true(text_ends_line(""));
	assert_true(text_ends_line(NULL));
	assert_true(text_ends_line("0\n"));
	assert_false(text_ends_line("0"));
	assert_true(text_ends_line("a\r\n"));
	/* A trailing \r or escape sequence shows nothing. */
	assert_false(text_ends_line("0\r"));
	assert_false(text_ends_line("20\033[0m"));
	assert_true(text_ends_line("ok\n\033[?2004l\r"));
	assert_true(text_ends_line("ok\n\033]0;title\a"));
	assert_true(text_ends_line("ok\n\033]0;title\033\\"));
	assert_false(text_ends_line("ok\n\033[1mbold"));
	/* A cut-off sequence ends the text safely. */
	assert_true(text_ends_line("ok\n\033["));
	assert_true(text_ends_line("ok\n\033"));
}

static void
test_shell_word(void **state)
{
	static const struct { const char *in, *want; } cases[] = {
		{ "/home/ann/twin", "/home/ann/twin" },
		{ "a-b_c.d:e=f@g%h+i,j", "a-b_c.d:e=f@g%h+i,j" },
		{ "", "''" },
		{ "/tmp/my twin", "'/tmp/my twin'" },
		{ "it's", "'it'\\''s'" },
		{ "$HOME", "'$HOME'" },
		{ "a*b", "'a*b'" },
		{ "~/x", "'~/x'" },
		{ "tab\there", "'tab\there'" },
	};
	char buf[64], small[6];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_string_equal(text_shell_word(cases[i].in, buf,
						    sizeof(buf)), cases[i].want);
	/* What does not fit is cut whole, never half quoted. */
	assert_string_equal(text_shell_word("abcdef", small, sizeof(small)), "");
	assert_string_equal(text_shell_word("a b c", small, sizeof(small)), "");
	assert_string_equal(text_shell_word("a b", small, sizeof(small)), "'a b'");
}

static void
test_utf8(void **state)
{
	static const struct { unsigned long cp; const char *want; } put[] = {
		{ 0x41, "A" }, { 0xe9, "\xc3\xa9" }, { 0x2502, "\xe2\x94\x82" },
		{ 0x1f600, "\xf0\x9f\x98\x80" }, { 0xd800, "?" },
		{ 0x110000, "?" },
	};
	char out[8];

	(void)state;
	for (size_t i = 0; i < sizeof(put) / sizeof(put[0]); i++) {
		size_t n = text_utf8_put(out, put[i].cp);

		out[n] = '\0';
		assert_string_equal(out, put[i].want);
		assert_int_equal(text_utf8_lead((unsigned char)out[0]), n);
		assert_true(text_utf8_whole((const unsigned char *)out, n));
	}
	assert_int_equal(text_utf8_lead(0x80), 0);
	assert_int_equal(text_utf8_lead(0xc0), 0);
	assert_int_equal(text_utf8_lead(0xf5), 0);
	assert_false(text_utf8_whole((const unsigned char *)"\xe0\x80\xaf", 3));
	assert_false(text_utf8_whole((const unsigned char *)"\xed\xa0\x80", 3));
	assert_false(text_utf8_whole((const unsigned char *)"\xf4\x90\x80\x80", 4));
	assert_false(text_utf8_whole((const unsigned char *)"\xc3" "A", 2));
	assert_false(text_utf8_whole((const unsigned char *)"\xc3\xa9", 3));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_distance),
		cmocka_unit_test(test_suggest),
		cmocka_unit_test(test_wrap),
		cmocka_unit_test(test_shell_word),
		cmocka_unit_test(test_ends_line),
		cmocka_unit_test(test_utf8),
	};

	return cmocka_run_group_tests_name("text", tests, NULL, NULL);
}
