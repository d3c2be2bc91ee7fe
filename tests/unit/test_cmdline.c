/* Unit tests for cmdline: commands, words, quotes, comments, rest-of-line. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/cmdline.h"

static struct cmdline_list list;
static char err[256];

static bool
is_host(const char *word)
{
	return strcmp(word, "host") == 0;
}

static void
parse_ok(const char *text)
{
	cmdline_free(&list);
	err[0] = '\0';
	assert_int_equal(cmdline_parse(text, is_host, &list, err, sizeof(err)),
			 0);
}

static int
teardown(void **state)
{
	(void)state;
	cmdline_free(&list);
	return 0;
}

static void
assert_words(size_t cmd, int argc, ...)
{
	va_list ap;

	assert_true(cmd < list.n);
	assert_int_equal(list.cmds[cmd].argc, argc);
	va_start(ap, argc);
	for (int i = 0; i < argc; i++)
		assert_string_equal(list.cmds[cmd].argv[i],
				    va_arg(ap, const char *));
	va_end(ap);
	assert_null(list.cmds[cmd].argv[argc]);
}

static void
splits_words_and_commands(void **state)
{
	(void)state;
	parse_ok("enable uts pid; run hostname\nshow");
	assert_int_equal(list.n, 3);
	assert_words(0, 3, "enable", "uts", "pid");
	assert_words(1, 2, "run", "hostname");
	assert_words(2, 1, "show");
	assert_int_equal(list.cmds[0].line, 1);
	assert_int_equal(list.cmds[2].line, 2);
}

static void
empty_input_and_empty_commands(void **state)
{
	(void)state;
	parse_ok("");
	assert_int_equal(list.n, 0);
	parse_ok("  ;; ;\n\n\t");
	assert_int_equal(list.n, 0);
}

static void
single_quotes_are_literal(void **state)
{
	(void)state;
	parse_ok("run sh -c 'echo $$; echo \"x\"'");
	assert_int_equal(list.n, 1);
	assert_words(0, 4, "run", "sh", "-c", "echo $$; echo \"x\"");
}

static void
double_quotes_and_escapes(void **state)
{
	(void)state;
	parse_ok("run echo \"a \\\"b\\\" \\$c \\n\" x\\ y \\;");
	assert_words(0, 5, "run", "echo", "a \"b\" $c \\n", "x y", ";");
}

static void
adjacent_quotes_make_one_word(void **state)
{
	(void)state;
	parse_ok("set hostname 'a'\"b\"c ''");
	assert_words(0, 4, "set", "hostname", "abc", "");
}

static void
comments(void **state)
{
	(void)state;
	parse_ok("# a script\nenable uts # the hostname\nrun a#b");
	assert_int_equal(list.n, 2);
	assert_words(0, 2, "enable", "uts");
	assert_words(1, 2, "run", "a#b");
	assert_int_equal(list.cmds[0].line, 2);
}

static void
line_continuation_and_line_numbers(void **state)
{
	(void)state;
	parse_ok("run echo a \\\n  b\n\nshow\nrun 'x\ny'\nlayers");
	assert_int_equal(list.n, 4);
	assert_words(0, 4, "run", "echo", "a", "b");
	assert_int_equal(list.cmds[1].line, 4);
	assert_words(2, 2, "run", "x\ny");
	assert_int_equal(list.cmds[2].line, 5);
	assert_int_equal(list.cmds[3].line, 7);
}

static void
host_takes_the_rest_of_the_line(void **state)
{
	(void)state;
	parse_ok("host  ps -ef | grep 'a b'; cat /proc/$BOXPID/status  \nshow");
	assert_int_equal(list.n, 2);
	assert_words(0, 1, "host");
	assert_string_equal(list.cmds[0].rest,
			    "ps -ef | grep 'a b'; cat /proc/$BOXPID/status");
	assert_words(1, 1, "show");
	assert_null(list.cmds[1].rest);
	assert_int_equal(list.cmds[1].line, 2);
}

static void
host_alone(void **state)
{
	(void)state;
	parse_ok("host; show");
	assert_int_equal(list.n, 2);
	assert_string_equal(list.cmds[0].rest, "");
	parse_ok("host");
	assert_int_equal(list.n, 1);
	assert_string_equal(list.cmds[0].rest, "");
	parse_ok("show; host hostname");
	assert_string_equal(list.cmds[1].rest, "hostname");
}

static void
no_rest_callback(void **state)
{
	(void)state;
	cmdline_free(&list);
	assert_int_equal(cmdline_parse("host a; b", NULL, &list, err,
				       sizeof(err)), 0);
	assert_int_equal(list.n, 2);
	assert_null(list.cmds[0].rest);
}

static void
unterminated_quotes_fail_with_line(void **state)
{
	(void)state;
	cmdline_free(&list);
	assert_int_equal(cmdline_parse("show\nrun echo 'oops", is_host, &list,
				       err, sizeof(err)), -1);
	assert_string_equal(err, "line 2: the single quote opened here is "
			    "never closed");
	assert_int_equal(list.n, 0);
	assert_int_equal(cmdline_parse("run \"x\n\n", is_host, &list, err,
				       sizeof(err)), -1);
	assert_non_null(strstr(err, "line 1: the double quote"));
}

static void
trailing_backslash_is_dropped(void **state)
{
	(void)state;
	parse_ok("run a\\");
	assert_words(0, 2, "run", "a");
}

static void
tilde_is_home_as_in_a_shell(void **state)
{
	(void)state;
	setenv("HOME", "/home/kit", 1);
	parse_ok("export ~/twin; run ls ~ ~;x");
	assert_words(0, 2, "export", "/home/kit/twin");
	assert_words(1, 4, "run", "ls", "/home/kit", "/home/kit");
	assert_words(2, 1, "x");
	/* Quoted, escaped, inside a word, or ~user: as it is. */
	parse_ok("run '~/a' \"~/b\" \\~/c a~/d ~kit/e ~x");
	assert_words(0, 7, "run", "~/a", "~/b", "~/c", "a~/d", "~kit/e",
		     "~x");
	/* host takes its line as it is: its shell expands it. */
	parse_ok("host ls ~/twin");
	assert_string_equal(list.cmds[0].rest, "ls ~/twin");
	/* Without a HOME, nothing to put there. */
	unsetenv("HOME");
	parse_ok("export ~/twin");
	assert_words(0, 2, "export", "~/twin");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(splits_words_and_commands, teardown),
		cmocka_unit_test_teardown(empty_input_and_empty_commands,
					  teardown),
		cmocka_unit_test_teardown(single_quotes_are_literal, teardown),
		cmocka_unit_test_teardown(double_quotes_and_escapes, teardown),
		cmocka_unit_test_teardown(adjacent_quotes_make_one_word,
					  teardown),
		cmocka_unit_test_teardown(comments, teardown),
		cmocka_unit_test_teardown(line_continuation_and_line_numbers,
					  teardown),
		cmocka_unit_test_teardown(host_takes_the_rest_of_the_line,
					  teardown),
		cmocka_unit_test_teardown(host_alone, teardown),
		cmocka_unit_test_teardown(no_rest_callback, teardown),
		cmocka_unit_test_teardown(unterminated_quotes_fail_with_line,
					  teardown),
		cmocka_unit_test_teardown(trailing_backslash_is_dropped,
					  teardown),
		cmocka_unit_test_teardown(tilde_is_home_as_in_a_shell,
					  teardown),
	};

	return cmocka_run_group_tests_name("cmdline", tests, NULL, NULL);
}
