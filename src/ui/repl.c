/* repl: commands, readline, completion, history and batch mode. */
#define _GNU_SOURCE
#include "ui/repl.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <readline/history.h>
#include <readline/readline.h>

#include "base/capture.h"
#include "base/cmdline.h"
#include "base/fsutil.h"
#include "engine/image.h"
#include "lessons/runner.h"
#include "base/text.h"

#define HISTORY_MAX 1000

enum complete_kind {
	COMPLETE_NONE,
	COMPLETE_LAYER,
	COMPLETE_KEY,
	COMPLETE_COMMAND,
};

struct repl_cmd {
	const char *name;
	const char *usage;
	const char *summary;
	const char *detail;
	int min_args, max_args; /* words after the name; -1 = no limit */
	enum complete_kind complete;
	int (*exec)(struct repl *r, int argc, char **argv, const char *rest);
};

static int cmd_help(struct repl *, int, char **, const char *);
static int cmd_layers(struct repl *, int, char **, const char *);
static int cmd_enable(struct repl *, int, char **, const char *);
static int cmd_disable(struct repl *, int, char **, const char *);
static int cmd_reset(struct repl *, int, char **, const char *);
static int cmd_set(struct repl *, int, char **, const char *);
static int cmd_show(struct repl *, int, char **, const char *);
static int cmd_run(struct repl *, int, char **, const char *);
static int cmd_sh(struct repl *, int, char **, const char *);
static int cmd_start(struct repl *, int, char **, const char *);
static int cmd_stop(struct repl *, int, char **, const char *);
static int cmd_host(struct repl *, int, char **, const char *);
static int cmd_explain(struct repl *, int, char **, const char *);
static int cmd_quit(struct repl *, int, char **, const char *);
static int cmd_lesson(struct repl *, int, char **, const char *);
static int cmd_hint(struct repl *, int, char **, const char *);
static int cmd_next(struct repl *, int, char **, const char *);
static int cmd_prev(struct repl *, int, char **, const char *);
static int cmd_goto(struct repl *, int, char **, const char *);
static int cmd_step(struct repl *, int, char **, const char *);
static void event_plan(const struct repl *r);
static const char *command_item(size_t i);
static const char *layer_item(size_t i);
static const char *key_item(size_t i);

