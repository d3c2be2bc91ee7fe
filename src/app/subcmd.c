/* subcmd: the words boxstep takes instead of a session (check, images,
 * import, watch) or before one (lesson, present), from a table: each
 * with the words it takes, its usage, and whether it needs root.
 */
#define _GNU_SOURCE
#include "app/subcmd.h"

#include <errno.h>
#include <glob.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "app/autoplay.h"
#include "app/class.h"
#include "app/doctor.h"
#include "base/fsutil.h"
#include "base/text.h"
#include "engine/image.h"
#include "engine/spawn.h"
#include "engine/supervise.h"
#include "host/cgroup.h"
#include "host/hostview.h"
#include "lessons/catalog.h"
#include "lessons/course.h"
#include "lessons/origin.h"

/* Says whether DIR/rootfs/busybox is a directory, and if so writes its
 * canonical path to BUF (at least PATH_MAX bytes). */
static bool
rootfs_in(const char *dir, char *buf, size_t len)
{
	char candidate[PATH_MAX + 32];
	struct stat st;

	snprintf(candidate, sizeof(candidate), "%s/rootfs/busybox", dir);
	if (stat(candidate, &st) < 0 || !S_ISDIR(st.st_mode))
		return false;
	/* Canonical, as the mount table names it: teardown compares. */
	if (len < PATH_MAX || !realpath(candidate, buf))
		snprintf(buf, len, "%s", candidate);
	return true;
}

void
subcmd_default_rootfs(char *buf, size_t len)
{
	const char *env = getenv("BOXSTEP_ROOTFS");
	char exe[PATH_MAX], share[PATH_MAX + 32];
	ssize_t n;

	if (env && *env) {
		if (len < PATH_MAX || !realpath(env, buf))
			snprintf(buf, len, "%s", env);
		return;
	}
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = '\0';
		dirname(exe);
		snprintf(share, sizeof(share), "%s/../share/boxstep", exe);
		if (rootfs_in(exe, buf, len) || rootfs_in(share, buf, len))
			return;
	}
	if (rootfs_in(BOXSTEP_DATADIR, buf, len))
		return;
	snprintf(buf, len, "%s/rootfs/busybox", n > 0 ? exe : ".");
}

int
subcmd_rootless(const char *cgroot)
{
	char why[1024];

	if (spawn_rootless_probe(why, sizeof(why)) < 0) {
		fprintf(stderr, "boxstep: not running as root, and rootless mode "
			"cannot work here: %s\n", why);
		return 1;
	}
	/* Before any fork: the cgroup it may use is the one it is in, and
	 * it must be alone there. */
	if (cgroot) {
		spawn_rootless_begin(cgroot);
		atexit(spawn_rootless_end);
	}
	if (spawn_rootless_enter(why, sizeof(why)) < 0) {
		fprintf(stderr, "boxstep: not running as root, and the session's "
			"own host cannot be made: %s\n", why);
		return 1;
	}
	return 0;
}

/* boxstep check [-v] [FILE...] */
static int
check(int argc, char **argv, bool trust)
{
	char rootfs[PATH_MAX], dir[PATH_MAX], pattern[PATH_MAX + 8];
	const char *cgroot = getenv("BOXSTEP_CGROUP_ROOT");
	bool verbose = false;
	glob_t g = { 0 };
	int rc;

	if (argc > 0 && strcmp(argv[0], "-v") == 0) {
		verbose = true;
		argc--;
		argv++;
	}
	subcmd_default_rootfs(rootfs, sizeof(rootfs));
	if (!cgroot || !*cgroot)
		cgroot = CGROUP_DEFAULT_ROOT;
	if (spawn_rootless_needed() && subcmd_rootless(cgroot) != 0)
		return 1;
	origin_lessons_dir(dir, sizeof(dir), BOXSTEP_DATADIR);
	supervise(cgroot, rootfs, NULL);
	if (argc > 0)
		return autoplay_check_files(argc, argv, rootfs, cgroot, verbose,
					  dir, trust);
	snprintf(pattern, sizeof(pattern), "%s/*.md", dir);
	if (!dir[0] || glob(pattern, 0, NULL, &g) != 0 || g.gl_pathc == 0) {
		fprintf(stderr, "boxstep: no lessons found (looked in %s); name "
			"the files: boxstep check FILE...\n",
			dir[0] ? dir : "the build tree and the share directory");
		globfree(&g);
		return 2;
	}
	rc = autoplay_check_files((int)g.gl_pathc, g.gl_pathv, rootfs, cgroot,
				verbose, dir, trust);
	globfree(&g);
	return rc;
}

