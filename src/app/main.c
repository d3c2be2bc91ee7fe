/* boxstep: build a Linux container one layer at a time.
 *
 * main parses the command line, runs a subcommand (check, images,
 * import, watch: each from the table below) or sets up the session (for
 * lesson and present too) and hands it to the REPL: interactive, under
 * the TUI, or batch.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <glob.h>
#include <libgen.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "app/autoplay.h"
#include "base/fsutil.h"
#include "engine/image.h"
#include "engine/supervise.h"
#include "host/cgroup.h"
#include "host/hostview.h"
#include "lessons/catalog.h"
#include "lessons/origin.h"
#include "lessons/runner.h"
#include "ui/relay.h"
#include "ui/repl.h"
#include "ui/tui.h"

#ifndef BOXSTEP_VERSION
#define BOXSTEP_VERSION "0.1"
#endif
#ifndef BOXSTEP_DATADIR
#define BOXSTEP_DATADIR "/usr/local/share/boxstep"
#endif

/* What the command line asks for. */
struct options {
	const char *commands, *file, *record;
	struct tui_opts tui;
	bool stop_on_error, plain, trust;
	bool present;              /* present LESSON */
	char lessons[PATH_MAX];    /* the lessons directory */
	char lesson[PATH_MAX];     /* the lesson to start, or "" */
};

/* What a subcommand's run returns besides an exit status. */
#define SUB_SESSION (-1) /* go on to the session */
#define SUB_USAGE (-2)   /* print the subcommand's usage; exit 2 */

static void
usage(FILE *out)
{
	fprintf(out,
"usage: boxstep [--plain] [--theme THEME] [--record FILE.cast] [--trust]\n"
"               [-e] [-c COMMANDS | -f FILE]\n"
"       boxstep [OPTIONS] lesson [NAME]\n"
"       boxstep [--theme THEME] [--record FILE.cast] present LESSON\n"
"       boxstep watch PID\n"
"       boxstep import FILE.tar [NAME] | boxstep images [rm NAME]\n"
"       boxstep [--trust] check [-v] [LESSON.md...]\n"
"       boxstep --help | --version\n"
"\n"
"Build a Linux container one isolation layer at a time: a UTS namespace,\n"
"a PID namespace, a mount namespace, chroot, a private /proc and a cgroup\n"
"pids.max limit, running real commands after each step.\n"
"\n"
"  (no options)    the two-pane TUI on a capable terminal (80x24 or more),\n"
"                  else the plain REPL\n"
"  --plain         the plain readline REPL, no curses\n"
"  -c COMMANDS     run REPL commands (separated by ';' or newlines), exit\n"
"  -f FILE         the same from FILE ('-' for standard input)\n"
"  -e              with -c/-f: stop at the first command that fails\n"
"  lesson          the lessons, with your progress\n"
"  lesson NAME     start or resume a lesson (02, uts, 02-uts or a file):\n"
"                  its steps are checked after every command you type\n"
"  present LESSON  projector mode: the narrative large, the commands typed\n"
"                  for you (Space types, Enter runs, \u2190 back, f free\n"
"                  typing, h hint, p pause, q quit)\n"
"  check [-v] [FILE...]\n"
"                  lint and autoplay lessons (all of them by default):\n"
"                  every check must fail before its step and pass after\n"
"  import FILE.tar [NAME]\n"
"                  unpack a docker save or OCI image archive as a root\n"
"                  filesystem (`set rootfs NAME` then uses it)\n"
"  images          the imported images; images rm NAME removes one\n"
"  watch PID       what the host sees of any process: its namespaces,\n"
"                  root, mounts, cgroup and processes; live on a\n"
"                  terminal, printed once otherwise\n"
"  --theme THEME   dark, light or projector (the default in present mode)\n"
"  --record FILE   record the session as asciicast v2 (asciinema play FILE)\n"
"  --trust         take lesson files from outside boxstep's lessons\n"
"                  directory without asking (their commands run as root)\n"
"  --help          this text\n"
"  --version       the version\n"
"\n"
"Exit status with -c/-f: 0 when every command succeeded, else the status\n"
"of the first that failed (a container's own exit status counts).\n"
"\n"
"Environment: BOXSTEP_ROOTFS (default root filesystem), BOXSTEP_LESSONS\n"
"(the lessons directory), XDG_STATE_HOME\n"
"(history, lesson progress, images), BOXSTEP_IMAGES (where images are),\n"
"BOXSTEP_CGROUP_ROOT (where cgroupfs is, default "
CGROUP_DEFAULT_ROOT "),\n"
"NO_COLOR (a monochrome TUI), TERM.\n"
"As root every layer works.  Started by another user, boxstep runs\n"
"rootless: every container gets a user namespace that maps root inside to\n"
"that user, and the cgroup layers need a cgroup v2 group delegated to it\n"
"(systemd-run --user --scope -p Delegate=yes boxstep).\n");
}

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

