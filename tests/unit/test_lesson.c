/* Unit tests for the lesson parser: a good lesson, and every error with
 * its file:line. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lessons/lesson.h"

static struct lesson l;
static char err[2048];

static bool
known(const char *w)
{
	static const char *const cmds[] = {
		"run", "enable", "disable", "set", "host", "start", "stop",
		"show", "sh", "reset", NULL,
	};

	for (int i = 0; cmds[i]; i++)
		if (strcmp(cmds[i], w) == 0)
			return true;
	return false;
}

static int
teardown(void **state)
{
	(void)state;
	lesson_free(&l);
	return 0;
}

#define FRONT "---\ntitle: A lesson\nid: 99-test\n---\n"

static const char good[] = FRONT
	"An introduction.\n"
	"\n"
	"## Step one\n"
	"Some prose.\n"
	"```boxstep\n"
	"enable uts\n"
	"# a comment\n"
	"set hostname kitten\n"
	"run hostname\n"
	"host cat /proc/$BOXPID/status; echo 'a;b'\n"
	"```\n"
	"```expect\n"
	"output contains kitten\n"
	"output matches \"^kit+en$\"\n"
	"status 0\n"
	"layer uts on\n"
	"namespace uts new\n"
	"always: hostname unchanged\n"
	"mounts gained \" /proc \"\n"
	"rootfs has /bin/sh\n"
	"pids.current <= 20\n"
	"pids.current >= 3\n"
	"pids.events >= 1\n"
	"cgroup gone\n"
	"processes 1\n"
	"mounts unchanged\n"
	"```\n"
	"> hint: try `set hostname`\n"
	"> hint: the answer is run hostname\n"
	"\n"
	"## Step two\n"
	"```sh\n"
	"not a command block\n"
	"```\n"
	"```boxstep\n"
	"disable uts\n"
	"```\n"
	"```expect\n"
	"layer uts off\n"
	"```\n";

static void
parses_a_good_lesson(void **state)
{
	struct lesson_step *s;

	(void)state;
	assert_int_equal(lesson_parse(good, "t.md", known, &l, err,
				      sizeof(err)), 0);
	assert_string_equal(l.title, "A lesson");
	assert_string_equal(l.id, "99-test");
	assert_non_null(strstr(l.intro, "An introduction."));
	assert_int_equal(l.nsteps, 2);
	s = &l.steps[0];
	assert_string_equal(s->title, "Step one");
	assert_int_equal(s->line, 7);
	assert_non_null(strstr(s->prose, "Some prose."));
	assert_int_equal(s->ncommands, 4);
	assert_string_equal(s->commands[1], "set hostname kitten");
	assert_int_equal(s->command_lines[1], 12);
	assert_string_equal(s->commands[3],
			    "host cat /proc/$BOXPID/status; echo 'a;b'");
	assert_int_equal(s->nchecks, 14);
	assert_int_equal(s->checks[0].kind, LESSON_OUTPUT_CONTAINS);
	assert_string_equal(s->checks[0].arg, "kitten");
	assert_int_equal(s->checks[1].kind, LESSON_OUTPUT_MATCHES);
	assert_string_equal(s->checks[1].arg, "^kit+en$");
	assert_int_equal(s->checks[2].kind, LESSON_STATUS);
	assert_int_equal(s->checks[2].n, 0);
	assert_int_equal(s->checks[3].kind, LESSON_LAYER);
	assert_string_equal(s->checks[3].arg, "uts");
	assert_int_equal(s->checks[3].n, 1);
	assert_int_equal(s->checks[4].kind, LESSON_NAMESPACE);
	assert_int_equal(s->checks[4].n, 1);
	assert_int_equal(s->checks[5].kind, LESSON_HOSTNAME_UNCHANGED);
	assert_true(s->checks[5].always);
	assert_false(s->checks[4].always);
	assert_string_equal(s->checks[6].arg, " /proc ");
	assert_int_equal(s->checks[8].kind, LESSON_PIDS_CURRENT_MAX);
	assert_int_equal(s->checks[8].n, 20);
	assert_int_equal(s->checks[9].kind, LESSON_PIDS_CURRENT_MIN);
	assert_int_equal(s->checks[10].kind, LESSON_PIDS_REFUSED);
	assert_int_equal(s->checks[11].kind, LESSON_CGROUP_GONE);
	assert_int_equal(s->checks[12].kind, LESSON_PROCESSES);
	assert_int_equal(s->checks[13].kind, LESSON_MOUNTS_UNCHANGED);
	assert_int_equal(s->checks[13].line, 30);
	assert_int_equal(s->nhints, 2);
	assert_string_equal(s->hints[1], "the answer is run hostname");
	assert_non_null(strstr(l.steps[1].prose, "not a command block"));
	assert_int_equal(l.steps[1].checks[0].n, 0);
}

/* Each bad file, and the start of the message it must give. */
static const struct {
	const char *text, *want;
} bad[] = {
	{ "", "t.md:1: a lesson starts with front matter" },
	{ "# Title\n", "t.md:1: a lesson starts with front matter" },
	{ "---\ntitle: x\n", "t.md:2: the front matter is never closed" },
	{ "---\ntitle: x\n---\n", "t.md:3: the front matter needs both" },
	{ "---\ntitle: x\nauthor: me\n---\n",
	  "t.md:3: expected 'title: ...', 'id: ...' or '---'" },
	{ "---\ntitle:\nid: x\n---\n", "t.md:2: an empty value" },
	{ FRONT "```boxstep\nrun true\n```\n",
	  "t.md:5: a ```boxstep block must be inside a step" },
	{ FRONT "> hint: early\n", "t.md:5: a hint must be inside a step" },
	{ FRONT "just prose\n", "t.md:5: no steps" },
	{ FRONT "## S\n```boxstep\nfrobnicate now\n```\n",
	  "t.md:7: unknown command 'frobnicate' in a boxstep block" },
	{ FRONT "## S\n```boxstep\nrun 'oops\n```\n",
	  "t.md:7: the single quote opened here is never closed" },
	{ FRONT "## S\n```boxstep\nrun true\n",
	  "t.md:6: the ``` block opened here is never closed" },
	{ FRONT "## S\n```boxstep\nrun true\n```\n",
	  "t.md:5: step 'S' has no ```expect block" },
	{ FRONT "## S\n```expect\nstatus 0\n```\n",
	  "t.md:5: step 'S' has no ```boxstep block" },
	{ FRONT "## S\n```boxstep\nrun true\n```\n```expect\nsmells nice\n```\n",
	  "t.md:10: unknown check 'smells nice'; a check is one of:" },
	{ FRONT "## S\n```boxstep\nrun true\n```\n```expect\nstatus\n```\n",
	  "t.md:10: 'status' takes one word" },
	{ FRONT "## S\n```boxstep\nrun true\n```\n```expect\nstatus zero\n```\n",
	  "t.md:10: 'status zero' needs a whole number, not 'zero'" },
	{ FRONT "## S\n```boxstep\nrun true\n```\n```expect\n"
	  "output matches \"(\"\n```\n",
	  "t.md:10: bad regular expression '('" },
	{ FRONT "## S\n```boxstep\nrun true\n```\n```expect\n"
	  "output matches \"((a{200}){200}){200}\"\n```\n",
	  "t.md:10: regular expression too costly: '((a{200}){200}){200}': "
	  "it grows past 2000 parts" },
	{ FRONT "## S\n```boxstep\nrun true\n```\n```expect\n"
	  "mounts gained \"[[:digit:]x]{5000}\"\n```\n",
	  "t.md:10: regular expression too costly" },
	{ FRONT "## S\n```boxstep\nrun true\n```\n```expect\n"
	  "output matches \"7??????????++++++\"\n```\n",
	  "t.md:10: regular expression too costly: '7??????????++++++': its "
	  "repeats nest more than 3 deep" },
	{ FRONT "## S\n```boxstep\nrun true\n```\n```expect\n"
	  "output matches \"((((7?)?)?)+)\"\n```\n",
	  "t.md:10: regular expression too costly: '((((7?)?)?)+)': its "
	  "repeats nest" },
	{ FRONT "## S\n```boxstep\nrun true\n```\n```expect\n"
	  "output matches \"(((((((((((((((((((((((((((((((((a)))))))))))))"
	  "))))))))))))))))))))\"\n```\n",
	  "t.md:10: regular expression too costly: '"
	  "(((((((((((((((((((((((((((((((((a))))))...': its groups nest too "
	  "deep" },
	{ FRONT "## S\n```boxstep\nrun true\n```\n```expect\nlayer wifi on\n```\n",
	  "t.md:10: no layer called 'wifi'" },
	{ FRONT "## S\n```boxstep\nrun true\n```\n```expect\nlayer uts yes\n```\n",
	  "t.md:10: 'layer uts yes' ends with 'on' or 'off', not 'yes'" },
	{ FRONT "## S\n```boxstep\nrun true\n```\n```expect\n"
	  "namespace disk new\n```\n", "t.md:10: no namespace type 'disk'" },
	{ FRONT "## S\n```boxstep\nrun true\n```\n```expect\n"
	  "hostname unchanged now\n```\n",
	  "t.md:10: 'hostname unchanged now' takes nothing" },
	{ FRONT "## S\n```boxstep\nrun true\n```\n```expect\n"
	  "status 0; status 1\n```\n", "t.md:10: one check a line" },
	{ FRONT "## S\n\x01\x02\x03binary\n",
	  "t.md:6: a control character (0x01): is this a text file?" },
	{ FRONT "## S\n```boxstep\nrun true\n```\n```expect\nstatus 0\n```\n"
	  "## T\n", "t.md:12: step 'T' has no ```boxstep block" },
	{ FRONT "## S\n```boxstep root\nrun true\n```\n",
	  "t.md:6: ```boxstep takes one word after it, rootless, not 'root'" },
	{ FRONT "## S\n```boxstep\nrun true\n```\n```expect\nstatus 0\n```\n"
	  "```boxstep rootless\nrun id\n```\n",
	  "t.md:5: step 'S' has a ```boxstep rootless block but no ```expect "
	  "rootless" },
	{ FRONT "## S\n```boxstep rootless\nwat\n```\n",
	  "t.md:7: unknown command 'wat'" },
};