/* Parses the lesson at PATH (a broken one is reported later, with its
 * line) and, if it is from outside DIR, asks (origin_trust). */
static bool
vet_lesson(const char *path, const char *dir, bool trust)
{
	char *text = fsutil_slurp(path, NULL), err[2048];
	struct lesson l;
	bool ok = true;

	if (text && lesson_parse(text, path, course_known_command, &l, err,
				 sizeof(err)) == 0) {
		ok = origin_trust(path, &l, dir, trust);
		lesson_free(&l);
	}
	free(text);
	return ok;
}

/* boxstep watch PID: the host's view of any process. */
static int
watch(const char *arg, bool live)
{
	struct cgroup_ctx cg;
	struct hostview hv = { 0 };
	char *end, *text;
	long pid;
	int n;

	errno = 0;
	pid = strtol(arg, &end, 10);
	if (*arg == '\0' || *end != '\0' || pid <= 0 || pid > INT_MAX) {
		fprintf(stderr, "boxstep: watch takes a process id, not '%s': "
			"boxstep watch PID\n", arg);
		return 2;
	}
	cgroup_detect(&cg, CGROUP_DEFAULT_ROOT, NULL, 0);
	if (hostview_collect(&hv, "/proc", (pid_t)pid, &cg) < 0) {
		int e = errno;

		if (e && e != ENOENT && e != ESRCH)
			fprintf(stderr, "boxstep: cannot read /proc/%ld/status: "
				"%s\n", pid, strerror(e));
		else
			fprintf(stderr, "boxstep: there is no process %ld (it "
				"may have exited); in a boxstep session, `host "
				"echo $BOXPID` names the container's\n", pid);
		hostview_free(&hv);
		return 1;
	}
	if (live) {
		hostview_free(&hv);
		return tui_watch((pid_t)pid);
	}
	n = hostview_format(&hv, NULL, 0);
	text = malloc((size_t)n + 1);
	if (text) {
		hostview_format(&hv, text, (size_t)n + 1);
		fputs(text, stdout);
		free(text);
	}
	/* A part it could not read says why, and fails the view. */
	n = text && !hv.hostname_err ? 0 : 1;
	hostview_free(&hv);
	return n;
}

static int
sub_check(struct options *o, int argc, char **argv)
{
	return check(argc, argv, o->trust);
}

/* boxstep images [rm NAME] */
static int
sub_images(struct options *o, int argc, char **argv)
{
	char err[512];

	(void)o;
	if (argc == 2 && strcmp(argv[0], "rm") == 0) {
		if (geteuid() != 0) {
			fprintf(stderr, "boxstep: an image's files belong to "
				"root: sudo boxstep images rm %s\n", argv[1]);
			return 1;
		}
		if (image_remove(argv[1], stdout, err, sizeof(err)) < 0) {
			fprintf(stderr, "boxstep: images rm: %s\n", err);
			return 1;
		}
		return 0;
	}
	if (argc != 0)
		return SUB_USAGE;
	printf("images (`set rootfs NAME` uses one):\n");
	if (image_list(stdout, err, sizeof(err)) < 0) {
		fprintf(stderr, "boxstep: %s\n", err);
		return 1;
	}
	return 0;
}

/* boxstep import FILE.tar[:TAG] [NAME] */
static int
sub_import(struct options *o, int argc, char **argv)
{
	char err[2048], used[IMAGE_NAME_MAX + 1];

	(void)o;
	/* Rootless, every file is the user's, in the user's own store. */
	if (spawn_rootless_needed() && subcmd_rootless(NULL) != 0)
		return 1;
	if (image_import(argv[0], argc == 2 ? argv[1] : NULL, stdout, used,
			 sizeof(used), err, sizeof(err)) < 0) {
		fprintf(stderr, "boxstep: import: %s\n", err);
		return 1;
	}
	return 0;
}

