/* command: the command table, the registry, and running lines: as
 * typed, or with their output captured for a lesson's checks. */
#define _GNU_SOURCE
#include "session/command.h"

#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "base/capture.h"
#include "base/cmdline.h"
#include "base/output.h"
#include "base/text.h"
#include "session/builtin.h"

/* The session's own commands: the registry's first table.  The lesson
 * runtime's and the REPL's come after it, in the order they register. */
static const struct session_cmd builtins[] = {
	{ .name = "help", .usage = "help [COMMAND]",
	  .summary = "list the commands, or explain one",
	  .max_args = 1, .complete = SESSION_COMPLETE_COMMAND,
	  .exec = builtin_help },
	{ .name = "layers", .usage = "layers",
	  .summary = "every layer: on or off, and what it isolates",
	  .exec = builtin_layers },
	{ .name = "enable", .usage = "enable LAYER...",
	  .summary = "turn layers on: uts pid mnt chroot proc pids ...",
	  .detail = "The next `run`, `sh` or `start` uses them.  Layers "
	  "combine freely;\n`run` refuses a mix that would harm the host, "
	  "and says why.",
	  .min_args = 1, .max_args = -1,
	  .flags = SESSION_CMD_REPLAY | SESSION_CMD_PLAN,
	  .complete = SESSION_COMPLETE_LAYER, .exec = builtin_enable },
	{ .name = "disable", .usage = "disable LAYER...",
	  .summary = "turn layers off",
	  .min_args = 1, .max_args = -1,
	  .flags = SESSION_CMD_REPLAY | SESSION_CMD_PLAN,
	  .complete = SESSION_COMPLETE_LAYER, .exec = builtin_disable },
	{ .name = "reset", .usage = "reset",
	  .summary = "all layers off, every setting back to its default",
	  .flags = SESSION_CMD_REPLAY | SESSION_CMD_PLAN,
	  .exec = builtin_reset },
	{ .name = "set", .usage = "set [KEY VALUE]",
	  .summary = "change a setting (no arguments: list them)",
	  .more_help = builtin_set_help,
	  .max_args = -1, .flags = SESSION_CMD_REPLAY | SESSION_CMD_PLAN,
	  .complete = SESSION_COMPLETE_KEY, .exec = builtin_set },
	{ .name = "show", .usage = "show [oci|unshare|docker]",
	  .summary = "the plan and the syscalls `run` will make; or the plan "
		     "as config.json, unshare(1) or docker run",
	  .max_args = 1, .exec = builtin_show },
	{ .name = "export", .usage = "export DIR [COMMAND...]",
	  .summary = "write the plan as an OCI bundle that runc runs",
	  .min_args = 1, .max_args = -1, .flags = SESSION_CMD_MAKES,
	  .exec = builtin_export },
	{ .name = "run", .usage = "run COMMAND [ARG...]",
	  .summary = "run a command in a fresh container, in the foreground",
	  .detail = "The words are split like a shell's, but no shell runs: "
	  "`run echo $$` prints $$.\nUse `run sh -c 'echo $$'` for shell "
	  "syntax.  With the pid layer the command is PID 1.",
	  .min_args = 1, .max_args = -1, .exec = builtin_run },
	{ .name = "sh", .usage = "sh",
	  .summary = "an interactive /bin/sh in a fresh container",
	  .detail = "With chroot it is the root filesystem's shell (busybox "
	  "sh by default).\nexit or Ctrl-D returns to boxstep.",
	  .exec = builtin_sh },
	{ .name = "start", .usage = "start COMMAND [ARG...]",
	  .summary = "run a command in a fresh container, in the background",
	  .detail = "One background container at a time.  It gets no "
	  "terminal input; `host` sees it\nas $BOXPID, `stop` kills it and "
	  "everything in it.",
	  .min_args = 1, .max_args = -1, .flags = SESSION_CMD_REPLAY,
	  .exec = builtin_start },
	{ .name = "stop", .usage = "stop",
	  .summary = "kill the background container and everything in it",
	  .flags = SESSION_CMD_REPLAY, .exec = builtin_stop },
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
	  .min_args = 0, .max_args = -1,
	  .flags = SESSION_CMD_REST | SESSION_CMD_MAKES,
	  .complete = SESSION_COMPLETE_FILE, .exec = builtin_host },
	{ .name = "explain", .usage = "explain LAYER",
	  .summary = "the idea behind a layer, its syscall, what to look for",
	  .min_args = 1, .max_args = 1, .complete = SESSION_COMPLETE_LAYER,
	  .exec = builtin_explain },
	{ .name = NULL },
};

#define MAX_TABLES 8

static const struct session_cmd *tables[MAX_TABLES] = { builtins };
static size_t ntables = 1;

