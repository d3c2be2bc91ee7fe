/* lesson_check: one check of an ```expect block, parsed (pure).
 *
 * A check is a line of words split as the REPL splits them: an optional
 * "always:", the words that name the check (a table of forms), and what
 * follows them: nothing, a text, a regex (bounded in what it may cost to
 * compile), a number, a path, or a layer or namespace and its on/off
 * word.  lesson_check_grammar() lists the forms.
 */
#ifndef BOXSTEP_LESSON_CHECK_H
#define BOXSTEP_LESSON_CHECK_H

#include <stdbool.h>
#include <stddef.h>

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
	LESSON_CONTAINER_CAPS,   /* container capabilities N (CapEff) */
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

/* Parses the check TEXT, on line LINE of its file, into C.  Returns 0,
 * or -1 with what is wrong in WHY (nothing when out of memory); C then
 * holds nothing to free. */
int lesson_check_parse(const char *text, int line, struct lesson_check *c,
		       char *why, size_t whylen);

/* The check grammar, one line per form, for docs and messages. */
const char *lesson_check_grammar(void);

#endif
