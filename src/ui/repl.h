/* repl: the command table, the interactive readline loop and batch mode. */
#ifndef BOXSTEP_REPL_H
#define BOXSTEP_REPL_H

#include <limits.h>
#include <stdbool.h>
#include <sys/types.h>

#include "host/hostview.h"
#include "layers/plan.h"
#include "engine/spawn.h"
#include "session/event.h"

struct repl {
	struct plan plan;
	struct spawn_session session;
	struct spawn_container fg, bg;
	pid_t last_pid;        /* first process of the latest container */
	pid_t announced;       /* the held container the TUI was told of */
	char default_rootfs[PATH_MAX];
	char where[PATH_MAX + 32]; /* "FILE:LINE: " while running a script */
	bool quit;
	int event_fd;          /* the TUI's end of the event socket, or -1 */
	/* For lesson checks: the latest container's namespaces and cgroup,
	 * read as it starts (it may be gone by the time they are checked). */
	bool record_last;
	struct hostview last;
	char last_cgroup[PATH_MAX];
	/* For `host`: the latest container's cgroup directories ($BOXCG). */
	struct cgroup_group last_group;
	/* Lessons (runner.h). */
	struct runner *lesson;  /* the lesson being taken, or NULL */
	char lessons_dir[PATH_MAX];
	char start_lesson[PATH_MAX]; /* started by repl_interactive() */
	bool lesson_fresh; /* ...at step 1, whatever the progress says */
	bool start_checked; /* ...and main() has vetted where it comes from */
	bool trust_lessons; /* --trust: lesson files from anywhere */
	bool relay;  /* a relay above reads the pty: output capture asks it */
	bool panel;  /* the TUI shows a lesson panel */
	bool tui;    /* the TUI reads the events, and answers `start` */
	char held_command[1024]; /* the command a starting container is about
				  * to run, for its `start` event */
};

/* Sets up a session: the default plan with DEFAULT_ROOTFS (may be ""),
 * the spawn session over CGROUP_ROOT.  Prints what stale state it
 * cleaned to stderr. */
void repl_init(struct repl *r, const char *default_rootfs,
	       const char *cgroup_root);

/* Tells the TUI (when R->event_fd is open) the event E (event.h: plan,
 * start, exit, refresh, prompt, busy, panel), as one line, whole; a text
 * too long for the TUI's line is cut to fit. */
void repl_event(const struct repl *r, const struct event *e);

/* True when the TUI's lesson panel shows the step's text: R->panel, and
 * the TUI has not said `panel-visible 0` (F3) since.  Reads, without
 * waiting, what the TUI has sent. */
bool repl_panel_visible(const struct repl *r);

/* Ends the session: stops a background container.  */
void repl_done(struct repl *r);

/* Runs one command (ARGV[0] may be an unambiguous prefix); REST is the
 * unsplit remainder of the line for `host`.  Returns 0 on success, the
 * container's exit code for run/sh, 2 for a usage error, 1 otherwise. */
int repl_exec(struct repl *r, int argc, char **argv, const char *rest);

/* Runs every command in TEXT (';' or newline separated).  ORIGIN, the
 * script's file name, prefixes messages with "FILE:LINE: "; NULL for none.  With STOP_ON_ERROR the
 * first failure ends the run.  Returns 0 when all succeeded, else the
 * status of the first that failed. */
int repl_run_text(struct repl *r, const char *text, const char *origin,
		  bool stop_on_error);

/* repl_run_text() with stdout and stderr thrown away, for state that is
 * rebuilt (a step replayed).  Returns its status. */
int repl_run_quietly(struct repl *r, const char *text);

/* The full name of the REPL command WORD names (exactly, or as an
 * unambiguous prefix), or NULL. */
const char *repl_command_name(const char *word);

/* The full name of the command a line starts with, or NULL. */
const char *repl_line_command(const char *line);

/* The interactive loop over GNU readline.  Returns the exit status. */
int repl_interactive(struct repl *r);

#endif
