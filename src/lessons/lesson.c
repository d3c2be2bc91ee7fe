/* lesson: parse lesson files.  Pure: no I/O beyond the buffer. */
#define _GNU_SOURCE
#include "lessons/lesson.h"

#include <regex.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/cmdline.h"
#include "base/msg.h"
#include "layers/plan.h"

static const char grammar[] =
	"  output contains TEXT       a line of the last command's output "
	"has TEXT, as whole words\n"
	"  output line TEXT           ... a line is TEXT (blanks aside)\n"
	"  output lines N             ... N lines that are not blank\n"
	"  output matches REGEX       ... a line matches the extended regex\n"
	"  status N                   the last command exited with N\n"
	"  layer NAME on|off          a layer is on or off\n"
	"  namespace TYPE new|shared  the latest container's namespace vs "
	"the host's\n"
	"  hostname unchanged         the host's hostname is as it was\n"
	"  mounts unchanged           the host's mount table is as it was at "
	"the step's start\n"
	"  mounts gained REGEX        ... has gained a line matching REGEX\n"
	"  rootfs has PATH            the root filesystem has PATH\n"
	"  pids.current <= N          the latest container's cgroup, while it "
	"runs\n"
	"  pids.current >= N\n"
	"  pids.events >= N           forks refused at pids.max\n"
	"  cgroup gone                the latest container's cgroup was "
	"removed\n"
	"  processes N                processes in the latest container\n"
	"  container hostname NAME    the latest container's hostname, inside\n"
	"  container pid N            its first process's PID, inside\n"
	"  container root rootfs|host its root directory\n"
	"  container cwd outside|inside  its working directory vs its root\n"
	"  container mount REGEX      a line of its mount table (MOUNTPOINT "
	"TYPE SOURCE)\n"
	"  {KEY} in TEXT, REGEX, NAME the setting KEY's value: {hostname}\n"
	"  always: CHECK              a check that holds before the step too\n"
	"  " LESSON_ANY_ISOLATION "              (a line of its own) the step "
	"holds whatever\n"
	"                             isolation layers are on: no near miss "
	"without them\n";

const char *
lesson_check_grammar(void)
{
	return grammar;
}

/* The forms: the words that name a check, and what follows them. */
enum arg_kind { ARG_NONE, ARG_TEXT, ARG_REGEX, ARG_NUMBER, ARG_LAYER,
		ARG_NS, ARG_PATH, ARG_FLAG };

static const struct form {
	const char *w1, *w2;     /* w2 may be NULL */
	enum lesson_check_kind kind;
	enum arg_kind arg;
	const char *flag_on, *flag_off; /* for layer, namespace, ARG_FLAG */
} forms[] = {
	{ "output", "contains", LESSON_OUTPUT_CONTAINS, ARG_TEXT, 0, 0 },
	{ "output", "matches", LESSON_OUTPUT_MATCHES, ARG_REGEX, 0, 0 },
	{ "status", NULL, LESSON_STATUS, ARG_NUMBER, 0, 0 },
	{ "layer", NULL, LESSON_LAYER, ARG_LAYER, "on", "off" },
	{ "namespace", NULL, LESSON_NAMESPACE, ARG_NS, "new", "shared" },
	{ "hostname", "unchanged", LESSON_HOSTNAME_UNCHANGED, ARG_NONE, 0, 0 },
	{ "mounts", "unchanged", LESSON_MOUNTS_UNCHANGED, ARG_NONE, 0, 0 },
	{ "mounts", "gained", LESSON_MOUNTS_GAINED, ARG_REGEX, 0, 0 },
	{ "rootfs", "has", LESSON_ROOTFS_HAS, ARG_PATH, 0, 0 },
	{ "pids.current", "<=", LESSON_PIDS_CURRENT_MAX, ARG_NUMBER, 0, 0 },
	{ "pids.current", ">=", LESSON_PIDS_CURRENT_MIN, ARG_NUMBER, 0, 0 },
	{ "pids.events", ">=", LESSON_PIDS_REFUSED, ARG_NUMBER, 0, 0 },
	{ "cgroup", "gone", LESSON_CGROUP_GONE, ARG_NONE, 0, 0 },
	{ "processes", NULL, LESSON_PROCESSES, ARG_NUMBER, 0, 0 },
	{ "output", "line", LESSON_OUTPUT_LINE, ARG_TEXT, 0, 0 },
	{ "output", "lines", LESSON_OUTPUT_LINES, ARG_NUMBER, 0, 0 },
	{ "container", "hostname", LESSON_CONTAINER_HOSTNAME, ARG_TEXT, 0, 0 },
	{ "container", "pid", LESSON_CONTAINER_PID, ARG_NUMBER, 0, 0 },
	{ "container", "root", LESSON_CONTAINER_ROOT, ARG_FLAG, "rootfs",
	  "host" },
	{ "container", "cwd", LESSON_CONTAINER_CWD, ARG_FLAG, "outside",
	  "inside" },
	{ "container", "mount", LESSON_CONTAINER_MOUNT, ARG_REGEX, 0, 0 },
};

