/* Unit tests for the command table: the registry's order, lookup by name
 * and by prefix, the flags, argument counts and the messages of a bad
 * command line. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lessons/runner.h"
#include "session/command.h"
#include "ui/repl.h"

/* The registry as boxstep's main builds it. */
static int
setup(void **state)
{
	(void)state;
	runner_register();
	repl_register();
	return 0;
}

static const char *
name_of(const char *word)
{
	const struct session_cmd *c = session_command(word);

	return c ? c->name : NULL;
}

static void
in_order_of_registration(void **state)
{
	static const char *const want[] = {
		"help", "layers", "enable", "disable", "reset", "set", "show",
		"export", "run", "sh", "start", "stop", "host", "explain", "lesson",
		"hint", "next", "prev", "goto", "step", "quit", "exit", NULL,
	};
	size_t i;

	(void)state;
	for (i = 0; want[i]; i++)
		assert_string_equal(session_command_name_at(i), want[i]);
	assert_null(session_command_at(i));
	assert_null(session_command_name_at(i));
	/* A table registered again is not listed twice. */
	runner_register();
	repl_register();
	assert_null(session_command_at(i));
}

static void
names_and_prefixes(void **state)
{
	(void)state;
	assert_string_equal(name_of("enable"), "enable");
	assert_string_equal(name_of("en"), "enable");
	assert_string_equal(name_of("he"), "help");
	assert_string_equal(name_of("ho"), "host");
	assert_string_equal(name_of("hi"), "hint");
	assert_string_equal(name_of("sta"), "start");
	assert_string_equal(name_of("ste"), "step");
	assert_string_equal(name_of("q"), "quit");
	assert_string_equal(name_of("exi"), "exit");
	assert_string_equal(name_of("les"), "lesson");
	assert_string_equal(name_of("la"), "layers");
	/* A whole name wins over the longer names it begins. */
	assert_string_equal(name_of("sh"), "sh");
	/* Ambiguous prefixes, across the tables too. */
	assert_null(name_of("h"));   /* help, host, hint */
	assert_null(name_of("st"));  /* start, stop, step */
	assert_null(name_of("l"));   /* layers, lesson */
	assert_null(name_of("ex"));  /* explain, exit */
	assert_null(name_of("s"));
	/* No such command; case counts. */
	assert_null(name_of(""));
	assert_null(name_of("rnu"));
	assert_null(name_of("Enable"));
	assert_null(name_of("enables"));
}

/* The names whose command has FLAG, space-separated, into BUF. */
static const char *
with_flag(unsigned flag, char *buf, size_t len)
{
	const struct session_cmd *c;

	buf[0] = '\0';
	for (size_t i = 0; (c = session_command_at(i)); i++)
		if (c->flags & flag)
			snprintf(buf + strlen(buf), len - strlen(buf), "%s%s",
				 buf[0] ? " " : "", c->name);
	return buf;
}

static void
flags(void **state)
{
	char buf[256];

	(void)state;
	assert_string_equal(with_flag(SESSION_CMD_REST, buf, sizeof(buf)),
			    "host");
	assert_string_equal(with_flag(SESSION_CMD_REPLAY, buf, sizeof(buf)),
			    "enable disable reset set start stop");
	assert_string_equal(with_flag(SESSION_CMD_LESSON, buf, sizeof(buf)),
			    "lesson hint next prev goto step");
}

static void
counts_usage_and_completion(void **state)
{
	const struct session_cmd *c;

	(void)state;
	for (size_t i = 0; (c = session_command_at(i)); i++) {
		assert_non_null(c->usage);
		assert_non_null(c->summary);
		assert_non_null(c->exec);
		/* The usage starts with the name. */
		assert_int_equal(strncmp(c->usage, c->name, strlen(c->name)), 0);
		assert_true(c->max_args < 0 || c->max_args >= c->min_args);
	}
	c = session_command("goto");
	assert_int_equal(c->min_args, 1);
	assert_int_equal(c->max_args, 1);
	c = session_command("run");
	assert_int_equal(c->min_args, 1);
	assert_int_equal(c->max_args, -1);
	c = session_command("layers");
	assert_int_equal(c->max_args, 0);
	assert_int_equal(session_command("enable")->complete,
			 SESSION_COMPLETE_LAYER);
	assert_int_equal(session_command("explain")->complete,
			 SESSION_COMPLETE_LAYER);
	assert_int_equal(session_command("set")->complete,
			 SESSION_COMPLETE_KEY);
	assert_int_equal(session_command("help")->complete,
			 SESSION_COMPLETE_COMMAND);
	assert_int_equal(session_command("host")->complete,
			 SESSION_COMPLETE_FILE);
	assert_int_equal(session_command("run")->complete,
			 SESSION_COMPLETE_NONE);
}

static void
lines(void **state)
{
	(void)state;
	assert_string_equal(session_line_command("  enable uts; run x")->name,
			    "enable");
	assert_string_equal(session_line_command("\tho echo; a")->name, "host");
	assert_string_equal(session_line_command("stop;")->name, "stop");
	assert_null(session_line_command(""));
	assert_null(session_line_command("   "));
	assert_null(session_line_command("; enable uts"));
	assert_null(session_line_command(
		"enableenableenableenableenableenable uts"));
	assert_int_equal(session_line_flags("set hostname a"),
			 SESSION_CMD_REPLAY | SESSION_CMD_PLAN);
	assert_int_equal(session_line_flags("st sleep 1") & SESSION_CMD_PLAN,
			 0);
	assert_int_equal(session_line_flags("next"), SESSION_CMD_LESSON);
	assert_int_equal(session_line_flags("st sleep 1"), 0);
	assert_int_equal(session_line_flags("run hostname"), 0);
	assert_int_equal(session_line_flags("bogus"), 0);
}

