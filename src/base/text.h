/* text: pure helpers for the words boxstep prints: names close to a
 * mistyped one, text filled to a terminal's width, and whether output
 * leaves the cursor at the start of a line.  No I/O.
 */
#ifndef BOXSTEP_TEXT_H
#define BOXSTEP_TEXT_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

/* The optimal-string-alignment (Damerau-Levenshtein) distance between A
 * and B: insertions, deletions, substitutions and swaps of two neighbours
 * each count one.  Words of more than 63 bytes count as 64 apart. */
size_t text_distance(const char *a, const char *b);

/* The names ITEM(0), ITEM(1), ... (up to the first NULL) closest to WORD,
 * if within 2 edits and about a third of WORD ("rnu" -> "run",
 * "hostnmae" -> "hostname"), into BUF: "run", "pid or pids", "a, b or c".
 * Returns how many were written; 0 (BUF "") when nothing is close. */
size_t text_suggest(const char *word, const char *(*item)(size_t),
		    char *buf, size_t len);

/* TEXT filled to WIDTH columns (UTF-8 characters).  A block is a run of
 * non-blank lines; a list item ("- ", "* ", "1. ", a check mark) starts a
 * block of its own.  A block whose lines fit is kept as written; one that
 * does not is refilled at blanks, its continuation lines indented under
 * the item's text.  `code spans` and words are never split: one longer
 * than the width stands on a line of its own.  Lines inside ``` fences
 * are kept.  Returns a malloc'd string, or NULL when out of memory. */
char *text_wrap(const char *text, size_t width);

/* Says whether output OUT leaves a terminal at the start of a line: it is
 * empty, or its last visible character is a newline (a trailing '\r' and
 * escape sequences show nothing). */
bool text_ends_line(const char *out);

/* S as one word a POSIX shell reads back as S, into BUF: as it is when
 * every byte is safe there (letters, digits and _./:=@%+,-), else in
 * single quotes, each ' in S written '\''.  "" becomes ''.  Returns BUF;
 * a result that does not fit is cut (BUF then "", never half a quote).
 * TEXT_SHELL_WORD_MAX holds any path so quoted (a ' takes 4 bytes). */
#define TEXT_SHELL_WORD_MAX (4 * PATH_MAX + 3)
char *text_shell_word(const char *s, char *buf, size_t len);

/* UTF-8.  The length of the character lead byte B starts (1 to 4), or 0
 * when B starts none; whether the L bytes at S are one well-formed
 * character (no overlong form, no surrogate, nothing past U+10FFFF); and
 * code point CP written into OUT (room for 4), '?' for a surrogate or a
 * number past U+10FFFF, returning how many bytes. */
size_t text_utf8_lead(unsigned char b);
bool text_utf8_whole(const unsigned char *s, size_t l);
size_t text_utf8_put(char *out, unsigned long cp);

#endif
