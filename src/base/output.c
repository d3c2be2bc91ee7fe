/* output: a command's output as a lesson check reads it. */
#define _GNU_SOURCE
#include "base/output.h"

#include <ctype.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ESC '\033'

/* --- what the terminal shows ------------------------------------------- */

/* The length of the escape sequence at S (S[0] is ESC), or 0 when it is
 * cut short by the end of the text. */
static size_t
escape_length(const char *s)
{
	size_t i = 1;

	switch (s[1]) {
	case '\0':
		return 1;
	case '[': /* CSI: parameters, intermediates, a final byte */
		for (i = 2; (unsigned char)s[i] >= 0x20 &&
			    (unsigned char)s[i] <= 0x3f; i++)
			;
		while ((unsigned char)s[i] >= 0x20 &&
		       (unsigned char)s[i] <= 0x2f)
			i++;
		/* a control character (a newline) ends it unfinished */
		return (unsigned char)s[i] >= 0x40 &&
		       (unsigned char)s[i] <= 0x7e ? i + 1 : i;
	case ']': case 'P': case 'X': case '^': case '_':
		/* OSC, DCS and the other strings: to BEL or ESC \ */
		for (i = 2; s[i]; i++) {
			if (s[i] == '\a')
				return i + 1;
			if (s[i] == ESC && s[i + 1] == '\\')
				return i + 2;
		}
		return i;
	default: /* ESC, intermediates, a final byte: ESC ( B, ESC = */
		while ((unsigned char)s[i] >= 0x20 &&
		       (unsigned char)s[i] <= 0x2f)
			i++;
		return (unsigned char)s[i] >= 0x30 &&
		       (unsigned char)s[i] <= 0x7e ? i + 1 : i;
	}
}

size_t
output_normalise(char *s)
{
	/* The text only shrinks, so it is rewritten in place: R reads, the
	 * current line starts at LINE, the cursor is at LINE + COL, and the
	 * line so far is LEN bytes long. */
	size_t r = 0, line = 0, col = 0, len = 0;

	while (s[r]) {
		unsigned char c = (unsigned char)s[r];

		if (c == ESC) {
			r += escape_length(s + r);
		} else if (c == '\n') {
			s[line + len] = '\n';
			line += len + 1;
			col = len = 0;
			r++;
		} else if (c == '\r') {
			col = 0;
			r++;
		} else if (c == '\b') {
			col -= col > 0;
			r++;
		} else if ((c < 0x20 && c != '\t') || c == 0x7f) {
			r++;
		} else {
			s[line + col++] = (char)c;
			if (col > len)
				len = col;
			r++;
		}
	}
	s[line + len] = '\0';
	return line + len;
}

/* --- matching, a line at a time ------------------------------------------ */

static bool
blank(char c)
{
	return c == ' ' || c == '\t';
}

static bool
wordch(char c)
{
	return isalnum((unsigned char)c) || c == '_';
}

/* Matches PAT against LINE from its start, a run of blanks in PAT
 * matching a run in LINE.  Returns the length matched, or -1. */
static long
match_here(const char *line, size_t n, const char *pat)
{
	size_t i = 0;

	while (*pat) {
		if (blank(*pat)) {
			if (i >= n || !blank(line[i]))
				return -1;
			while (blank(*pat))
				pat++;
			while (i < n && blank(line[i]))
				i++;
			continue;
		}
		if (i >= n || line[i] != *pat)
			return -1;
		i++;
		pat++;
	}
	return (long)i;
}

/* Finds PAT as whole words in LINE (N bytes): its start in *SO and end
 * in *EO. */
static bool
find_words(const char *line, size_t n, const char *pat, size_t *so,
	   size_t *eo)
{
	size_t plen = strlen(pat);

	if (!plen)
		return false;
	for (size_t i = 0; i < n; i++) {
		long m = match_here(line + i, n - i, pat);

		if (m < 0)
			continue;
		if (wordch(pat[0]) && i > 0 && wordch(line[i - 1]))
			continue;
		if (wordch(pat[plen - 1]) && i + (size_t)m < n &&
		    wordch(line[i + (size_t)m]))
			continue;
		*so = i;
		*eo = i + (size_t)m;
		return true;
	}
	return false;
}

/* Says whether LINE (N bytes) is PAT, blanks at either end aside. */
static bool
find_line(const char *line, size_t n, const char *pat, size_t *so,
	  size_t *eo)
{
	size_t a = 0, b = n, pa = 0, pb = strlen(pat);
	long m;
	char *p;

	while (a < b && blank(line[a]))
		a++;
	while (b > a && blank(line[b - 1]))
		b--;
	while (pa < pb && blank(pat[pa]))
		pa++;
	while (pb > pa && blank(pat[pb - 1]))
		pb--;
	if (pa == pb || !(p = strndup(pat + pa, pb - pa)))
		return false;
	m = match_here(line + a, b - a, p);
	free(p);
	if (m < 0 || (size_t)m != b - a)
		return false;
	*so = a;
	*eo = b;
	return true;
}

