/* catalog: the lessons on disk: finding one by name, listing them. */
#define _GNU_SOURCE
#include "lessons/catalog.h"

#include <ctype.h>
#include <errno.h>
#include <glob.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/fsutil.h"
#include "engine/spawn.h"
#include "lessons/course.h"

/* The lessons in DIR, sorted.  Returns the count (0: none). */
static size_t
lesson_files(const char *dir, glob_t *g)
{
	char pattern[PATH_MAX + 8];

	memset(g, 0, sizeof(*g));
	if (!dir || !dir[0])
		return 0;
	snprintf(pattern, sizeof(pattern), "%s/*.md", dir);
	if (glob(pattern, 0, NULL, g) != 0)
		return 0;
	return g->gl_pathc;
}

int
catalog_load(const char *path, struct lesson *l, char *err, size_t errlen)
{
	char *text = fsutil_slurp(path, NULL);
	int rc;

	if (!text) {
		snprintf(err, errlen, "cannot read %s: %s", path,
			 strerror(errno));
		return -1;
	}
	rc = lesson_parse(text, path, course_known_command, l, err, errlen);
	free(text);
	if (rc == 0)
		lesson_choose(l, spawn_rootless_active());
	return rc;
}

/* Says whether the lesson file PATH (id ID) is the one NAME names. */
static bool
names(const char *path, const char *id, const char *name)
{
	char base[PATH_MAX], *dot;
	const char *rest = id;
	size_t n = strlen(name);

	snprintf(base, sizeof(base), "%s", strrchr(path, '/') ?
		 strrchr(path, '/') + 1 : path);
	if ((dot = strrchr(base, '.')) && strcmp(dot, ".md") == 0)
		*dot = '\0';
	if (strcmp(base, name) == 0 || (id && strcmp(id, name) == 0))
		return true;
	if (!id)
		return false;
	/* "02" or "2": the number before the first '-'. */
	if (n && strspn(name, "0123456789") == n && isdigit((unsigned char)id[0]))
		return atoi(id) == atoi(name);
	/* "uts": the part after the number. */
	while (isdigit((unsigned char)*rest))
		rest++;
	return *rest == '-' && strcmp(rest + 1, name) == 0;
}

int
catalog_resolve(const char *dir, const char *name, char *path, size_t len,
		char *err, size_t errlen)
{
	char ids[1024] = "";
	glob_t g;
	size_t n;

	if (strchr(name, '/') || access(name, F_OK) == 0) {
		if (access(name, R_OK) < 0) {
			snprintf(err, errlen, "cannot read the lesson file %s: "
				 "%s", name, strerror(errno));
			return -1;
		}
		snprintf(path, len, "%s", name);
		return 0;
	}
	n = lesson_files(dir, &g);
	for (size_t i = 0; i < n; i++) {
		struct lesson l;
		char lerr[512];
		bool hit;

		if (catalog_load(g.gl_pathv[i], &l, lerr, sizeof(lerr)) < 0) {
			hit = names(g.gl_pathv[i], NULL, name);
		} else {
			hit = names(g.gl_pathv[i], l.id, name);
			snprintf(ids + strlen(ids), sizeof(ids) - strlen(ids),
				 "%s%s", ids[0] ? ", " : "", l.id);
			lesson_free(&l);
		}
		if (hit) {
			snprintf(path, len, "%s", g.gl_pathv[i]);
			globfree(&g);
			return 0;
		}
	}
	globfree(&g);
	if (!n)
		snprintf(err, errlen, "no lesson called '%s', and no lessons "
			 "directory was found; give the file's path", name);
	else
		snprintf(err, errlen, "no lesson called '%s'; there are: %s",
			 name, ids);
	return -1;
}

void
catalog_open_progress(struct progress *p, char *file, size_t len)
{
	file[0] = '\0';
	memset(p, 0, sizeof(*p));
	if (progress_path(file, len) == 0)
		progress_load(p, file);
}

int
catalog_list(FILE *out, const char *dir, const struct lesson *here,
	     size_t step)
{
	char file[PATH_MAX];
	struct progress p;
	glob_t g;
	size_t n = lesson_files(dir, &g);

	if (!n) {
		fprintf(stderr, "boxstep: no lessons found (looked in %s)\n",
			dir && dir[0] ? dir : "the build tree and the share "
			"directory");
		globfree(&g);
		return 1;
	}
	catalog_open_progress(&p, file, sizeof(file));
	fprintf(out, "Lessons, in the order of the story:\n\n");
	for (size_t i = 0; i < n; i++) {
		struct lesson l;
		char err[1024], state[64];
		const struct progress_entry *e;
		bool taking;

		if (catalog_load(g.gl_pathv[i], &l, err, sizeof(err)) < 0) {
			fprintf(out, "  (broken) %s\n", err);
			continue;
		}
		e = progress_get(&p, l.id, false);
		taking = here && strcmp(l.id, here->id) == 0;
		if (taking)
			snprintf(state, sizeof(state), "%d/%zu done, at step %zu",
				 e ? progress_count_done(e, l.nsteps) : 0,
				 l.nsteps, step + 1);
		else if (!e)
			snprintf(state, sizeof(state), "not started");
		else if (progress_count_done(e, l.nsteps) == (int)l.nsteps)
			snprintf(state, sizeof(state), "done");
		else
			snprintf(state, sizeof(state), "%d/%zu done, at step %d",
				 progress_count_done(e, l.nsteps), l.nsteps,
				 e->step);
		fprintf(out, "%s %-17s %-24s %s\n", taking ? ">" : " ", l.id,
			state, l.title);
		lesson_free(&l);
	}
	/* Rootless, a learner starts it without sudo. */
	fprintf(out, "\nStart or resume one:  %sboxstep lesson 02   (at the "
		"prompt: lesson 02)\n",
		geteuid() == 0 && !spawn_rootless_active() ? "sudo " : "");
	if (file[0])
		fprintf(out, "Progress is kept in %s\n", file);
	if (here)
		fprintf(out, "You are taking %s (>), at step %zu of %zu: `step` "
			"shows the step again.\n", here->id, step + 1,
			here->nsteps);
	progress_free(&p);
	globfree(&g);
	return 0;
}
