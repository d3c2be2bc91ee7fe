/* Unit tests for projector mode's script: Space types a word at a time,
 * Enter runs, steps follow, ← goes back. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ui/present.h"

static char *cmds1[] = { "enable uts", "set  hostname kitten" };
static int lines1[] = { 1, 2 };
static char *cmds2[] = { "run hostname" };
static int lines2[] = { 3 };
static struct lesson_step steps[] = {
	{ .title = "one", .commands = cmds1, .command_lines = lines1,
	  .ncommands = 2 },
	{ .title = "two", .commands = cmds2, .command_lines = lines2,
	  .ncommands = 1 },
};
static const struct lesson lesson = { .title = "t", .id = "99-t",
	.steps = steps, .nsteps = 2 };

static void
typed(struct present_action a, enum present_do what, const char *want)
{
	char got[128];

	assert_int_equal(a.what, what);
	snprintf(got, sizeof(got), "%.*s", (int)a.len, a.bytes ? a.bytes : "");
	assert_string_equal(got, want);
}

static void
types_word_by_word(void **state)
{
	struct present p;

	(void)state;
	present_init(&p, &lesson);
	assert_false(present_mid_command(&p));
	typed(present_space(&p), PRESENT_TYPE, "enable ");
	assert_true(present_mid_command(&p));
	typed(present_space(&p), PRESENT_TYPE, "uts");
	/* Typed out: Space waits for Enter. */
	typed(present_space(&p), PRESENT_NOTHING, "");
	typed(present_enter(&p), PRESENT_RUN, "");
	/* Blanks go with the word before them. */
	typed(present_space(&p), PRESENT_TYPE, "set  ");
	/* Enter types the rest and runs. */
	typed(present_enter(&p), PRESENT_RUN, "hostname kitten");
	/* Every command run: Space moves on. */
	typed(present_space(&p), PRESENT_STEP, "");
	assert_int_equal(p.step, 1);
	typed(present_space(&p), PRESENT_TYPE, "run ");
	typed(present_enter(&p), PRESENT_RUN, "hostname");
	/* The end. */
	typed(present_space(&p), PRESENT_NOTHING, "");
	typed(present_enter(&p), PRESENT_NOTHING, "");
	assert_int_equal(p.step, 1);
}

static void
goes_back(void **state)
{
	struct present p;

	(void)state;
	present_init(&p, &lesson);
	assert_false(present_back(&p));
	present_enter(&p);
	present_enter(&p);
	present_space(&p);
	present_space(&p);
	assert_true(present_mid_command(&p));
	assert_true(present_back(&p));
	assert_int_equal(p.step, 0);
	/* Back at the step's first command, nothing typed. */
	assert_false(present_mid_command(&p));
	typed(present_space(&p), PRESENT_TYPE, "enable ");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(types_word_by_word),
		cmocka_unit_test(goes_back),
	};

	return cmocka_run_group_tests_name("present", tests, NULL, NULL);
}
