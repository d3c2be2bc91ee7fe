/* event: the REPL's and the TUI's event lines, written and read. */
#include "session/event.h"

#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Each kind's name and fields, in order: p a pid, m milliseconds, v 0|1,
 * l the layers, h the hostname, r the rootfs, t the text. */
static const struct {
	const char *name;
	const char *fields;
} kinds[EVENT_NKINDS] = {
	[EVENT_PLAN] = { "plan", "lhr" },
	[EVENT_START] = { "start", "pt" },
	[EVENT_EXIT] = { "exit", "pt" },
	[EVENT_REFRESH] = { "refresh", "m" },
	[EVENT_PROMPT] = { "prompt", "" },
	[EVENT_BUSY] = { "busy", "" },
	[EVENT_PANEL] = { "panel", "t" },
	[EVENT_SEEN] = { "seen", "p" },
	[EVENT_PANEL_VISIBLE] = { "panel-visible", "v" },
};

const char *
event_name(enum event_kind kind)
{
	if (kind <= EVENT_NONE || kind >= EVENT_NKINDS)
		return NULL;
	return kinds[kind].name;
}

/* --- writing ------------------------------------------------------------- */

/* A line being written: what fits in BUF, and the length it needs. */
struct out {
	char *buf;
	size_t size, len;
};

static void
put(struct out *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

static void
put_str(struct out *o, const char *s)
{
	for (; *s; s++)
		put(o, *s);
}

/* At most MAX bytes of S, escaped. */
static void
put_escaped(struct out *o, const char *s, size_t max)
{
	static const char hex[] = "0123456789abcdef";

	for (size_t i = 0; s && s[i] && i < max; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '\\') {
			put_str(o, "\\\\");
		} else if (c == ' ') {
			put_str(o, "\\s");
		} else if (c == '\n') {
			put_str(o, "\\n");
		} else if (c < 0x20 || c == 0x7f) {
			put_str(o, "\\x");
			put(o, hex[c >> 4]);
			put(o, hex[c & 15]);
		} else {
			put(o, (char)c);
		}
	}
}

static void
put_number(struct out *o, long n)
{
	char num[32];

	snprintf(num, sizeof(num), "%ld", n);
	put_str(o, num);
}

/* True when E's kind is one and its numbers are in range. */
static bool
valid(const struct event *e)
{
	if (!event_name(e->kind))
		return false;
	for (const char *f = kinds[e->kind].fields; *f; f++)
		if ((*f == 'p' && e->pid <= 0) || (*f == 'm' && e->ms <= 0))
			return false;
	return true;
}

/* Writes E's line into O, its text cut to at most TEXT_MAX bytes. */
static void
encode(const struct event *e, size_t text_max, struct out *o)
{
	put_str(o, kinds[e->kind].name);
	for (const char *f = kinds[e->kind].fields; *f; f++) {
		put(o, ' ');
		switch (*f) {
		case 'p': put_number(o, e->pid); break;
		case 'm': put_number(o, e->ms); break;
		case 'v': put(o, e->visible ? '1' : '0'); break;
		case 'l': put_escaped(o, e->layers, SIZE_MAX); break;
		case 'h': put_escaped(o, e->hostname, SIZE_MAX); break;
		case 'r': put_escaped(o, e->rootfs, SIZE_MAX); break;
		case 't': put_escaped(o, e->text, text_max); break;
		}
	}
	put(o, '\n');
	if (o->size)
		o->buf[o->len < o->size ? o->len : o->size - 1] = '\0';
}

size_t
event_encode(const struct event *e, char *out, size_t size)
{
	struct out o = { out, size, 0 };

	if (!valid(e)) {
		if (size)
			out[0] = '\0';
		return 0;
	}
	encode(e, SIZE_MAX, &o);
	return o.len;
}

/* The length of E's line with its text cut to TEXT_MAX bytes. */
static size_t
measure(const struct event *e, size_t text_max)
{
	struct out o = { NULL, 0, 0 };

	encode(e, text_max, &o);
	return o.len;
}

