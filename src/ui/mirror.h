/* mirror: a learner's screen, read-only, for the instructor.
 *
 * A session with the two-pane screen listens on a socket beside its room
 * file, ROOM_DIR/<uid>-<pid>.screen (session/room.h).  The room's
 * directory gives it the instructors group (setgid) and boxstep makes it
 * 0660: root and the instructors group may connect, another learner may
 * not (EACCES).  A watcher connects and sends one line, `watch NAME`
 * (its user name); the session then sends its screen as it stands, and
 * again after each change, at most MIRROR_HZ times a second, while the
 * watcher stays.  The socket is SOCK_SEQPACKET: a screen is one message,
 * sent whole or not at all, and a watcher that cannot keep up misses a
 * screen, never a part of one; the session never waits for it.
 *
 * A screen is text:
 *
 *     screen ROWS COLS CURSOR_ROW CURSOR_COL
 *     then, for each row, its text (UTF-8, the blanks at its end left
 *     out) on one line, and its styles on the next: runs of
 *     COL,LEN,PAIR,FLAGS separated by spaces (only the cells that are not
 *     plain), FLAGS a sum of the MIRROR_* bits below
 *
 * The cursor is -1 -1 when it is hidden.  The text is UTF-8 without a
 * control character (C0, DEL or C1): the watcher, perhaps root, prints
 * it, and a learner's session must not be able to drive the watcher's
 * terminal.  The decoder takes nothing but what the encoder writes.
 */
#ifndef BOXSTEP_MIRROR_H
#define BOXSTEP_MIRROR_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define MIRROR_HZ 10
#define MIRROR_MAX (192 * 1024)  /* a screen's bytes, at most */
#define MIRROR_ROWS_MAX 300
#define MIRROR_COLS_MAX 1000
#define MIRROR_PEERS 4           /* watchers of one session at once */

enum {
	MIRROR_BOLD = 1,
	MIRROR_REVERSE = 2,
	MIRROR_UNDERLINE = 4,
	MIRROR_DIM = 8,
};

/* One screen, as decoded.  Each row's text and styles point into the
 * message they were decoded from. */
struct mirror_screen {
	int rows, cols, cursor_row, cursor_col;
	const char *text[MIRROR_ROWS_MAX];
	size_t text_len[MIRROR_ROWS_MAX];
	const char *styles[MIRROR_ROWS_MAX];
	size_t styles_len[MIRROR_ROWS_MAX];
};

/* A run of cells in one style. */
struct mirror_run {
	int col, len, pair;
	unsigned flags;
};

/* A screen being written: the header, then each row in turn. */
struct mirror_buf {
	char data[MIRROR_MAX];
	size_t len;
	bool full;            /* a row did not fit: the screen is not sent */
};

void mirror_begin(struct mirror_buf *b, int rows, int cols, int cursor_row,
		  int cursor_col);
/* Adds a row: TEXT (LEN bytes of UTF-8; control bytes become '?', the
 * blanks at the end are dropped) and its NRUNS runs, in order. */
void mirror_add_row(struct mirror_buf *b, const char *text, size_t len,
		    const struct mirror_run *runs, size_t nruns);

/* Decodes the message MSG (LEN bytes) into S.  Returns 0, or -1 when it
 * is no screen as mirror_begin() and mirror_add_row() write one. */
int mirror_decode(const char *msg, size_t len, struct mirror_screen *s);

/* Takes the next run from the styles at *P (END its end) into R,
 * advancing *P.  Returns false at the end or on a malformed run. */
bool mirror_next_run(const char **p, const char *end, struct mirror_run *r);

/* --- the session's side --------------------------------------------------- */

struct mirror_peer {
	int fd;
	char name[64];        /* who said they watch; "" until they say */
};

struct mirror_serve {
	int fd;               /* listening; -1 when there is no room */
	char path[4096];
	struct mirror_peer peers[MIRROR_PEERS];
	int npeers;
	char last_name[64];   /* the latest watcher, for the status line */
	double last_seen;     /* when someone last watched (monotonic s) */
	double next_send;     /* no screen before this */
	bool pending;         /* a screen was held back by the rate */
	bool fresh;           /* a watcher said hello: send even a same one */
	size_t sent_len;      /* the last screen sent, to skip a same one */
	unsigned long sent_sum;
};

/* Listens at room_screen_path(UID, PID) when the room's directory is there.
 * Returns 0 (S->fd -1 when there is no room), -1 with errno. */
int mirror_serve_start(struct mirror_serve *s, unsigned uid, pid_t pid);

/* Accepts a waiting watcher. */
void mirror_serve_accept(struct mirror_serve *s);

/* Reads what peer I sent (its hello), or finds it gone and drops it. */
void mirror_serve_peer(struct mirror_serve *s, int i, double now);

/* The number of peers that said hello. */
int mirror_serve_watchers(const struct mirror_serve *s);

/* Sends the screen in B to every peer that said hello, unless it is the
 * one sent last and no one new came. */
void mirror_serve_send(struct mirror_serve *s, const struct mirror_buf *b);

/* Closes every peer and the socket, and removes it. */
void mirror_serve_stop(struct mirror_serve *s);

/* --- the watcher's side --------------------------------------------------- */

/* Connects to PATH and says NAME watches.  Returns the socket, or -1 with
 * the reason in ERR. */
int mirror_connect(const char *path, const char *name, char *err,
		   size_t errlen);

/* Connects to PATH as NAME and takes one screen into BUF (LEN bytes, at
 * least MIRROR_MAX), decoded into S; at most TIMEOUT_MS waiting for it.
 * Returns 0, or -1 with the reason in ERR. */
int mirror_fetch(const char *path, const char *name, int timeout_ms,
		 char *buf, size_t len, struct mirror_screen *s, char *err,
		 size_t errlen);

#endif
