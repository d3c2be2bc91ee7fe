/* mirror: a learner's screen as text, and the socket it goes over
 * (mirror.h). */
#define _GNU_SOURCE
#include "ui/mirror.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "base/msg.h"
#include "base/text.h"
#include "session/room.h"

/* --- the text ------------------------------------------------------------- */

static void
put(struct mirror_buf *b, const char *s, size_t n)
{
	if (b->full || b->len + n > sizeof(b->data)) {
		b->full = true;
		return;
	}
	memcpy(b->data + b->len, s, n);
	b->len += n;
}

void
mirror_begin(struct mirror_buf *b, int rows, int cols, int cursor_row,
	     int cursor_col)
{
	char head[80];
	int n;

	b->len = 0;
	b->full = false;
	if (cursor_row < 0 || cursor_col < 0)
		cursor_row = cursor_col = -1;
	n = snprintf(head, sizeof(head), "screen %d %d %d %d\n", rows, cols,
		     cursor_row, cursor_col);
	put(b, head, (size_t)n);
}

void
mirror_add_row(struct mirror_buf *b, const char *text, size_t len,
	       const struct mirror_run *runs, size_t nruns)
{
	size_t start = b->len;

	while (len && text[len - 1] == ' ')
		len--;
	put(b, text, len);
	if (!b->full)
		for (size_t i = start; i < b->len; i++)
			if ((unsigned char)b->data[i] < 0x20 ||
			    b->data[i] == 0x7f)
				b->data[i] = '?';
	put(b, "\n", 1);
	for (size_t i = 0; i < nruns; i++) {
		char run[64];
		int n = snprintf(run, sizeof(run), "%s%d,%d,%d,%u", i ? " " : "",
				 runs[i].col, runs[i].len, runs[i].pair,
				 runs[i].flags);

		put(b, run, (size_t)n);
	}
	put(b, "\n", 1);
}

/* A number without sign or leading zero, at most MAX, from *P. */
static bool
number(const char **p, const char *end, long max, long *out)
{
	const char *s = *p;
	long v = 0;

	if (s >= end || *s < '0' || *s > '9' || (*s == '0' && s + 1 < end &&
						  s[1] >= '0' && s[1] <= '9'))
		return false;
	for (; s < end && *s >= '0' && *s <= '9'; s++) {
		v = v * 10 + (*s - '0');
		if (v > max)
			return false;
	}
	*p = s;
	*out = v;
	return true;
}

bool
mirror_next_run(const char **p, const char *end, struct mirror_run *r)
{
	const char *s = *p;
	long v[4];

	if (s >= end)
		return false;
	for (int i = 0; i < 4; i++) {
		if (i && (s >= end || *s++ != ','))
			return false;
		if (!number(&s, end, i == 3 ? 255 : 32767, &v[i]))
			return false;
	}
	if (s < end && (*s != ' ' || s + 1 == end))
		return false;
	*p = s < end ? s + 1 : s;
	r->col = (int)v[0];
	r->len = (int)v[1];
	r->pair = (int)v[2];
	r->flags = (unsigned)v[3];
	return r->len > 0;
}

/* The header "screen R C Y X\n" at the start of MSG, into S. */
static const char *
decode_header(const char *msg, const char *end, struct mirror_screen *s)
{
	const char *p = msg;
	long v[4];

	if ((size_t)(end - p) < 7 || memcmp(p, "screen ", 7) != 0)
		return NULL;
	p += 7;
	for (int i = 0; i < 4; i++) {
		bool hidden = i >= 2 && end - p >= 2 && p[0] == '-' &&
			      p[1] == '1';

		if (hidden) {
			v[i] = -1;
			p += 2;
		} else if (!number(&p, end, i == 1 || i == 3 ?
				   MIRROR_COLS_MAX : MIRROR_ROWS_MAX, &v[i])) {
			return NULL;
		}
		if (p >= end || *p++ != (i == 3 ? '\n' : ' '))
			return NULL;
	}
	if (v[0] < 1 || v[1] < 1 || (v[2] < 0) != (v[3] < 0) ||
	    v[2] >= v[0] || v[3] >= v[1])
		return NULL;
	s->rows = (int)v[0];
	s->cols = (int)v[1];
	s->cursor_row = (int)v[2];
	s->cursor_col = (int)v[3];
	return p;
}

