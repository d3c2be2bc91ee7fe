/* msg: error messages into a caller's buffer. */
#include "base/msg.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>

int
msg_fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	int saved = errno;

	va_start(ap, fmt);
	if (err && errlen)
		vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	errno = saved;
	return -1;
}

void
msg_append(struct msg_text *t, const char *fmt, ...)
{
	size_t room = (size_t)t->used < t->len ? t->len - (size_t)t->used : 0;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(room ? t->buf + t->used : NULL, room, fmt, ap);
	va_end(ap);
	if (n > 0)
		t->used += n;
}
