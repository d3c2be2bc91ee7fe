/* cmdline: split REPL input into commands and words, as a shell would.
 *
 * Commands are separated by newlines or by ';' outside quotes.  Words are
 * split on blanks; single quotes keep everything literally, double quotes
 * keep everything but \" \\ \$ \` and backslash-newline, a backslash outside
 * quotes escapes the next character, '#' at the start of a word starts
 * a comment, and an unquoted ~ that starts a word, alone or before '/',
 * is $HOME.  Pure: no I/O (it reads HOME from the environment).
 */
#ifndef BOXSTEP_CMDLINE_H
#define BOXSTEP_CMDLINE_H

#include <stdbool.h>
#include <stddef.h>

struct cmdline_cmd {
	int argc;
	char **argv;  /* argc words, then NULL */
	char *rest;   /* for a rest-of-line command: the text after the first
			 word, verbatim, up to the end of the line; else NULL */
	int line;     /* 1-based line where the command starts */
};

struct cmdline_list {
	struct cmdline_cmd *cmds;
	size_t n;
};

/* Called with each command's first word; returning true makes the rest of
 * the line (';' included) that command's `rest`, unsplit. */
typedef bool (*cmdline_rest_fn)(const char *first_word);

/* Parses TEXT into OUT, which the caller frees with cmdline_free().
 * Returns 0, or -1 with "line N: what is wrong" in ERR (OUT is then
 * empty). */
int cmdline_parse(const char *text, cmdline_rest_fn rest_of_line,
		  struct cmdline_list *out, char *err, size_t errlen);

void cmdline_free(struct cmdline_list *list);

#endif
