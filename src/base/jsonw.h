/* jsonw: JSON written piece by piece, indented, into a msg_text.
 *
 * Open an object or array with a key (NULL inside an array), put
 * members, close it; commas and indentation follow.  Strings are
 * escaped.  Pure: no I/O.
 */
#ifndef BOXSTEP_JSONW_H
#define BOXSTEP_JSONW_H

#include <stdbool.h>

#include "base/msg.h"

#define JSONW_DEPTH 16

struct jsonw {
	struct msg_text *t;
	int depth;
	bool first[JSONW_DEPTH]; /* nothing put yet at that depth */
};

void jsonw_start(struct jsonw *w, struct msg_text *t);
void jsonw_object(struct jsonw *w, const char *key);
void jsonw_array(struct jsonw *w, const char *key);
/* Closes the innermost object or array. */
void jsonw_end(struct jsonw *w, char close);
void jsonw_string(struct jsonw *w, const char *key, const char *value);
void jsonw_number(struct jsonw *w, const char *key, long long value);
void jsonw_bool(struct jsonw *w, const char *key, bool value);

#endif