void
session_register(const struct session_cmd *table)
{
	for (size_t t = 0; t < ntables; t++)
		if (tables[t] == table)
			return;
	if (ntables < MAX_TABLES)
		tables[ntables++] = table;
}

const struct session_cmd *
session_command_at(size_t i)
{
	for (size_t t = 0; t < ntables; t++)
		for (const struct session_cmd *c = tables[t]; c->name; c++)
			if (i-- == 0)
				return c;
	return NULL;
}

const char *
session_command_name_at(size_t i)
{
	const struct session_cmd *c = session_command_at(i);

	return c ? c->name : NULL;
}

void
session_error(const struct session *r, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "boxstep: %s", r->where);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

const char *
session_did_you_mean(const char *word, const char *(*item)(size_t),
		     char *buf, size_t len)
{
	char names[128];

	buf[0] = '\0';
	if (text_suggest(word, item, names, sizeof(names)))
		snprintf(buf, len, " (did you mean %s?)", names);
	return buf;
}

/* Finds the command NAME is an unambiguous prefix of.  Returns NULL and
 * says why otherwise (when R is not NULL). */
static const struct session_cmd *
lookup(const struct session *r, const char *name)
{
	const struct session_cmd *found = NULL, *c;
	char list[256] = "", near[160];
	size_t n = strlen(name), matches = 0;

	for (size_t i = 0; (c = session_command_at(i)); i++)
		if (strcmp(c->name, name) == 0)
			return c;
	for (size_t i = 0; n > 0 && (c = session_command_at(i)); i++)
		if (strncmp(c->name, name, n) == 0) {
			found = c;
			snprintf(list + strlen(list), sizeof(list) - strlen(list),
				 "%s%s", matches++ ? ", " : "", c->name);
		}
	if (matches == 1)
		return found;
	if (!r)
		return NULL;
	if (matches > 1)
		session_error(r, "ambiguous command: %s, could be: %s", name,
			      list);
	else
		session_error(r, "unknown command: %s%s. Type `help` for the "
			      "list; to run a program in a container: run %s; "
			      "on the host: host %s", name,
			      session_did_you_mean(name, session_command_name_at,
			      near, sizeof(near)), name, name);
	return NULL;
}

const struct session_cmd *
session_command(const char *word)
{
	return lookup(NULL, word);
}

const struct session_cmd *
session_line_command(const char *line)
{
	char word[32];
	size_t n;

	line += strspn(line, " \t");
	n = strcspn(line, " \t;");
	if (n == 0 || n >= sizeof(word))
		return NULL;
	memcpy(word, line, n);
	word[n] = '\0';
	return session_command(word);
}

unsigned
session_line_flags(const char *line)
{
	const struct session_cmd *c = session_line_command(line);

	return c ? c->flags : 0;
}

static bool
takes_rest_of_line(const char *word)
{
	const struct session_cmd *c = session_command(word);

	return c && (c->flags & SESSION_CMD_REST);
}

int
builtin_help(struct session *r, int argc, char **argv, const char *rest)
{
	const struct session_cmd *c;

	(void)rest;
	if (argc == 2) {
		if (!(c = lookup(r, argv[1])))
			return 2;
		printf("usage: %s\n  %s\n", c->usage, c->summary);
		if (c->detail)
			printf("\n%s\n", c->detail);
		if (c->more_help) {
			printf("\n");
			c->more_help();
		}
		return 0;
	}
	printf("Build a container one layer at a time, and watch what the "
	       "host sees.\n\n");
	for (size_t i = 0; (c = session_command_at(i)); i++)
		printf("  %-22s %s\n", c->usage, c->summary);
	printf("\nCommands may be shortened while unambiguous (en = enable). "
	       "Separate several\nwith ';'. `help COMMAND` tells more; "
	       "`explain LAYER` teaches a layer.\n");
	return 0;
}

/* --- dispatch ------------------------------------------------------- */

/* Checks the number of arguments against the command's; says what is
 * wrong.  Returns 0 when it fits. */
static int
check_args(const struct session *r, const struct session_cmd *c, int args)
{
	if (args < c->min_args) {
		/* The usage's word for what is missing: DIR of "export DIR
		 * [COMMAND...]". */
		const char *w = c->usage;
		int n;

		for (int i = 0; i <= args && *w; i++)
			w += strcspn(w, " "), w += strspn(w, " ");
		n = (int)strcspn(w, " .[]|");
		if (c->complete == SESSION_COMPLETE_LAYER || n == 0)
			session_error(r, "%s is missing %s; usage: %s", c->name,
				      n ? "a layer name" : "an argument",
				      c->usage);
		else
			session_error(r, "%s is missing its %.*s; usage: %s",
				      c->name, n, w, c->usage);
		return 2;
	}
	if (c->max_args >= 0 && args > c->max_args) {
		session_error(r, "%s takes %s: usage: %s", c->name,
			      c->max_args == 0 ? "no arguments" :
			      "fewer arguments", c->usage);
		return 2;
	}
	return 0;
}

