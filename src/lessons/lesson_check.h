/* lesson_check: one check of an ```expect block, parsed (pure).
 *
 * A check is a line of words split as the REPL splits them: an optional
 * "always:", the words that name the check (a table of forms), and what
 * follows them: nothing, a text, a regex (bounded in what it may cost to
 * compile), a number, a path, or a layer or namespace and its on/off
 * word.  lesson_check_grammar() (lesson.h) lists the forms.
 */
#ifndef BOXSTEP_LESSON_CHECK_H
#define BOXSTEP_LESSON_CHECK_H

#include <stddef.h>

#include "lessons/lesson.h"

/* Parses the check TEXT, on line LINE of its file, into C.  Returns 0,
 * or -1 with what is wrong in WHY (nothing when out of memory); C then
 * holds nothing to free. */
int lesson_check_parse(const char *text, int line, struct lesson_check *c,
		       char *why, size_t whylen);

#endif