static void
rejects_bad_lessons(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		if (lesson_parse(bad[i].text, "t.md", known, &l, err,
				 sizeof(err)) != -1 ||
		    strncmp(err, bad[i].want, strlen(bad[i].want)) != 0)
			fail_msg("case %zu: wanted \"%s\", got \"%s\"", i,
				 bad[i].want, err);
		assert_int_equal(l.nsteps, 0);
		assert_null(l.title);
	}
}

/* The checks that read the container, whole lines and {KEY}; and a step
 * about limits that holds with any isolation. */
static void
parses_container_checks(void **state)
{
	static const char text[] = FRONT "## A\n```boxstep\nrun true\n```\n"
		"```expect\n"
		"output line \"PID USER COMMAND\"\n"
		"output lines 1\n"
		"output matches \"^{hostname}$\"\n"
		"container hostname {hostname}\n"
		"container pid 1\n"
		"container root rootfs\n"
		"container cwd outside\n"
		"container mount \"^/proc proc \"\n"
		"any isolation\n"
		"```\n";
	const struct lesson_check *c;

	(void)state;
	assert_int_equal(lesson_parse(text, "t.md", known, &l, err,
				      sizeof(err)), 0);
	assert_int_equal(l.steps[0].nchecks, 8);
	assert_true(l.steps[0].any_isolation);
	c = l.steps[0].checks;
	assert_int_equal(c[0].kind, LESSON_OUTPUT_LINE);
	assert_int_equal(c[1].kind, LESSON_OUTPUT_LINES);
	assert_int_equal(c[1].n, 1);
	assert_string_equal(c[2].arg, "^{hostname}$");
	assert_int_equal(c[3].kind, LESSON_CONTAINER_HOSTNAME);
	assert_int_equal(c[4].n, 1);
	assert_int_equal(c[5].kind, LESSON_CONTAINER_ROOT);
	assert_int_equal(c[5].n, 1);
	assert_int_equal(c[6].n, 1);
	assert_int_equal(c[7].kind, LESSON_CONTAINER_MOUNT);
	lesson_free(&l);
	assert_int_equal(lesson_parse(FRONT "## A\n```boxstep\nrun true\n```\n"
				      "```expect\ncontainer root chroot\n```\n",
				      "t.md", known, &l, err, sizeof(err)), -1);
	assert_string_equal(err, "t.md:10: 'container root chroot' ends with "
			    "'rootfs' or 'host', not 'chroot'");
}