int
session_exec(struct session *r, int argc, char **argv, const char *rest)
{
	const struct session_cmd *c;
	int args = argc - 1, rc;

	session_reap(r);
	if (!(c = lookup(r, argv[0])))
		return 2;
	/* host takes its line whole; the rest are counted. */
	if (!(c->flags & SESSION_CMD_REST) && check_args(r, c, args))
		return 2;
	rc = c->exec(r, argc, argv, rest);
	session_event_plan(r);
	return rc;
}

/* After WORD failed: whether the plan may not be the one written (WORD
 * changes it, or is no command, a mistyped `enable` say), which the
 * commands after it must not run with.  Says so. */
static bool
plan_unsure(const struct session *r, const char *word)
{
	const struct session_cmd *c = session_command(word);

	if (c && !(c->flags & SESSION_CMD_PLAN))
		return false;
	session_error(r, "not going on: the commands after %s%s%s would run "
		      "with another plan than the one written (a failed `run` "
		      "does not stop them; -e stops at every failure)",
		      c ? "a failed `" : "`", c ? c->name : word,
		      c ? "`" : "`, which is no command,");
	return true;
}

int
session_run_text(struct session *r, const char *text, const char *origin,
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
		rc = session_exec(r, c->argc, c->argv, c->rest);
		fflush(stdout);
		if (rc != 0 && first_failure == 0)
			first_failure = rc;
		if (rc != 0 && !stop_on_error && i + 1 < list.n &&
		    plan_unsure(r, c->argv[0])) {
			r->where[0] = '\0';
			break;
		}
		r->where[0] = '\0';
		if ((rc != 0 && stop_on_error) || spawn_quit_signal)
			break;
	}
	cmdline_free(&list);
	return first_failure;
}

int
session_run_quietly(struct session *r, const char *text)
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
	rc = session_run_text(r, text, NULL, false);
	fflush(stdout);
	fflush(stderr);
	dup2(out, STDOUT_FILENO);
	dup2(err, STDERR_FILENO);
	close(out);
	close(err);
	return rc;
}

/* --- output capture --------------------------------------------------- */

/* On a terminal the relay above the REPL captures: markers around the
 * command, and the bytes between them come back over the event socket. */
static void
run_relayed(struct session *r, const char *line)
{
	fflush(stdout);
	fflush(stderr);
	fputs(CAPTURE_BEGIN, stdout);
	fflush(stdout);
	r->snap.status = session_run_text(r, line, NULL, false);
	fflush(stderr);
	fputs(CAPTURE_END, stdout);
	fflush(stdout);
	free(r->snap.output);
	r->snap.output = capture_read_reply(r->event_fd, 5000);
	if (r->snap.output)
		output_normalise(r->snap.output);
}

/* What was written to FD, as a new string; NULL when it cannot be read. */
static char *
read_back(int fd)
{
	off_t size = lseek(fd, 0, SEEK_END);
	char *text = calloc(1, (size_t)(size > 0 ? size : 0) + 1);

	if (text && size > 0 && pread(fd, text, (size_t)size, 0) < 0)
		text[0] = '\0';
	return text;
}

void
session_run_captured(struct session *r, const char *line, bool echo)
{
	int fd, saved_out, saved_err;

	if (r->relay) {
		run_relayed(r, line);
		return;
	}
	fd = memfd_create("boxstep-output", MFD_CLOEXEC);
	saved_out = dup(STDOUT_FILENO);
	saved_err = dup(STDERR_FILENO);
	fflush(stdout);
	fflush(stderr);
	if (fd >= 0) {
		dup2(fd, STDOUT_FILENO);
		dup2(fd, STDERR_FILENO);
	}
	r->snap.status = session_run_text(r, line, NULL, false);
	fflush(stdout);
	fflush(stderr);
	dup2(saved_out, STDOUT_FILENO);
	dup2(saved_err, STDERR_FILENO);
	close(saved_out);
	close(saved_err);
	free(r->snap.output);
	r->snap.output = NULL;
	if (fd < 0)
		return;
	r->snap.output = read_back(fd);
	close(fd);
	if (echo && r->snap.output) {
		fputs(r->snap.output, stdout);
		fflush(stdout);
	}
	if (r->snap.output)
		output_normalise(r->snap.output);
}

int
session_typed(struct session *r, const char *line)
{
	int rc = r->hook.line ? r->hook.line(r, line, r->hook.arg) :
		 session_run_text(r, line, NULL, false);

	session_publish(r);
	return rc;
}