static int
sub_watch(struct options *o, int argc, char **argv)
{
	(void)argc;
	return watch(argv[0], !o->plain && tui_capable());
}

/* boxstep lesson [NAME], boxstep present LESSON: the lessons, or the one
 * the session starts with. */
static int
sub_lesson(struct options *o, int argc, char **argv)
{
	char err[2048];

	if (argc == 0 && !o->present)
		return catalog_list(stdout, o->lessons, NULL, 0);
	if (o->commands || o->file)
		return SUB_USAGE;
	if (catalog_resolve(o->lessons, argv[0], o->lesson, sizeof(o->lesson),
			    err, sizeof(err)) < 0) {
		fprintf(stderr, "boxstep: %s; `boxstep lesson` lists them\n",
			err);
		return 2;
	}
	/* Ask now, before a screen or a recording starts. */
	if (geteuid() == 0 && !vet_lesson(o->lesson, o->lessons, o->trust))
		return 1;
	return SUB_SESSION;
}

static int
sub_class(struct options *o, int argc, char **argv)
{
	char rootfs[PATH_MAX];

	if (argc > 0 && strcmp(argv[0], "doctor") == 0) {
		subcmd_default_rootfs(rootfs, sizeof(rootfs));
		return doctor_main(rootfs, o->lessons, argc - 1, argv + 1);
	}
	return class_main(argc, argv);
}

/* The words boxstep takes instead of a session, or before one. */
static const struct subcommand {
	const char *name;
	int min_args, max_args; /* words after the name; -1: no limit */
	const char *usage;      /* when the words do not fit */
	const char *need_root;  /* when not root ("%s": the first word), or
				 * NULL */
	bool present;           /* projector mode */
	/* Returns the exit status, SUB_USAGE, or SUB_SESSION to go on. */
	int (*run)(struct options *o, int argc, char **argv);
} subcommands[] = {
	{ "check", 0, -1, NULL, NULL, false, sub_check },
	{ "class", 0, -1, NULL, NULL, false, sub_class },
	{ "images", 0, 2, "boxstep: usage: boxstep images [rm NAME]\n", NULL,
	  false, sub_images },
	{ "import", 1, 2, "boxstep: usage: boxstep import FILE.tar[:TAG] [NAME] (a "
	  "docker save or OCI image archive)\n", NULL, false, sub_import },
	{ "watch", 1, 1, "boxstep: usage: boxstep watch PID\n", "boxstep: "
	  "watch reads other processes' namespaces, which needs root: sudo "
	  "boxstep watch %s\n", false, sub_watch },
	{ "lesson", 0, 1, "boxstep: usage: boxstep [--plain] lesson [NAME]\n",
	  NULL, false, sub_lesson },
	{ "present", 1, 1, "boxstep: usage: boxstep present LESSON (`boxstep "
	  "lesson` lists them)\n", NULL, true, sub_lesson },
};

int
subcmd_run(struct options *o, int argc, char **argv)
{
	const struct subcommand *sc = NULL;
	int args = argc - 1, rc;

	for (size_t i = 0; i < sizeof(subcommands) / sizeof(*subcommands); i++)
		if (strcmp(argv[0], subcommands[i].name) == 0)
			sc = &subcommands[i];
	if (!sc) {
		size_t n = 4 * strlen(argv[0]) + 3;
		char *word = malloc(n);

		/* quoted to paste: `boxstep "it's"` */
		fprintf(stderr, "boxstep: unexpected argument '%s'; to run "
			"REPL commands give them with -c: boxstep -c %s\n",
			argv[0], word ? text_shell_word(argv[0], word, n) :
			"'...'");
		free(word);
		return 2;
	}
	o->present = sc->present;
	rc = SUB_USAGE;
	if (args >= sc->min_args && (sc->max_args < 0 || args <= sc->max_args)) {
		if (sc->need_root && geteuid() != 0) {
			fprintf(stderr, sc->need_root, args ? argv[1] : "");
			return 1;
		}
		rc = sc->run(o, args, argv + 1);
	}
	if (rc == SUB_USAGE) {
		fputs(sc->usage, stderr);
		return 2;
	}
	return rc;
}