/* The default root filesystem: $BOXSTEP_ROOTFS; else the one built beside
 * the binary (a build tree); else the installed one, PREFIX/share/boxstep
 * next to PREFIX/bin; else the compiled-in data directory.  When none is
 * there, names the build tree's, so that the error says what to build. */
static void
default_rootfs(char *buf, size_t len)
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
	default_rootfs(rootfs, sizeof(rootfs));
	if (!cgroot || !*cgroot)
		cgroot = CGROUP_DEFAULT_ROOT;
	origin_lessons_dir(dir, sizeof(dir), BOXSTEP_DATADIR);
	supervise(cgroot, rootfs);
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
		fprintf(stderr, "boxstep: there is no process %ld (it may have "
			"exited); in a boxstep session, `host echo $BOXPID` "
			"names the container's\n", pid);
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
	hostview_free(&hv);
	return text ? 0 : 1;
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

/* boxstep import FILE.tar [NAME] */
static int
sub_import(struct options *o, int argc, char **argv)
{
	char err[2048], used[IMAGE_NAME_MAX + 1];

	(void)o;
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
	{ "check", 0, -1, NULL, "boxstep: check plays the lessons' "
	  "containers, which needs root: sudo boxstep check\n", false,
	  sub_check },
	{ "images", 0, 2, "boxstep: usage: boxstep images [rm NAME]\n", NULL,
	  false, sub_images },
	{ "import", 1, 2, "boxstep: usage: boxstep import FILE.tar [NAME] (a "
	  "docker save or OCI image archive)\n", "boxstep: import needs root: "
	  "an image's files belong to many owners, and some are device "
	  "nodes: sudo boxstep import %s\n", false, sub_import },
	{ "watch", 1, 1, "boxstep: usage: boxstep watch PID\n", "boxstep: "
	  "watch reads other processes' namespaces, which needs root: sudo "
	  "boxstep watch %s\n", false, sub_watch },
	{ "lesson", 0, 1, "boxstep: usage: boxstep [--plain] lesson [NAME]\n",
	  NULL, false, sub_lesson },
	{ "present", 1, 1, "boxstep: usage: boxstep present LESSON (`boxstep "
	  "lesson` lists them)\n", NULL, true, sub_lesson },
};

/* Runs the subcommand ARGV[0] names.  Returns its exit status, or
 * SUB_SESSION when the session is to start. */
