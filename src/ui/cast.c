/* cast: asciicast v2, written as a session goes. */
#define _GNU_SOURCE
#include "ui/cast.h"

#include <stdlib.h>
#include <string.h>

#include "base/text.h"

static size_t
put_byte(char *out, size_t o, unsigned char b)
{
	static const char hex[] = "0123456789abcdef";

	switch (b) {
	case '"':  out[o++] = '\\'; out[o++] = '"'; break;
	case '\\': out[o++] = '\\'; out[o++] = '\\'; break;
	case '\n': out[o++] = '\\'; out[o++] = 'n'; break;
	case '\r': out[o++] = '\\'; out[o++] = 'r'; break;
	case '\t': out[o++] = '\\'; out[o++] = 't'; break;
	default:
		if (b < 0x20 || b == 0x7f) {
			memcpy(out + o, "\\u00", 4);
			o += 4;
			out[o++] = hex[b >> 4];
			out[o++] = hex[b & 15];
		} else {
			out[o++] = (char)b;
		}
	}
	return o;
}

size_t
cast_escape(struct cast *c, const char *in, size_t n, char *out)
{
	unsigned char buf[4 + 8192];
	const unsigned char *s;
	size_t total, o = 0, i = 0;
	unsigned char *joined = NULL;

	/* The carried bytes first, then the new ones. */
	total = c->ncarry + n;
	if (total <= sizeof(buf)) {
		s = buf;
	} else {
		if (!(joined = malloc(total)))
			return 0;
		s = joined;
	}
	memcpy((unsigned char *)s, c->carry, c->ncarry);
	memcpy((unsigned char *)s + c->ncarry, in, n);
	c->ncarry = 0;
	while (i < total) {
		size_t l = text_utf8_lead(s[i]);

		if (l == 1) {
			o = put_byte(out, o, s[i++]);
			continue;
		}
		if (l > 1 && i + l > total) {
			/* Cut at the end of this read: keep it for the next,
			 * if what there is so far could still be valid. */
			bool ok = true;

			for (size_t k = i + 1; k < total; k++)
				ok = ok && (s[k] & 0xc0) == 0x80;
			if (ok) {
				c->ncarry = total - i;
				memcpy(c->carry, s + i, c->ncarry);
				break;
			}
		}
		if (l > 1 && i + l <= total && text_utf8_whole(s + i, l)) {
			memcpy(out + o, s + i, l);
			o += l;
			i += l;
			continue;
		}
		memcpy(out + o, "\xef\xbf\xbd", 3); /* U+FFFD */
		o += 3;
		i++;
	}
	out[o] = '\0';
	free(joined);
	return o;
}

int
cast_begin(struct cast *c, FILE *f, int cols, int rows, double now,
	   long unix_time, const char *term)
{
	char esc[6 * (64 + 4) + 1];
	struct cast tmp = { 0 };
	const char *t = term ? term : "";

	memset(c, 0, sizeof(*c));
	c->f = f;
	c->start = now;
	cast_escape(&tmp, t, *t ? strnlen(t, 64) : 0, esc);
	fprintf(f, "{\"version\": 2, \"width\": %d, \"height\": %d, "
		"\"timestamp\": %ld, \"title\": \"boxstep\", "
		"\"env\": {\"TERM\": \"%s\", \"SHELL\": \"/bin/sh\"}}\n",
		cols, rows, unix_time, esc);
	return fflush(f) == 0 ? 0 : -1;
}

void
cast_output(struct cast *c, double now, const char *data, size_t n)
{
	size_t chunk;

	while (n > 0) {
		char out[6 * (4096 + 4) + 1];

		chunk = n < 4096 ? n : 4096;
		c->last = now - c->start;
		if (cast_escape(c, data, chunk, out) > 0)
			fprintf(c->f, "[%.6f, \"o\", \"%s\"]\n", c->last, out);
		data += chunk;
		n -= chunk;
	}
	fflush(c->f);
}

void
cast_resize(struct cast *c, double now, int cols, int rows)
{
	c->last = now - c->start;
	fprintf(c->f, "[%.6f, \"r\", \"%dx%d\"]\n", c->last, cols, rows);
	fflush(c->f);
}

int
cast_end(struct cast *c)
{
	int rc = 0;

	if (!c->f)
		return 0;
	if (c->ncarry) {
		/* A character never finished: say so rather than drop it. */
		fprintf(c->f, "[%.6f, \"o\", \"\xef\xbf\xbd\"]\n", c->last);
		c->ncarry = 0;
	}
	if (ferror(c->f))
		rc = -1;
	if (fclose(c->f) != 0)
		rc = -1;
	c->f = NULL;
	return rc;
}