/* A step's rootless blocks and hints replace its plain ones when the
 * session is rootless, and only the parts it has; otherwise they go. */
static void
chooses_the_rootless_variant(void **state)
{
	static const char text[] = FRONT "## A\n"
		"```boxstep\nrun true\n```\n"
		"```expect\nstatus 0\n```\n"
		"```boxstep rootless\nrun id\nrun true\n```\n"
		"```expect rootless\nany isolation\nstatus 1\n```\n"
		"> hint: plain\n> rootless hint: mine\n"
		"## B\n```boxstep\nrun true\n```\n"
		"```expect\nstatus 0\n```\n"
		"```expect rootless\nstatus 2\n```\n"
		"> hint: kept\n";

	(void)state;
	assert_int_equal(lesson_parse(text, "t.md", known, &l, err,
				      sizeof(err)), 0);
	lesson_choose(&l, true);
	assert_int_equal(l.steps[0].ncommands, 2);
	assert_string_equal(l.steps[0].commands[0], "run id");
	assert_int_equal(l.steps[0].nchecks, 1);
	assert_int_equal(l.steps[0].checks[0].n, 1);
	assert_true(l.steps[0].any_isolation);
	assert_int_equal(l.steps[0].nhints, 1);
	assert_string_equal(l.steps[0].hints[0], "mine");
	/* Only the expect block differs in B. */
	assert_string_equal(l.steps[1].commands[0], "run true");
	assert_int_equal(l.steps[1].checks[0].n, 2);
	assert_string_equal(l.steps[1].hints[0], "kept");
	assert_null(l.steps[0].rootless);
	lesson_free(&l);
	assert_int_equal(lesson_parse(text, "t.md", known, &l, err,
				      sizeof(err)), 0);
	lesson_choose(&l, false);
	assert_int_equal(l.steps[0].ncommands, 1);
	assert_string_equal(l.steps[0].commands[0], "run true");
	assert_false(l.steps[0].any_isolation);
	assert_string_equal(l.steps[0].hints[0], "plain");
	assert_int_equal(l.steps[1].checks[0].n, 0);
	assert_null(l.steps[0].rootless);
	lesson_free(&l);
}

