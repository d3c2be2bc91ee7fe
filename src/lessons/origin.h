/* origin: where lessons come from: the lessons directory, and the
 * question asked before a lesson from elsewhere runs its commands.
 */
#ifndef BOXSTEP_ORIGIN_H
#define BOXSTEP_ORIGIN_H

#include <stdbool.h>
#include <stddef.h>

#include "lessons/lesson.h"

/* Says whether the file PATH lies inside the directory DIR. */
bool origin_in_dir(const char *path, const char *dir);

/* Lesson files run commands as root.  For one from outside DIR (boxstep's
 * lessons), unless TRUST: says where it comes from (owner, date) and
 * which of its commands run on the host, then asks on a terminal; off a
 * terminal it refuses, naming --trust.  Returns true to go on. */
bool origin_trust(const char *path, const struct lesson *l, const char *dir,
		  bool trust);

/* The lessons directory: $BOXSTEP_LESSONS; else beside the binary (a
 * build tree), else the installed share directory (DATADIR/lessons).  Leaves BUF empty when
 * there is none. */
void origin_lessons_dir(char *buf, size_t len, const char *datadir);

#endif
