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

int
cmdline_parse(const char *text, cmdline_rest_fn rest_of_line,
	      struct cmdline_list *out, char *err, size_t errlen)
{
	struct building cmd = { 0 };
	struct buf word = { 0 };
	bool in_word = false;
	int line = 1, quote_line = 0;
	char quote = 0;
	const char *p = text;

	memset(out, 0, sizeof(*out));
	for (;; p++) {
		char c = *p;

		if (quote == '\'') {
			if (c == '\0')
				goto unterminated;
			if (c == '\'')
				quote = 0;
			else if (buf_put(&word, c))
				goto nomem;
			if (c == '\n')
				line++;
			continue;
		}
		if (quote == '"') {
			if (c == '\0')
				goto unterminated;
			if (c == '"') {
				quote = 0;
				continue;
			}
			if (c == '\\' && p[1] && strchr("\"\\$`\n", p[1])) {
				p++;
				if (*p == '\n')
					line++;
				else if (buf_put(&word, *p))
					goto nomem;
				continue;
			}
			if (c == '\n')
				line++;
			if (buf_put(&word, c))
				goto nomem;
			continue;
		}
		switch (c) {
		case '\'':
		case '"':
			quote = c;
			quote_line = line;
			in_word = true;
			if (cmd.argc == 0 && !cmd.line)
				cmd.line = line;
			continue;
		case '\\':
			if (p[1] == '\n') {
				p++;
				line++;
				continue;
			}
			if (p[1] == '\0')
				continue;
			p++;
			in_word = true;
			if (cmd.argc == 0 && !cmd.line)
				cmd.line = line;
			if (buf_put(&word, *p))
				goto nomem;
			continue;
		case '#':
			if (in_word)
				break;
			while (p[1] && p[1] != '\n')
				p++;
			continue;
		case ' ':
		case '\t':
		case '\r':
		case '\n':
		case ';':
		case '\0':
			if (in_word) {
				if (cmd_add_word(&cmd, &word))
					goto nomem;
				in_word = false;
				if (cmd.argc == 1 && rest_of_line &&
				    rest_of_line(cmd.argv[0]) &&
				    (c == ' ' || c == '\t' || c == '\r')) {
					char *rest;

					p++;
					rest = take_rest(&p);
					if (!rest || list_push(out, &cmd, rest))
						goto nomem;
					c = *p;
					if (c == '\0')
						return 0;
					line++;
					continue;
				}
			}
			if (c == ';' || c == '\n' || c == '\0') {
				char *rest = NULL;

				if (cmd.argc == 1 && rest_of_line &&
				    rest_of_line(cmd.argv[0]))
					rest = strdup("");
				if (list_push(out, &cmd, rest))
					goto nomem;
			}
			if (c == '\n')
				line++;
			if (c == '\0')
				return 0;
			continue;
		default:
			break;
		}
		if (cmd.argc == 0 && !in_word && !cmd.line)
			cmd.line = line;
		in_word = true;
		if (buf_put(&word, c))
			goto nomem;
	}

unterminated:
	msg_fail(err, errlen, "line %d: the %s quote opened here is never closed",
	     quote_line, quote == '"' ? "double" : "single");
	goto out;
nomem:
	msg_fail(err, errlen, "line %d: out of memory", line);
out:
	free(word.s);
	cmd_discard(&cmd);
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