/* Prose without the blank lines the fenced blocks leave behind; a step
 * without prose has "" (never NULL). */
static void
tidies_prose(void **state)
{
	static const char text[] = FRONT "\n\nIntro one.\n\n\n\nIntro two.\n\n"
		"## A\n\nFirst.\n\n```boxstep\nrun true\n```\n\n"
		"Second.\n\n```expect\nstatus 0\n```\n\n"
		"## B\n```boxstep\nrun true\n```\n```expect\nstatus 0\n```\n";

	(void)state;
	assert_int_equal(lesson_parse(text, "t.md", known, &l, err,
				      sizeof(err)), 0);
	assert_string_equal(l.intro, "Intro one.\n\nIntro two.");
	assert_string_equal(l.steps[0].prose, "First.\n\nSecond.");
	assert_string_equal(l.steps[1].prose, "");
}

/* A file far longer than any lesson is refused at once. */
static void
refuses_huge_files(void **state)
{
	size_t n = LESSON_MAX_BYTES + 1;
	char *text = malloc(n + 1);

	(void)state;
	memset(text, 'x', n);
	text[n] = '\0';
	assert_int_equal(lesson_parse(text, "t.md", known, &l, err,
				      sizeof(err)), -1);
	assert_string_equal(err, "t.md:1: 1048577 bytes is too long for a "
			    "lesson (at most 1048576): is this a lesson file?");
	free(text);
}