/* Whether the N bytes at P are UTF-8, strictly (no overlong form, no
 * surrogate, nothing past U+10FFFF), and hold no control character, C0,
 * DEL or C1: a learner's screen must not move the watcher's terminal. */
static bool
text_ok(const unsigned char *p, size_t n)
{
	for (size_t i = 0, l; i < n; i += l) {
		l = text_utf8_lead(p[i]);
		if (!l || l > n - i || !text_utf8_whole(p + i, l) ||
		    p[i] < 0x20 || p[i] == 0x7f ||
		    (p[i] == 0xc2 && p[i + 1] < 0xa0))
			return false;
	}
	return true;
}

/* A row's styles: runs inside the screen, in order, not overlapping. */
static bool
styles_ok(const char *p, const char *end, int cols)
{
	struct mirror_run r;
	int at = 0;

	while (p < end) {
		if (!mirror_next_run(&p, end, &r) || r.col < at ||
		    r.col + r.len > cols)
			return false;
		at = r.col + r.len;
	}
	return true;
}

int
mirror_decode(const char *msg, size_t len, struct mirror_screen *s)
{
	const char *end = msg + len, *p;

	if (!(p = decode_header(msg, end, s)))
		return -1;
	for (int row = 0; row < s->rows; row++) {
		for (int part = 0; part < 2; part++) {
			const char *nl = memchr(p, '\n', (size_t)(end - p));

			if (!nl)
				return -1;
			if (part == 0) {
				if (!text_ok((const unsigned char *)p,
					     (size_t)(nl - p)))
					return -1;
				s->text[row] = p;
				s->text_len[row] = (size_t)(nl - p);
				if (nl > p && nl[-1] == ' ')
					return -1;
			} else {
				if (!styles_ok(p, nl, s->cols))
					return -1;
				s->styles[row] = p;
				s->styles_len[row] = (size_t)(nl - p);
			}
			p = nl + 1;
		}
	}
	return p == end ? 0 : -1;
}

/* --- the session's side --------------------------------------------------- */

