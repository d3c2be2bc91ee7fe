/* cast: asciicast v2 recordings (what `asciinema play` replays).
 *
 * A header line, a JSON object with the terminal's size and the start
 * time, then one line per event: [SECONDS, "o", "DATA"] for output and
 * [SECONDS, "r", "COLSxROWS"] for a resize.  DATA must be valid UTF-8 in
 * JSON: a multibyte character cut between two reads is held back for the
 * next event, and a byte that cannot be UTF-8 becomes U+FFFD.
 */
#ifndef BOXSTEP_CAST_H
#define BOXSTEP_CAST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct cast {
	FILE *f;
	double start;         /* monotonic seconds at the header */
	double last;          /* the latest event's time, from the start */
	unsigned char carry[4]; /* the start of a cut character */
	size_t ncarry;
};

/* Escapes N bytes of terminal output as the body of a JSON string into
 * OUT (room for 6 * (N + 4) + 1 bytes), with C's carried bytes first;
 * keeps a trailing incomplete character in C.  Returns OUT's length.
 * Pure. */
size_t cast_escape(struct cast *c, const char *in, size_t n, char *out);

/* Starts a recording in F (owned from now on): the header, with TERM. */
int cast_begin(struct cast *c, FILE *f, int cols, int rows, double now,
	       long unix_time, const char *term);

/* An output event of N bytes at monotonic time NOW. */
void cast_output(struct cast *c, double now, const char *data, size_t n);

/* A resize event. */
void cast_resize(struct cast *c, double now, int cols, int rows);

/* Flushes and closes.  Returns 0, or -1 when writing failed. */
int cast_end(struct cast *c);

#endif
