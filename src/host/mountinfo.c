/* mountinfo: split /proc/<pid>/mountinfo into fields. */
#include "host/mountinfo.h"

#include <stdlib.h>
#include <string.h>

/* Undoes the kernel's octal escapes (\040 space, \011 tab, \012 newline,
 * \134 backslash) in place. */
static void
unescape(char *s)
{
	char *w = s;

	for (char *r = s; *r; r++) {
		if (r[0] == '\\' && r[1] >= '0' && r[1] <= '3' &&
		    r[2] >= '0' && r[2] <= '7' && r[3] >= '0' && r[3] <= '7') {
			*w++ = (char)((r[1] - '0') * 64 + (r[2] - '0') * 8 +
				      (r[3] - '0'));
			r += 3;
		} else {
			*w++ = *r;
		}
	}
	*w = '\0';
}

/* Cuts the next blank-separated field out of *P. */
static char *
field(char **p)
{
	char *s = *p, *e;

	while (*s == ' ')
		s++;
	if (*s == '\0')
		return NULL;
	e = s;
	while (*e && *e != ' ')
		e++;
	if (*e)
		*e++ = '\0';
	*p = e;
	return s;
}

static int
parse_line(char *line, struct mountinfo_entry *e)
{
	char *p = line, *f[6], *dash, *tags_end, *end;

	for (int i = 0; i < 6; i++)
		if (!(f[i] = field(&p)))
			return 0;
	e->id = (int)strtol(f[0], &end, 10);
	if (*end)
		return 0;
	e->parent = (int)strtol(f[1], &end, 10);
	if (*end)
		return 0;
	e->root = f[3];
	e->mountpoint = f[4];
	e->options = f[5];
	while (*p == ' ')
		p++;
	/* Optional fields run up to a lone "-". */
	if (strncmp(p, "- ", 2) == 0) {
		dash = p;
		e->tags = p; /* becomes "" below */
	} else {
		dash = strstr(p, " - ");
		if (!dash)
			return 0;
		e->tags = p;
		dash++;
	}
	tags_end = dash;
	p = dash + 2;
	if (tags_end > e->tags)
		tags_end[-1] = '\0';
	else
		*tags_end = '\0';
	if (!(e->fstype = field(&p)) || !(e->source = field(&p)))
		return 0;
	e->super = field(&p);
	if (!e->super)
		e->super = p; /* "" at the end of the line */
	unescape(e->root);
	unescape(e->mountpoint);
	unescape(e->source);
	return 1;
}

int
mountinfo_next(char **cursor, struct mountinfo_entry *e)
{
	while (*cursor && **cursor) {
		char *line = *cursor, *nl = strchr(line, '\n');

		if (nl) {
			*nl = '\0';
			*cursor = nl + 1;
		} else {
			*cursor = line + strlen(line);
		}
		memset(e, 0, sizeof(*e));
		if (parse_line(line, e))
			return 1;
	}
	return 0;
}

bool
mountinfo_under(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	while (n > 1 && dir[n - 1] == '/')
		n--;
	if (n == 1 && dir[0] == '/')
		return path[0] == '/';
	return strncmp(path, dir, n) == 0 && (path[n] == '\0' || path[n] == '/');
}
