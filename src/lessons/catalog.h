/* catalog: the lessons on disk, in a directory (boxstep's lessons) or
 * named by path: finding one by name, reading one, and listing them with
 * the learner's progress.
 */
#ifndef BOXSTEP_CATALOG_H
#define BOXSTEP_CATALOG_H

#include <stddef.h>
#include <stdio.h>

#include "lessons/lesson.h"
#include "lessons/progress.h"

/* Finds lesson NAME: a path; else, in DIR, a file name (with or without
 * .md), an id ("02-uts"), its number ("02", "2") or its name ("uts").
 * Writes the path to PATH.  Returns 0, or -1 with a message in ERR. */
int catalog_resolve(const char *dir, const char *name, char *path,
		    size_t len, char *err, size_t errlen);

/* Reads and parses the lesson in PATH into L.  Returns 0, or -1 with a
 * message in ERR. */
int catalog_load(const char *path, struct lesson *l, char *err,
		 size_t errlen);

/* The lessons in DIR with the learner's progress, to OUT; HERE, the one
 * being taken (NULL: none), marked at STEP (0-based).  Returns 0, or 1
 * when there are none. */
int catalog_list(FILE *out, const char *dir, const struct lesson *here,
		 size_t step);

/* Loads the progress file into P, its path into FILE ("" when there is
 * no home to keep it in). */
void catalog_open_progress(struct progress *p, char *file, size_t len);

#endif
