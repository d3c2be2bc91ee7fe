/* lesson: the lesson file format (Markdown), parsed by pure code.
 *
 * A lesson is front matter (title, id), an introduction, and steps: each
 * `## ` heading starts one.  A step has prose, a ```boxstep block of REPL
 * commands (what the learner is expected to type; autoplay runs them), an
 * ```expect block of checks, and hints ("> hint: ...").  The full
 * reference is docs/lesson-format.md.
 */
#ifndef BOXSTEP_LESSON_H
#define BOXSTEP_LESSON_H

#include <stdbool.h>
#include <stddef.h>

#include "lessons/lesson_check.h"

#define LESSON_MAX_STEPS 64 /* progress keeps one bit per step */
#define LESSON_MAX_BYTES (1 << 20)

struct lesson_step {
	char *title;
	char *prose;
	char **commands;  /* one REPL command line each */
	int *command_lines;
	size_t ncommands;
	struct lesson_check *checks;
	size_t nchecks;
	char **hints;
	size_t nhints;
	bool any_isolation; /* LESSON_ANY_ISOLATION: its checks hold with
			     * or without isolation layers (a cgroup step) */
	int line;
	/* The step as an ordinary user's session plays it, where its blocks
	 * differ (```boxstep rootless, ```expect rootless, "> rootless
	 * hint:"): only those parts are set.  NULL when it does not. */
	struct lesson_step *rootless;
};

struct lesson {
	char *title;
	char *id;
	char *intro;
	struct lesson_step *steps;
	size_t nsteps;
};

/* Says whether WORD names a REPL command (prefixes allowed or not: the
 * caller decides). */
typedef bool (*lesson_command_fn)(const char *word);

/* Parses TEXT (the contents of FILE, named in messages) into OUT, checking
 * every command's first word with KNOWN.  Returns 0, or -1 with
 * "FILE:LINE: what was expected" in ERR and OUT empty. */
int lesson_parse(const char *text, const char *file, lesson_command_fn known,
		 struct lesson *out, char *err, size_t errlen);

/* The word after ```boxstep and ```expect, and before "hint:", that
 * marks the rootless variant of a step. */
#define LESSON_ROOTLESS "rootless"

/* Makes each step of L the one a session plays: when ROOTLESS, a step's
 * rootless blocks replace its plain ones.  Either way the variants are
 * freed. */
void lesson_choose(struct lesson *l, bool rootless);

void lesson_free(struct lesson *lesson);

#endif
