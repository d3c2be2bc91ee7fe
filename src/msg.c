/* msg: error messages into a caller's buffer. */
#include "msg.h"

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
