/* text: names close to a mistyped one, text filled to a width, and
 * whether output ends a line. */
#define _GNU_SOURCE
#include "base/text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WORD_MAX 63
#define SUGGEST_MAX 8

size_t
text_distance(const char *a, const char *b)
{
	size_t n = strlen(a), m = strlen(b);
	size_t d[WORD_MAX + 1][WORD_MAX + 1];

	if (n > WORD_MAX || m > WORD_MAX)
		return WORD_MAX + 1;
	for (size_t i = 0; i <= n; i++)
		d[i][0] = i;
	for (size_t j = 0; j <= m; j++)
		d[0][j] = j;
	for (size_t i = 1; i <= n; i++)
		for (size_t j = 1; j <= m; j++) {
			size_t cost = a[i - 1] != b[j - 1];
			size_t v = d[i - 1][j - 1] + cost;

			if (d[i - 1][j] + 1 < v)
				v = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < v)
				v = d[i][j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] &&
			    a[i - 2] == b[j - 1] && d[i - 2][j - 2] + 1 < v)
				v = d[i - 2][j - 2] + 1;
			d[i][j] = v;
		}
	return d[n][m];
}

size_t
text_suggest(const char *word, const char *(*item)(size_t), char *buf,
	     size_t len)
{
	const char *best[SUGGEST_MAX];
	size_t limit = (strlen(word) + 1) / 3, nbest = 0, used = 0;
	const char *name;

	if (limit > 2)
		limit = 2;
	for (size_t i = 0; (name = item(i)) != NULL; i++) {
		size_t d = text_distance(word, name);

		if (d > limit || strcmp(word, name) == 0)
			continue;
		if (d < limit) {
			limit = d; /* closer than all so far */
			nbest = 0;
		}
		if (nbest < SUGGEST_MAX)
			best[nbest++] = name;
	}
	if (len)
		buf[0] = '\0';
	for (size_t i = 0; i < nbest && used < len; i++) {
		const char *sep = i == 0 ? "" : i + 1 == nbest ? " or " : ", ";
		int w = snprintf(buf + used, len - used, "%s%s", sep, best[i]);

		used += w > 0 ? (size_t)w : 0;
	}
	return nbest;
}

/* --- filling -------------------------------------------------------------- */

/* Columns of the N bytes at S: UTF-8 characters. */
static size_t
cols(const char *s, size_t n)
{
	size_t c = 0;

	for (size_t i = 0; i < n; i++)
		c += ((unsigned char)s[i] & 0xc0) != 0x80;
	return c;
}

/* The length of the line at S, without its newline. */
static size_t
line_len(const char *s)
{
	return strcspn(s, "\n");
}

static const char *
next_line(const char *s)
{
	s += line_len(s);
	return *s ? s + 1 : s;
}

static bool
blank(const char *s)
{
	return strspn(s, " \t") >= line_len(s);
}

static bool
fence(const char *s)
{
	return strncmp(s + strspn(s, " "), "```", 3) == 0;
}

/* The bytes of the line's indentation and list marker, blanks after it
 * included ("  - ", "   \u2717 "), or 0 when the line is no list item. */
static size_t
item_prefix(const char *s)
{
	static const char *const marks[] = {
		"- ", "* ", "+ ", "\u2713 ", "\u2717 ", "\u00b7 ", "[x] ", "[ ] ",
	};
	size_t in = strspn(s, " "), n = 0;
	const char *m = s + in;

	for (size_t i = 0; !n && i < sizeof(marks) / sizeof(marks[0]); i++)
		if (strncmp(m, marks[i], strlen(marks[i])) == 0)
			n = strlen(marks[i]);
	if (!n) {
		n = strspn(m, "0123456789");
		if (!n || (m[n] != '.' && m[n] != ')') || m[n + 1] != ' ')
			return 0;
		n += 2;
	}
	return in + n + strspn(m + n, " ");
}

/* Says whether the lines from S to END all fit in WIDTH. */
static bool
fits(const char *s, const char *end, size_t width)
{
	for (; s < end; s = next_line(s))
		if (cols(s, line_len(s)) > width)
			return false;
	return true;
}

/* The length of the word at S (before END): up to a blank, a `code span`
 * on the same line taken whole. */
static size_t
word_len(const char *s, const char *end)
{
	const char *p = s;

	while (p < end && *p != ' ' && *p != '\t' && *p != '\n') {
		const char *close;

		if (*p == '`' && (close = memchr(p + 1, '`', line_len(p + 1))))
			p = close;
		p++;
	}
	return (size_t)(p - s);
}

/* Writes the block from S to END refilled to WIDTH, continuation lines
 * indented by as many columns as its first line's item prefix. */
static void
fill(FILE *f, const char *s, const char *end, size_t width)
{
	size_t pre = s == end ? 0 : item_prefix(s);
	size_t hang = pre ? cols(s, pre) : strspn(s, " ");
	size_t col, n;
	bool first = true;

	if (!pre)
		pre = hang;
	fwrite(s, 1, pre, f);
	col = hang;
	for (s += pre; s < end; s += n) {
		s += strspn(s, " \t\n");
		if (s >= end)
			break;
		n = word_len(s, end);
		if (!first && col + 1 + cols(s, n) > width) {
			fprintf(f, "\n%*s", (int)hang, "");
			col = hang;
			first = true;
		}
		if (!first) {
			fputc(' ', f);
			col++;
		}
		fwrite(s, 1, n, f);
		col += cols(s, n);
		first = false;
	}
}

