/* event: what the REPL and the TUI tell each other over their socket,
 * one line per event, typed.  Pure: no I/O.
 *
 * A line is the event's name, then each of its fields after one space,
 * then a newline:
 *
 *   plan LAYERS HOSTNAME ROOTFS   REPL -> TUI  the plan (LAYERS: the
 *                                             names of those on, by ",")
 *   start PID CMD                 REPL -> TUI  a container's first process
 *                                             is held before it runs CMD;
 *                                             the TUI answers `seen PID`
 *   exit PID TEXT                 REPL -> TUI  it ended ("exited with
 *                                             status 0")
 *   refresh MS                    REPL -> TUI  the pane's refresh interval
 *   prompt, busy                  REPL -> TUI  at the prompt, running a line
 *   panel TEXT                    REPL -> TUI  the lesson panel ("": none)
 *   seen PID                      TUI -> REPL  the held PID has been read
 *   panel-visible 0|1             TUI -> REPL  F3 hid or showed the panel
 *
 * A field holds any bytes but NUL, escaped: a backslash is "\\", a space
 * "\s", a newline "\n", every other byte below 0x20, and 0x7f, "\xHH"
 * (two lowercase hex digits); every other byte, UTF-8 or not, is itself.
 * So a line has a space only between fields and a newline only at its
 * end, and an empty field is nothing between its space and the next.
 * Numbers are decimal.  Each kind has its number of fields, exactly.
 */
#ifndef BOXSTEP_EVENT_H
#define BOXSTEP_EVENT_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* The longest line, its newline included, that a reader must take: the
 * encoder's user sends nothing longer (event_fit). */
#define EVENT_LINE_MAX 65536

enum event_kind {
	EVENT_NONE,           /* not an event */
	EVENT_PLAN,
	EVENT_START,
	EVENT_EXIT,
	EVENT_REFRESH,
	EVENT_PROMPT,
	EVENT_BUSY,
	EVENT_PANEL,
	EVENT_SEEN,
	EVENT_PANEL_VISIBLE,
	EVENT_NKINDS,
};

struct event {
	enum event_kind kind;
	pid_t pid;            /* start, exit, seen: a host pid, > 0 */
	int ms;               /* refresh: > 0 */
	bool visible;         /* panel-visible */
	/* plan: the layers that are on ("uts,pid"; "" none), the hostname
	 * and the rootfs ("" none). */
	const char *layers, *hostname, *rootfs;
	const char *text;     /* start: the command; exit: how it ended;
			       * panel: the panel's text ("" no lesson) */
};

/* The name an event line starts with ("panel-visible"), or NULL. */
const char *event_name(enum event_kind kind);

/* Writes the line of E, its newline included, into OUT (SIZE bytes) as
 * snprintf does: at most SIZE - 1 bytes and a NUL when SIZE > 0.  A NULL
 * string field is "".  Returns the line's length, or 0 when E is not an
 * event (its kind, or a number out of range). */
size_t event_encode(const struct event *e, char *out, size_t size);

/* Shortens E's text, if it has one, until its line fits in MAX bytes,
 * cutting at a character's start (UTF-8), and writes the line as
 * event_encode() into a buffer the caller frees.  *LEN is the line's
 * length.  Returns NULL when it cannot fit or on no memory. */
char *event_fit(const struct event *e, size_t max, size_t *len);

/* Reads the line in LINE (LEN bytes, without its newline; LINE has room
 * for LEN + 1) into E.  Its fields are unescaped in place, each ended by
 * a NUL, and E's strings point into LINE.  Returns 0, or -1 (E->kind is
 * EVENT_NONE) when it is no event: an unknown name, a missing or extra
 * field, a bad escape, a NUL or a number out of range. */
int event_decode(char *line, size_t len, struct event *e);

#endif
