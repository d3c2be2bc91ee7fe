/* cmd_oci: the bridge to real runtimes: `show oci`, `show unshare`,
 * `show docker`, and `export DIR [COMMAND...]`, a bundle runc runs. */
#define _GNU_SOURCE
#include "session/builtin.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/fsutil.h"
#include "base/text.h"
#include "layers/cmdlines.h"
#include "layers/layers.h"
#include "layers/oci.h"
#include "session/command.h"

static char *const default_args[] = { "sh", NULL };

/* config.json for the plan, malloc'd; NULL when out of memory. */
static char *
config_json(const struct plan *p, char *const *argv)
{
	int n = plan_oci(p, argv, p->rootfs, NULL, 0);
	char *text = malloc((size_t)n + 1);

	if (text)
		plan_oci(p, argv, p->rootfs, text, (size_t)n + 1);
	return text;
}

int
builtin_show_bridge(struct session *r, const char *what)
{
	char err[512], *text;

	if (strcmp(what, "oci") == 0) {
		if (plan_check(&r->plan, err, sizeof(err)) < 0) {
			session_error(r, "no config.json for this plan: %s", err);
			return 1;
		}
		if (!(text = config_json(&r->plan, default_args))) {
			session_error(r, "show oci: out of memory");
			return 1;
		}
		fputs(text, stdout);
		free(text);
		return 0;
	}
	if (strcmp(what, "unshare") == 0 || strcmp(what, "docker") == 0) {
		int (*line)(const struct plan *, char *, size_t) =
			strcmp(what, "docker") == 0 ? plan_docker_line :
			plan_unshare_line;
		int n = line(&r->plan, NULL, 0);

		if (!(text = malloc((size_t)n + 1))) {
			session_error(r, "show %s: out of memory", what);
			return 1;
		}
		line(&r->plan, text, (size_t)n + 1);
		fputs(text, stdout);
		free(text);
		return 0;
	}
	session_error(r, "show takes nothing, or oci, unshare or docker; not "
		      "'%s'", what);
	return 2;
}

/* What runc needs of the plan that boxstep could do without, and what
 * this session could not do either.  Returns 0, or -1 with the reason in
 * ERR. */
static int
exportable(const struct session *r, char *err, size_t errlen)
{
	const struct plan *p = &r->plan;

	if (plan_check(p, err, errlen) < 0)
		return -1;
	/* A limit `run` refuses here fails in the runtime too, with less
	 * to say about why. */
	for (int c = 0; c < CGROUP_NCTL; c++)
		if (plan_has(p, spawn_cgroup_layer(c)) &&
		    r->spawn.cg.ctl[c].version == CGROUP_NONE)
			return msg_fail(err, errlen, "%s (a runtime could not "
					"set that limit either; disable %s)",
					r->spawn.cg.ctl[c].why,
					plan_layer_info(spawn_cgroup_layer(c))->name);
	if (!plan_has(p, PLAN_MNT) || !plan_new_root(p))
		return msg_fail(err, errlen, "runc always gives a container a "
				"mount namespace and a root of its own (it "
				"pivots into it): enable mnt, and chroot or "
				"pivot");
	if (!plan_has(p, PLAN_DEV))
		return msg_fail(err, errlen, "without a tmpfs on /dev runc "
				"makes its device nodes in the root's own /dev, "
				"which is the shared rootfs: enable dev");
	return 0;
}

/* DIR, made now or empty.  Returns 0 (with *MADE when it made it), or
 * -1 with the reason in ERR. */
static int
bundle_dir(const char *dir, bool *made, char *err, size_t errlen)
{
	DIR *d;
	struct dirent *e;

	*made = false;
	if (mkdir(dir, 0755) == 0) {
		*made = true;
		return 0;
	}
	if (errno != EEXIST)
		return msg_fail(err, errlen, "cannot make %s: %s", dir,
				strerror(errno));
	if (!(d = opendir(dir)))
		return msg_fail(err, errlen, "cannot open %s: %s", dir,
				strerror(errno));
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) {
			/* E is D's: the message is written before D goes. */
			msg_fail(err, errlen, "%s is not empty (it has %s): "
				 "export writes a bundle into a new or empty "
				 "directory only", dir, e->d_name);
			closedir(d);
			return -1;
		}
	closedir(d);
	if (access(dir, W_OK) < 0)
		return msg_fail(err, errlen, "cannot write into %s: %s", dir,
				strerror(errno));
	return 0;
}

int
builtin_export(struct session *r, int argc, char **argv, const char *rest)
{
	char err[PATH_MAX + 256], path[PATH_MAX + 16], *text;
	char dir[TEXT_SHELL_WORD_MAX], state[TEXT_SHELL_WORD_MAX + 32];
	bool made;
	int fd;

	(void)rest;
	if (exportable(r, err, sizeof(err)) < 0) {
		session_error(r, "not exported: %s", err);
		return 1;
	}
	if (bundle_dir(argv[1], &made, err, sizeof(err)) < 0) {
		session_error(r, "not exported: %s", err);
		return 1;
	}
	text = config_json(&r->plan, argc > 2 ? argv + 2 : default_args);
	snprintf(path, sizeof(path), "%s/config.json", argv[1]);
	fd = text ? open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644) :
		    -1;
	if (fd < 0 || fsutil_write_all(fd, text, strlen(text)) < 0) {
		session_error(r, "not exported: write %s: %s", path,
			      strerror(errno));
		if (fd >= 0)
			unlink(path);
		if (made)
			rmdir(argv[1]);
		if (fd >= 0)
			close(fd);
		free(text);
		return 1;
	}
	close(fd);
	free(text);
	printf("wrote %s (its root: %s, read-only)\n", path, r->plan.rootfs);
	snprintf(path, sizeof(path), "%s/state", argv[1]);
	text_shell_word(argv[1], dir, sizeof(dir));
	text_shell_word(path, state, sizeof(state));
	if (r->plan.rootless)
		/* Its ids are the session's host's, and /run is not the
		 * user's: runc's state goes into the bundle. */
		printf("run it in this session's host, whose uid 0 is you: "
		       "host runc --root %s run -b %s NAME\n", state, dir);
	else
		printf("run it with: runc run -b %s NAME\n", dir);
	return 0;
}