static int
subcommand(struct options *o, int argc, char **argv)
{
	const struct subcommand *sc = NULL;
	int args = argc - 1, rc;

	for (size_t i = 0; i < sizeof(subcommands) / sizeof(*subcommands); i++)
		if (strcmp(argv[0], subcommands[i].name) == 0)
			sc = &subcommands[i];
	if (!sc) {
		fprintf(stderr, "boxstep: unexpected argument '%s'; to run "
			"REPL commands give them with -c: boxstep -c '%s'\n",
			argv[0], argv[0]);
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

/* Reads the options into O.  Returns -1 to go on, else the exit status
 * (--help, --version, a bad option). */
static int
parse_options(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{ "plain", no_argument, NULL, 'p' },
		{ "record", required_argument, NULL, 'r' },
		{ "theme", required_argument, NULL, 't' },
		{ "trust", no_argument, NULL, 'T' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	int opt;

	while ((opt = getopt_long(argc, argv, "+c:f:e", longopts, NULL)) != -1) {
		switch (opt) {
		case 'p':
			o->plain = true;
			break;
		case 'c':
			o->commands = optarg;
			break;
		case 'f':
			o->file = optarg;
			break;
		case 'e':
			o->stop_on_error = true;
			break;
		case 'r':
			o->record = optarg;
			break;
		case 'T':
			o->trust = true;
			break;
		case 't':
			if (tui_theme_parse(optarg) < 0) {
				fprintf(stderr, "boxstep: no theme called '%s'; "
					"there are dark, light and projector\n",
					optarg);
				return 2;
			}
			o->tui.theme = (enum tui_theme)tui_theme_parse(optarg);
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("boxstep %s\n", BOXSTEP_VERSION);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	return -1;
}

/* Rootless: everything happens inside a user namespace of the user's,
 * when the kernel allows one.  Returns 0, or 1 when it cannot work. */
static int
go_rootless(const struct options *o, const char *cgroot)
{
	char why[1024];

	if (spawn_rootless_probe(why, sizeof(why)) < 0) {
		fprintf(stderr, "boxstep: not running as root, and rootless mode "
			"cannot work here: %s\n", why);
		return 1;
	}
	if (o->lesson[0])
		fprintf(stderr, "boxstep: the lessons are written for root, and "
			"rootless some of their steps cannot pass (cgroups, "
			"other users' files); for the whole course: sudo "
			"boxstep lesson\n");
	/* Before any fork: the cgroup it may use is the one it is in, and
	 * it must be alone there. */
	spawn_rootless_begin(cgroot);
	atexit(spawn_rootless_end);
	return 0;
}

/* The session, in the mode O asks for, over TEXT (-f's script, or
 * NULL).  Returns the exit status. */
static int
run_session(struct options *o, const char *cgroot, const char *text)
{
	struct runner_opts ro = { .dir = o->lessons, .trust = o->trust,
				  .start = o->lesson,
				  .start_checked = o->lesson[0] != '\0',
				  .fresh = o->present };
	char rootfs[PATH_MAX];
	struct repl r;
	int rc;

	default_rootfs(rootfs, sizeof(rootfs));
	/* From here on the session runs in a child; this process cleans up
	 * after it should it be killed outright. */
	supervise(cgroot, rootfs);
	repl_init(&r, rootfs, cgroot);
	runner_attach(&r.session, &ro);
	if (o->present)
		o->tui.present = o->lesson;
	if (o->commands)
		rc = repl_batch(&r, o->commands, NULL, o->stop_on_error);
	else if (o->file)
		rc = repl_batch(&r, text, strcmp(o->file, "-") == 0 ? "stdin" :
				o->file, o->stop_on_error);
	else if (!o->plain && tui_capable())
		rc = tui_main(&r, &o->tui);
	else if (isatty(STDIN_FILENO) && isatty(STDOUT_FILENO)) {
		if (!o->plain)
			fprintf(stderr, "boxstep: the two-pane screen needs a "
				"terminal of at least 80x24 of a type curses "
				"knows (TERM=%s); here is the plain REPL\n",
				getenv("TERM") ? getenv("TERM") : "");
		/* On a pty of its own, so that lessons can see what a
		 * command printed while it keeps a real terminal. */
		rc = relay_main(&r);
	} else {
		rc = repl_interactive(&r);
	}
	repl_done(&r);
	return rc;
}

/* Everything but a subcommand: checks what the options combine to, reads
 * the script, starts a recording, then the session.  Returns the exit
 * status. */
static int
session_main(struct options *o)
{
	const char *cgroot = getenv("BOXSTEP_CGROUP_ROOT");
	char *text = NULL;
	int rc;

	if (o->commands && o->file) {
		fprintf(stderr, "boxstep: give -c or -f, not both\n");
		return 2;
	}
	if (o->present && (o->plain || !tui_capable())) {
		fprintf(stderr, "boxstep: present mode is full screen: it needs "
			"a terminal of at least 80x24 of a type curses knows "
			"(TERM=%s)%s\n", getenv("TERM") ? getenv("TERM") : "",
			o->plain ? ", and not --plain" : "");
		return 2;
	}
	if (!cgroot || !*cgroot)
		cgroot = CGROUP_DEFAULT_ROOT;
	if (geteuid() != 0 && go_rootless(o, cgroot) != 0)
		return 1;
	if (o->file) {
		bool in = strcmp(o->file, "-") == 0;

		if (!(text = fsutil_slurp(in ? "/dev/stdin" : o->file, NULL))) {
			fprintf(stderr, "boxstep: cannot read %s: %s\n",
				in ? "standard input" : o->file,
				strerror(errno));
			return 2;
		}
	}
	if (o->record) {
		int status = 0;

		switch (relay_record(o->record, &status)) {
		case -1:
			free(text);
			return 1;
		case 1:
			free(text);
			return status;
		}
		/* The child: the session, on the recorded pty. */
	}
	rc = run_session(o, cgroot, text);
	free(text);
	if (spawn_quit_signal) {
		/* Ended by a signal: say so in the status, as a shell would. */
		rc = 128 + spawn_quit_signal;
	}
	return rc;
}

int
main(int argc, char **argv)
{
	struct options o = { .tui = { .theme = TUI_THEME_DEFAULT } };
	int rc = parse_options(argc, argv, &o);

	if (rc >= 0)
		return rc;
	/* The registry, whole before any lesson is read: the session's
	 * commands, the lesson runtime's, the REPL's. */
	runner_register();
	repl_register();
	origin_lessons_dir(o.lessons, sizeof(o.lessons), BOXSTEP_DATADIR);
	if (optind < argc &&
	    (rc = subcommand(&o, argc - optind, argv + optind)) != SUB_SESSION)
		return rc;
	return session_main(&o);
}
