/* lesson: parse lesson files.  Pure: no I/O beyond the buffer. */
#define _GNU_SOURCE
#include "lessons/lesson.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/cmdline.h"
#include "base/msg.h"
#include "lessons/lesson_check.h"

/* Which fenced block the line is in. */
enum fence { FENCE_NONE, FENCE_COMMANDS, FENCE_CHECKS, FENCE_OTHER };

struct parser {
	const char *file;
	lesson_command_fn known;
	struct lesson *l;
	char *err;
	size_t errlen;
	int line, fence_line;
	enum fence fence;
	struct lesson_step *step; /* the step being read, or NULL */
	struct lesson_step *into; /* where the open block's lines go: the
				   * step, or its rootless variant */
	bool front, front_done;   /* the front matter opened, closed */
};

static int __attribute__((format(printf, 3, 4)))
perr(struct parser *p, int line, const char *fmt, ...)
{
	char what[768];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	return msg_fail(p->err, p->errlen, "%s:%d: %s", p->file, line, what);
}

static int
grow(void **arr, size_t n, size_t size)
{
	void *bigger = realloc(*arr, (n + 1) * size);

	if (!bigger)
		return -1;
	*arr = bigger;
	return 0;
}

/* Appends LINE to the text *DST (a new string or NULL). */
static int
append_line(char **dst, const char *line, size_t len)
{
	size_t old = *dst ? strlen(*dst) : 0;
	char *s = realloc(*dst, old + len + 2);

	if (!s)
		return -1;
	memcpy(s + old, line, len);
	s[old + len] = '\n';
	s[old + len + 1] = '\0';
	*dst = s;
	return 0;
}

/* Prose as it reads best: no blank lines at either end, and at most one
 * between paragraphs (the fenced blocks taken out leave runs of them).
 * Always leaves a string, "" when there is no prose. */
static int
tidy_prose(char **text)
{
	char *s = *text, *o;
	int blanks = 0;

	if (!s)
		return (*text = calloc(1, 1)) ? 0 : -1;
	o = s;
	for (char *line = s; *line;) {
		char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line);
		bool blank = strspn(line, " \t") >= len;

		if (blank) {
			blanks++;
		} else {
			if (o != s && blanks)
				*o++ = '\n';
			blanks = 0;
			memmove(o, line, len);
			o += len;
			*o++ = '\n';
		}
		line += len + (nl ? 1 : 0);
	}
	if (o != s)
		o--; /* the last newline */
	*o = '\0';
	return 0;
}

/* Checks a command line of a boxstep block and adds it to STEP. */
static int
add_command(struct parser *p, struct lesson_step *s, const char *text,
	    int line)
{
	struct cmdline_list cmds;
	char e[256];

	if (cmdline_parse(text, NULL, &cmds, e, sizeof(e)) < 0)
		return perr(p, line, "%s", e + (strncmp(e, "line 1: ", 8) ? 0 : 8));
	if (cmds.n == 0) {
		cmdline_free(&cmds);
		return 0;
	}
	if (!p->known(cmds.cmds[0].argv[0])) {
		perr(p, line, "unknown command '%s' in a boxstep block; boxstep "
		     "blocks hold REPL commands (run, enable, set, host, ...)",
		     cmds.cmds[0].argv[0]);
		cmdline_free(&cmds);
		return -1;
	}
	cmdline_free(&cmds);
	if (grow((void **)&s->commands, s->ncommands, sizeof(char *)) ||
	    grow((void **)&s->command_lines, s->ncommands, sizeof(int)))
		return perr(p, line, "out of memory");
	if (!(s->commands[s->ncommands] = strdup(text)))
		return perr(p, line, "out of memory");
	s->command_lines[s->ncommands++] = line;
	return 0;
}

static char *
trimmed(const char *s, size_t len)
{
	while (len && (*s == ' ' || *s == '\t')) {
		s++;
		len--;
	}
	while (len && (s[len - 1] == ' ' || s[len - 1] == '\t' ||
		       s[len - 1] == '\r'))
		len--;
	return strndup(s, len);
}

/* Finishes a step: it needs commands and checks. */
static int
close_step(struct parser *p, struct lesson_step *s)
{
	if (!s)
		return 0;
	if (s->ncommands == 0)
		return perr(p, s->line, "step '%s' has no ```boxstep block: "
			    "every step says what the learner types", s->title);
	if (s->nchecks == 0)
		return perr(p, s->line, "step '%s' has no ```expect block: every "
			    "step needs checks", s->title);
	if (s->rootless && s->rootless->ncommands && !s->rootless->nchecks)
		return perr(p, s->line, "step '%s' has a ```boxstep "
			    LESSON_ROOTLESS " block but no ```expect "
			    LESSON_ROOTLESS ": other commands need their own "
			    "checks", s->title);
	return 0;
}

static int
nomem(struct parser *p)
{
	return perr(p, p->line, "out of memory");
}

/* Where prose goes: the step's, or the lesson's introduction. */
static char **
prose_of(struct parser *p)
{
	return p->step ? &p->step->prose : &p->l->intro;
}

