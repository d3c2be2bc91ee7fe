/* classconf: the instructor's file of limits for every session. */
#include "session/classconf.h"

#include <errno.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/fsutil.h"
#include "base/msg.h"
#include "base/text.h"
#include "layers/plan.h"

static int
set_disk_max(struct classconf *c, const char *v, char *why, size_t len)
{
	long long n;

	if (plan_parse_size(v, &n) < 0)
		return msg_fail(why, len, "takes a size such as 64M or 1G, not "
				"'%s'", v);
	if (n < CLASSCONF_DISK_MIN || n > PLAN_MEMORY_LIMIT)
		return msg_fail(why, len, "must be between 1M and 1P; '%s' is "
				"out of range", v);
	c->disk_max = n;
	return 0;
}

/* session.pids.max, .memory.max, .cpu.max: as `set` takes them, read
 * by the plan's own parser (KEY is the plan's key). */
static int
set_limit(struct classconf *c, const char *key, const char *v, char *why,
	  size_t len)
{
	struct plan p;
	char err[512];
	size_t n = strlen(key);

	plan_init(&p, "");
	if (plan_set(&p, key, v, err, sizeof(err)) < 0)
		/* "pids.max takes ...": the key is said already */
		return msg_fail(why, len, "%s", strncmp(err, key, n) == 0 &&
				err[n] == ' ' ? err + n + 1 : err);
	if (strcmp(key, "pids.max") == 0)
		c->pids_max = p.pids_max;
	else if (strcmp(key, "memory.max") == 0)
		c->memory_max = p.memory_max;
	else
		c->cpu_max = p.cpu_max;
	return 0;
}

static int
set_pids(struct classconf *c, const char *v, char *why, size_t len)
{
	return set_limit(c, "pids.max", v, why, len);
}

static int
set_memory(struct classconf *c, const char *v, char *why, size_t len)
{
	return set_limit(c, "memory.max", v, why, len);
}

static int
set_cpu(struct classconf *c, const char *v, char *why, size_t len)
{
	return set_limit(c, "cpu.max", v, why, len);
}

static int
set_instructors(struct classconf *c, const char *v, char *why, size_t len)
{
	if (!*v || strlen(v) >= sizeof(c->instructors))
		return msg_fail(why, len, "takes the name of a group, not "
				"'%s'", v);
	if (!getgrnam(v))
		return msg_fail(why, len, "names the group '%s', which this "
				"host does not have (make it with groupadd %s)",
				v, v);
	snprintf(c->instructors, sizeof(c->instructors), "%s", v);
	return 0;
}

static const struct {
	const char *name;
	int (*set)(struct classconf *c, const char *v, char *why, size_t len);
	const char *help;
} keys[] = {
	{ "session.disk.max", set_disk_max,
	  "what each session's writable layer may hold (default 256M)" },
	{ "session.pids.max", set_pids,
	  "processes a session may have in all (default max)" },
	{ "session.memory.max", set_memory,
	  "memory a session may use in all, no swap (default max)" },
	{ "session.cpu.max", set_cpu,
	  "percent of one CPU a session may use in all (default max)" },
	{ "instructors", set_instructors,
	  "the group whose members may watch the room (default none)" },
};

#define NKEYS (sizeof(keys) / sizeof(keys[0]))

static const char *
key_at(size_t i)
{
	return i < NKEYS ? keys[i].name : NULL;
}

const char *
classconf_keys(void)
{
	static char text[1024];

	if (!text[0])
		for (size_t i = 0; i < NKEYS; i++)
			snprintf(text + strlen(text), sizeof(text) -
				 strlen(text), "  %-18s %s\n", keys[i].name,
				 keys[i].help);
	return text;
}

void
classconf_init(struct classconf *c)
{
	memset(c, 0, sizeof(*c));
	c->disk_max = CLASSCONF_DEFAULT_DISK_MAX;
	c->pids_max = -1;
	c->memory_max = -1;
	c->cpu_max = -1;
}

/* The line LINE (its own copy, cut at '#' and trimmed) into C. */
static int
parse_line(struct classconf *c, char *line, char *why, size_t len)
{
	char *eq = strchr(line, '='), *key = line, *value, suggest[128];

	if (!eq)
		return msg_fail(why, len, "expected KEY = VALUE, not '%s'",
				line);
	*eq = '\0';
	value = eq + 1;
	key[strcspn(key, " \t")] = '\0';
	value += strspn(value, " \t");
	for (size_t i = 0; i < NKEYS; i++) {
		char what[512];

		if (strcmp(keys[i].name, key) != 0)
			continue;
		if (keys[i].set(c, value, what, sizeof(what)) < 0)
			return msg_fail(why, len, "%s %s", key, what);
		return 0;
	}
	if (text_suggest(key, key_at, suggest, sizeof(suggest)))
		return msg_fail(why, len, "unknown key '%s' (did you mean "
				"%s?)", key, suggest);
	return msg_fail(why, len, "unknown key '%s'; the keys are:\n%s", key,
			classconf_keys());
}

int
classconf_parse(struct classconf *c, const char *text, const char *file,
		char *err, size_t errlen)
{
	int number = 0;

	for (const char *p = text; *p;) {
		size_t n = strcspn(p, "\n");
		char line[1024], why[1536];
		char *s = line, *end;

		number++;
		if (n >= sizeof(line))
			return msg_fail(err, errlen, "%s:%d: the line is longer "
					"than %zu bytes", file, number,
					sizeof(line) - 1);
		memcpy(line, p, n);
		line[n] = '\0';
		p += n + (p[n] == '\n');
		line[strcspn(line, "#")] = '\0';
		s += strspn(s, " \t");
		end = s + strlen(s);
		while (end > s && (end[-1] == ' ' || end[-1] == '\t' ||
				   end[-1] == '\r'))
			*--end = '\0';
		if (!*s)
			continue;
		if (parse_line(c, s, why, sizeof(why)) < 0)
			return msg_fail(err, errlen, "%s:%d: %s", file, number,
					why);
	}
	return 0;
}

const char *
classconf_path(void)
{
	const char *path = getenv("BOXSTEP_CLASS_CONF");

	return path && *path ? path : CLASSCONF_PATH;
}

int
classconf_load(struct classconf *c, char *err, size_t errlen)
{
	const char *path = classconf_path();
	char *text;
	int rc;

	classconf_init(c);
	if (!(text = fsutil_slurp(path, NULL))) {
		if (errno == ENOENT)
			return 0;
		return msg_fail(err, errlen, "cannot read the class file %s: "
				"%s", path, strerror(errno));
	}
	rc = classconf_parse(c, text, path, err, errlen);
	free(text);
	return rc;
}
