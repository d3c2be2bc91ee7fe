/* capture: the markers around a command's output, and the reply. */
#define _GNU_SOURCE
#include "base/capture.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static void
keep(struct capture *c, const char *s, size_t n)
{
	if (!c->on || c->len >= CAPTURE_MAX)
		return;
	if (n > CAPTURE_MAX - c->len)
		n = CAPTURE_MAX - c->len;
	if (c->len + n + 1 > c->cap) {
		size_t cap = c->cap ? c->cap : 4096;
		char *p;

		while (cap < c->len + n + 1)
			cap *= 2;
		if (!(p = realloc(c->buf, cap)))
			return;
		c->buf = p;
		c->cap = cap;
	}
	memcpy(c->buf + c->len, s, n);
	c->len += n;
	c->buf[c->len] = '\0';
}

/* Says how much of a marker the bytes S[0..N) are: 2 = a whole marker
 * (*WHICH set), 1 = a prefix of one (more may come), 0 = neither. */
static int
marker(const char *s, size_t n, int *which)
{
	static const char *const m[2] = { CAPTURE_BEGIN, CAPTURE_END };
	int prefix = 0;

	for (int i = 0; i < 2; i++) {
		size_t l = strlen(m[i]);

		if (n >= l && memcmp(s, m[i], l) == 0) {
			*which = i;
			return 2;
		}
		if (n < l && memcmp(s, m[i], n) == 0)
			prefix = 1;
	}
	return prefix;
}

size_t
capture_filter(struct capture *c, const char *in, size_t n, char *out,
	       bool *ended)
{
	size_t o = 0;

	*ended = false;
	for (size_t i = 0; i < n; i++) {
		int which = 0, m;

		if (c->nhold == 0 && in[i] != '\033') {
			/* The common case: a run of plain bytes. */
			size_t j = i;

			while (j < n && in[j] != '\033')
				j++;
			memcpy(out + o, in + i, j - i);
			keep(c, in + i, j - i);
			o += j - i;
			i = j - 1;
			continue;
		}
		c->hold[c->nhold++] = in[i];
		m = marker(c->hold, c->nhold, &which);
		if (m == 1 && c->nhold < sizeof(c->hold))
			continue;
		if (m == 2) {
			if (which == 0) {
				c->on = true;
				c->len = 0;
				if (c->buf)
					c->buf[0] = '\0';
			} else if (c->on) {
				c->on = false;
				*ended = true;
			}
			c->nhold = 0;
			continue;
		}
		/* Not a marker after all: the first held byte is output, and
		 * the rest are looked at again (one may start a marker). */
		out[o++] = c->hold[0];
		keep(c, c->hold, 1);
		{
			char rest[sizeof(c->hold)];
			size_t nrest = c->nhold - 1;

			memcpy(rest, c->hold + 1, nrest);
			c->nhold = 0;
			for (size_t k = 0; k < nrest; k++) {
				bool e = false;

				o += capture_filter(c, rest + k, 1, out + o, &e);
				*ended = *ended || e;
			}
		}
	}
	return o;
}

static int
write_all(int fd, const char *s, size_t n)
{
	while (n > 0) {
		ssize_t w = send(fd, s, n, MSG_NOSIGNAL);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		s += w;
		n -= (size_t)w;
	}
	return 0;
}

int
capture_reply(struct capture *c, int fd)
{
	char head[32];
	int n = snprintf(head, sizeof(head), "output %zu\n", c->len);
	int rc = write_all(fd, head, (size_t)n);

	if (rc == 0 && c->len)
		rc = write_all(fd, c->buf, c->len);
	c->len = 0;
	return rc;
}

/* Reads exactly N bytes, each wait at most TIMEOUT_MS. */
static int
read_exact(int fd, char *buf, size_t n, int timeout_ms)
{
	while (n > 0) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t r;
		int rc = poll(&p, 1, timeout_ms);

		if (rc < 0 && errno == EINTR)
			continue;
		if (rc <= 0)
			return -1;
		r = read(fd, buf, n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		buf += r;
		n -= (size_t)r;
	}
	return 0;
}

static void (*line_hook)(const char *line);

void
capture_set_line_hook(void (*hook)(const char *line))
{
	line_hook = hook;
}

/* Reads one line from FD, a byte at a time (what follows a header is
 * its payload), into HEAD.  Returns -1 on a timeout or a line too long. */
static int
read_line(int fd, char *head, size_t len, int timeout_ms)
{
	size_t i = 0;

	while (i < len - 1) {
		if (read_exact(fd, head + i, 1, timeout_ms) < 0)
			return -1;
		if (head[i++] == '\n') {
			head[i - 1] = '\0';
			return 0;
		}
	}
	return -1;
}

char *
capture_read_reply(int fd, int timeout_ms)
{
	char head[128];
	size_t len;
	char *out;

	for (;;) {
		if (read_line(fd, head, sizeof(head), timeout_ms) < 0)
			return NULL;
		if (strncmp(head, "output ", 7) == 0)
			break;
		/* One of the TUI's other lines, sent as it happened. */
		if (line_hook)
			line_hook(head);
	}
	if (sscanf(head, "output %zu", &len) != 1 || len > CAPTURE_MAX)
		return NULL;
	if (!(out = malloc(len + 1)))
		return NULL;
	if (read_exact(fd, out, len, timeout_ms) < 0) {
		free(out);
		return NULL;
	}
	out[len] = '\0';
	return out;
}

void
capture_free(struct capture *c)
{
	free(c->buf);
	memset(c, 0, sizeof(*c));
}