static int
front_matter(struct parser *p, const char *l)
{
	struct lesson *out = p->l;
	const char *colon = strchr(l, ':');
	char **slot = NULL;

	if (strcmp(l, "---") == 0) {
		p->front_done = true;
		if (!out->title || !out->id)
			return perr(p, p->line, "the front matter needs both "
				    "'title:' and 'id:'");
		return 0;
	}
	if (colon && strncmp(l, "title", (size_t)(colon - l)) == 0 &&
	    colon - l == 5)
		slot = &out->title;
	else if (colon && colon - l == 2 && strncmp(l, "id", 2) == 0)
		slot = &out->id;
	if (!slot)
		return perr(p, p->line, "expected 'title: ...', 'id: ...' or "
			    "'---' in the front matter, not '%s'", l);
	free(*slot);
	*slot = trimmed(colon + 1, strlen(colon + 1));
	if (!*slot)
		return nomem(p);
	if (!**slot)
		return perr(p, p->line, "an empty value in the front matter");
	return 0;
}

static int
add_check(struct parser *p, struct lesson_step *step, const char *l)
{
	char why[768] = "";

	if (grow((void **)&step->checks, step->nchecks, sizeof(*step->checks)))
		return -1;
	if (lesson_check_parse(l, p->line, &step->checks[step->nchecks], why,
			       sizeof(why)) < 0) {
		if (why[0])
			perr(p, p->line, "%s", why);
		return -1;
	}
	step->nchecks++;
	return 0;
}

/* A line inside a fenced block, or the one that closes it. */
static int
in_fence(struct parser *p, const char *l)
{
	if (strncmp(l, "```", 3) == 0)
		p->fence = FENCE_NONE;
	else if (p->fence == FENCE_COMMANDS && *l && *l != '#')
		return add_command(p, p->into, l, p->line);
	else if (p->fence == FENCE_CHECKS &&
		 strcmp(l, LESSON_ANY_ISOLATION) == 0)
		p->into->any_isolation = true;
	else if (p->fence == FENCE_CHECKS && *l && *l != '#')
		return add_check(p, p->into, l);
	else if (p->fence == FENCE_OTHER &&
		 append_line(prose_of(p), l, strlen(l)))
		return nomem(p);
	return 0;
}

/* The step's rootless variant, made when first needed; NULL when out
 * of memory (said). */
static struct lesson_step *
variant(struct parser *p)
{
	if (!p->step->rootless &&
	    !(p->step->rootless = calloc(1, sizeof(*p->step->rootless))))
		nomem(p);
	return p->step->rootless;
}

static int
open_fence(struct parser *p, const char *l)
{
	const char *info = l + 3;
	size_t word = strcspn(info, " ");
	bool rootless = strcmp(info + word, " " LESSON_ROOTLESS) == 0;

	p->fence_line = p->line;
	if ((word == 7 && strncmp(info, "boxstep", 7) == 0) ||
	    (word == 6 && strncmp(info, "expect", 6) == 0)) {
		if (!p->step)
			return perr(p, p->line, "a ```%.*s block must be "
				    "inside a step (after a '## ' heading)",
				    (int)word, info);
		if (info[word] && !rootless)
			return perr(p, p->line, "```%.*s takes one word after "
				    "it, " LESSON_ROOTLESS ", not '%s'",
				    (int)word, info, info + word + 1);
		p->into = rootless ? variant(p) : p->step;
		if (!p->into)
			return -1;
		p->fence = *info == 'b' ? FENCE_COMMANDS : FENCE_CHECKS;
	} else {
		p->fence = FENCE_OTHER;
	}
	return 0;
}

static int
open_step(struct parser *p, const char *l)
{
	struct lesson *out = p->l;

	if (close_step(p, p->step) < 0)
		return -1;
	if (out->nsteps == LESSON_MAX_STEPS)
		return perr(p, p->line, "too many steps: a lesson has at most "
			    "%d; split it in two", LESSON_MAX_STEPS);
	if (grow((void **)&out->steps, out->nsteps, sizeof(*out->steps)))
		return nomem(p);
	p->step = &out->steps[out->nsteps++];
	memset(p->step, 0, sizeof(*p->step));
	p->step->line = p->line;
	p->step->title = strdup(l + 3);
	return p->step->title ? 0 : nomem(p);
}

/* A hint, L being "> hint: TEXT" or "> rootless hint: TEXT". */
static int
add_hint(struct parser *p, const char *l, bool rootless)
{
	struct lesson_step *step = p->step;
	const char *text = strchr(l, ':') + 1;

	if (!step)
		return perr(p, p->line, "a hint must be inside a step");
	if (rootless && !(step = variant(p)))
		return -1;
	if (grow((void **)&step->hints, step->nhints, sizeof(char *)))
		return nomem(p);
	step->hints[step->nhints] = trimmed(text, strlen(text));
	return step->hints[step->nhints++] ? 0 : nomem(p);
}

