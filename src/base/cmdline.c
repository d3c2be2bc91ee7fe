/* cmdline: the REPL's shell-like splitter of commands and words. */
#include "base/cmdline.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/msg.h"

/* A growable string. */
struct buf {
	char *s;
	size_t n, cap;
};

/* A command being built. */
struct building {
	char **argv;
	int argc, cap;
	int line;
};

static int
buf_put(struct buf *b, char c)
{
	if (b->n + 1 >= b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 32;
		char *s = realloc(b->s, cap);

		if (!s)
			return -1;
		b->s = s;
		b->cap = cap;
	}
	b->s[b->n++] = c;
	b->s[b->n] = '\0';
	return 0;
}

static int
cmd_add_word(struct building *c, struct buf *word)
{
	if (c->argc + 2 > c->cap) {
		int cap = c->cap ? c->cap * 2 : 8;
		char **argv = realloc(c->argv, (size_t)cap * sizeof(*argv));

		if (!argv)
			return -1;
		c->argv = argv;
		c->cap = cap;
	}
	c->argv[c->argc++] = word->s ? word->s : strdup("");
	c->argv[c->argc] = NULL;
	word->s = NULL;
	word->n = word->cap = 0;
	return c->argv[c->argc - 1] ? 0 : -1;
}

static void
cmd_discard(struct building *c)
{
	for (int i = 0; i < c->argc; i++)
		free(c->argv[i]);
	free(c->argv);
	memset(c, 0, sizeof(*c));
}

/* Moves a finished command (if it has words) onto LIST. */
static int
list_push(struct cmdline_list *list, struct building *c, char *rest)
{
	struct cmdline_cmd *cmds;

	if (c->argc == 0) {
		cmd_discard(c);
		free(rest);
		return 0;
	}
	cmds = realloc(list->cmds, (list->n + 1) * sizeof(*cmds));
	if (!cmds) {
		cmd_discard(c);
		free(rest);
		return -1;
	}
	list->cmds = cmds;
	list->cmds[list->n++] = (struct cmdline_cmd){
		.argc = c->argc, .argv = c->argv, .rest = rest,
		.line = c->line,
	};
	memset(c, 0, sizeof(*c));
	return 0;
}

/* Takes the rest of the line at *P verbatim (leading blanks dropped,
 * trailing blanks trimmed) and leaves *P on the newline or NUL. */
static char *
take_rest(const char **p)
{
	const char *s = *p, *e;
	char *rest;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s;
	while (*e && *e != '\n')
		e++;
	*p = e;
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		e--;
	rest = malloc((size_t)(e - s) + 1);
	if (rest) {
		memcpy(rest, s, (size_t)(e - s));
		rest[e - s] = '\0';
	}
	return rest;
}

/* The parser's state, as it walks TEXT a character at a time. */
struct parser {
	const char *p;
	cmdline_rest_fn rest_of_line;
	struct cmdline_list *out;
	struct building cmd;
	struct buf word;
	bool in_word;
	int line, quote_line;
	char quote;
};

/* What one character did: go on to the next, stop at the end of TEXT,
 * or fail. */
enum step { STEP_ON, STEP_END, STEP_NOMEM, STEP_UNCLOSED };

static enum step
put(struct parser *ps, char c)
{
	return buf_put(&ps->word, c) ? STEP_NOMEM : STEP_ON;
}

/* A character that belongs to a word: the command starts on this line
 * if it is its first. */
static void
word_start(struct parser *ps)
{
	if (ps->cmd.argc == 0 && !ps->cmd.line)
		ps->cmd.line = ps->line;
	ps->in_word = true;
}

/* Whether the command's first word, just ended, takes its line unsplit. */
static bool
wants_rest(const struct parser *ps)
{
	return ps->cmd.argc == 1 && ps->rest_of_line &&
	       ps->rest_of_line(ps->cmd.argv[0]);
}

static enum step
in_single(struct parser *ps, char c)
{
	if (c == '\0')
		return STEP_UNCLOSED;
	if (c == '\'')
		ps->quote = 0;
	else if (buf_put(&ps->word, c))
		return STEP_NOMEM;
	if (c == '\n')
		ps->line++;
	return STEP_ON;
}

static enum step
in_double(struct parser *ps, char c)
{
	if (c == '\0')
		return STEP_UNCLOSED;
	if (c == '"') {
		ps->quote = 0;
		return STEP_ON;
	}
	if (c == '\\' && ps->p[1] && strchr("\"\\$`\n", ps->p[1])) {
		ps->p++;
		if (*ps->p == '\n') {
			ps->line++;
			return STEP_ON;
		}
		return put(ps, *ps->p);
	}
	if (c == '\n')
		ps->line++;
	return put(ps, c);
}

