/* json: a small reader for the manifests of container images.
 *
 * Parses a whole document into a tree; lookups by key and index.  Strings
 * keep \uXXXX escapes of code points above 0x7f as UTF-8.  Pure: no I/O.
 */
#ifndef BOXSTEP_JSON_H
#define BOXSTEP_JSON_H

#include <stddef.h>

enum json_type {
	JSON_NULL,
	JSON_BOOL,
	JSON_NUMBER,
	JSON_STRING,
	JSON_ARRAY,
	JSON_OBJECT,
};

struct json {
	enum json_type type;
	char *str;           /* STRING: the text; NUMBER, BOOL: the token */
	size_t n;            /* ARRAY, OBJECT: how many members */
	struct json *items;  /* ARRAY, OBJECT: the members */
	char **keys;         /* OBJECT: their keys */
};

/* Parses TEXT (LEN bytes).  Returns the tree, or NULL with what is wrong
 * and where in ERR.  Nesting deeper than 64 is refused. */
struct json *json_parse(const char *text, size_t len, char *err,
			size_t errlen);

void json_free(struct json *j);

/* The member KEY of an object, or NULL. */
const struct json *json_get(const struct json *j, const char *key);

/* Item I of an array, or NULL. */
const struct json *json_at(const struct json *j, size_t i);

/* The string of J if it is one, else NULL. */
const char *json_str(const struct json *j);

#endif
