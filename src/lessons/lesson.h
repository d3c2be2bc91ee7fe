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

#define LESSON_MAX_STEPS 64 /* progress keeps one bit per step */
#define LESSON_MAX_BYTES (1 << 20)
/* A line of an ```expect block that is not a check: the step is about
 * limits, or the host, and holds whatever isolation layers are on. */
#define LESSON_ANY_ISOLATION "any isolation"

enum lesson_check_kind {
	LESSON_OUTPUT_CONTAINS,  /* output contains TEXT */
	LESSON_OUTPUT_MATCHES,   /* output matches REGEX */
	LESSON_STATUS,           /* status N */
	LESSON_LAYER,            /* layer NAME on|off */
	LESSON_NAMESPACE,        /* namespace TYPE new|shared */
	LESSON_HOSTNAME_UNCHANGED, /* hostname unchanged */
	LESSON_MOUNTS_UNCHANGED, /* mounts unchanged */
	LESSON_MOUNTS_GAINED,    /* mounts gained REGEX */
	LESSON_ROOTFS_HAS,       /* rootfs has PATH */
	LESSON_PIDS_CURRENT_MAX, /* pids.current <= N */
	LESSON_PIDS_CURRENT_MIN, /* pids.current >= N */
	LESSON_PIDS_REFUSED,     /* pids.events >= N */
	LESSON_CGROUP_GONE,      /* cgroup gone */
	LESSON_PROCESSES,        /* processes N */
	LESSON_OUTPUT_LINE,      /* output line TEXT */
	LESSON_OUTPUT_LINES,     /* output lines N */
	LESSON_CONTAINER_HOSTNAME, /* container hostname NAME */
	LESSON_CONTAINER_PID,    /* container pid N */
	LESSON_CONTAINER_ROOT,   /* container root rootfs|host */
	LESSON_CONTAINER_CWD,    /* container cwd outside|inside */
	LESSON_CONTAINER_MOUNT,  /* container mount REGEX */
};

struct lesson_check {
	enum lesson_check_kind kind;
	bool always;   /* "always:" holds before the step too */
	char *arg;     /* TEXT, REGEX, NAME, TYPE or PATH; may be NULL.  In
			* TEXT, REGEX and NAME, {KEY} stands for the value
			* of the setting KEY ({hostname}). */
	long n;        /* N, or 1 for on/new/rootfs/outside, 0 for the other */
	char *source;  /* the line as written, for messages */
	int line;
};

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

void lesson_free(struct lesson *lesson);

/* The check grammar, one line per form, for docs and messages. */
const char *lesson_check_grammar(void);

#endif
