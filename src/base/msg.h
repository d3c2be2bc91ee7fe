/* msg: error messages into a caller's buffer. */
#ifndef BOXSTEP_MSG_H
#define BOXSTEP_MSG_H

#include <stddef.h>

/* Formats a message into ERR (when ERR and ERRLEN allow) and returns -1,
 * so that an error exit is one line.  errno is preserved. */
int msg_fail(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Text appended piece by piece into a fixed buffer, remembering the
 * length it would have needed, so that a writer works like snprintf. */
struct msg_text {
	char *buf;
	size_t len;
	int used;
};

void msg_append(struct msg_text *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
