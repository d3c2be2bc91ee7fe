/* progress: the learner's place in each lesson, as a small text file. */
#define _GNU_SOURCE
#include "lessons/progress.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/fsutil.h"

void
progress_free(struct progress *p)
{
	free(p->e);
	p->e = NULL;
	p->n = 0;
}

struct progress_entry *
progress_get(struct progress *p, const char *id, bool create)
{
	struct progress_entry *e;

	for (size_t i = 0; i < p->n; i++)
		if (strcmp(p->e[i].id, id) == 0)
			return &p->e[i];
	if (!create || strlen(id) >= sizeof(e->id))
		return NULL;
	if (!(e = realloc(p->e, (p->n + 1) * sizeof(*e))))
		return NULL;
	p->e = e;
	e = &p->e[p->n++];
	memset(e, 0, sizeof(*e));
	snprintf(e->id, sizeof(e->id), "%s", id);
	e->step = 1;
	return e;
}

void
progress_forget(struct progress *p, const char *id)
{
	struct progress_entry *e = progress_get(p, id, false);

	if (!e)
		return;
	memmove(e, e + 1, (size_t)(p->e + p->n - (e + 1)) * sizeof(*e));
	p->n--;
}

int
progress_count_done(const struct progress_entry *e, size_t nsteps)
{
	int n = 0;

	for (size_t i = 0; e && i < nsteps && i < PROGRESS_MAX_STEPS; i++)
		n += (e->done >> i) & 1;
	return n;
}

/* Reads "1,2,5" or "-" into a bit set.  Returns 0 or -1. */
static int
parse_done(const char *s, uint64_t *done)
{
	*done = 0;
	if (strcmp(s, "-") == 0)
		return 0;
	while (*s) {
		char *end;
		long n = strtol(s, &end, 10);

		if (end == s || n < 1 || n > PROGRESS_MAX_STEPS ||
		    (*end && *end != ','))
			return -1;
		*done |= (uint64_t)1 << (n - 1);
		s = *end ? end + 1 : end;
	}
	return 0;
}

int
progress_parse(const char *text, struct progress *p)
{
	int skipped = 0;

	progress_free(p);
	while (text && *text) {
		const char *nl = strchr(text, '\n');
		size_t len = nl ? (size_t)(nl - text) : strlen(text);
		char line[512], id[64], done[256], extra[2];
		int step;
		uint64_t bits;

		if (len < sizeof(line)) {
			memcpy(line, text, len);
			line[len] = '\0';
		} else {
			line[0] = '!';
			line[1] = '\0';
		}
		text += len + (nl ? 1 : 0);
		if (line[strspn(line, " \t")] == '\0' || line[0] == '#')
			continue;
		if (sscanf(line, "%63s %d %255s %1s", id, &step, done, extra) != 3 ||
		    step < 1 || step > PROGRESS_MAX_STEPS ||
		    parse_done(done, &bits) < 0) {
			skipped++;
			continue;
		}
		{
			struct progress_entry *e = progress_get(p, id, true);

			if (e) {
				e->step = step;
				e->done = bits;
			}
		}
	}
	return skipped;
}

char *
progress_format(const struct progress *p)
{
	static const char head[] =
		"# boxstep lesson progress: one line per lesson, its id, the "
		"step you are on,\n# and the steps done (\"-\" for none).  "
		"Safe to edit, copy or delete.\n";
	size_t cap = sizeof(head) + p->n * (64 + 16 + PROGRESS_MAX_STEPS * 3);
	char *out = malloc(cap);
	size_t o;

	if (!out)
		return NULL;
	o = (size_t)snprintf(out, cap, "%s", head);
	for (size_t i = 0; i < p->n; i++) {
		const struct progress_entry *e = &p->e[i];
		const char *sep = "";

		o += (size_t)snprintf(out + o, cap - o, "%s %d ", e->id, e->step);
		if (!e->done)
			o += (size_t)snprintf(out + o, cap - o, "-");
		for (int s = 0; s < PROGRESS_MAX_STEPS; s++)
			if ((e->done >> s) & 1) {
				o += (size_t)snprintf(out + o, cap - o, "%s%d",
						      sep, s + 1);
				sep = ",";
			}
		o += (size_t)snprintf(out + o, cap - o, "\n");
	}
	return out;
}

int
progress_path(char *buf, size_t len)
{
	char dir[4096];

	if (fsutil_state_dir(dir, sizeof(dir)) < 0)
		return -1;
	return fsutil_join(buf, len, dir, "progress");
}

int
progress_load(struct progress *p, const char *path)
{
	char *text = fsutil_slurp(path, NULL);

	progress_free(p);
	if (!text)
		return errno == ENOENT ? 0 : -1;
	progress_parse(text, p);
	free(text);
	return 0;
}

int
progress_save(const struct progress *p, const char *path)
{
	char tmp[4200], *text = progress_format(p);
	int fd, rc = -1;

	if (!text)
		return -1;
	snprintf(tmp, sizeof(tmp), "%s.new", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd >= 0) {
		size_t n = strlen(text);

		if (write(fd, text, n) == (ssize_t)n && fsync(fd) == 0)
			rc = 0;
		close(fd);
		if (rc == 0 && rename(tmp, path) < 0)
			rc = -1;
		if (rc < 0)
			unlink(tmp);
	}
	free(text);
	return rc;
}