static enum step
backslash(struct parser *ps)
{
	if (ps->p[1] == '\n') {
		ps->p++;
		ps->line++;
		return STEP_ON;
	}
	if (ps->p[1] == '\0')
		return STEP_ON;
	ps->p++;
	word_start(ps);
	return put(ps, *ps->p);
}

/* The command's first word was a rest-of-line one, followed by a blank:
 * the rest of the line is its `rest`, and the command is done. */
static enum step
rest_taken(struct parser *ps)
{
	char *rest;

	ps->p++;
	rest = take_rest(&ps->p);
	if (!rest || list_push(ps->out, &ps->cmd, rest))
		return STEP_NOMEM;
	if (*ps->p == '\0')
		return STEP_END;
	ps->line++;
	return STEP_ON;
}

/* A blank, ';', newline or the end: ends the word, and on all but a
 * blank the command. */
static enum step
separator(struct parser *ps, char c)
{
	if (ps->in_word) {
		if (cmd_add_word(&ps->cmd, &ps->word))
			return STEP_NOMEM;
		ps->in_word = false;
		if (wants_rest(ps) && (c == ' ' || c == '\t' || c == '\r'))
			return rest_taken(ps);
	}
	if (c == ';' || c == '\n' || c == '\0') {
		char *rest = wants_rest(ps) ? strdup("") : NULL;

		if (list_push(ps->out, &ps->cmd, rest))
			return STEP_NOMEM;
	}
	if (c == '\n')
		ps->line++;
	return c == '\0' ? STEP_END : STEP_ON;
}

/* A word's unquoted leading ~, alone or before '/': the home directory,
 * as a shell's tilde expansion gives it ($HOME; left as it is when HOME
 * is not set).  ~user is left as it is. */
static bool
tilde(const struct parser *ps, char c)
{
	const char *home = getenv("HOME");

	return c == '~' && !ps->in_word && home && *home &&
	       strchr("/ \t\r\n;", ps->p[1]);
}

static enum step
unquoted(struct parser *ps, char c)
{
	if (tilde(ps, c)) {
		word_start(ps);
		for (const char *h = getenv("HOME"); *h; h++)
			if (buf_put(&ps->word, *h))
				return STEP_NOMEM;
		return STEP_ON;
	}
	switch (c) {
	case '\'':
	case '"':
		ps->quote = c;
		ps->quote_line = ps->line;
		word_start(ps);
		return STEP_ON;
	case '\\':
		return backslash(ps);
	case '#':
		if (ps->in_word)
			break;
		while (ps->p[1] && ps->p[1] != '\n')
			ps->p++;
		return STEP_ON;
	case ' ':
	case '\t':
	case '\r':
	case '\n':
	case ';':
	case '\0':
		return separator(ps, c);
	default:
		break;
	}
	word_start(ps);
	return put(ps, c);
}

static enum step
step(struct parser *ps)
{
	char c = *ps->p;

	if (ps->quote == '\'')
		return in_single(ps, c);
	if (ps->quote == '"')
		return in_double(ps, c);
	return unquoted(ps, c);
}

int
cmdline_parse(const char *text, cmdline_rest_fn rest_of_line,
	      struct cmdline_list *out, char *err, size_t errlen)
{
	struct parser ps = {
		.p = text, .rest_of_line = rest_of_line, .out = out, .line = 1,
	};
	enum step s;

	memset(out, 0, sizeof(*out));
	for (;; ps.p++) {
		s = step(&ps);
		if (s == STEP_END)
			return 0;
		if (s != STEP_ON)
			break;
	}
	if (s == STEP_UNCLOSED)
		msg_fail(err, errlen,
			 "line %d: the %s quote opened here is never closed",
			 ps.quote_line, ps.quote == '"' ? "double" : "single");
	else
		msg_fail(err, errlen, "line %d: out of memory", ps.line);
	free(ps.word.s);
	cmd_discard(&ps.cmd);
	cmdline_free(out);
	return -1;
}

void
cmdline_free(struct cmdline_list *list)
{
	for (size_t i = 0; i < list->n; i++) {
		for (int j = 0; j < list->cmds[i].argc; j++)
			free(list->cmds[i].argv[j]);
		free(list->cmds[i].argv);
		free(list->cmds[i].rest);
	}
	free(list->cmds);
	memset(list, 0, sizeof(*list));
}