static const struct repl_cmd commands[] = {
	{ .name = "help", .usage = "help [COMMAND]",
	  .summary = "list the commands, or explain one",
	  .max_args = 1, .complete = COMPLETE_COMMAND, .exec = cmd_help },
	{ .name = "layers", .usage = "layers",
	  .summary = "every layer: on or off, and what it isolates",
	  .exec = cmd_layers },
	{ .name = "enable", .usage = "enable LAYER...",
	  .summary = "turn layers on: uts pid mnt chroot proc pids ...",
	  .detail = "The next `run`, `sh` or `start` uses them.  Layers "
	  "combine freely;\n`run` refuses a mix that would harm the host, "
	  "and says why.",
	  .min_args = 1, .max_args = -1, .complete = COMPLETE_LAYER,
	  .exec = cmd_enable },
	{ .name = "disable", .usage = "disable LAYER...",
	  .summary = "turn layers off",
	  .min_args = 1, .max_args = -1, .complete = COMPLETE_LAYER,
	  .exec = cmd_disable },
	{ .name = "reset", .usage = "reset",
	  .summary = "all layers off, every setting back to its default",
	  .exec = cmd_reset },
	{ .name = "set", .usage = "set [KEY VALUE]",
	  .summary = "change a setting (no arguments: list them)",
	  .detail = "  set hostname NAME              hostname inside a new "
	  "UTS namespace\n"
	  "  set rootfs PATH|IMAGE          root for chroot or pivot (default: "
	  "the busybox root)\n"
	  "  set rootfs.layer on|off        on: the session writes into a "
	  "layer of its own\n"
	  "  set pids.max N|max             limit for the pids layer "
	  "(default 20)\n"
	  "  set memory.max SIZE|max        limit for the memory layer: 32M, "
	  "1G (default 64M)\n"
	  "  set cpu.max PERCENT|max        limit for the cpu layer, in % of "
	  "one CPU (default 50)\n"
	  "  set chdir on|off               off = chroot without chdir(\"/\")"
	  "\n"
	  "  set propagation private|shared mount propagation in the new "
	  "mount namespace\n"
	  "  set refresh MS                 the host-view pane's interval "
	  "(default 200)",
	  .max_args = 2, .complete = COMPLETE_KEY, .exec = cmd_set },
	{ .name = "show", .usage = "show",
	  .summary = "the plan, and the syscalls `run` will make",
	  .exec = cmd_show },
	{ .name = "run", .usage = "run COMMAND [ARG...]",
	  .summary = "run a command in a fresh container, in the foreground",
	  .detail = "The words are split like a shell's, but no shell runs: "
	  "`run echo $$` prints $$.\nUse `run sh -c 'echo $$'` for shell "
	  "syntax.  With the pid layer the command is PID 1.",
	  .min_args = 1, .max_args = -1, .exec = cmd_run },
	{ .name = "sh", .usage = "sh",
	  .summary = "an interactive /bin/sh in a fresh container",
	  .detail = "With chroot it is the root filesystem's shell (busybox "
	  "sh by default).\nexit or Ctrl-D returns to boxstep.",
	  .exec = cmd_sh },
	{ .name = "start", .usage = "start COMMAND [ARG...]",
	  .summary = "run a command in a fresh container, in the background",
	  .detail = "One background container at a time.  It gets no "
	  "terminal input; `host` sees it\nas $BOXPID, `stop` kills it and "
	  "everything in it.",
	  .min_args = 1, .max_args = -1, .exec = cmd_start },
	{ .name = "stop", .usage = "stop",
	  .summary = "kill the background container and everything in it",
	  .exec = cmd_stop },
	{ .name = "host", .usage = "host COMMAND-LINE",
	  .summary = "run a shell command line on the host ($BOXPID = the "
	  "container)",
	  .detail = "The rest of the line, ';' included, goes to /bin/sh -c "
	  "unchanged.\n$BOXPID is the host pid of the container's first "
	  "process: the background\none while it runs, else the latest "
	  "container's.  $BOXCG is its cgroup directory (pids, else memory,\n"
	  "else cpu), $BOXCG_PIDS, $BOXCG_MEMORY and $BOXCG_CPU each "
	  "controller's own.\n$BOXSTEP is boxstep itself, and "
	  "$BOXSTEP_ROOTFS the rootfs `set rootfs` names.  Try:\n"
	  "  host cat /proc/$BOXPID/status\n"
	  "  host ls -l /proc/$BOXPID/ns /proc/self/ns",
	  .min_args = 0, .max_args = -1, .exec = cmd_host },
	{ .name = "explain", .usage = "explain LAYER",
	  .summary = "the idea behind a layer, its syscall, what to look for",
	  .min_args = 1, .max_args = 1, .complete = COMPLETE_LAYER,
	  .exec = cmd_explain },
	{ .name = "lesson", .usage = "lesson [NAME|reset|off]",
	  .summary = "list the lessons, start or resume one, or steer it",
	  .detail = "  lesson           the lessons and your progress\n"
	  "  lesson NAME      start or resume one: lesson 02, lesson uts, "
	  "lesson FILE.md\n"
	  "  lesson reset     forget this lesson's progress, back to step 1\n"
	  "  lesson off       leave the lesson (progress is kept)\n"
	  "In a lesson, every command is followed by the step's checks: what "
	  "holds now,\nand what is still missing.  hint, next, prev and goto N "
	  "move about; step\nshows the step again.",
	  .max_args = 1, .exec = cmd_lesson },
	{ .name = "hint", .usage = "hint",
	  .summary = "in a lesson: the next hint for this step",
	  .exec = cmd_hint },
	{ .name = "next", .usage = "next",
	  .summary = "in a lesson: the next step", .exec = cmd_next },
	{ .name = "prev", .usage = "prev",
	  .summary = "in a lesson: back one step (the session is rebuilt)",
	  .exec = cmd_prev },
	{ .name = "goto", .usage = "goto N",
	  .summary = "in a lesson: step N (the session is rebuilt)",
	  .min_args = 1, .max_args = 1, .exec = cmd_goto },
	{ .name = "step", .usage = "step",
	  .summary = "in a lesson: the step's text again", .exec = cmd_step },
	{ .name = "quit", .usage = "quit",
	  .summary = "leave boxstep (also: exit, Ctrl-D)", .exec = cmd_quit },
	{ .name = "exit", .usage = "exit", .summary = "leave boxstep",
	  .exec = cmd_quit },
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

/* The session readline's completion and hooks work on. */
static struct repl *active;

static void __attribute__((format(printf, 2, 3)))
say_error(const struct repl *r, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "boxstep: %s", r->where);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* " (did you mean NAME?)" when one of the names ITEM lists is close to
 * WORD, into BUF; else "". */
static const char *
did_you_mean(const char *word, const char *(*item)(size_t), char *buf,
	     size_t len)
{
	char names[128];

	buf[0] = '\0';
	if (text_suggest(word, item, names, sizeof(names)))
		snprintf(buf, len, " (did you mean %s?)", names);
	return buf;
}

/* Finds the command NAME is an unambiguous prefix of.  Returns NULL and
 * says why otherwise (when R is not NULL). */
static const struct repl_cmd *
lookup(const struct repl *r, const char *name)
{
	const struct repl_cmd *found = NULL;
	char list[256] = "", near[160];
	size_t n = strlen(name), matches = 0;

	for (size_t i = 0; i < NCOMMANDS; i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	for (size_t i = 0; n > 0 && i < NCOMMANDS; i++)
		if (strncmp(commands[i].name, name, n) == 0) {
			found = &commands[i];
			snprintf(list + strlen(list), sizeof(list) - strlen(list),
				 "%s%s", matches++ ? ", " : "", commands[i].name);
		}
	if (matches == 1)
		return found;
	if (!r)
		return NULL;
	if (matches > 1)
		say_error(r, "ambiguous command: %s, could be: %s", name, list);
	else
		say_error(r, "unknown command: %s%s. Type `help` for the list; "
			  "to run a program in a container: run %s; on the "
			  "host: host %s", name, did_you_mean(name, command_item,
			  near, sizeof(near)), name, name);
	return NULL;
}

const char *
repl_command_name(const char *word)
{
	const struct repl_cmd *c = lookup(NULL, word);

	return c ? c->name : NULL;
}

const char *
repl_line_command(const char *line)
{
	char word[32];
	size_t n;

	line += strspn(line, " \t");
	n = strcspn(line, " \t;");
	if (n == 0 || n >= sizeof(word))
		return NULL;
	memcpy(word, line, n);
	word[n] = '\0';
	return repl_command_name(word);
}

static bool
takes_rest_of_line(const char *word)
{
	const struct repl_cmd *c = lookup(NULL, word);

	return c && strcmp(c->name, "host") == 0;
}

/* --- commands ------------------------------------------------------- */

static int
cmd_help(struct repl *r, int argc, char **argv, const char *rest)
{
	const struct repl_cmd *c;

	(void)rest;
	if (argc == 2) {
		if (!(c = lookup(r, argv[1])))
			return 2;
		printf("usage: %s\n  %s\n", c->usage, c->summary);
		if (c->detail)
			printf("\n%s\n", c->detail);
		return 0;
	}
	printf("Build a container one layer at a time, and watch what the "
	       "host sees.\n\n");
	for (size_t i = 0; i < NCOMMANDS; i++)
		printf("  %-22s %s\n", commands[i].usage, commands[i].summary);
	printf("\nCommands may be shortened while unambiguous (en = enable). "
	       "Separate several\nwith ';'. `help COMMAND` tells more; "
	       "`explain LAYER` teaches a layer.\n");
	return 0;
}

static int
cmd_layers(struct repl *r, int argc, char **argv, const char *rest)
{
	(void)argc, (void)argv, (void)rest;
	for (int i = 0; i < PLAN_NLAYERS; i++) {
		const struct plan_layer_info *l = plan_layer_info(i);

		printf("  %-7s %-4s %s\n", l->name,
		       plan_has(&r->plan, i) ? "ON" : "off", l->summary);
	}
	return 0;
}

/* Reads the layer names in ARGV[1..] into a bit set; says which one is
 * unknown. */
static int
parse_layers(const struct repl *r, int argc, char **argv, unsigned *set)
{
	char near[160];

	*set = 0;
	for (int i = 1; i < argc; i++) {
		int l = plan_layer_lookup(argv[i]);

		if (l < 0) {
			say_error(r, "no layer called '%s'%s; the layers are: "
				  "%s", argv[i], did_you_mean(argv[i], layer_item,
				  near, sizeof(near)), plan_layer_names());
			return -1;
		}
		*set |= 1u << l;
	}
	return 0;
}

/* After a change, says what the plan still lacks, so the next `run`
 * holds no surprise. */
static void
note_plan(const struct repl *r)
{
	char why[512];

	if (plan_check(&r->plan, why, sizeof(why)) < 0)
		printf("note: as it stands `run` would refuse: %s.\n", why);
}

/* enable and disable: the same walk over the named layers. */
static int
switch_layers(struct repl *r, int argc, char **argv, bool on)
{
	unsigned set;

	if (parse_layers(r, argc, argv, &set) < 0)
		return 2;
	if (!on && r->plan.rootless && (set & (1u << PLAN_USER))) {
		say_error(r, "the user layer stays on: boxstep runs rootless "
			  "(as uid %u), and an ordinary user may make the other "
			  "namespaces only inside a user namespace of its own",
			  r->plan.rootless_uid);
		return 2;
	}
	if (on && (set & (1u << PLAN_CHROOT)) && (set & (1u << PLAN_PIVOT))) {
		say_error(r, "chroot and pivot are two ways to give the "
			  "container its root: enable one of them");
		return 2;
	}
	for (int i = 0; i < PLAN_NLAYERS; i++) {
		if (!(set & (1u << i)))
			continue;
		if (on)
			plan_enable(&r->plan, i);
		else
			plan_disable(&r->plan, i);
	}
	/* pivot replaces chroot, and chroot pivot */
	for (int k = 0; on && k < 2; k++) {
		enum plan_layer now = k ? PLAN_PIVOT : PLAN_CHROOT;
		enum plan_layer other = k ? PLAN_CHROOT : PLAN_PIVOT;

		if ((set & (1u << now)) && plan_has(&r->plan, other)) {
			plan_disable(&r->plan, other);
			printf("(%s is off now: %s replaces it)\n",
			       plan_layer_info(other)->name,
			       plan_layer_info(now)->name);
		}
	}
	note_plan(r);
	for (int c = 0; on && c < CGROUP_NCTL; c++)
		if ((set & (1u << spawn_cgroup_layer(c))) &&
		    r->session.cg.ctl[c].version == CGROUP_NONE)
			printf("note: `run` would refuse: %s.\n",
			       r->session.cg.ctl[c].why);
	return 0;
}

static int
cmd_enable(struct repl *r, int argc, char **argv, const char *rest)
{
	(void)rest;
	return switch_layers(r, argc, argv, true);
}

static int
cmd_disable(struct repl *r, int argc, char **argv, const char *rest)
{
	(void)rest;
	return switch_layers(r, argc, argv, false);
}

static int
cmd_reset(struct repl *r, int argc, char **argv, const char *rest)
{
	(void)argc, (void)argv, (void)rest;
	plan_init(&r->plan, r->default_rootfs);
	if (r->session.rootless) {
		plan_make_rootless(&r->plan, getuid(), getgid());
		printf("all layers off but user (rootless, it stays on); "
		       "settings back to their defaults\n");
		return 0;
	}
	printf("all layers off; settings back to their defaults\n");
	return 0;
}

static void
print_settings(const struct repl *r)
{
	char value[PATH_MAX];

	for (const struct plan_key_info *k = plan_keys(); k->name; k++) {
		plan_get(&r->plan, k->name, value, sizeof(value));
		printf("  %-12s %-28s %s\n", k->name, value, k->summary);
	}
}

/* set refresh MS: the TUI pane's interval; the plain REPL has no pane. */
static int
set_refresh(struct repl *r, int argc, char **argv)
{
	char *end;
	long ms;

	if (argc < 3) {
		say_error(r, "set refresh needs a value: set refresh MS "
			  "(50 to 10000)");
		return 2;
	}
	ms = strtol(argv[2], &end, 10);
	if (*argv[2] == '\0' || *end != '\0' || ms < 50 || ms > 10000) {
		say_error(r, "refresh takes milliseconds from 50 to 10000, not "
			  "'%s'", argv[2]);
		return 2;
	}
	if (r->event_fd < 0)
		printf("note: refresh is the interval of the TUI's host-view "
		       "pane; this plain REPL has none (`boxstep watch PID` "
		       "shows it)\n");
	repl_event(r, &(struct event){ .kind = EVENT_REFRESH, .ms = (int)ms });
	return 0;
}

static int
cmd_set(struct repl *r, int argc, char **argv, const char *rest)
{
	static const struct {
		const char *key;
		enum plan_layer layer;
	} needs[] = {
		{ "hostname", PLAN_UTS }, { "rootfs", PLAN_CHROOT },
		{ "pids.max", PLAN_PIDS }, { "chdir", PLAN_CHROOT },
		{ "memory.max", PLAN_MEMORY }, { "cpu.max", PLAN_CPU },
		{ "propagation", PLAN_MNT },
	};
	const struct plan_key_info *k;
	char err[512], path[PATH_MAX], image[PATH_MAX], near[160];
	const char *value;

	(void)rest;
	if (argc == 1) {
		print_settings(r);
		return 0;
	}
	if (strcmp(argv[1], "refresh") == 0)
		return set_refresh(r, argc, argv);
	if (!(k = plan_key_lookup(argv[1]))) {
		char names[256] = "";

		for (const struct plan_key_info *o = plan_keys(); o->name; o++)
			snprintf(names + strlen(names), sizeof(names) -
				 strlen(names), "%s ", o->name);
		say_error(r, "no setting called '%s'%s; the settings are: "
			  "%srefresh", argv[1], did_you_mean(argv[1], key_item,
			  near, sizeof(near)), names);
		return 2;
	}
	if (argc < 3) {
		say_error(r, "set %s needs a value: set %s %s", k->name,
			  k->name, k->values);
		return 2;
	}
	value = argv[2];
	if (strcmp(k->name, "rootfs") == 0) {
		/* A bare name is an imported image, when there is one. */
		if (!strchr(value, '/') && image_path(value, image,
						     sizeof(image)) == 0) {
			printf("(the image %s: %s)\n", value, image);
			value = image;
		}
		if (spawn_check_rootfs(value, err, sizeof(err)) < 0) {
			say_error(r, "%s%s", err, strchr(value, '/') ? "" :
				  " (nor is there an image of that name: "
				  "`boxstep images` lists them)");
			return 2; /* a bad value, as for every key */
		}
		if (realpath(value, path))
			value = path;
	}
	if (plan_set(&r->plan, k->name, value, err, sizeof(err)) < 0) {
		say_error(r, "%s", err);
		return 2;
	}
	for (size_t i = 0; i < sizeof(needs) / sizeof(needs[0]); i++)
		if (strcmp(needs[i].key, k->name) == 0 &&
		    !plan_has(&r->plan, needs[i].layer))
			printf("note: %s matters once the %s layer is on "
			       "(enable %s)\n", k->name,
			       plan_layer_info(needs[i].layer)->name,
			       plan_layer_info(needs[i].layer)->name);
	return 0;
}

static int
cmd_show(struct repl *r, int argc, char **argv, const char *rest)
{
	const struct cgroup_ctx *ctx = &r->session.cg;
	const struct cgroup_hier *h = ctx->ctl;
	struct plan_cgroups cg = {
		h[CGROUP_PIDS].version ? h[CGROUP_PIDS].dir : NULL,
		h[CGROUP_MEMORY].version ? h[CGROUP_MEMORY].dir : NULL,
		h[CGROUP_CPU].version ? h[CGROUP_CPU].dir : NULL,
		h[CGROUP_MEMORY].version == CGROUP_V2,
		h[CGROUP_CPU].version == CGROUP_V2,
	};
	int shown = 0;
	char *text;
	int n;

	(void)argc, (void)argv, (void)rest;
	n = plan_describe(&r->plan, &cg, NULL, 0);
	text = malloc((size_t)n + 1);
	if (!text)
		return 1;
	plan_describe(&r->plan, &cg, text, (size_t)n + 1);
	fputs(text, stdout);
	for (int c = 0; c < CGROUP_NCTL; c++)
		if (plan_has(&r->plan, spawn_cgroup_layer(c)) &&
		    ctx->ctl[c].version != CGROUP_NONE)
			printf("%s(%s: cgroup v%d at %s)\n", shown++ ? "" : "\n",
			       cgroup_controller_name(c),
			       (int)ctx->ctl[c].version, ctx->ctl[c].hier);
	free(text);
	return 0;
}

/* Reports a background container that ended since the last prompt. */
static void
reap_background(struct repl *r)
{
	char what[64], oom[256];

	if (spawn_poll(&r->session, &r->bg)) {
		spawn_describe_status(r->bg.status, what, sizeof(what));
		printf("[background container %d %s]\n", (int)r->bg.pid, what);
		if (!r->bg.killed_by_us &&
		    spawn_describe_oom(&r->bg, oom, sizeof(oom)))
			printf("boxstep: %s\n", oom);
		repl_event(r, &(struct event){ .kind = EVENT_EXIT,
			   .pid = r->bg.pid, .text = what });
	}
}

/* ARGV joined by spaces into R->held_command, for the TUI's `start`
 * event (which escapes it). */
static void
held_command(struct repl *r, char *const *argv)
{
	char *o = r->held_command, *end = o + sizeof(r->held_command) - 1;

	for (size_t i = 0; argv[i] && o < end; i++) {
		if (i)
			*o++ = ' ';
		for (const char *c = argv[i]; *c && o < end; c++)
			*o++ = *c;
	}
	*o = '\0';
}

static int
run_container(struct repl *r, char **argv, bool background)
{
	struct spawn_container *c = background ? &r->bg : &r->fg;
	char err[1024];
	int code;

	fflush(stdout);
	fflush(stderr);
	r->announced = 0;
	held_command(r, argv);
	code = spawn_start(&r->session, c, &r->plan, argv, background, err,
			   sizeof(err));
	if (code != 0) {
		say_error(r, "%s", err);
		if (r->announced)
			repl_event(r, &(struct event){ .kind = EVENT_EXIT,
				   .pid = r->announced,
				   .text = "did not start" });
		return code;
	}
	r->last_pid = c->pid;
	r->last_group = c->group;
	if (r->record_last)
		snprintf(r->last_cgroup, sizeof(r->last_cgroup), "%s",
			 cgroup_main_dir(&c->group));
	if (background) {
		printf("[background container %d: %s]\n", (int)c->pid, argv[0]);
		return 0;
	}
	code = spawn_wait(&r->session, c);
	repl_event(r, &(struct event){ .kind = EVENT_EXIT, .pid = c->pid,
		   .text = spawn_describe_status(c->status, err,
						 sizeof(err)) });
	return code;
}

static int
cmd_run(struct repl *r, int argc, char **argv, const char *rest)
{
	(void)argc, (void)rest;
	return run_container(r, argv + 1, false);
}

static int
cmd_sh(struct repl *r, int argc, char **argv, const char *rest)
{
	char *sh[] = { "/bin/sh", NULL };

	(void)argc, (void)argv, (void)rest;
	return run_container(r, sh, false);
}

static int
cmd_start(struct repl *r, int argc, char **argv, const char *rest)
{
	(void)argc, (void)rest;
	reap_background(r);
	if (r->bg.running) {
		say_error(r, "a background container is already running (host "
			  "pid %d); `stop` it first", (int)r->bg.pid);
		return 1;
	}
	return run_container(r, argv + 1, true);
}

static int
cmd_stop(struct repl *r, int argc, char **argv, const char *rest)
{
	char what[64];

	(void)argc, (void)argv, (void)rest;
	reap_background(r);
	if (!r->bg.running) {
		say_error(r, "no background container is running; `start "
			  "COMMAND` starts one");
		return 1;
	}
	spawn_stop(&r->session, &r->bg);
	spawn_describe_status(r->bg.status, what, sizeof(what));
	printf("[background container %d stopped: %s; its processes, "
	       "cgroup and mounts are gone]\n", (int)r->bg.pid, what);
	repl_event(r, &(struct event){ .kind = EVENT_EXIT, .pid = r->bg.pid,
		   .text = what });
	return 0;
}

/* Says whether the shell line LINE refers to $NAME or ${NAME...}. */
static bool
refers(const char *line, const char *name)
{
	char plain[32], braced[32];

	snprintf(plain, sizeof(plain), "$%s", name);
	snprintf(braced, sizeof(braced), "${%s", name);
	return strstr(line, plain) || strstr(line, braced);
}

/* Sets (SET) or unsets $BOXCG, the group's first directory, and
 * $BOXCG_PIDS, _MEMORY and _CPU, each controller's own. */
static void
host_cgroup_env(const struct cgroup_group *g, bool set)
{
	const char *main = cgroup_main_dir(g);

	for (int c = -1; c < CGROUP_NCTL; c++) {
		char name[32] = "BOXCG";
		const char *dir = c < 0 ? main : g->dir[c];

		if (c >= 0)
			snprintf(name, sizeof(name), "BOXCG_%s",
				 cgroup_controller_name(c));
		for (char *i = name; *i; i++)
			*i = (char)toupper((unsigned char)*i);
		if (set && dir[0])
			setenv(name, dir, 1);
		else
			unsetenv(name);
	}
}

/* Before a host line that looks at the container: says when $BOXPID or
 * $BOXCG names none that runs, or no cgroup. */
static void
note_host_vars(const struct repl *r, const char *line, pid_t pid,
	       const struct cgroup_group *g)
{
	bool boxpid = refers(line, "BOXPID"), boxcg = refers(line, "BOXCG");

	if (!boxpid && !boxcg)
		return;
	if (!pid)
		printf("note: no container has run yet, so $%s is empty; "
		       "`start COMMAND` starts one\n", boxpid ? "BOXPID" : "BOXCG");
	else if (boxcg && !cgroup_main_dir(g)[0])
		printf("note: $BOXCG is empty: container %d has no cgroup (the "
		       "pids, memory and cpu layers give it one)\n", (int)pid);
	else if (r->bg.running)
		return;
	else if (boxpid)
		printf("note: $BOXPID is %d, the latest container, which has "
		       "exited; `start COMMAND` starts one to look at a live "
		       "one\n", (int)pid);
	else
		printf("note: $BOXCG is %s, the cgroup of container %d, which "
		       "has exited, and its cgroup with it; `start COMMAND` "
		       "starts one to look at a live one\n", cgroup_main_dir(g),
		       (int)pid);
}

static int
cmd_host(struct repl *r, int argc, char **argv, const char *rest)
{
	const struct cgroup_group *g = r->bg.running ? &r->bg.group :
		&r->last_group;
	pid_t pid = r->bg.running ? r->bg.pid : r->last_pid;
	int rc;

	(void)argc, (void)argv;
	if (!rest || !*rest) {
		say_error(r, "host needs a command line, e.g. host cat "
			  "/proc/$BOXPID/status");
		return 2;
	}
	note_host_vars(r, rest, pid, g);
	fflush(stdout);
	fflush(stderr);
	host_cgroup_env(g, true);
	rc = spawn_host(&r->session, rest, pid, r->plan.rootfs);
	host_cgroup_env(g, false);
	return rc;
}

static int
cmd_explain(struct repl *r, int argc, char **argv, const char *rest)
{
	const struct plan_layer_info *l;
	char near[160];
	int i;

	(void)argc, (void)rest;
	if ((i = plan_layer_lookup(argv[1])) < 0) {
		say_error(r, "no layer called '%s'%s; try: explain uts (or pid, "
			  "mnt, chroot, proc, pids)", argv[1], did_you_mean(argv[1],
			  layer_item, near, sizeof(near)));
		return 2;
	}
	l = plan_layer_info(i);
	printf("%s — %s\nkernel: %s\n\n%s\n", l->name, l->summary, l->kernel,
	       l->explain);
	return 0;
}

static int
cmd_quit(struct repl *r, int argc, char **argv, const char *rest)
{
	(void)argc, (void)argv, (void)rest;
	r->quit = true;
	return 0;
}

static int
cmd_lesson(struct repl *r, int argc, char **argv, const char *rest)
{
	(void)rest;
	return runner_cmd_lesson(r, argc, argv);
}

static int
cmd_hint(struct repl *r, int argc, char **argv, const char *rest)
{
	(void)argc, (void)argv, (void)rest;
	return runner_cmd_hint(r);
}

static int
cmd_next(struct repl *r, int argc, char **argv, const char *rest)
{
	(void)argc, (void)argv, (void)rest;
	return runner_cmd_next(r);
}

static int
cmd_prev(struct repl *r, int argc, char **argv, const char *rest)
{
	(void)argc, (void)argv, (void)rest;
	return runner_cmd_prev(r);
}

static int
cmd_goto(struct repl *r, int argc, char **argv, const char *rest)
{
	(void)argc, (void)rest;
	return runner_cmd_goto(r, argv[1]);
}

static int
cmd_step(struct repl *r, int argc, char **argv, const char *rest)
{
	(void)argc, (void)argv, (void)rest;
	return runner_cmd_step(r);
}

/* --- dispatch ------------------------------------------------------- */

/* Checks the number of arguments against the command's; says what is
 * wrong.  Returns 0 when it fits. */
static int
check_args(const struct repl *r, const struct repl_cmd *c, int args)
{
	if (args < c->min_args) {
		say_error(r, "%s is missing %s; usage: %s", c->name,
			  c->complete == COMPLETE_LAYER ? "a layer name" :
			  "its command", c->usage);
		return 2;
	}
	if (c->max_args >= 0 && args > c->max_args) {
		say_error(r, "%s takes %s: usage: %s", c->name,
			  c->max_args == 0 ? "no arguments" :
			  "fewer arguments", c->usage);
		return 2;
	}
	return 0;
}

int
repl_exec(struct repl *r, int argc, char **argv, const char *rest)
{
	const struct repl_cmd *c;
	int args = argc - 1, rc;

	reap_background(r);
	if (!(c = lookup(r, argv[0])))
		return 2;
	/* host takes its line whole; the rest are counted. */
	if (c->exec != cmd_host && check_args(r, c, args))
		return 2;
	rc = c->exec(r, argc, argv, rest);
	event_plan(r);
	return rc;
}


int
repl_run_text(struct repl *r, const char *text, const char *origin,
	      bool stop_on_error)
{
	struct cmdline_list list;
	char err[256];
	int first_failure = 0;

	if (cmdline_parse(text, takes_rest_of_line, &list, err,
			  sizeof(err)) < 0) {
		fprintf(stderr, "boxstep: %s%s%s\n", origin ? origin : "",
			origin ? ": " : "", err);
		return 2;
	}
	for (size_t i = 0; i < list.n && !r->quit; i++) {
		struct cmdline_cmd *c = &list.cmds[i];
		int rc;

		if (origin)
			snprintf(r->where, sizeof(r->where), "%s:%d: ", origin,
				 c->line);
		rc = repl_exec(r, c->argc, c->argv, c->rest);
		fflush(stdout);
		r->where[0] = '\0';
		if (rc != 0 && first_failure == 0)
			first_failure = rc;
		if ((rc != 0 && stop_on_error) || spawn_quit_signal)
			break;
	}
	cmdline_free(&list);
	return first_failure;
}

/* --- readline ------------------------------------------------------- */

static char *
generate(const char *text, int state, const char *(*item)(size_t))
{
	static size_t i;
	const char *name;

	if (state == 0)
		i = 0;
	while ((name = item(i++)) != NULL)
		if (strncmp(name, text, strlen(text)) == 0)
			return strdup(name);
	return NULL;
}

static const char *
command_item(size_t i)
{
	return i < NCOMMANDS ? commands[i].name : NULL;
}

static const char *
layer_item(size_t i)
{
	const struct plan_layer_info *l = plan_layer_info((int)i);

	return i < PLAN_NLAYERS && l ? l->name : NULL;
}

/* The plan's keys, then refresh (the TUI's, not the plan's). */
static const char *
key_item(size_t i)
{
	const struct plan_key_info *k = plan_keys();
	size_t n = 0;

	while (k[n].name)
		n++;
	return i < n ? k[i].name : i == n ? "refresh" : NULL;
}

/* The choices of the key being set, for `set KEY <TAB>`. */
static const char *const *value_choices;

static const char *
value_item(size_t i)
{
	if (!value_choices)
		return NULL;
	for (size_t j = 0; j < i; j++)
		if (!value_choices[j])
			return NULL;
	return value_choices[i];
}

static char *gen_command(const char *t, int s) { return generate(t, s, command_item); }
static char *gen_layer(const char *t, int s) { return generate(t, s, layer_item); }
static char *gen_key(const char *t, int s) { return generate(t, s, key_item); }
static char *gen_value(const char *t, int s) { return generate(t, s, value_item); }

static char **
complete(const char *text, int start, int end)
{
	char *line = strndup(rl_line_buffer, (size_t)start), *words[3] = { 0 };
	const struct repl_cmd *c;
	const struct plan_key_info *k;
	char **result = NULL;
	int n = 0;

	(void)end;
	rl_attempted_completion_over = 1;
	if (!line)
		return NULL;
	/* The words before the one being completed, from the last ';'. */
	{
		char *seg = strrchr(line, ';'), *save = NULL, *w;

		for (w = strtok_r(seg ? seg + 1 : line, " \t", &save);
		     w && n < 3; w = strtok_r(NULL, " \t", &save))
			words[n++] = w;
	}
	if (n == 0) {
		result = rl_completion_matches(text, gen_command);
		goto out;
	}
	c = lookup(NULL, words[0]);
	if (!c)
		goto out;
	switch (c->complete) {
	case COMPLETE_LAYER:
		result = rl_completion_matches(text, gen_layer);
		break;
	case COMPLETE_COMMAND:
		if (n == 1)
			result = rl_completion_matches(text, gen_command);
		break;
	case COMPLETE_KEY:
		if (n == 1) {
			result = rl_completion_matches(text, gen_key);
		} else if (n == 2 && (k = plan_key_lookup(words[1]))) {
			if (k->choices) {
				value_choices = k->choices;
				result = rl_completion_matches(text, gen_value);
			} else if (strcmp(k->name, "rootfs") == 0) {
				rl_attempted_completion_over = 0;
			}
		}
		break;
	default:
		if (c->exec == cmd_host)
			rl_attempted_completion_over = 0;
		break;
	}
out:
	free(line);
	return result;
}

/* ~/.local/state/boxstep/history, or under $XDG_STATE_HOME. */
static int
history_path(char *buf, size_t len)
{
	char dir[PATH_MAX];

	if (fsutil_state_dir(dir, sizeof(dir)) < 0)
		return -1;
	return fsutil_join(buf, len, dir, "history");
}

/* Ctrl-C at the prompt drops the line, as in a shell, and never ends
 * boxstep.  The handler only takes note: repl_getc() acts on it. */
static volatile sig_atomic_t prompt_sigint;

static void
on_prompt_sigint(int sig)
{
	(void)sig;
	prompt_sigint = 1;
}

/* readline's input: one byte at a time, as rl_getc() does, but a signal
 * interrupts the read (the handlers have no SA_RESTART), so Ctrl-C gives a
 * fresh prompt here, outside the handler, and SIGTERM or SIGHUP ends the
 * line as Ctrl-D would. */
static int
repl_getc(FILE *in)
{
	unsigned char c;

	for (;;) {
		ssize_t n;

		if (spawn_quit_signal)
			return EOF;
		if (prompt_sigint) {
			prompt_sigint = 0;
			rl_replace_line("", 0);
			fputs("^C\n", rl_outstream);
			rl_on_new_line();
			rl_redisplay();
		}
		n = read(fileno(in), &c, 1);
		if (n == 1)
			return c;
		if (n < 0 && errno == EINTR)
			continue;
		return EOF;
	}
}

static void
make_prompt(const struct repl *r, char *buf, size_t len)
{
	size_t n = (size_t)snprintf(buf, len, "boxstep");
	const char *sep = "[";

	for (int i = 0; i < PLAN_NLAYERS && n < len; i++)
		if (plan_has(&r->plan, i)) {
			n += (size_t)snprintf(buf + n, len - n, "%s%s", sep,
					      plan_layer_info(i)->name);
			sep = " ";
		}
	if (n < len)
		snprintf(buf + n, len - n, "%s> ", *sep == ' ' ? "]" : "");
}

int
repl_interactive(struct repl *r)
{
	char hist[PATH_MAX], prompt[128];
	bool have_hist = history_path(hist, sizeof(hist)) == 0;
	struct sigaction sa;
	int last = 0;

	active = r;
	rl_readline_name = "boxstep";
	rl_attempted_completion_function = complete;
	rl_completer_word_break_characters = " \t;";
	rl_getc_function = repl_getc;
	rl_catch_signals = 0;
	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_prompt_sigint;
	sigaction(SIGINT, &sa, NULL);
	using_history();
	stifle_history(HISTORY_MAX);
	/* append_history() needs the file to exist. */
	if (have_hist && read_history(hist) != 0)
		have_hist = write_history(hist) == 0;

	printf("boxstep: build a container one layer at a time. `layers` "
	       "lists them, `help`\nthe commands, `explain LAYER` the "
	       "ideas; Ctrl-D quits.\n");
	if (r->start_lesson[0] && runner_start(r, r->start_lesson) != 0) {
		r->quit = true;
		last = 1;
	}
	while (!r->quit && !spawn_quit_signal) {
		char *line;

		reap_background(r);
		make_prompt(r, prompt, sizeof(prompt));
		repl_event(r, &(struct event){ .kind = EVENT_PROMPT });
		line = readline(prompt);
		repl_event(r, &(struct event){ .kind = EVENT_BUSY });
		if (!line) {
			putchar('\n');
			break;
		}
		if (*line && !spawn_quit_signal) {
			add_history(line);
			if (have_hist)
				append_history(1, hist);
			last = runner_line(r, line);
		}
		free(line);
	}
	if (have_hist)
		history_truncate_file(hist, HISTORY_MAX);
	active = NULL;
	return last;
}

void
repl_event(const struct repl *r, const struct event *e)
{
	size_t len, off = 0;
	char *line;

	if (r->event_fd < 0 || !(line = event_fit(e, EVENT_LINE_MAX, &len)))
		return;
	/* Whole, or the TUI would read the rest as a line of its own. */
	while (off < len) {
		ssize_t n = send(r->event_fd, line + off, len - off,
				 MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break; /* the TUI is gone; the REPL carries on */
		off += (size_t)n;
	}
	free(line);
}

/* Sends the plan, so that the TUI's status line follows it. */
static void
event_plan(const struct repl *r)
{
	char layers[128] = "";

	for (int i = 0; i < PLAN_NLAYERS; i++)
		if (plan_has(&r->plan, i))
			snprintf(layers + strlen(layers),
				 sizeof(layers) - strlen(layers), "%s%s",
				 layers[0] ? "," : "", plan_layer_info(i)->name);
	repl_event(r, &(struct event){ .kind = EVENT_PLAN, .layers = layers,
		   .hostname = r->plan.hostname, .rootfs = r->plan.rootfs });
}

/* What the TUI has said of its lesson panel.  A REPL process has one
 * event socket, so one TUI: the state is the process's. */
static bool tui_panel_hidden;

/* Acts on one line from the TUI.  Returns the pid a `seen PID` names,
 * else 0. */
static pid_t
tui_line(const char *line)
{
	char buf[128];
	size_t n = strlen(line);
	struct event e;

	if (n >= sizeof(buf))
		return 0;
	memcpy(buf, line, n + 1);
	if (event_decode(buf, n, &e) < 0)
		return 0;
	if (e.kind == EVENT_PANEL_VISIBLE)
		tui_panel_hidden = !e.visible;
	else if (e.kind == EVENT_SEEN)
		return e.pid;
	return 0;
}

static void
tui_line_hook(const char *line)
{
	(void)tui_line(line);
}

/* Reads one line the TUI sent to FD into LINE, waiting up to TIMEOUT_MS
 * for it to start.  A capture reply ("output LEN") is left for
 * capture_read_reply().  Returns 0, or -1 when none. */
static int
tui_read_line(int fd, char *line, size_t len, int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	ssize_t n;
	char *nl;

	if (poll(&p, 1, timeout_ms) <= 0)
		return -1;
	n = recv(fd, line, len - 1, MSG_PEEK | MSG_DONTWAIT);
	if (n <= 0)
		return -1;
	line[n] = '\0';
	if (strncmp(line, "output ", (size_t)n < 7 ? (size_t)n : 7) == 0)
		return -1;
	/* The TUI sends each line whole, in one write. */
	if (!(nl = memchr(line, '\n', (size_t)n)))
		return -1;
	n = recv(fd, line, (size_t)(nl - line) + 1, MSG_DONTWAIT);
	if (n <= 0)
		return -1;
	line[n - 1] = '\0';
	return 0;
}

bool
repl_panel_visible(const struct repl *r)
{
	char line[128];

	if (!r->panel)
		return false;
	while (r->tui && tui_read_line(r->event_fd, line, sizeof(line), 0) == 0)
		(void)tui_line(line);
	return !tui_panel_hidden;
}

/* Waits (at most TIMEOUT_MS) for the TUI to say it has read the held
 * container PID. */
static void
wait_seen(const struct repl *r, pid_t pid, int timeout_ms)
{
	struct timespec start, t;
	char line[128];
	int left = timeout_ms;

	clock_gettime(CLOCK_MONOTONIC, &start);
	while (left > 0 &&
	       tui_read_line(r->event_fd, line, sizeof(line), left) == 0) {
		if (tui_line(line) == pid)
			return;
		clock_gettime(CLOCK_MONOTONIC, &t);
		left = timeout_ms - (int)((t.tv_sec - start.tv_sec) * 1000 +
					  (t.tv_nsec - start.tv_nsec) / 1000000);
	}
}

/* For lesson checks: the container as it was set up (namespaces,
 * hostname, root, cwd, mounts), read while spawn holds it just before
 * its command runs (a command like `hostname` is gone by the time `run`
 * returns, and a dead process has no links).  And for the TUI, its pid. */
static void
record_held(pid_t pid, bool set_up, void *arg)
{
	struct repl *r = arg;

	/* The TUI hears of it now, while it is held: a command that ends
	 * at once is then still there for the pane to read. */
	repl_event(r, &(struct event){ .kind = EVENT_START, .pid = pid,
		   .text = r->held_command });
	if (r->tui && r->event_fd >= 0)
		wait_seen(r, pid, 1000);
	r->announced = pid;
	if (r->record_last && !set_up) {
		/* Half made, or gone: nothing of it is the container. */
		hostview_free(&r->last);
		memset(&r->last, 0, sizeof(r->last));
	} else if (r->record_last)
		hostview_update(&r->last, "/proc", pid, NULL,
				HOSTVIEW_STATUS | HOSTVIEW_NS | HOSTVIEW_LINKS |
				HOSTVIEW_MOUNTS);
}

int
repl_run_quietly(struct repl *r, const char *text)
{
	int null = open("/dev/null", O_WRONLY | O_CLOEXEC);
	int out = dup(STDOUT_FILENO), err = dup(STDERR_FILENO), rc;

	fflush(stdout);
	fflush(stderr);
	if (null >= 0) {
		dup2(null, STDOUT_FILENO);
		dup2(null, STDERR_FILENO);
		close(null);
	}
	rc = repl_run_text(r, text, NULL, false);
	fflush(stdout);
	fflush(stderr);
	dup2(out, STDOUT_FILENO);
	dup2(err, STDERR_FILENO);
	close(out);
	close(err);
	return rc;
}

void
repl_init(struct repl *r, const char *default_rootfs, const char *cgroup_root)
{
	char report[4096] = "";

	memset(r, 0, sizeof(*r));
	r->event_fd = -1;
	snprintf(r->default_rootfs, sizeof(r->default_rootfs), "%s",
		 default_rootfs ? default_rootfs : "");
	plan_init(&r->plan, r->default_rootfs);
	spawn_session_init(&r->session, cgroup_root, r->default_rootfs, report,
			   sizeof(report));
	if (r->session.rootless)
		plan_make_rootless(&r->plan, getuid(), getgid());
	r->session.on_hold = record_held;
	r->session.on_hold_arg = r;
	capture_set_line_hook(tui_line_hook);
	if (report[0])
		fprintf(stderr, "boxstep: cleaning up after an earlier "
			"session:\n%s", report);
}

void
repl_done(struct repl *r)
{
	runner_stop(r);
	if (r->bg.running)
		spawn_stop(&r->session, &r->bg);
	spawn_session_end(&r->session);
	hostview_free(&r->last);
}
