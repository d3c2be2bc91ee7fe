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

/* The session's limits as `set` takes them, and the instructors. */
static void
reads_limits_and_instructors(void **state)
{
	struct classconf c;
	char err[512] = "";

	(void)state;
	classconf_init(&c);
	assert_int_equal(c.pids_max, -1);
	assert_int_equal(c.memory_max, -1);
	assert_int_equal(c.cpu_max, -1);
	assert_string_equal(c.instructors, "");
	assert_int_equal(classconf_parse(&c, "session.pids.max = 256\n"
					 "session.memory.max = 512M\n"
					 "session.cpu.max = 50\n"
					 "instructors = root\n", "class.conf",
					 err, sizeof(err)), 0);
	assert_int_equal(c.pids_max, 256);
	assert_int_equal(c.memory_max, 512LL << 20);
	assert_int_equal(c.cpu_max, 50);
	assert_string_equal(c.instructors, "root");
	assert_int_equal(classconf_parse(&c, "session.pids.max = max",
					 "class.conf", err, sizeof(err)), 0);
	assert_int_equal(c.pids_max, -1);
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
		{ "session.pids.max = many", "class.conf:1: session.pids.max "
		  "takes a whole number or 'max', not 'many'" },
		{ "session.pids.max = 0", "session.pids.max must be between 1" },
		{ "session.memory.max = 512K", "session.memory.max must be "
		  "between 1M and 1P" },
		{ "session.cpu.max = lots", "class.conf:1: session.cpu.max " },
		{ "session.pid.max = 9", "(did you mean session.pids.max?)" },
		{ "instructors = no-such-group-here", "class.conf:1: instructors "
		  "names the group 'no-such-group-here', which this host does "
		  "not have (make it with groupadd no-such-group-here)" },
		{ "instructors =", "instructors takes the name of a group" },
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
		cmocka_unit_test(reads_limits_and_instructors),
		cmocka_unit_test(refuses_with_file_and_line),
		cmocka_unit_test(an_unreadable_file_is_an_error),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