char *
event_fit(const struct event *e, size_t max, size_t *len)
{
	size_t keep = SIZE_MAX;
	struct out o = { NULL, 0, 0 };

	if (!valid(e))
		return NULL;
	if (measure(e, SIZE_MAX) > max) {
		size_t lo = 0, hi;

		if (!strchr(kinds[e->kind].fields, 't') || !e->text ||
		    measure(e, 0) > max)
			return NULL;
		/* The longest cut that fits: LO fits, HI does not. */
		hi = strlen(e->text);
		while (hi - lo > 1) {
			size_t mid = lo + (hi - lo) / 2;

			if (measure(e, mid) <= max)
				lo = mid;
			else
				hi = mid;
		}
		while (lo > 0 && ((unsigned char)e->text[lo] & 0xc0) == 0x80)
			lo--;
		keep = lo;
	}
	o.size = measure(e, keep) + 1;
	if (!(o.buf = malloc(o.size)))
		return NULL;
	encode(e, keep, &o);
	*len = o.len;
	return o.buf;
}

/* --- reading ------------------------------------------------------------- */

static int
hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* The byte "\xHH" at S (S[0] is 'x') stands for, or -1 when it is no
 * escape the encoder writes. */
static int
hex_escape(const char *s)
{
	int hi = hex_digit(s[1]), lo = hi < 0 ? -1 : hex_digit(s[2]), c;

	if (lo < 0)
		return -1;
	c = hi * 16 + lo;
	if (c == 0 || c == '\n' || (c >= 0x20 && c != 0x7f))
		return -1;
	return c;
}

/* Unescapes the field at *P, up to the next space or the line's end, in
 * place, and ends it with a NUL; *P moves past its separator.  Returns
 * the separator (' ', or 0 at the end), or -1 on a byte or an escape
 * the encoder does not write. */
static int
unescape_field(char **p)
{
	char *r = *p, *w = *p;
	int sep, c;

	while (*r && *r != ' ') {
		c = (unsigned char)*r;
		if (c < 0x20 || c == 0x7f)
			return -1;
		if (c != '\\') {
			*w++ = *r++;
			continue;
		}
		switch (r[1]) {
		case '\\': c = '\\'; r += 2; break;
		case 's': c = ' '; r += 2; break;
		case 'n': c = '\n'; r += 2; break;
		case 'x':
			if ((c = hex_escape(r + 1)) < 0)
				return -1;
			r += 4;
			break;
		default:
			return -1;
		}
		*w++ = (char)c;
	}
	sep = *r;
	*w = '\0';
	*p = sep ? r + 1 : r;
	return sep;
}

/* Reads S, decimal digits as the encoder writes them (no sign, no
 * leading zero), into *V when it lies in MIN..MAX. */
static bool
number(const char *s, long min, long max, long *v)
{
	size_t n = strlen(s);
	long x = 0;

	if (n == 0 || n > 10 || (s[0] == '0' && n > 1))
		return false;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		x = x * 10 + (s[i] - '0');
	}
	if (x < min || x > max)
		return false;
	*v = x;
	return true;
}

/* Sets the field of E that F names from S.  Returns false when S is not
 * one. */
static bool
set_field(struct event *e, char f, const char *s)
{
	long v;

	switch (f) {
	case 'p':
		if (!number(s, 1, INT_MAX, &v))
			return false;
		e->pid = (pid_t)v;
		return true;
	case 'm':
		if (!number(s, 1, INT_MAX, &v))
			return false;
		e->ms = (int)v;
		return true;
	case 'v':
		if (!number(s, 0, 1, &v))
			return false;
		e->visible = v == 1;
		return true;
	case 'l': e->layers = s; return true;
	case 'h': e->hostname = s; return true;
	case 'r': e->rootfs = s; return true;
	case 't': e->text = s; return true;
	}
	return false;
}

static int
no_event(struct event *e)
{
	memset(e, 0, sizeof(*e));
	return -1;
}

int
event_decode(char *line, size_t len, struct event *e)
{
	enum event_kind kind = EVENT_NONE;
	size_t nlen;
	char *p;
	int sep;

	memset(e, 0, sizeof(*e));
	if (memchr(line, '\0', len))
		return -1;
	line[len] = '\0';
	nlen = strcspn(line, " ");
	sep = line[nlen];
	line[nlen] = '\0';
	for (int k = EVENT_NONE + 1; k < EVENT_NKINDS; k++)
		if (strcmp(line, kinds[k].name) == 0)
			kind = (enum event_kind)k;
	if (kind == EVENT_NONE)
		return no_event(e);
	p = line + nlen + (sep ? 1 : 0);
	for (const char *f = kinds[kind].fields; *f; f++) {
		char *field = p;

		if (sep != ' ' || (sep = unescape_field(&p)) < 0 ||
		    !set_field(e, *f, field))
			return no_event(e);
	}
	if (sep != 0)
		return no_event(e);
	e->kind = kind;
	return 0;
}