char *
text_wrap(const char *text, size_t width)
{
	char *out = NULL;
	size_t len = 0;
	bool in_fence = false;
	FILE *f = open_memstream(&out, &len);

	if (!f)
		return NULL;
	for (const char *s = text, *end; *s; s = end) {
		end = next_line(s);
		if (fence(s))
			in_fence = !in_fence;
		if (!in_fence && !fence(s) && !blank(s)) {
			while (*end && !blank(end) && !fence(end) &&
			       !item_prefix(end))
				end = next_line(end);
			if (!fits(s, end, width)) {
				fill(f, s, end, width);
				if (end[-1] == '\n')
					fputc('\n', f);
				continue;
			}
		}
		fwrite(s, 1, (size_t)(end - s), f);
	}
	if (fclose(f) != 0) {
		free(out);
		return NULL;
	}
	return out;
}

/* The bytes of the escape sequence at S (S[0] is ESC): CSI up to its
 * final byte, OSC up to BEL or ST, else ESC and one byte. */
static size_t
escape_len(const char *s)
{
	size_t i = 2;

	if (s[1] == '[') {
		while (s[i] && ((unsigned char)s[i] < 0x40 ||
				(unsigned char)s[i] > 0x7e))
			i++;
		return s[i] ? i + 1 : i;
	}
	if (s[1] == ']') {
		while (s[i] && s[i] != '\a' && !(s[i] == '\033' && s[i + 1] == '\\'))
			i++;
		return !s[i] ? i : s[i] == '\a' ? i + 1 : i + 2;
	}
	return s[1] ? 2 : 1;
}

char *
text_shell_word(const char *s, char *buf, size_t len)
{
	static const char safe[] = "abcdefghijklmnopqrstuvwxyz"
				   "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
				   "0123456789_./:=@%+,-";
	size_t o = 0;

	if (len == 0)
		return buf;
	if (s[0] && strspn(s, safe) == strlen(s)) {
		if (strlen(s) >= len)
			s = "";
		snprintf(buf, len, "%s", s);
		return buf;
	}
	buf[o++] = '\'';
	for (; *s; s++) {
		size_t need = *s == '\'' ? 4 : 1;

		if (o + need + 2 > len)
			break; /* room kept for the closing quote and NUL */
		if (*s == '\'')
			memcpy(buf + o, "'\\''", 4);
		else
			buf[o] = *s;
		o += need;
	}
	if (*s || o + 2 > len) {
		buf[0] = '\0';
		return buf;
	}
	buf[o++] = '\'';
	buf[o] = '\0';
	return buf;
}

bool
text_ends_line(const char *out)
{
	bool at_start = true;

	for (const char *p = out; p && *p;) {
		if (*p == '\033') {
			p += escape_len(p);
			continue;
		}
		if (*p == '\n')
			at_start = true;
		else if ((unsigned char)*p >= ' ' || *p == '\t')
			at_start = false;
		p++;
	}
	return at_start;
}

size_t
text_utf8_lead(unsigned char b)
{
	if (b < 0x80)
		return 1;
	if (b >= 0xc2 && b <= 0xdf)
		return 2;
	if (b >= 0xe0 && b <= 0xef)
		return 3;
	if (b >= 0xf0 && b <= 0xf4)
		return 4;
	return 0;
}

bool
text_utf8_whole(const unsigned char *s, size_t l)
{
	if (l == 0 || text_utf8_lead(s[0]) != l)
		return false;
	for (size_t i = 1; i < l; i++)
		if ((s[i] & 0xc0) != 0x80)
			return false;
	if (l == 3 && s[0] == 0xe0 && s[1] < 0xa0)
		return false;
	if (l == 3 && s[0] == 0xed && s[1] >= 0xa0)
		return false;
	if (l == 4 && s[0] == 0xf0 && s[1] < 0x90)
		return false;
	if (l == 4 && s[0] == 0xf4 && s[1] >= 0x90)
		return false;
	return true;
}

size_t
text_utf8_put(char *out, unsigned long cp)
{
	unsigned char *o = (unsigned char *)out;

	if (cp < 0x80) {
		o[0] = (unsigned char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (unsigned char)(0xc0 | (cp >> 6));
		o[1] = (unsigned char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if ((cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff) {
		o[0] = '?';
		return 1;
	}
	if (cp < 0x10000) {
		o[0] = (unsigned char)(0xe0 | (cp >> 12));
		o[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
		o[2] = (unsigned char)(0x80 | (cp & 0x3f));
		return 3;
	}
	o[0] = (unsigned char)(0xf0 | (cp >> 18));
	o[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3f));
	o[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
	o[3] = (unsigned char)(0x80 | (cp & 0x3f));
	return 4;
}