static const char *const ns_types[] = {
	"uts", "pid", "mnt", "ipc", "net", "user", "cgroup", "time", NULL,
};

/* What an extended regex costs the regex library to compile.  A bounded
 * repeat copies what it repeats, so nested ones multiply:
 * "((a{200}){200}){200}" is eight million copies, gigabytes inside
 * regcomp.  Repeats of repeats also build chains of empty alternatives
 * whose closure takes exponential time ("7??????????++++++" runs for
 * minutes).  A lesson's regexes are small, so both are bounded: the
 * size once repeats are spelled out, and how deep repeats nest. */
#define REGEX_MAX_NODES 2000
#define REGEX_MAX_REPEATS 3 /* (TIME +)? is 2 */
#define REGEX_MAX_DEPTH 32

static size_t
sat_add(size_t a, size_t b)
{
	return a > SIZE_MAX - b ? SIZE_MAX : a + b;
}

static size_t
sat_mul(size_t a, size_t b)
{
	return a && b > SIZE_MAX / a ? SIZE_MAX : a * b;
}

/* After '{': "m}", "m,}", "m,n}" or ",n}"; the larger bound, or 0 when
 * it is not an interval (the library then takes '{' as itself). */
static size_t
interval_bound(const char **sp)
{
	const char *s = *sp;
	size_t lo = 0, hi = 0;
	bool digits = false;

	while (*s >= '0' && *s <= '9') {
		lo = sat_add(sat_mul(lo, 10), (size_t)(*s++ - '0'));
		digits = true;
	}
	if (*s == ',') {
		s++;
		while (*s >= '0' && *s <= '9') {
			hi = sat_add(sat_mul(hi, 10), (size_t)(*s++ - '0'));
			digits = true;
		}
	}
	if (*s != '}' || !digits)
		return 0;
	*sp = s + 1;
	return lo > hi ? (lo ? lo : 1) : (hi ? hi : 1);
}

static const char *
skip_bracket(const char *s) /* s just after '[' */
{
	if (*s == '^')
		s++;
	if (*s == ']')
		s++;
	for (; *s && *s != ']'; s++)
		if (*s == '[' && (s[1] == ':' || s[1] == '.' || s[1] == '=')) {
			const char *end = strchr(s + 2, s[1]);

			if (end && end[1] == ']')
				s = end + 1;
		}
	return *s ? s + 1 : s;
}

/* NULL when the regex is within bounds, else why not. */
static const char *
regex_too_costly(const char *re)
{
	/* Per open group: its size and how deep repeats nest inside it;
	 * "last" is the atom a repeat would apply to. */
	size_t sum[REGEX_MAX_DEPTH + 1] = { 0 }, nest[REGEX_MAX_DEPTH + 1] = { 0 };
	size_t last = 0, lastnest = 0, depth = 0, f;
	const char *s = re;

	while (*s) {
		switch (*s) {
		case '(':
			if (depth == REGEX_MAX_DEPTH)
				return "its groups nest too deep";
			depth++;
			sum[depth] = nest[depth] = 0;
			last = lastnest = 0;
			s++;
			continue;
		case ')':
			if (depth == 0)
				break;
			last = sat_add(sum[depth], 1);
			lastnest = nest[depth];
			depth--;
			sum[depth] = sat_add(sum[depth], last);
			s++;
			continue;
		case '{':
			s++;
			if ((f = interval_bound(&s)) == 0) {
				s--;
				break;
			}
			goto repeat;
		case '+':
			f = 2;
			s++;
			goto repeat;
		case '*':
		case '?':
			f = 1;
			s++;
repeat:
			if (++lastnest > REGEX_MAX_REPEATS)
				return "its repeats nest more than 3 deep "
				       "(a repeat of a repeat of a repeat)";
			if (lastnest > nest[depth])
				nest[depth] = lastnest;
			/* f copies of the atom and one node for the repeat */
			sum[depth] = sat_add(sum[depth],
					     sat_add(sat_mul(last, f - 1), 1));
			last = sat_add(sat_mul(last, f), 1);
			if (sum[depth] > REGEX_MAX_NODES)
				return "it grows past 2000 parts once its "
				       "repeats are spelled out";
			continue;
		case '|':
			last = lastnest = 0;
			s++;
			continue;
		case '[':
			s = skip_bracket(s + 1);
			goto atom;
		case '\\':
			if (s[1])
				s++;
			break;
		}
		s++; /* one character: one node */
atom:
		last = 1;
		lastnest = 0;
		sum[depth] = sat_add(sum[depth], 1);
	}
	while (depth > 0) {
		sum[depth - 1] = sat_add(sum[depth - 1], sum[depth]);
		depth--;
	}
	return sum[0] > REGEX_MAX_NODES ? "it is longer than 2000 parts" : NULL;
}

