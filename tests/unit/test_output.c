/* Unit tests for output: what the terminal shows, whole words and whole
 * lines, and the near misses a check must refuse. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/output.h"

static void
normalised(const char *in, const char *want)
{
	char *s = strdup(in);

	assert_non_null(s);
	assert_int_equal(output_normalise(s), strlen(want));
	assert_string_equal(s, want);
	free(s);
}

static void
test_terminal_line_ends(void **state)
{
	(void)state;
	normalised("NSpid:\t18477\t1\r\n", "NSpid:\t18477\t1\n");
	normalised("a\r\nb\r\n\r\n", "a\nb\n\n");
	normalised("no newline", "no newline");
	normalised("", "");
}

static void
test_overwrites(void **state)
{
	(void)state;
	/* a progress line rewritten, a backspace, a lone \r at the end */
	normalised("10%\r20%\r100%\n", "100%\n");
	normalised("abc\rX\n", "Xbc\n");
	normalised("ab\bc\n", "ac\n");
	normalised("done\r", "done");
}

static void
test_escapes_dropped(void **state)
{
	(void)state;
	normalised("\033[1;31mred\033[0m\n", "red\n");
	normalised("\033]0;title\007text\n", "text\n");
	normalised("\033]5379;x\033\\y\n", "y\n");
	normalised("\033(Bplain\033=\n", "plain\n");
	normalised("bell\007 and \001 nul-ish\n", "bell and  nul-ish\n");
	/* cut short at the end: nothing of it is kept */
	normalised("ok\033[1", "ok");
	normalised("ok\033", "ok");
	/* a newline is never part of a sequence */
	normalised("a\033[\nb\n", "a\nb\n");
	normalised("a\033\nb", "a\nb");
}

static void
test_whole_words(void **state)
{
	(void)state;
	assert_true(output_test(OUTPUT_WORDS, "my pid is 1\n", "my pid is 1"));
	assert_false(output_test(OUTPUT_WORDS, "my pid is 10655\n",
				 "my pid is 1"));
	assert_false(output_test(OUTPUT_WORDS, "kittens\n", "kitten"));
	assert_true(output_test(OUTPUT_WORDS, "sh: can't fork: Resource\n",
				"can't fork"));
	/* edges that are not word characters bind nothing */
	assert_true(output_test(OUTPUT_WORDS, "/sys/fs/cgroup/pids/boxstep/1-1",
				"/boxstep/"));
	/* blanks fold, and a match stays inside one line */
	assert_true(output_test(OUTPUT_WORDS, "PID   USER\n", "PID USER"));
	assert_false(output_test(OUTPUT_WORDS, "my pid\nis 1\n", "pid is"));
	assert_false(output_test(OUTPUT_WORDS, NULL, "x"));
}

static void
test_whole_lines(void **state)
{
	(void)state;
	assert_true(output_test(OUTPUT_LINE, "PID   USER     COMMAND\n",
				"PID USER COMMAND"));
	assert_true(output_test(OUTPUT_LINE, "a\n  kitten  \nb", "kitten"));
	assert_false(output_test(OUTPUT_LINE, "kitten is here\n", "kitten"));
	assert_false(output_test(OUTPUT_LINE, "0\n", "1"));
	assert_true(output_test(OUTPUT_LINE, "3\n0\n", "0"));
	assert_false(output_test(OUTPUT_LINE, "x\n", "   "));
}

static void
test_regex_by_line(void **state)
{
	(void)state;
	assert_true(output_test(OUTPUT_REGEX, "NSpid:\t18477\t1\nrest\n",
				"NSpid:[[:space:]]+[0-9]+[[:space:]]+1$"));
	assert_false(output_test(OUTPUT_REGEX, "NSpid:\t18477\t10\n",
				 "NSpid:[[:space:]]+[0-9]+[[:space:]]+1$"));
	assert_false(output_test(OUTPUT_REGEX, "x", "("));
}

static void
test_count_lines(void **state)
{
	(void)state;
	assert_int_equal(output_count_lines("PID USER COMMAND\n"), 1);
	assert_int_equal(output_count_lines("a\n\n  \nb"), 2);
	assert_int_equal(output_count_lines(""), 0);
}

/* Every near miss of OUT for the check, in order, joined by '|'. */
static void
near_misses(enum output_match m, const char *out, const char *pat,
	    const char *want)
{
	char all[1024] = "", one[256];

	for (size_t n = 0; output_near_miss(m, out, pat, n, one, sizeof(one));
	     n++) {
		if (n)
			strcat(all, "|");
		strcat(all, one);
	}
	assert_string_equal(all, want);
}

static void
test_near_misses(void **state)
{
	(void)state;
	near_misses(OUTPUT_WORDS, "x\nmy pid is 1\n", "pid is 1",
		    "my pidx is 1|my pie is 1|my pid isx 1|my pid it 1|"
		    "my pid is 10|my pid is 2");
	/* only the words the regex names: not the host pid */
	near_misses(OUTPUT_REGEX, "NSpid:\t18477\t1\n",
		    "NSpid:[[:space:]]+[0-9]+[[:space:]]+1$",
		    "NSpidx:\t18477\t1|NSpie:\t18477\t1|NSpid:\t18477\t10|"
		    "NSpid:\t18477\t2");
	near_misses(OUTPUT_REGEX, "  123 sh\n", "^ +[0-9]{3,} ", "");
	near_misses(OUTPUT_LINE, "99\n", "99", "990|100");
	near_misses(OUTPUT_WORDS, "nothing\n", "kitten", "");
}

static void
test_near_misses_refused_by_good_checks(void **state)
{
	char one[256];

	(void)state;
	/* whole words refuse every near miss of "my pid is 1" ... */
	for (size_t n = 0; output_near_miss(OUTPUT_WORDS, "my pid is 1",
					    "my pid is 1", n, one,
					    sizeof(one)); n++)
		assert_false(output_test(OUTPUT_WORDS, one, "my pid is 1"));
	/* ... and a regex without its anchor lets one through */
	assert_true(output_near_miss(OUTPUT_REGEX, "NSpid: 5 1", "NSpid: 5 1",
				     4, one, sizeof(one)));
	assert_string_equal(one, "NSpid: 5 10");
	assert_true(output_test(OUTPUT_REGEX, one, "NSpid: [0-9]+ 1"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_terminal_line_ends),
		cmocka_unit_test(test_overwrites),
		cmocka_unit_test(test_escapes_dropped),
		cmocka_unit_test(test_whole_words),
		cmocka_unit_test(test_whole_lines),
		cmocka_unit_test(test_regex_by_line),
		cmocka_unit_test(test_count_lines),
		cmocka_unit_test(test_near_misses),
		cmocka_unit_test(test_near_misses_refused_by_good_checks),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