int
mirror_serve_start(struct mirror_serve *s, unsigned uid, pid_t pid)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct stat st;
	mode_t mask;

	memset(s, 0, sizeof(*s));
	s->fd = -1;
	if (stat(room_dir(), &st) < 0 || !S_ISDIR(st.st_mode))
		return 0;
	room_screen_path(s->path, sizeof(s->path), uid, pid);
	if (strlen(s->path) >= sizeof(sa.sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	strcpy(sa.sun_path, s->path);
	/* A socket a killed session of this pid left; only ours. */
	if (lstat(s->path, &st) == 0 && S_ISSOCK(st.st_mode) &&
	    st.st_uid == geteuid())
		unlink(s->path);
	s->fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC,
		       0);
	if (s->fd < 0)
		return -1;
	/* 0660, and the directory's group (setgid): the instructors'. */
	mask = umask(0117);
	if (bind(s->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(s->fd, MIRROR_PEERS) < 0) {
		int saved = errno;

		umask(mask);
		close(s->fd);
		s->fd = -1;
		errno = saved;
		return -1;
	}
	umask(mask);
	return 0;
}

void
mirror_serve_accept(struct mirror_serve *s)
{
	int fd = accept4(s->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

	if (fd < 0)
		return;
	if (s->npeers == MIRROR_PEERS) {
		close(fd);
		return;
	}
	s->peers[s->npeers].fd = fd;
	s->peers[s->npeers].name[0] = '\0';
	s->npeers++;
}

static void
drop_peer(struct mirror_serve *s, int i, double now)
{
	close(s->peers[i].fd);
	if (s->peers[i].name[0])
		s->last_seen = now;
	s->peers[i] = s->peers[--s->npeers];
}

/* The name in "watch NAME\n": letters, digits, . _ - only. */
static void
take_name(char *name, size_t len, const char *msg, size_t n)
{
	size_t o = 0;

	snprintf(name, len, "someone");
	if (n < 7 || memcmp(msg, "watch ", 6) != 0)
		return;
	for (size_t i = 6; i < n && msg[i] != '\n' && o + 1 < len; i++) {
		char c = msg[i];

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-')
			name[o++] = c;
	}
	if (o)
		name[o] = '\0';
}

void
mirror_serve_peer(struct mirror_serve *s, int i, double now)
{
	struct mirror_peer *p = &s->peers[i];
	char msg[128];
	ssize_t n = recv(p->fd, msg, sizeof(msg), MSG_DONTWAIT);

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0 || p->name[0]) {
		/* Gone, or a second line: a watcher only says hello. */
		drop_peer(s, i, now);
		return;
	}
	take_name(p->name, sizeof(p->name), msg, (size_t)n);
	snprintf(s->last_name, sizeof(s->last_name), "%s", p->name);
	s->last_seen = now;
	s->fresh = true;
}

/* FNV-1a, to tell a screen from the last one sent. */
static unsigned long
sum(const char *s, size_t n)
{
	unsigned long h = 2166136261u;

	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 16777619u;
	return h;
}

int
mirror_serve_watchers(const struct mirror_serve *s)
{
	int n = 0;

	for (int i = 0; i < s->npeers; i++)
		n += s->peers[i].name[0] != '\0';
	return n;
}

void
mirror_serve_send(struct mirror_serve *s, const struct mirror_buf *b)
{
	unsigned long h;

	if (b->full)
		return;
	h = sum(b->data, b->len);
	if (!s->fresh && h == s->sent_sum && b->len == s->sent_len)
		return;
	s->fresh = false;
	s->sent_sum = h;
	s->sent_len = b->len;
	for (int i = 0; i < s->npeers; i++) {
		/* A full socket misses this screen, and gets the next. */
		if (s->peers[i].name[0])
			(void)send(s->peers[i].fd, b->data, b->len,
				   MSG_DONTWAIT | MSG_NOSIGNAL);
	}
}

void
mirror_serve_stop(struct mirror_serve *s)
{
	while (s->npeers)
		drop_peer(s, 0, 0);
	if (s->fd >= 0) {
		close(s->fd);
		unlink(s->path);
	}
	s->fd = -1;
}

/* --- the watcher's side --------------------------------------------------- */

int
mirror_connect(const char *path, const char *name, char *err, size_t errlen)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char hello[96];
	int fd, n;

	if (strlen(path) >= sizeof(sa.sun_path))
		return msg_fail(err, errlen, "%s: the path is too long", path);
	strcpy(sa.sun_path, path);
	if ((fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0)) < 0)
		return msg_fail(err, errlen, "socket: %s", strerror(errno));
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int saved = errno;

		close(fd);
		if (saved == ENOENT)
			return msg_fail(err, errlen, "it has no screen to "
					"mirror: it runs without the two-pane "
					"screen (the plain REPL, or a script)");
		if (saved == EACCES)
			return msg_fail(err, errlen, "you may not watch it: "
					"%s is only for root and the "
					"instructors group", path);
		if (saved == ECONNREFUSED)
			return msg_fail(err, errlen, "it has just ended");
		return msg_fail(err, errlen, "connect %s: %s", path,
				strerror(saved));
	}
	n = snprintf(hello, sizeof(hello), "watch %s\n", name);
	if (send(fd, hello, (size_t)n, MSG_NOSIGNAL) < 0) {
		int saved = errno;

		close(fd);
		return msg_fail(err, errlen, "it has just ended (%s)",
				strerror(saved));
	}
	return fd;
}

int
mirror_fetch(const char *path, const char *name, int timeout_ms, char *buf,
	     size_t len, struct mirror_screen *s, char *err, size_t errlen)
{
	int fd = mirror_connect(path, name, err, errlen);
	struct pollfd p = { .fd = fd, .events = POLLIN };
	ssize_t n;
	int r;

	if (fd < 0)
		return -1;
	while ((r = poll(&p, 1, timeout_ms)) < 0 && errno == EINTR)
		;
	if (r <= 0) {
		close(fd);
		return msg_fail(err, errlen, "its screen did not come within "
				"%d ms", timeout_ms);
	}
	n = recv(fd, buf, len, 0);
	close(fd);
	if (n <= 0)
		return msg_fail(err, errlen, "it has just ended");
	if (mirror_decode(buf, (size_t)n, s) < 0)
		return msg_fail(err, errlen, "what it sent is no screen");
	return 0;
}
