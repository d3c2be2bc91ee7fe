/* json: parse a document into a tree, recursive descent. */
#define _GNU_SOURCE
#include "base/json.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/text.h"

#define JSON_MAX_DEPTH 64

struct parser {
	const char *s, *end, *start;
	char *err;
	size_t errlen;
	int depth;
};

static int
fail(struct parser *p, const char *what)
{
	if (p->err && p->errlen && !p->err[0])
		snprintf(p->err, p->errlen, "%s at byte %zu", what,
			 (size_t)(p->s - p->start));
	return -1;
}

static void
skip_ws(struct parser *p)
{
	while (p->s < p->end && (*p->s == ' ' || *p->s == '\t' ||
				 *p->s == '\n' || *p->s == '\r'))
		p->s++;
}

/* Reads a string after its opening quote into a new buffer. */
static int
parse_string(struct parser *p, char **out)
{
	const char *q = p->s;
	char *buf;
	size_t o = 0;

	/* The decoded string is never longer than the source. */
	while (q < p->end && *q != '"')
		q += *q == '\\' && q + 1 < p->end ? 2 : 1;
	if (q >= p->end)
		return fail(p, "a string that never ends");
	if (!(buf = malloc((size_t)(q - p->s) + 1)))
		return fail(p, "out of memory");
	while (*p->s != '"') {
		unsigned char c = (unsigned char)*p->s++;

		if (c < 0x20) {
			free(buf);
			return fail(p, "a control character in a string");
		}
		if (c != '\\') {
			buf[o++] = (char)c;
			continue;
		}
		c = (unsigned char)*p->s++;
		switch (c) {
		case '"': case '\\': case '/': buf[o++] = (char)c; break;
		case 'b': buf[o++] = '\b'; break;
		case 'f': buf[o++] = '\f'; break;
		case 'n': buf[o++] = '\n'; break;
		case 'r': buf[o++] = '\r'; break;
		case 't': buf[o++] = '\t'; break;
		case 'u': {
			unsigned cp = 0;

			for (int i = 0; i < 4; i++, p->s++) {
				char h = p->s < p->end ? *p->s : 'x';

				cp <<= 4;
				if (h >= '0' && h <= '9')
					cp |= (unsigned)(h - '0');
				else if (h >= 'a' && h <= 'f')
					cp |= (unsigned)(h - 'a' + 10);
				else if (h >= 'A' && h <= 'F')
					cp |= (unsigned)(h - 'A' + 10);
				else {
					free(buf);
					return fail(p, "a bad \\u escape");
				}
			}
			/* \uXXXX is six bytes; its UTF-8 at most three */
			if (cp == 0)
				cp = 0xfffd;
			o += text_utf8_put(buf + o, cp);
			break;
		}
		default:
			free(buf);
			return fail(p, "a bad escape in a string");
		}
	}
	p->s++;
	buf[o] = '\0';
	*out = buf;
	return 0;
}

static int parse_value(struct parser *p, struct json *j);

static int
add_item(struct parser *p, struct json *j, char *key)
{
	struct json *items = realloc(j->items, (j->n + 1) * sizeof(*items));

	if (!items) {
		free(key);
		return fail(p, "out of memory");
	}
	j->items = items;
	memset(&j->items[j->n], 0, sizeof(j->items[j->n]));
	if (j->type == JSON_OBJECT) {
		char **keys = realloc(j->keys, (j->n + 1) * sizeof(*keys));

		if (!keys) {
			free(key);
			return fail(p, "out of memory");
		}
		j->keys = keys;
		j->keys[j->n] = key;
	}
	j->n++;
	return parse_value(p, &j->items[j->n - 1]);
}

static int
parse_container(struct parser *p, struct json *j, char close)
{
	if (++p->depth > JSON_MAX_DEPTH)
		return fail(p, "nested too deep");
	skip_ws(p);
	if (p->s < p->end && *p->s == close) {
		p->s++;
		p->depth--;
		return 0;
	}
	for (;;) {
		char *key = NULL;

		skip_ws(p);
		if (close == '}') {
			if (p->s >= p->end || *p->s != '"')
				return fail(p, "expected a key");
			p->s++;
			if (parse_string(p, &key) < 0)
				return -1;
			skip_ws(p);
			if (p->s >= p->end || *p->s != ':') {
				free(key);
				return fail(p, "expected ':'");
			}
			p->s++;
		}
		if (add_item(p, j, key) < 0)
			return -1;
		skip_ws(p);
		if (p->s < p->end && *p->s == ',') {
			p->s++;
			continue;
		}
		if (p->s < p->end && *p->s == close) {
			p->s++;
			p->depth--;
			return 0;
		}
		return fail(p, close == '}' ? "expected ',' or '}'" :
			    "expected ',' or ']'");
	}
}

static int
parse_value(struct parser *p, struct json *j)
{
	const char *tok = p->s;

	skip_ws(p);
	if (p->s >= p->end)
		return fail(p, "unexpected end");
	switch (*p->s) {
	case '{':
		p->s++;
		j->type = JSON_OBJECT;
		return parse_container(p, j, '}');
	case '[':
		p->s++;
		j->type = JSON_ARRAY;
		return parse_container(p, j, ']');
	case '"':
		p->s++;
		j->type = JSON_STRING;
		return parse_string(p, &j->str);
	}
	tok = p->s;
	while (p->s < p->end && (strchr("+-.eE", *p->s) ||
				 (*p->s >= '0' && *p->s <= '9') ||
				 (*p->s >= 'a' && *p->s <= 'z')))
		p->s++;
	if (p->s == tok)
		return fail(p, "unexpected character");
	j->str = strndup(tok, (size_t)(p->s - tok));
	if (!j->str)
		return fail(p, "out of memory");
	if (strcmp(j->str, "null") == 0)
		j->type = JSON_NULL;
	else if (strcmp(j->str, "true") == 0 || strcmp(j->str, "false") == 0)
		j->type = JSON_BOOL;
	else if ((*tok >= '0' && *tok <= '9') || *tok == '-')
		j->type = JSON_NUMBER;
	else
		return fail(p, "unexpected word");
	return 0;
}

static void
free_members(struct json *j)
{
	for (size_t i = 0; i < j->n; i++) {
		free_members(&j->items[i]);
		if (j->keys)
			free(j->keys[i]);
	}
	free(j->items);
	free(j->keys);
	free(j->str);
}

void
json_free(struct json *j)
{
	if (!j)
		return;
	free_members(j);
	free(j);
}

struct json *
json_parse(const char *text, size_t len, char *err, size_t errlen)
{
	struct parser p = { text, text + len, text, err, errlen, 0 };
	struct json *j = calloc(1, sizeof(*j));

	if (err && errlen)
		err[0] = '\0';
	if (!j) {
		fail(&p, "out of memory");
		return NULL;
	}
	if (parse_value(&p, j) < 0) {
		json_free(j);
		return NULL;
	}
	skip_ws(&p);
	if (p.s != p.end) {
		fail(&p, "text after the end");
		json_free(j);
		return NULL;
	}
	return j;
}

const struct json *
json_get(const struct json *j, const char *key)
{
	if (!j || j->type != JSON_OBJECT)
		return NULL;
	for (size_t i = 0; i < j->n; i++)
		if (strcmp(j->keys[i], key) == 0)
			return &j->items[i];
	return NULL;
}

const struct json *
json_at(const struct json *j, size_t i)
{
	if (!j || j->type != JSON_ARRAY || i >= j->n)
		return NULL;
	return &j->items[i];
}

const char *
json_str(const struct json *j)
{
	return j && j->type == JSON_STRING ? j->str : NULL;
}