struct parser {
	const char *file;
	lesson_command_fn known;
	struct lesson *l;
	char *err;
	size_t errlen;
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

static bool
parse_number(const char *s, long *out)
{
	char *end;

	if (!*s)
		return false;
	*out = strtol(s, &end, 10);
	return *end == '\0';
}

/* A copy of RE with each {KEY} (a setting's name: letters, '.', '_')
 * replaced by "x"; NULL when out of memory or KEY is no setting. */
static char *
without_keys(const char *re)
{
	char *out = malloc(strlen(re) + 1), *o = out;

	if (!out)
		return NULL;
	for (const char *s = re; *s; ) {
		size_t n = *s == '{' ? strspn(s + 1, "abcdefghijklmnopqrstuvwxyz._")
				     : 0;

		if (n && s[n + 1] == '}') {
			char key[64];

			snprintf(key, sizeof(key), "%.*s", (int)n, s + 1);
			if (!plan_key_lookup(key)) {
				free(out);
				return NULL;
			}
			*o++ = 'x';
			s += n + 2;
			continue;
		}
		*o++ = *s++;
	}
	*o = '\0';
	return out;
}

static int
parse_check(struct parser *p, const char *text, int line,
	    struct lesson_check *c)
{
	struct cmdline_list words;
	char e[256];
	const struct form *f = NULL;
	const char *flag;
	char **w;
	int n, first = 0, need, rc = -1;