/* Progress keeps a bit per step: a 65th step is refused, with its line. */
static void
limits_the_steps(void **state)
{
	char *text = malloc(65 * 64 + 64), *o = text;

	(void)state;
	o += sprintf(o, FRONT);
	for (int i = 1; i <= 65; i++)
		o += sprintf(o, "## S%d\n```boxstep\nrun true\n```\n"
			     "```expect\nstatus 0\n```\n", i);
	assert_int_equal(lesson_parse(text, "t.md", known, &l, err,
				      sizeof(err)), -1);
	assert_string_equal(err, "t.md:453: too many steps: a lesson has at "
			    "most 64; split it in two");
	/* 64 is fine. */
	*strstr(text, "## S65") = '\0';
	assert_int_equal(lesson_parse(text, "t.md", known, &l, err,
				      sizeof(err)), 0);
	assert_int_equal(l.nsteps, 64);
	free(text);
}

/* The bounds let through every regex a lesson needs, up to the edge:
 * (a{40}){40} is about 1700 parts, (a{48}){48} about 2400. */
static void
keeps_ordinary_regexes(void **state)
{
	static const char *const ok[] = {
		"^ +[0-9]{3,} ", "NSpid:[[:space:]]+[0-9]+[[:space:]]+1$",
		"^(lib|opt|srv|mnt|boot)$", "a{2}b{3}c+", "x\\{y", "[]{]",
		"[a-z]{1990}", "(a{40}){40}", "q{,9}", "((a?)+)*",
	};
	char text[512];

	(void)state;
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		snprintf(text, sizeof(text), FRONT "## S\n```boxstep\nrun "
			 "true\n```\n```expect\noutput matches '%s'\n```\n",
			 ok[i]);
		if (lesson_parse(text, "t.md", known, &l, err,
				 sizeof(err)) != 0)
			fail_msg("'%s' refused: %s", ok[i], err);
		lesson_free(&l);
	}
	snprintf(text, sizeof(text), FRONT "## S\n```boxstep\nrun true\n"
		 "```\n```expect\noutput matches '(a{48}){48}'\n```\n");
	assert_int_equal(lesson_parse(text, "t.md", known, &l, err,
				      sizeof(err)), -1);
}

static void
grammar_lists_every_check(void **state)
{
	(void)state;
	assert_non_null(strstr(lesson_check_grammar(), "pids.events >= N"));
	assert_non_null(strstr(lesson_check_grammar(), "always: CHECK"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(parses_a_good_lesson, teardown),
		cmocka_unit_test_teardown(rejects_bad_lessons, teardown),
		cmocka_unit_test_teardown(grammar_lists_every_check, teardown),
		cmocka_unit_test_teardown(keeps_ordinary_regexes, teardown),
		cmocka_unit_test_teardown(chooses_the_rootless_variant, teardown),
		cmocka_unit_test_teardown(tidies_prose, teardown),
		cmocka_unit_test_teardown(parses_container_checks, teardown),
		cmocka_unit_test_teardown(limits_the_steps, teardown),
		cmocka_unit_test_teardown(refuses_huge_files, teardown),
	};

	return cmocka_run_group_tests_name("lesson", tests, NULL, NULL);
}
