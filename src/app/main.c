/* boxstep: build a Linux container one layer at a time.
 *
 * main parses the command line, runs a subcommand (check, images,
 * import, watch: subcmd.h) or sets up the session (lesson and present
 * name the lesson it starts with) and hands it to the REPL: interactive,
 * under the TUI, or batch.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app/subcmd.h"
#include "base/fsutil.h"
#include "engine/supervise.h"
#include "host/cgroup.h"
#include "lessons/origin.h"
#include "lessons/runner.h"
#include "engine/spawn.h"
#include "session/classconf.h"
#include "session/room.h"
#include "ui/relay.h"
#include "ui/repl.h"

#ifndef BOXSTEP_VERSION
#define BOXSTEP_VERSION "0.1"
#endif

static void
usage(FILE *out)
{
	fprintf(out,
"usage: boxstep [--plain] [--theme THEME] [--record FILE.cast] [--trust]\n"
"               [-e] [-c COMMANDS | -f FILE]\n"
"       boxstep [OPTIONS] lesson [NAME]\n"
"       boxstep [--theme THEME] [--record FILE.cast] present LESSON\n"
"       boxstep watch PID | boxstep class [--json | watch WHO | doctor]\n"
"       boxstep import FILE.tar[:TAG] [NAME] | boxstep images [rm NAME]\n"
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
"  import FILE.tar[:TAG] [NAME]\n"
"                  unpack a docker save or OCI image archive as a root\n"
"                  filesystem (`set rootfs NAME` then uses it); TAG picks\n"
"                  one image of an archive of several\n"
"  images          the imported images; images rm NAME removes one\n"
"  watch PID       what the host sees of any process: its namespaces,\n"
"                  root, mounts, cgroup and processes; live on a\n"
"                  terminal, printed once otherwise\n"
"  class [--json]  the room, for root and the instructors group: every\n"
"                  session's user, lesson and step, checks, time on the\n"
"                  step, hints, last error, containers, pids, memory;\n"
"                  live on a terminal (Enter mirrors a learner's screen)\n"
"  class watch WHO a learner's screen, read-only (a user, or a pid)\n"
"  class doctor [--as USER]\n"
"                  whether learners without root can take the course on\n"
"                  this host, and what to change\n"
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
"Started by an ordinary user, boxstep runs rootless: it makes the user\n"
"root of a small host of its own (a user namespace that maps uid 0 to that\n"
"user, with its own mount, UTS and IPC namespaces), where `host` commands\n"
"run and containers are made; the cgroup layers need a cgroup v2 group\n"
"delegated to the user (systemd-run --user --scope -p Delegate=yes\n"
"boxstep).\n");
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

/* After the session PID, however it ended: its files in the room. */
static void
forget_room(pid_t pid)
{
	room_forget(spawn_rootless_active() ? spawn_rootless_uid() : getuid(),
		    pid);
}

/* The session, in the mode O asks for, over TEXT (-f's script, or
 * NULL).  Returns the exit status. */
static int
run_session(struct options *o, const char *cgroot, const char *text,
	    const struct classconf *room)
{
	struct runner_opts ro = { .dir = o->lessons, .trust = o->trust,
				  .start = o->lesson,
				  .start_checked = o->lesson[0] != '\0',
				  .fresh = o->present };
	char rootfs[PATH_MAX], err[2048];
	struct repl r;
	int rc;

	subcmd_default_rootfs(rootfs, sizeof(rootfs));
	/* From here on the session runs in a child; this process cleans up
	 * after it should it be killed outright. */
	supervise(cgroot, rootfs, forget_room);
	repl_init(&r, rootfs, cgroot);
	if (session_set_room(&r.session, room, err, sizeof(err)) < 0) {
		fprintf(stderr, "boxstep: %s\n", err);
		repl_done(&r);
		return 1;
	}
	session_publish_on(&r.session);
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
	/* A teardown that failed said what it left; the status says so too. */
	if (rc == 0 && r.session.spawn.teardown_failed)
		rc = 125;
	return rc;
}

/* Everything but a subcommand: checks what the options combine to, reads
 * the script, starts a recording, then the session.  Returns the exit
 * status. */
static int
session_main(struct options *o)
{
	const char *cgroot = getenv("BOXSTEP_CGROUP_ROOT");
	struct classconf room;
	char err[2048];
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
	/* The instructor's limits: a session does not start without them. */
	if (classconf_load(&room, err, sizeof(err)) < 0) {
		fprintf(stderr, "boxstep: %s\n", err);
		return 1;
	}
	if (!cgroot || !*cgroot)
		cgroot = CGROUP_DEFAULT_ROOT;
	if (spawn_rootless_needed() && subcmd_rootless(cgroot) != 0)
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
	rc = run_session(o, cgroot, text, &room);
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
	/* ~ in a line is $HOME, in boxstep's words and in a host command's
	 * shell alike: without one, the account's, as login gives it. */
	if (!getenv("HOME") || !*getenv("HOME")) {
		struct passwd *pw = getpwuid(getuid());

		if (pw && pw->pw_dir)
			setenv("HOME", pw->pw_dir, 1);
	}
	/* The registry, whole before any lesson is read: the session's
	 * commands, the lesson runtime's, the REPL's. */
	runner_register();
	repl_register();
	origin_lessons_dir(o.lessons, sizeof(o.lessons), BOXSTEP_DATADIR);
	if (optind < argc &&
	    (rc = subcmd_run(&o, argc - optind, argv + optind)) != SUB_SESSION)
		return rc;
	return session_main(&o);
}
