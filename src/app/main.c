/* boxstep: build a Linux container one layer at a time.
 *
 * main parses the command line, finds the default root filesystem and
 * hands over to the REPL (interactive or batch).
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

#include "host/cgroup.h"
#include "app/autoplay.h"
#include "lessons/course.h"
#include "base/fsutil.h"
#include "engine/image.h"
#include "host/hostview.h"
#include "ui/relay.h"
#include "ui/repl.h"
#include "lessons/runner.h"
#include "engine/supervise.h"
#include "ui/tui.h"

#ifndef BOXSTEP_VERSION
#define BOXSTEP_VERSION "0.1"
#endif
#ifndef BOXSTEP_DATADIR
#define BOXSTEP_DATADIR "/usr/local/share/boxstep"
#endif

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
	course_lessons_dir(dir, sizeof(dir), BOXSTEP_DATADIR);
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
 * line) and, if it is from outside DIR, asks (course_trust). */
static bool
vet_lesson(const char *path, const char *dir, bool trust)
{
	char *text = fsutil_slurp(path, NULL), err[2048];
	struct lesson l;
	bool ok = true;

	if (text && lesson_parse(text, path, course_known_command, &l, err,
				 sizeof(err)) == 0) {
		ok = course_trust(path, &l, dir, trust);
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

int
main(int argc, char **argv)
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
	const char *commands = NULL, *file = NULL, *cgroot;
	char rootfs[PATH_MAX], lessons[PATH_MAX], lesson[PATH_MAX] = "";
	char *text = NULL;
	const char *record = NULL;
	struct tui_opts topts = { .theme = TUI_THEME_DEFAULT };
	bool stop_on_error = false, plain = false, present = false;
	bool trust = false;
	struct repl r;
	int opt, rc;

	while ((opt = getopt_long(argc, argv, "+c:f:e", longopts, NULL)) != -1) {
		switch (opt) {
		case 'p':
			plain = true;
			break;
		case 'c':
			commands = optarg;
			break;
		case 'f':
			file = optarg;
			break;
		case 'e':
			stop_on_error = true;
			break;
		case 'r':
			record = optarg;
			break;
		case 'T':
			trust = true;
			break;
		case 't':
			if (tui_theme_parse(optarg) < 0) {
				fprintf(stderr, "boxstep: no theme called '%s'; "
					"there are dark, light and projector\n",
					optarg);
				return 2;
			}
			topts.theme = (enum tui_theme)tui_theme_parse(optarg);
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
	if (optind < argc && strcmp(argv[optind], "check") == 0) {
		if (geteuid() != 0) {
			fprintf(stderr, "boxstep: check plays the lessons' "
				"containers, which needs root: sudo boxstep "
				"check\n");
			return 1;
		}
		return check(argc - optind - 1, argv + optind + 1, trust);
	}
	if (optind < argc && strcmp(argv[optind], "images") == 0) {
		char err[512];

		if (optind + 3 == argc && strcmp(argv[optind + 1], "rm") == 0) {
			if (geteuid() != 0) {
				fprintf(stderr, "boxstep: an image's files "
					"belong to root: sudo boxstep images rm "
					"%s\n", argv[optind + 2]);
				return 1;
			}
			if (image_remove(argv[optind + 2], stdout, err,
					 sizeof(err)) < 0) {
				fprintf(stderr, "boxstep: images rm: %s\n", err);
				return 1;
			}
			return 0;
		}
		if (optind + 1 != argc) {
			fprintf(stderr, "boxstep: usage: boxstep images [rm "
				"NAME]\n");
			return 2;
		}
		printf("images (`set rootfs NAME` uses one):\n");
		if (image_list(stdout, err, sizeof(err)) < 0) {
			fprintf(stderr, "boxstep: %s\n", err);
			return 1;
		}
		return 0;
	}
	if (optind < argc && strcmp(argv[optind], "import") == 0) {
		char err[2048], used[IMAGE_NAME_MAX + 1];

		if (optind + 2 != argc && optind + 3 != argc) {
			fprintf(stderr, "boxstep: usage: boxstep import "
				"FILE.tar [NAME] (a docker save or OCI image "
				"archive)\n");
			return 2;
		}
		if (geteuid() != 0) {
			fprintf(stderr, "boxstep: import needs root: an image's "
				"files belong to many owners, and some are "
				"device nodes: sudo boxstep import %s\n",
				argv[optind + 1]);
			return 1;
		}
		if (image_import(argv[optind + 1], optind + 3 == argc ?
				 argv[optind + 2] : NULL, stdout, used,
				 sizeof(used), err, sizeof(err)) < 0) {
			fprintf(stderr, "boxstep: import: %s\n", err);
			return 1;
		}
		return 0;
	}
	if (optind < argc && strcmp(argv[optind], "watch") == 0) {
		if (optind + 2 != argc) {
			fprintf(stderr, "boxstep: usage: boxstep watch PID\n");
			return 2;
		}
		if (geteuid() != 0) {
			fprintf(stderr, "boxstep: watch reads other processes' "
				"namespaces, which needs root: sudo boxstep "
				"watch %s\n", argv[optind + 1]);
			return 1;
		}
		return watch(argv[optind + 1], !plain && tui_capable());
	}
	course_lessons_dir(lessons, sizeof(lessons), BOXSTEP_DATADIR);
	if (optind < argc && (strcmp(argv[optind], "lesson") == 0 ||
			      strcmp(argv[optind], "present") == 0)) {
		char err[2048];

		present = strcmp(argv[optind], "present") == 0;
		if (optind + 1 == argc && !present)
			return runner_list(stdout, lessons);
		if (optind + 2 != argc || commands || file) {
			fprintf(stderr, present ? "boxstep: usage: boxstep "
				"present LESSON (`boxstep lesson` lists them)\n" :
				"boxstep: usage: boxstep [--plain] lesson "
				"[NAME]\n");
			return 2;
		}
		if (runner_resolve(lessons, argv[optind + 1], lesson,
				   sizeof(lesson), err, sizeof(err)) < 0) {
			fprintf(stderr, "boxstep: %s; `boxstep lesson` lists "
				"them\n", err);
			return 2;
		}
		optind += 2;
		/* Ask now, before a screen or a recording starts. */
		if (geteuid() == 0 && !vet_lesson(lesson, lessons, trust))
			return 1;
	}
	if (optind < argc) {
		fprintf(stderr, "boxstep: unexpected argument '%s'; to run "
			"REPL commands give them with -c: boxstep -c '%s'\n",
			argv[optind], argv[optind]);
		return 2;
	}
	if (commands && file) {
		fprintf(stderr, "boxstep: give -c or -f, not both\n");
		return 2;
	}
	if (present && (plain || !tui_capable())) {
		fprintf(stderr, "boxstep: present mode is full screen: it needs "
			"a terminal of at least 80x24 of a type curses knows "
			"(TERM=%s)%s\n", getenv("TERM") ? getenv("TERM") : "",
			plain ? ", and not --plain" : "");
		return 2;
	}
	cgroot = getenv("BOXSTEP_CGROUP_ROOT");
	if (!cgroot || !*cgroot)
		cgroot = CGROUP_DEFAULT_ROOT;
	if (geteuid() != 0) {
		char why[1024];

		/* Rootless: everything happens inside a user namespace of
		 * the user's, when the kernel allows one. */
		if (spawn_rootless_probe(why, sizeof(why)) < 0) {
			fprintf(stderr, "boxstep: not running as root, and "
				"rootless mode cannot work here: %s\n", why);
			return 1;
		}
		if (lesson[0])
			fprintf(stderr, "boxstep: the lessons are written for "
				"root, and rootless some of their steps cannot "
				"pass (cgroups, other users' files); for the "
				"whole course: sudo boxstep lesson\n");
		/* Before any fork: the cgroup it may use is the one it is
		 * in, and it must be alone there. */
		spawn_rootless_begin(cgroot);
		atexit(spawn_rootless_end);
	}
	if (file) {
		text = strcmp(file, "-") == 0 ? fsutil_slurp("/dev/stdin", NULL)
					      : fsutil_slurp(file, NULL);
		if (!text) {
			fprintf(stderr, "boxstep: cannot read %s: %s\n",
				strcmp(file, "-") == 0 ? "standard input" : file,
				strerror(errno));
			return 2;
		}
	}
	if (record) {
		int status = 0;

		switch (relay_record(record, &status)) {
		case -1:
			free(text);
			return 1;
		case 1:
			free(text);
			return status;
		}
		/* The child: the session, on the recorded pty. */
	}
	default_rootfs(rootfs, sizeof(rootfs));
	/* From here on the session runs in a child; this process cleans up
	 * after it should it be killed outright. */
	supervise(cgroot, rootfs);
	repl_init(&r, rootfs, cgroot);
	snprintf(r.lessons_dir, sizeof(r.lessons_dir), "%s", lessons);
	snprintf(r.start_lesson, sizeof(r.start_lesson), "%s", lesson);
	r.start_checked = lesson[0] != '\0';
	r.trust_lessons = trust;
	if (present)
		topts.present = lesson;
	if (commands)
		rc = repl_run_text(&r, commands, NULL, stop_on_error);
	else if (file)
		rc = repl_run_text(&r, text, strcmp(file, "-") == 0 ? "stdin" :
				   file, stop_on_error);
	else if (!plain && tui_capable())
		rc = tui_main(&r, &topts);
	else if (isatty(STDIN_FILENO) && isatty(STDOUT_FILENO)) {
		if (!plain)
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
	free(text);
	/* A teardown that failed said what it left; the status says so too. */
	if (rc == 0 && r.session.teardown_failed)
		rc = 125;
	if (spawn_quit_signal) {
		/* Ended by a signal: say so in the status, as a shell would. */
		rc = 128 + spawn_quit_signal;
	}
	return rc;
}
