/* classconf: the instructor's file, /etc/boxstep/class.conf, with the
 * limits every learner's session gets as a whole.
 *
 * One setting a line, "KEY = VALUE"; '#' starts a comment, blank lines
 * are skipped.  A missing file means the defaults; a file that cannot be
 * read, or a line that is wrong, stops boxstep with FILE:LINE and what
 * was expected, since a room whose limits were silently dropped is worse
 * than a session that does not start.  $BOXSTEP_CLASS_CONF names another
 * file (the tests use it).
 */
#ifndef BOXSTEP_CLASSCONF_H
#define BOXSTEP_CLASSCONF_H

#include <stddef.h>

#include "layers/plan.h"

#define CLASSCONF_PATH "/etc/boxstep/class.conf"
/* What a session's writable layer may hold without the file. */
#define CLASSCONF_DEFAULT_DISK_MAX PLAN_DEFAULT_LAYER_MAX
#define CLASSCONF_DISK_MIN (1LL << 20)

struct classconf {
	long long disk_max;   /* bytes: session.disk.max */
	long pids_max;        /* session.pids.max; -1: none */
	long long memory_max; /* session.memory.max, bytes; -1: none */
	long cpu_max;         /* session.cpu.max, percent of a CPU; -1 */
	char instructors[64]; /* the group that may watch the room; "" */
};

/* The defaults. */
void classconf_init(struct classconf *c);

/* Reads TEXT (the contents of FILE, for messages) over C.  Returns 0, or
 * -1 with "FILE:LINE: what is wrong" in ERR. */
int classconf_parse(struct classconf *c, const char *text, const char *file,
		    char *err, size_t errlen);

/* The defaults, then the file $BOXSTEP_CLASS_CONF or CLASSCONF_PATH if
 * it exists.  Returns 0, or -1 with the reason in ERR. */
int classconf_load(struct classconf *c, char *err, size_t errlen);

/* The class file read: $BOXSTEP_CLASS_CONF, else CLASSCONF_PATH. */
const char *classconf_path(void);

/* The keys, one "KEY  what it sets" line each, for messages. */
const char *classconf_keys(void);

#endif