	memset(c, 0, sizeof(*c));
	c->line = line;
	if (cmdline_parse(text, NULL, &words, e, sizeof(e)) < 0)
		return perr(p, line, "%s", e + (strncmp(e, "line 1: ", 8) ? 0 : 8));
	if (words.n != 1) {
		cmdline_free(&words);
		return perr(p, line, "one check a line, without ';'");
	}
	w = words.cmds[0].argv;
	n = words.cmds[0].argc;
	if (strcmp(w[0], "always:") == 0) {
		c->always = true;
		first = 1;
	}
	for (size_t i = 0; first < n && i < sizeof(forms) / sizeof(forms[0]); i++)
		if (strcmp(forms[i].w1, w[first]) == 0 &&
		    (!forms[i].w2 || (first + 1 < n &&
				      strcmp(forms[i].w2, w[first + 1]) == 0))) {
			f = &forms[i];
			break;
		}
	if (!f) {
		perr(p, line, "unknown check '%s'; a check is one of:\n%s", text,
		     grammar);
		goto out;
	}
	c->kind = f->kind;
	first += f->w2 ? 2 : 1;
	need = f->arg == ARG_NONE ? 0 :
	       f->flag_on && f->arg != ARG_FLAG ? 2 : 1;
	if (n - first != need) {
		perr(p, line, "'%s' takes %s after '%s%s%s'", text,
		     need == 0 ? "nothing" : need == 2 ? "two words" : "one word "
		     "(quote it if it has blanks)", f->w1, f->w2 ? " " : "",
		     f->w2 ? f->w2 : "");
		goto out;
	}
	switch (f->arg) {
	case ARG_NONE:
		break;
	case ARG_NUMBER:
		if (!parse_number(w[first], &c->n)) {
			perr(p, line, "'%s' needs a whole number, not '%s'", text,
			     w[first]);
			goto out;
		}
		break;
	case ARG_REGEX: {
		regex_t re;
		const char *why;
		int r;

		/* {KEY} is filled in when the check runs: as a regex, it is
		 * judged with a plain word in its place. */
		char *filled = without_keys(w[first]);

		if (!filled) {
			perr(p, line, "'%s' names a setting in {...} that there "
			     "is not (the settings: `help set`)", text);
			goto out;
		}
		if ((why = regex_too_costly(filled)) != NULL) {
			perr(p, line, "regular expression too costly: "
			     "'%.40s%s': %s; a shorter or simpler one will do",
			     w[first], strlen(w[first]) > 40 ? "..." : "", why);
			free(filled);
			goto out;
		}
		r = regcomp(&re, filled, REG_EXTENDED | REG_NOSUB);
		free(filled);
		if (r != 0) {
			char msg[128];

			regerror(r, &re, msg, sizeof(msg));
			perr(p, line, "bad regular expression '%s': %s",
			     w[first], msg);
			goto out;
		}
		regfree(&re);
	}
	/* fall through */
	case ARG_TEXT:
	case ARG_PATH:
		if (!*w[first]) {
			perr(p, line, "'%s' needs a non-empty argument", text);
			goto out;
		}
		break;
	case ARG_FLAG:
	case ARG_LAYER:
	case ARG_NS:
		if (f->arg == ARG_LAYER && plan_layer_lookup(w[first]) < 0) {
			perr(p, line, "no layer called '%s'; the layers are: "
			     "%s", w[first], plan_layer_names());
			goto out;
		}
		if (f->arg == ARG_NS) {
			bool ok = false;

			for (int i = 0; ns_types[i]; i++)
				ok |= strcmp(ns_types[i], w[first]) == 0;
			if (!ok) {
				perr(p, line, "no namespace type '%s'; expected "
				     "uts, pid, mnt, ipc, net, user, cgroup or "
				     "time", w[first]);
				goto out;
			}
		}
		flag = w[first + (f->arg != ARG_FLAG)];
		if (strcmp(flag, f->flag_on) == 0)
			c->n = 1;
		else if (strcmp(flag, f->flag_off) == 0)
			c->n = 0;
		else {
			perr(p, line, "'%s' ends with '%s' or '%s', not '%s'",
			     text, f->flag_on, f->flag_off, flag);
			goto out;
		}
		break;
	}
	if (f->arg != ARG_NONE && f->arg != ARG_FLAG &&
	    !(c->arg = strdup(w[first])))
		goto out;
	if (!(c->source = strdup(text)))
		goto out;
	rc = 0;
out:
	cmdline_free(&words);
	if (rc < 0) {
		free(c->arg);
		c->arg = NULL;
	}
	return rc;
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
	return 0;
}

int
lesson_parse(const char *text, const char *file, lesson_command_fn known,
	     struct lesson *out, char *err, size_t errlen)
{
	struct parser p = { file, known, out, err, errlen };
	enum { NONE, COMMANDS, CHECKS, OTHER } fence = NONE;
	struct lesson_step *step = NULL;
	int line = 0, fence_line = 0;
	const char *s = text;
	bool front = false, front_done = false;

