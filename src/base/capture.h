/* capture: what a command printed, taken from the REPL's terminal stream.
 *
 * On a terminal the REPL runs on a pty under a relay (the TUI, or the
 * plain relay), so that `sh`, `vi` and `top` keep a real terminal.  To let
 * a lesson check the output of a command, the REPL writes an invisible
 * marker (an OSC string) before and after it; the relay strips the
 * markers, keeps what lies between, and sends it back over the event
 * socket as "output LEN\n" and LEN bytes.  The filter is pure.
 */
#ifndef BOXSTEP_CAPTURE_H
#define BOXSTEP_CAPTURE_H

#include <stdbool.h>
#include <stddef.h>

#define CAPTURE_BEGIN "\033]5379;boxstep-begin\007"
#define CAPTURE_END "\033]5379;boxstep-end\007"
#define CAPTURE_MAX (4u << 20) /* bytes kept per command */

struct capture {
	bool on;        /* between the markers */
	char hold[32];  /* a possible marker, split across reads */
	size_t nhold;
	char *buf;      /* what was captured */
	size_t len, cap;
};

/* Filters N bytes of the REPL's output.  Writes what the terminal should
 * see to OUT (room for N + sizeof(hold) bytes) and returns its length.
 * Sets *ENDED when an end marker went by (the capture is then complete
 * in C->buf until capture_take()). */
size_t capture_filter(struct capture *c, const char *in, size_t n, char *out,
		      bool *ended);

/* Sends the captured bytes to FD as "output LEN\n" + bytes, and empties
 * the capture.  Returns 0 or -1. */
int capture_reply(struct capture *c, int fd);

/* Reads a reply from FD (waiting at most TIMEOUT_MS) into a new
 * NUL-terminated buffer.  Returns NULL when none came.  The TUI's other
 * lines that come before it (panel-visible, seen) go to the hook set
 * by capture_set_line_hook(), or are skipped. */
char *capture_read_reply(int fd, int timeout_ms);

/* Sets the function given each line on the event socket that is not a
 * reply (without its newline); NULL for none. */
void capture_set_line_hook(void (*hook)(const char *line));

void capture_free(struct capture *c);

#endif