/* Runs TEXT in a session that starts nothing, its stdout and stderr
 * into OUT.  Returns the status. */
static int
run_text(const char *text, char *out, size_t len)
{
	static struct session r;
	FILE *f = tmpfile();
	int saved_out = dup(STDOUT_FILENO), saved_err = dup(STDERR_FILENO);
	int rc;
	size_t n;

	memset(&r, 0, sizeof(r));
	r.event_fd = -1;
	fflush(stdout);
	dup2(fileno(f), STDOUT_FILENO);
	dup2(fileno(f), STDERR_FILENO);
	rc = session_run_text(&r, text, NULL, false);
	fflush(stdout);
	fflush(stderr);
	dup2(saved_out, STDOUT_FILENO);
	dup2(saved_err, STDERR_FILENO);
	close(saved_out);
	close(saved_err);
	rewind(f);
	n = fread(out, 1, len - 1, f);
	out[n] = '\0';
	fclose(f);
	return rc;
}

static void
bad_lines(void **state)
{
	char out[2048];

	(void)state;
	assert_int_equal(run_text("st", out, sizeof(out)), 2);
	assert_string_equal(out, "boxstep: ambiguous command: st, could be: "
			    "start, stop, step\n");
	assert_int_equal(run_text("rnu", out, sizeof(out)), 2);
	assert_string_equal(out, "boxstep: unknown command: rnu (did you mean "
			    "run?). Type `help` for the list; to run a program "
			    "in a container: run rnu; on the host: host rnu\n");
	assert_int_equal(run_text("layers x", out, sizeof(out)), 2);
	assert_string_equal(out, "boxstep: layers takes no arguments: usage: "
			    "layers\n");
	assert_int_equal(run_text("en", out, sizeof(out)), 2);
	assert_string_equal(out, "boxstep: enable is missing a layer name; "
			    "usage: enable LAYER...\n");
	assert_int_equal(run_text("goto 1 2", out, sizeof(out)), 2);
	assert_string_equal(out, "boxstep: goto takes fewer arguments: usage: "
			    "goto N\n");
	/* The first failure is the status; the rest still run... */
	assert_int_equal(run_text("he run; layers x; en", out, sizeof(out)), 2);
	assert_non_null(strstr(out, "usage: run COMMAND [ARG...]\n"));
	assert_non_null(strstr(out, "layers takes no arguments"));
	assert_non_null(strstr(out, "enable is missing a layer name"));
	assert_null(strstr(out, "not going on"));
	/* ...unless what failed changes the plan, or is no command. */
	assert_int_equal(run_text("en; layers x", out, sizeof(out)), 2);
	assert_non_null(strstr(out, "usage: enable LAYER...\n"
			       "boxstep: not going on: the commands after a "
			       "failed `enable` would run with another plan"));
	assert_null(strstr(out, "layers takes"));
	assert_int_equal(run_text("zzz; layers x", out, sizeof(out)), 2);
	assert_non_null(strstr(out, "the commands after `zzz`, which is no "
			       "command, would run"));
	assert_null(strstr(out, "layers takes"));
	/* quit ends the text. */
	assert_int_equal(run_text("quit; layers x", out, sizeof(out)), 0);
	assert_string_equal(out, "");
}

/* A table of one's own: counted words, and a command that takes the
 * rest of its line. */
static char got_rest[64];
static int got_argc;

static int
zz_exec(struct session *r, int argc, char **argv, const char *rest)
{
	(void)r, (void)argv;
	got_argc = argc;
	snprintf(got_rest, sizeof(got_rest), "%s", rest ? rest : "(none)");
	return 7;
}

static const struct session_cmd zz_table[] = {
	{ .name = "zzline", .usage = "zzline LINE", .summary = "rest",
	  .max_args = 0, .flags = SESSION_CMD_REST, .exec = zz_exec },
	{ .name = "zzword", .usage = "zzword A B", .summary = "two words",
	  .min_args = 2, .max_args = 2, .exec = zz_exec },
	{ .name = NULL },
};

static void
registered_table(void **state)
{
	char out[512];

	(void)state;
	session_register(zz_table);
	assert_string_equal(session_command_name_at(22), "zzline");
	assert_string_equal(name_of("zzl"), "zzline");
	assert_null(name_of("zz"));
	/* The rest of the line, ';' included, and no count of its words. */
	assert_int_equal(run_text("zzline a b; c", out, sizeof(out)), 7);
	assert_string_equal(got_rest, "a b; c");
	assert_int_equal(run_text("zzword a b; zzword c", out, sizeof(out)), 7);
	assert_int_equal(got_argc, 3);
	assert_string_equal(out, "boxstep: zzword is missing its B; "
			    "usage: zzword A B\n");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(in_order_of_registration),
		cmocka_unit_test(names_and_prefixes),
		cmocka_unit_test(flags),
		cmocka_unit_test(counts_usage_and_completion),
		cmocka_unit_test(lines),
		cmocka_unit_test(bad_lines),
		cmocka_unit_test(registered_table),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