	memset(out, 0, sizeof(*out));
	if (strlen(text) > LESSON_MAX_BYTES) {
		perr(&p, 1, "%zu bytes is too long for a lesson (at most %d): "
		     "is this a lesson file?", strlen(text), LESSON_MAX_BYTES);
		goto fail;
	}
	for (; *s; ) {
		size_t len = strcspn(s, "\n");
		char *l = trimmed(s, len);

		line++;
		if (!l)
			goto nomem;
		s += len + (s[len] == '\n');
		for (const char *c = l; *c; c++)
			if ((unsigned char)*c < 0x20 && *c != '\t') {
				unsigned char bad = (unsigned char)*c;

				free(l);
				perr(&p, line, "a control character (0x%02x): "
				     "is this a text file?", bad);
				goto fail;
			}
		if (line == 1 && strcmp(l, "---") == 0) {
			front = true;
			free(l);
			continue;
		}
		if (line == 1) {
			free(l);
			perr(&p, 1, "a lesson starts with front matter: a '---' "
			     "line, 'title: ...', 'id: ...', and '---'");
			goto fail;
		}
		if (front && !front_done) {
			char *colon = strchr(l, ':'), **slot = NULL;

			if (strcmp(l, "---") == 0) {
				front_done = true;
				free(l);
				if (!out->title || !out->id) {
					perr(&p, line, "the front matter needs "
					     "both 'title:' and 'id:'");
					goto fail;
				}
				continue;
			}
			if (colon && strncmp(l, "title", (size_t)(colon - l)) == 0 &&
			    colon - l == 5)
				slot = &out->title;
			else if (colon && colon - l == 2 && strncmp(l, "id", 2) == 0)
				slot = &out->id;
			if (!slot) {
				perr(&p, line, "expected 'title: ...', 'id: ...' or "
				     "'---' in the front matter, not '%s'", l);
				free(l);
				goto fail;
			}
			free(*slot);
			*slot = trimmed(colon + 1, strlen(colon + 1));
			free(l);
			if (!*slot)
				goto nomem;
			if (!**slot) {
				perr(&p, line, "an empty value in the front matter");
				goto fail;
			}
			continue;
		}
		if (fence != NONE) {
			if (strncmp(l, "```", 3) == 0) {
				fence = NONE;
			} else if (fence == COMMANDS && *l && *l != '#') {
				if (add_command(&p, step, l, line) < 0) {
					free(l);
					goto fail;
				}
			} else if (fence == CHECKS && strcmp(l, LESSON_ANY_ISOLATION)
				   == 0) {
				step->any_isolation = true;
			} else if (fence == CHECKS && *l && *l != '#') {
				if (grow((void **)&step->checks, step->nchecks,
					 sizeof(*step->checks)) ||
				    parse_check(&p, l, line,
						&step->checks[step->nchecks]) < 0) {
					free(l);
					goto fail;
				}
				step->nchecks++;
			} else if (fence == OTHER &&
				   append_line(step ? &step->prose : &out->intro,
					       l, strlen(l))) {
				free(l);
				goto nomem;
			}
			free(l);
			continue;
		}
		if (strncmp(l, "```", 3) == 0) {
			const char *info = l + 3;

			fence_line = line;
			if (strcmp(info, "boxstep") == 0 ||
			    strcmp(info, "expect") == 0) {
				if (!step) {
					perr(&p, line, "a ```%s block must be "
					     "inside a step (after a '## ' "
					     "heading)", info);
					free(l);
					goto fail;
				}
				fence = *info == 'b' ? COMMANDS : CHECKS;
			} else {
				fence = OTHER;
			}
			free(l);
			continue;
		}
		if (strncmp(l, "## ", 3) == 0) {
			if (close_step(&p, step) < 0) {
				free(l);
				goto fail;
			}
			if (out->nsteps == LESSON_MAX_STEPS) {
				perr(&p, line, "too many steps: a lesson has at "
				     "most %d; split it in two", LESSON_MAX_STEPS);
				free(l);
				goto fail;
			}
			if (grow((void **)&out->steps, out->nsteps,
				 sizeof(*out->steps))) {
				free(l);
				goto nomem;
			}
			step = &out->steps[out->nsteps++];
			memset(step, 0, sizeof(*step));
			step->line = line;
			step->title = strdup(l + 3);
			free(l);
			if (!step->title)
				goto nomem;
			continue;
		}
		if (strncmp(l, "> hint:", 7) == 0) {
			if (!step) {
				perr(&p, line, "a hint must be inside a step");
				free(l);
				goto fail;
			}
			if (grow((void **)&step->hints, step->nhints,
				 sizeof(char *))) {
				free(l);
				goto nomem;
			}
			step->hints[step->nhints] = trimmed(l + 7, strlen(l + 7));
			free(l);
			if (!step->hints[step->nhints++])
				goto nomem;
			continue;
		}
		if (append_line(step ? &step->prose : &out->intro, l,
				strlen(l))) {
			free(l);
			goto nomem;
		}
		free(l);
	}
	if (front && !front_done) {
		perr(&p, line, "the front matter is never closed with '---'");
		goto fail;
	}
	if (fence != NONE) {
		perr(&p, fence_line, "the ``` block opened here is never closed");
		goto fail;
	}
	if (!front) {
		perr(&p, 1, "a lesson starts with front matter: a '---' line, "
		     "'title: ...', 'id: ...', and '---'");
		goto fail;
	}
	if (out->nsteps == 0) {
		perr(&p, line, "no steps: each step starts with a '## ' heading");
		goto fail;
	}
	if (close_step(&p, step) < 0)
		goto fail;
	if (tidy_prose(&out->intro) < 0)
		goto nomem;
	for (size_t i = 0; i < out->nsteps; i++)
		if (tidy_prose(&out->steps[i].prose) < 0)
			goto nomem;
	return 0;
nomem:
	perr(&p, line, "out of memory");
fail:
	lesson_free(out);
	return -1;
}

void
lesson_free(struct lesson *l)
{
	for (size_t i = 0; i < l->nsteps; i++) {
		struct lesson_step *s = &l->steps[i];

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
	free(l->steps);
	free(l->title);
	free(l->id);
	free(l->intro);
	memset(l, 0, sizeof(*l));
}
