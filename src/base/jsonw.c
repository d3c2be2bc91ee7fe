/* jsonw: JSON written piece by piece, indented. */
#include "base/jsonw.h"

#include <stdio.h>

void
jsonw_start(struct jsonw *w, struct msg_text *t)
{
	w->t = t;
	w->depth = 0;
	w->first[0] = true;
}

static void
put_escaped(struct msg_text *t, const char *s)
{
	msg_append(t, "\"");
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			msg_append(t, "\\%c", *p);
		else if (*p == '\n')
			msg_append(t, "\\n");
		else if (*p == '\t')
			msg_append(t, "\\t");
		else if (*p < 0x20)
			msg_append(t, "\\u%04x", *p);
		else
			msg_append(t, "%c", *p);
	}
	msg_append(t, "\"");
}

/* The comma, newline and indent before a member, and its key. */
static void
member(struct jsonw *w, const char *key)
{
	if (w->depth > 0) {
		msg_append(w->t, "%s\n%*s", w->first[w->depth] ? "" : ",",
			   2 * w->depth, "");
		w->first[w->depth] = false;
	}
	if (key) {
		put_escaped(w->t, key);
		msg_append(w->t, ": ");
	}
}

static void
open_(struct jsonw *w, const char *key, char c)
{
	member(w, key);
	msg_append(w->t, "%c", c);
	if (w->depth < JSONW_DEPTH - 1)
		w->first[++w->depth] = true;
}

void
jsonw_object(struct jsonw *w, const char *key)
{
	open_(w, key, '{');
}

void
jsonw_array(struct jsonw *w, const char *key)
{
	open_(w, key, '[');
}

void
jsonw_end(struct jsonw *w, char close)
{
	bool empty = w->first[w->depth];

	if (w->depth > 0)
		w->depth--;
	if (empty)
		msg_append(w->t, "%c", close);
	else
		msg_append(w->t, "\n%*s%c", 2 * w->depth, "", close);
	if (w->depth == 0)
		msg_append(w->t, "\n");
}

void
jsonw_string(struct jsonw *w, const char *key, const char *value)
{
	member(w, key);
	put_escaped(w->t, value);
}

void
jsonw_number(struct jsonw *w, const char *key, long long value)
{
	member(w, key);
	msg_append(w->t, "%lld", value);
}

void
jsonw_bool(struct jsonw *w, const char *key, bool value)
{
	member(w, key);
	msg_append(w->t, "%s", value ? "true" : "false");
}
