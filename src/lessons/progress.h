/* progress: how far a learner got in each lesson, as plain text.
 *
 * One line per lesson, keyed by the lesson's id (not its path, so the
 * file travels between machines):
 *
 *     02-uts 3 1,2
 *
 * the id, the step the learner is on, the steps done ("-" for none).
 * Lines starting with '#' are comments.  Parsing and formatting are
 * pure; load and save do the file.
 */
#ifndef BOXSTEP_PROGRESS_H
#define BOXSTEP_PROGRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PROGRESS_MAX_STEPS 64

struct progress_entry {
	char id[64];
	int step;       /* 1-based */
	uint64_t done;  /* bit N-1 = step N done */
};

struct progress {
	struct progress_entry *e;
	size_t n;
};

/* Reads TEXT into P (which it empties first).  Lines that do not parse
 * are skipped: a hand-edited file never stops a lesson.  Returns the
 * number of skipped lines. */
int progress_parse(const char *text, struct progress *p);

/* The file's text, in a new buffer the caller frees. */
char *progress_format(const struct progress *p);

/* The entry for ID; with CREATE, a new one at step 1 when there is none.
 * NULL when there is none (or no memory). */
struct progress_entry *progress_get(struct progress *p, const char *id,
				    bool create);

/* Drops the entry for ID. */
void progress_forget(struct progress *p, const char *id);

/* Number of steps done among the first NSTEPS. */
int progress_count_done(const struct progress_entry *e, size_t nsteps);

/* $XDG_STATE_HOME/boxstep/progress (default ~/.local/state/boxstep/),
 * creating the directories.  Returns 0, or -1 when there is no home. */
int progress_path(char *buf, size_t len);

/* Load (a missing file is empty progress) and save (atomically, by
 * rename).  Return 0 or -1 with errno set. */
int progress_load(struct progress *p, const char *path);
int progress_save(const struct progress *p, const char *path);

void progress_free(struct progress *p);

#endif
