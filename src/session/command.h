/* command: the command table, and running lines of commands.
 *
 * Every command a learner can type is one entry: its name, its usage and
 * help, how many words it takes, what completes its arguments, and flags
 * that say how the rest of boxstep treats it.  The session's own commands
 * come first; code above the session adds tables of its own
 * (session_register(): the lesson runtime, the REPL), and `help`, prefix
 * matching, did-you-mean and completion all read the tables in that
 * order.  The registry is the process's: lesson files are checked
 * against it before any session starts.
 */
#ifndef BOXSTEP_COMMAND_H
#define BOXSTEP_COMMAND_H

#include <stdbool.h>
#include <stddef.h>

#include "session/session.h"

enum session_cmd_flags {
	/* Takes the rest of its line unsplit, ';' included (host); its
	 * words are not counted. */
	SESSION_CMD_REST = 1u << 0,
	/* Shapes the session's state (enable, set, start...): a lesson
	 * that rebuilds a step plays it again. */
	SESSION_CMD_REPLAY = 1u << 1,
	/* Steers a lesson (hint, next...): only typed at the prompt, never
	 * one of a lesson's own commands; a line it starts is not checked. */
	SESSION_CMD_LESSON = 1u << 2,
	/* Changes the plan (enable, set...): when it fails, the commands
	 * after it on its line or in its script are not run, since they
	 * would run with another plan than the one written. */
	SESSION_CMD_PLAN = 1u << 3,
	/* Makes things outside the session's state (host, export): not
	 * replayed, so a rebuilt step says what it did not make again. */
	SESSION_CMD_MAKES = 1u << 4,
};

/* What completes a command's arguments at the prompt. */
enum session_complete {
	SESSION_COMPLETE_NONE,
	SESSION_COMPLETE_LAYER,   /* layer names */
	SESSION_COMPLETE_KEY,     /* a setting, then its values */
	SESSION_COMPLETE_COMMAND, /* a command's name */
	SESSION_COMPLETE_FILE,    /* file names */
};

struct session_cmd {
	const char *name;     /* NULL ends a table */
	const char *usage;
	const char *summary;  /* one line, for `help` */
	const char *detail;   /* more for `help NAME`, or NULL */
	void (*more_help)(void); /* prints more still, made from the data
				  * the command works on (`set`: its keys) */
	int min_args, max_args; /* words after the name; -1 = no limit */
	unsigned flags;       /* enum session_cmd_flags */
	enum session_complete complete;
	/* ARGV as the line was split; REST the unsplit remainder of the
	 * line.  Returns 0, a container's exit code, 2 for a usage error or
	 * 1 otherwise. */
	int (*exec)(struct session *r, int argc, char **argv, const char *rest);
};

/* Adds TABLE (ended by a NULL name) after the tables there; once. */
void session_register(const struct session_cmd *table);

/* The Ith command of the registry, in `help`'s order, or NULL past the
 * last. */
const struct session_cmd *session_command_at(size_t i);

/* The command WORD names, exactly or as an unambiguous prefix, or NULL. */
const struct session_cmd *session_command(const char *word);

/* The command a line starts with, or NULL. */
const struct session_cmd *session_line_command(const char *line);

/* The flags of the command a line starts with; 0 when none. */
unsigned session_line_flags(const char *line);

/* Runs one command (ARGV[0] may be an unambiguous prefix); REST is the
 * unsplit remainder of the line.  Returns what its exec returns, or 2
 * when there is no such command or the words do not fit. */
int session_exec(struct session *r, int argc, char **argv, const char *rest);

/* Runs every command in TEXT (';' or newline separated).  ORIGIN, the
 * script's file name, prefixes messages with "FILE:LINE: "; NULL for
 * none.  With STOP_ON_ERROR the first failure ends the run; without it,
 * the first that changes the plan (or is no command at all).  Returns 0
 * when all succeeded, else the status of the first that failed. */
int session_run_text(struct session *r, const char *text, const char *origin,
		     bool stop_on_error);

/* session_run_text() with stdout and stderr thrown away, for state that
 * is rebuilt (a step replayed).  Returns its status. */
int session_run_quietly(struct session *r, const char *text);

/* "boxstep: ", where the script is, and the message, to stderr. */
void session_error(const struct session *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* " (did you mean NAME?)" when one of the names ITEM lists is close to
 * WORD, into BUF; else "".  Returns BUF. */
const char *session_did_you_mean(const char *word,
				 const char *(*item)(size_t), char *buf,
				 size_t len);

/* The names of the registry's commands, one by one, for did_you_mean
 * and completion: NULL past the last. */
const char *session_command_name_at(size_t i);

/* A line typed at the prompt: to the hook's line when there is one, else
 * session_run_text().  Returns the line's status. */
int session_typed(struct session *r, const char *line);

/* Runs LINE (session_run_text()) with its output captured into the
 * snapshot (and, when ECHO, copied to stdout; a relay above shows it
 * anyway), its status too.  On a terminal the relay captures it between
 * two markers; off one, stdout and stderr point at a memfd meanwhile. */
void session_run_captured(struct session *r, const char *line, bool echo);

#endif
