/* output: a command's output as a lesson check reads it.
 *
 * Whether a command ran at a terminal (the learner at the prompt, the
 * TUI, `boxstep check` on its pty) or into a file, a check sees the same
 * text: what the terminal would show, line by line, with carriage
 * returns, backspaces and terminal control sequences applied or removed.
 * The matchers compare within one line.  Pure: no I/O.
 */
#ifndef BOXSTEP_OUTPUT_H
#define BOXSTEP_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>

/* Rewrites S in place as a terminal would leave it: "\r\n" and "\n" end
 * a line; a lone "\r" goes back to the line's start and what follows
 * overwrites; "\b" steps back one column; CSI, OSC, DCS and other escape
 * sequences and the remaining control characters (but tab) are dropped.
 * Returns the new length. */
size_t output_normalise(char *s);

/* How an output check compares. */
enum output_match {
	OUTPUT_WORDS, /* TEXT stands in one line as whole words */
	OUTPUT_LINE,  /* a line is TEXT */
	OUTPUT_REGEX, /* a line matches the extended regex */
};

/* Says whether OUT holds PATTERN as M says, one line at a time.  For
 * OUTPUT_WORDS: where PATTERN begins or ends with a letter, digit or
 * '_', the character beside it in the line is not one ("pid is 1" is
 * not in "pid is 10655").  For OUTPUT_LINE: leading and trailing blanks
 * aside ("PID USER COMMAND" is the line "PID   USER     COMMAND").  For
 * both, a run of blanks in PATTERN matches a run of blanks in the line.
 * For OUTPUT_REGEX, ^ and $ match at the line's ends; a regex that does
 * not compile matches nothing. */
bool output_test(enum output_match m, const char *out, const char *pattern);

/* The number of lines of OUT that hold more than blanks. */
size_t output_count_lines(const char *out);

/* Near misses, to prove that a check refuses what is almost right.  The
 * line of OUT that holds PATTERN on its own is taken, and in the part of
 * it that PATTERN matched one word is altered: a number gets a digit
 * more ("1" -> "10") or is counted up, a word gets a letter more or its
 * last letter changed.  Only words that PATTERN names literally are
 * altered ("[0-9]+" pins no number).  Writes the Nth such line into BUF
 * (LEN bytes); returns false when there is no Nth. */
bool output_near_miss(enum output_match m, const char *out,
		      const char *pattern, size_t n, char *buf, size_t len);

#endif
