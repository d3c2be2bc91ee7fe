/* lesson_check: the checks of an ```expect block, one a line: their
 * grammar, a table of their forms, and the bounds on their regexes. */
#define _GNU_SOURCE
#include "lessons/lesson_check.h"

#include <regex.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/cmdline.h"
#include "base/msg.h"
#include "layers/layers.h"
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
	{ "container", "capabilities", LESSON_CONTAINER_CAPS, ARG_NUMBER, 0,
	  0 },
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

/* The form the words W (N of them, the check's name at FIRST) name. */
static const struct form *
find_form(char **w, int n, int first)
{
	for (size_t i = 0; first < n && i < sizeof(forms) / sizeof(forms[0]); i++)
		if (strcmp(forms[i].w1, w[first]) == 0 &&
		    (!forms[i].w2 || (first + 1 < n &&
				      strcmp(forms[i].w2, w[first + 1]) == 0)))
			return &forms[i];
	return NULL;
}

/* What follows a check's name, ARGS, judged: each returns 0, or -1 with
 * why not in WHY.  TEXT is the whole line, for messages. */
struct arg_in {
	const struct form *f;
	char **args;
	const char *text;
	struct lesson_check *c;
	char *why;
	size_t whylen;
};

static int
arg_number(const struct arg_in *a)
{
	if (!parse_number(a->args[0], &a->c->n))
		return msg_fail(a->why, a->whylen, "'%s' needs a whole number, "
			    "not '%s'", a->text, a->args[0]);
	return 0;
}

static int
arg_text(const struct arg_in *a)
{
	if (!*a->args[0])
		return msg_fail(a->why, a->whylen, "'%s' needs a non-empty "
			    "argument", a->text);
	return 0;
}

static int
arg_regex(const struct arg_in *a)
{
	regex_t re;
	const char *why, *arg = a->args[0];
	int r;
	/* {KEY} is filled in when the check runs: as a regex, it is judged
	 * with a plain word in its place. */
	char *filled = without_keys(arg);

	if (!filled)
		return msg_fail(a->why, a->whylen, "'%s' names a setting in "
			    "{...} that there is not (the settings: `help "
			    "set`)", a->text);
	if ((why = regex_too_costly(filled)) != NULL) {
		free(filled);
		return msg_fail(a->why, a->whylen, "regular expression too "
			    "costly: '%.40s%s': %s; a shorter or simpler one "
			    "will do", arg, strlen(arg) > 40 ? "..." : "", why);
	}
	r = regcomp(&re, filled, REG_EXTENDED | REG_NOSUB);
	free(filled);
	if (r != 0) {
		char msg[128];

		regerror(r, &re, msg, sizeof(msg));
		return msg_fail(a->why, a->whylen, "bad regular expression "
			    "'%s': %s", arg, msg);
	}
	regfree(&re);
	return arg_text(a);
}

/* The last word: the form's on or off word. */
static int
arg_flag(const struct arg_in *a)
{
	const struct form *f = a->f;
	const char *flag = a->args[f->arg != ARG_FLAG];

	if (strcmp(flag, f->flag_on) == 0)
		a->c->n = 1;
	else if (strcmp(flag, f->flag_off) == 0)
		a->c->n = 0;
	else
		return msg_fail(a->why, a->whylen, "'%s' ends with '%s' or "
			    "'%s', not '%s'", a->text, f->flag_on, f->flag_off,
			    flag);
	return 0;
}

static int
arg_layer(const struct arg_in *a)
{
	if (plan_layer_lookup(a->args[0]) < 0)
		return msg_fail(a->why, a->whylen, "no layer called '%s'; the "
			    "layers are: %s", a->args[0], plan_layer_names());
	return arg_flag(a);
}

static int
arg_ns(const struct arg_in *a)
{
	bool ok = false;

	for (int i = 0; ns_types[i]; i++)
		ok |= strcmp(ns_types[i], a->args[0]) == 0;
	if (!ok)
		return msg_fail(a->why, a->whylen, "no namespace type '%s'; "
			    "expected uts, pid, mnt, ipc, net, user, cgroup or "
			    "time", a->args[0]);
	return arg_flag(a);
}

/* Per kind of argument: how many words follow the check's name, whether
 * the first is kept as the check's arg, and how they are judged. */
static const struct arg_rule {
	int words;
	bool keep;
	int (*judge)(const struct arg_in *a);
} arg_rules[] = {
	[ARG_NONE] = { 0, false, NULL },
	[ARG_TEXT] = { 1, true, arg_text },
	[ARG_REGEX] = { 1, true, arg_regex },
	[ARG_NUMBER] = { 1, true, arg_number },
	[ARG_LAYER] = { 2, true, arg_layer },
	[ARG_NS] = { 2, true, arg_ns },
	[ARG_PATH] = { 1, true, arg_text },
	[ARG_FLAG] = { 1, false, arg_flag },
};

/* Judges the NARGS words after the name of the check of form F. */
static int
judge_args(const struct arg_in *a, int nargs)
{
	const struct form *f = a->f;
	int need = arg_rules[f->arg].words;

	if (nargs != need)
		return msg_fail(a->why, a->whylen, "'%s' takes %s after "
			    "'%s%s%s'", a->text, need == 0 ? "nothing" :
			    need == 2 ? "two words" : "one word (quote it if "
			    "it has blanks)", f->w1, f->w2 ? " " : "",
			    f->w2 ? f->w2 : "");
	return arg_rules[f->arg].judge ? arg_rules[f->arg].judge(a) : 0;
}

int
lesson_check_parse(const char *text, int line, struct lesson_check *c,
		   char *why, size_t whylen)
{
	struct cmdline_list words;
	struct arg_in a = { NULL, NULL, text, c, why, whylen };
	char e[256];
	char **w;
	int n, first = 0, rc = -1;

	memset(c, 0, sizeof(*c));
	c->line = line;
	if (cmdline_parse(text, NULL, &words, e, sizeof(e)) < 0)
		return msg_fail(why, whylen, "%s",
				e + (strncmp(e, "line 1: ", 8) ? 0 : 8));
	if (words.n != 1) {
		cmdline_free(&words);
		return msg_fail(why, whylen, "one check a line, without ';'");
	}
	w = words.cmds[0].argv;
	n = words.cmds[0].argc;
	if (strcmp(w[0], "always:") == 0) {
		c->always = true;
		first = 1;
	}
	if (!(a.f = find_form(w, n, first))) {
		msg_fail(why, whylen, "unknown check '%s'; a check is one "
			 "of:\n%s", text, grammar);
		goto out;
	}
	c->kind = a.f->kind;
	first += a.f->w2 ? 2 : 1;
	a.args = w + first;
	if (judge_args(&a, n - first) == 0 &&
	    (!arg_rules[a.f->arg].keep || (c->arg = strdup(w[first]))) &&
	    (c->source = strdup(text)))
		rc = 0;
out:
	cmdline_free(&words);
	if (rc < 0) {
		free(c->arg);
		c->arg = NULL;
	}
	return rc;
}