/* One line L (trimmed) of the lesson. */
static int
take_line(struct parser *p, const char *l)
{
	for (const char *c = l; *c; c++)
		if ((unsigned char)*c < 0x20 && *c != '\t')
			return perr(p, p->line, "a control character (0x%02x): "
				    "is this a text file?", (unsigned char)*c);
	if (p->line == 1) {
		if (strcmp(l, "---") == 0) {
			p->front = true;
			return 0;
		}
		return perr(p, 1, "a lesson starts with front matter: a '---' "
			    "line, 'title: ...', 'id: ...', and '---'");
	}
	if (p->front && !p->front_done)
		return front_matter(p, l);
	if (p->fence != FENCE_NONE)
		return in_fence(p, l);
	if (strncmp(l, "```", 3) == 0)
		return open_fence(p, l);
	if (strncmp(l, "## ", 3) == 0)
		return open_step(p, l);
	if (strncmp(l, "> hint:", 7) == 0)
		return add_hint(p, l, false);
	if (strncmp(l, "> " LESSON_ROOTLESS " hint:", 8 + strlen(LESSON_ROOTLESS)) == 0)
		return add_hint(p, l, true);
	return append_line(prose_of(p), l, strlen(l)) ? nomem(p) : 0;
}

/* After the last line: what was opened is closed, and the prose tidied. */
static int
finish(struct parser *p)
{
	struct lesson *out = p->l;

	if (p->front && !p->front_done)
		return perr(p, p->line, "the front matter is never closed with "
			    "'---'");
	if (p->fence != FENCE_NONE)
		return perr(p, p->fence_line, "the ``` block opened here is "
			    "never closed");
	if (!p->front)
		return perr(p, 1, "a lesson starts with front matter: a '---' "
			    "line, 'title: ...', 'id: ...', and '---'");
	if (out->nsteps == 0)
		return perr(p, p->line, "no steps: each step starts with a "
			    "'## ' heading");
	if (close_step(p, p->step) < 0)
		return -1;
	if (tidy_prose(&out->intro) < 0)
		return nomem(p);
	for (size_t i = 0; i < out->nsteps; i++)
		if (tidy_prose(&out->steps[i].prose) < 0)
			return nomem(p);
	return 0;
}

int
lesson_parse(const char *text, const char *file, lesson_command_fn known,
	     struct lesson *out, char *err, size_t errlen)
{
	struct parser p = {
		.file = file, .known = known, .l = out, .err = err,
		.errlen = errlen,
	};
	const char *s = text;

	memset(out, 0, sizeof(*out));
	if (strlen(text) > LESSON_MAX_BYTES) {
		perr(&p, 1, "%zu bytes is too long for a lesson (at most %d): "
		     "is this a lesson file?", strlen(text), LESSON_MAX_BYTES);
		goto fail;
	}
	while (*s) {
		size_t len = strcspn(s, "\n");
		char *l = trimmed(s, len);
		int rc;

		p.line++;
		if (!l) {
			nomem(&p);
			goto fail;
		}
		s += len + (s[len] == '\n');
		rc = take_line(&p, l);
		free(l);
		if (rc < 0)
			goto fail;
	}
	if (finish(&p) == 0)
		return 0;
fail:
	lesson_free(out);
	return -1;
}

/* Frees what step S holds. */
static void
free_step(struct lesson_step *s)
{
	if (s->rootless) {
		free_step(s->rootless);
		free(s->rootless);
	}
	for (size_t j = 0; j < s->ncommands; j++)
		free(s->commands[j]);
	for (size_t j = 0; j < s->nchecks; j++) {
		free(s->checks[j].arg);
		free(s->checks[j].source);
	}
	for (size_t j = 0; j < s->nhints; j++)
		free(s->hints[j]);
	free(s->commands);
	free(s->command_lines);
	free(s->checks);
	free(s->hints);
	free(s->title);
	free(s->prose);
}

void
lesson_free(struct lesson *l)
{
	for (size_t i = 0; i < l->nsteps; i++)
		free_step(&l->steps[i]);
	free(l->steps);
	free(l->title);
	free(l->id);
	free(l->intro);
	memset(l, 0, sizeof(*l));
}

#define SWAP(a, b) do { __typeof__(a) t_ = (a); (a) = (b); (b) = t_; } while (0)

void
lesson_choose(struct lesson *l, bool rootless)
{
	for (size_t i = 0; i < l->nsteps; i++) {
		struct lesson_step *s = &l->steps[i], *v = s->rootless;

		if (!v)
			continue;
		if (rootless && v->ncommands) {
			SWAP(s->commands, v->commands);
			SWAP(s->command_lines, v->command_lines);
			SWAP(s->ncommands, v->ncommands);
		}
		if (rootless && v->nchecks) {
			SWAP(s->checks, v->checks);
			SWAP(s->nchecks, v->nchecks);
			SWAP(s->any_isolation, v->any_isolation);
		}
		if (rootless && v->nhints) {
			SWAP(s->hints, v->hints);
			SWAP(s->nhints, v->nhints);
		}
		/* What the plain blocks held goes with the variant. */
		free_step(v);
		free(v);
		s->rootless = NULL;
	}
}
