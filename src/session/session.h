/* session: the state every command acts on.
 *
 * One session is the plan being built, the containers it started (one in
 * the foreground, one in the background), the spawn session under them,
 * what the latest container looked like as it started, and the socket
 * its events go out on to the TUI.  The commands (command.h) act on it;
 * the lesson runtime watches it through a hook and reads it through a
 * snapshot; the REPL (ui/repl.h) types lines into it.
 */
#ifndef BOXSTEP_SESSION_H
#define BOXSTEP_SESSION_H

#include <limits.h>
#include <stdbool.h>
#include <sys/types.h>

#include "engine/spawn.h"
#include "host/cgroup.h"
#include "host/hostview.h"
#include "layers/plan.h"
#include "session/classconf.h"
#include "session/event.h"
#include "session/room.h"

/* What a lesson's checks are judged against: filled by the session as
 * commands run. */
struct session_snapshot {
	const struct plan *plan;          /* the session's plan, as it is now */
	const struct spawn_container *bg; /* the background container, now:
					   * bg->running says whether one is */
	/* The latest container as it was set up, read while it was held
	 * just before its command ran (it may be gone by the time a check
	 * looks), and its cgroup's directory.  Kept with record_last. */
	struct hostview last;
	char last_cgroup[PATH_MAX];
	const char *held_command; /* the command it was started with */
	/* The last line run with session_run_captured(): what it printed
	 * (stdout and stderr, normalised as a terminal shows it; NULL when
	 * none), and its status (-1 before any). */
	char *output;
	int status;
};

struct session;

/* The code above the session that takes the lines typed at the prompt:
 * the lesson runtime.  Any function may be NULL. */
struct session_hook {
	/* The REPL starts, before the first prompt.  Nonzero ends it. */
	int (*begin)(struct session *r, void *arg);
	/* A line typed at the prompt, to run (session_run_text() or
	 * session_run_captured()) and then judge.  Returns its status. */
	int (*line)(struct session *r, const char *line, void *arg);
	/* The session ends (session_done()). */
	void (*end)(struct session *r, void *arg);
	/* Fills the lesson's part of what the room is told (lesson, step,
	 * steps, checks, hints, step_since). */
	void (*status)(const struct session *r, struct room_entry *e,
		       void *arg);
	void *arg;
};

struct session {
	struct plan plan;
	struct spawn_session spawn;
	struct spawn_container fg, bg;
	pid_t last_pid;        /* first process of the latest container */
	pid_t announced;       /* the held container the TUI was told of */
	/* For `host`: the latest container's cgroup directories ($BOXCG). */
	struct cgroup_group last_group;
	char default_rootfs[PATH_MAX];
	struct classconf room;  /* the instructor's limits, kept by `reset` */
	char where[PATH_MAX + 32]; /* "FILE:LINE: " while running a script */
	bool quit;             /* the session is ending: no more commands */
	bool scripted;         /* runs -c or -f: no line of it is typed */
	int event_fd;          /* the TUI's end of the event socket, or -1 */
	bool relay;  /* a relay above reads the pty: output capture asks it */
	bool panel;  /* the TUI shows a lesson panel */
	bool tui;    /* the TUI reads the events, and answers `start` */
	bool record_last;      /* fill the snapshot's latest container */
	char held_command[1024]; /* the command a starting container is about
				  * to run, for its `start` event */
	struct session_snapshot snap;
	struct session_hook hook;
	bool publish;          /* tell the room (session_publish()) */
	struct room_entry told; /* what it was told last */
};

/* Sets up a session: the default plan with DEFAULT_ROOTFS (may be ""),
 * the spawn session over CGROUP_ROOT.  Prints what stale state it
 * cleaned to stderr. */
void session_init(struct session *r, const char *default_rootfs,
		  const char *cgroup_root);

/* Applies the instructor's limits C (classconf_load()) to the session:
 * the writable layer's bound for every plan, `reset` or not, and the
 * session group's limits for all it runs.  Returns 0, or -1 with the
 * reason in ERR when a limit cannot hold here. */
int session_set_room(struct session *r, const struct classconf *c, char *err,
		     size_t errlen);

/* The plan back to its defaults, with the room's limits. */
void session_reset_plan(struct session *r);

/* Has the session tell the instructor's room its state from now on,
 * after every line typed (room.h), until it ends. */
void session_publish_on(struct session *r);

/* Tells the room the session's state now (nothing unless published). */
void session_publish(struct session *r);

/* Ends the session: the hook's end, then stops a background container
 * and ends the spawn session. */
void session_done(struct session *r);

/* What the checks read; the same pointer for the session's life. */
const struct session_snapshot *session_snapshot(const struct session *r);

/* Sets the hook (one per session; a second replaces the first). */
void session_set_hook(struct session *r, const struct session_hook *h);

/* The REPL starts: the hook's begin.  Returns its status (0 to go on). */
int session_begin(struct session *r);

/* Forgets the last output and status (a lesson's step begins). */
void session_forget_output(struct session *r);

/* Reports a background container that ended since the last look. */
void session_reap(struct session *r);

/* Tells the TUI (when R->event_fd is open) the event E (event.h: plan,
 * start, exit, refresh, prompt, busy, panel), as one line, whole; a text
 * too long for the TUI's line is cut to fit. */
void repl_event(const struct session *r, const struct event *e);

/* Sends the plan, so that the TUI's status line follows it. */
void session_event_plan(const struct session *r);

/* True when the TUI's lesson panel shows the step's text: R->panel, and
 * the TUI has not said `panel-visible 0` (F3) since.  Reads, without
 * waiting, what the TUI has sent. */
bool session_panel_visible(const struct session *r);

#endif
