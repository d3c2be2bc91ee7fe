/* Unit tests for classconf: the instructor's file of session limits. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "session/classconf.h"

static void
defaults_without_a_file(void **state)
{
	struct classconf c;
	char err[512] = "";

	(void)state;
	setenv("BOXSTEP_CLASS_CONF", "/nonexistent/class.conf", 1);
	assert_int_equal(classconf_load(&c, err, sizeof(err)), 0);
	assert_int_equal(c.disk_max, 256LL << 20);
	assert_string_equal(err, "");
}

static void
reads_sizes_comments_and_blanks(void **state)
{
	struct classconf c;
	char err[512] = "";

	(void)state;
	classconf_init(&c);
	assert_int_equal(classconf_parse(&c, "# the room\n\n"
					 "  session.disk.max = 64M   # each\r\n",
					 "class.conf", err, sizeof(err)), 0);
	assert_int_equal(c.disk_max, 64LL << 20);
	assert_int_equal(classconf_parse(&c, "session.disk.max=1G",
					 "class.conf", err, sizeof(err)), 0);
	assert_int_equal(c.disk_max, 1LL << 30);
}

/* Each wrong line is named by file and line, and says what was wanted. */
static void
refuses_with_file_and_line(void **state)
{
	static const struct {
		const char *text, *want;
	} cases[] = {
		{ "session.disk.max = lots", "class.conf:1: session.disk.max "
		  "takes a size such as 64M or 1G, not 'lots'" },
		{ "\nsession.disk.max = 512K", "class.conf:2: session.disk.max "
		  "must be between 1M and 1P; '512K' is out of range" },
		{ "session.disk.max = 2P", "out of range" },
		{ "session.disk.max 64M", "class.conf:1: expected KEY = VALUE, "
		  "not 'session.disk.max 64M'" },
		{ "session.dsk.max = 64M", "class.conf:1: unknown key "
		  "'session.dsk.max' (did you mean session.disk.max?)" },
		{ "volume = 11", "class.conf:1: unknown key 'volume'; the keys "
		  "are:\n  session.disk.max" },
		{ "session.disk.max =", "takes a size such as 64M or 1G, not ''" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct classconf c;
		char err[1024] = "";

		classconf_init(&c);
		assert_int_equal(classconf_parse(&c, cases[i].text, "class.conf",
						 err, sizeof(err)), -1);
		if (!strstr(err, cases[i].want))
			fail_msg("for '%s' got '%s'", cases[i].text, err);
		assert_int_equal(c.disk_max, 256LL << 20);
	}
}

static void
an_unreadable_file_is_an_error(void **state)
{
	struct classconf c;
	char err[512] = "";

	(void)state;
	setenv("BOXSTEP_CLASS_CONF", "/", 1); /* a directory */
	assert_int_equal(classconf_load(&c, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "cannot read the class file /"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(defaults_without_a_file),
		cmocka_unit_test(reads_sizes_comments_and_blanks),
		cmocka_unit_test(refuses_with_file_and_line),
		cmocka_unit_test(an_unreadable_file_is_an_error),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