/* Runs the regex RX over LINE (N bytes). */
static bool
find_regex(const regex_t *rx, const char *line, size_t n, size_t *so,
	   size_t *eo)
{
	char *copy = strndup(line, n);
	regmatch_t m[1];
	bool hit;

	if (!copy)
		return false;
	hit = regexec(rx, copy, 1, m, 0) == 0;
	free(copy);
	if (hit) {
		*so = (size_t)m[0].rm_so;
		*eo = (size_t)m[0].rm_eo;
	}
	return hit;
}

/* Finds the first line of OUT that holds PAT: its start in *LINE, its
 * length in *N, the part matched in *SO..*EO (offsets in the line). */
static bool
find(enum output_match m, const char *out, const char *pat,
     const char **line, size_t *n, size_t *so, size_t *eo)
{
	regex_t rx;
	bool hit = false;

	if (m == OUTPUT_REGEX &&
	    regcomp(&rx, pat, REG_EXTENDED | REG_NEWLINE) != 0)
		return false;
	for (const char *l = out; !hit; ) {
		const char *nl = strchr(l, '\n');
		size_t len = nl ? (size_t)(nl - l) : strlen(l);

		hit = m == OUTPUT_WORDS ? find_words(l, len, pat, so, eo) :
		      m == OUTPUT_LINE ? find_line(l, len, pat, so, eo) :
		      find_regex(&rx, l, len, so, eo);
		if (hit) {
			*line = l;
			*n = len;
		}
		if (!nl)
			break;
		l = nl + 1;
	}
	if (m == OUTPUT_REGEX)
		regfree(&rx);
	return hit;
}

bool
output_test(enum output_match m, const char *out, const char *pattern)
{
	const char *line;
	size_t n, so, eo;

	return find(m, out ? out : "", pattern, &line, &n, &so, &eo);
}

size_t
output_count_lines(const char *out)
{
	size_t count = 0;
	bool text = false;

	for (const char *p = out ? out : ""; ; p++) {
		if (*p == '\n' || *p == '\0') {
			count += text;
			text = false;
			if (!*p)
				break;
		} else if (!blank(*p)) {
			text = true;
		}
	}
	return count;
}

/* --- near misses ------------------------------------------------------ */

/* Says whether WORD (N bytes) stands in PAT as a word of its own.  In a
 * regex, bracket expressions and intervals name no word: "[0-9]{3,}"
 * pins neither 0, 9 nor 3. */
static bool
pinned(const char *pat, bool regex, const char *word, size_t n)
{
	for (const char *p = pat; *p; ) {
		size_t len = 0;

		if (regex && (*p == '[' || *p == '{')) {
			const char *end = strchr(p + 1, *p == '[' ? ']' : '}');

			/* "[]...]" and "[^]...]" hold a ']' first */
			if (end && *p == '[' && (end == p + 1 ||
			    (end == p + 2 && p[1] == '^')))
				end = strchr(end + 1, ']');
			if (end) {
				p = end + 1;
				continue;
			}
		}
		if (regex && *p == '\\' && p[1]) {
			p += 2;
			continue;
		}
		while (wordch(p[len]))
			len++;
		if (len == n && memcmp(p, word, n) == 0)
			return true;
		p += len ? len : 1;
	}
	return false;
}

/* Writes WORD (N bytes) altered the KIND-th way (0 or 1) into OUT
 * (room for N + 2 bytes, and a NUL). */
static size_t
alter(const char *word, size_t n, int kind, char *out)
{
	bool number = strspn(word, "0123456789") >= n;
	char *c = &out[n - 1];
	size_t i;

	memcpy(out, word, n);
	if (kind == 0) {
		out[n] = number ? '0' : 'x';
		return n + 1;
	}
	if (number) {
		/* counted up: 9 -> 10, 199 -> 200 */
		for (i = n; i > 0 && out[i - 1] == '9'; i--)
			out[i - 1] = '0';
		if (i > 0) {
			out[i - 1]++;
			return n;
		}
		memmove(out + 1, out, n);
		out[0] = '1';
		return n + 1;
	}
	if (*c == 'z' || *c == 'Z' || *c == '9')
		*c = *c == '9' ? '0' : *c - 1;
	else if (isalnum((unsigned char)*c))
		(*c)++;
	else
		*c = 'x';
	return n;
}

bool
output_near_miss(enum output_match m, const char *out, const char *pattern,
		 size_t n, char *buf, size_t len)
{
	const char *line;
	size_t ln, so, eo, seen = 0;

	if (!find(m, out ? out : "", pattern, &line, &ln, &so, &eo))
		return false;
	for (size_t i = so; i < eo; ) {
		size_t w = 0;

		while (i + w < eo && wordch(line[i + w]))
			w++;
		if (!w) {
			i++;
			continue;
		}
		if (pinned(pattern, m == OUTPUT_REGEX, line + i, w)) {
			if (seen++ == n / 2) {
				char word[64];
				size_t wl;

				if (w > sizeof(word) - 3)
					return false;
				wl = alter(line + i, w, (int)(n % 2), word);
				if (ln + 3 > len)
					return false;
				snprintf(buf, len, "%.*s%.*s%.*s", (int)i, line,
					 (int)wl, word, (int)(ln - i - w),
					 line + i + w);
				return true;
			}
		}
		i += w;
	}
	return false;
}
