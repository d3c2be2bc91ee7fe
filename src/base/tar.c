/* tar: a streaming reader for ustar, pax and GNU archives. */
#define _GNU_SOURCE
#include "base/tar.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A pax or GNU long-name record is refused past this size. */
#define TAR_MAX_META (1 << 20)

struct tar_reader {
	int fd;
	long long pos, limit;  /* bytes read; -1: no limit */
	long long remaining;   /* of the current entry's data */
};

/* Reads exactly LEN bytes.  Returns 1, 0 at a clean end, -1 on a short
 * read or an error. */
static int
read_full(struct tar_reader *tr, void *buf, size_t len)
{
	size_t got = 0;

	if (tr->limit >= 0 && tr->pos + (long long)len > tr->limit)
		return tr->pos == tr->limit ? 0 : -1;
	while (got < len) {
		ssize_t n = read(tr->fd, (char *)buf + got, len - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return got == 0 && n == 0 ? 0 : -1;
		got += (size_t)n;
	}
	tr->pos += (long long)len;
	return 1;
}

static int
skip(struct tar_reader *tr, long long len)
{
	char buf[8192];

	while (len > 0) {
		size_t n = len > (long long)sizeof(buf) ? sizeof(buf) : (size_t)len;

		if (read_full(tr, buf, n) != 1)
			return -1;
		len -= (long long)n;
	}
	return 0;
}

ssize_t
tar_data(struct tar_reader *tr, void *buf, size_t len)
{
	if (tr->remaining <= 0)
		return 0;
	if ((long long)len > tr->remaining)
		len = (size_t)tr->remaining;
	if (read_full(tr, buf, len) != 1)
		return -1;
	tr->remaining -= (long long)len;
	return (ssize_t)len;
}

/* An octal field, or GNU's base-256 (high bit set) for big numbers. */
static int
number(const unsigned char *f, size_t len, long long *out)
{
	long long v = 0;
	size_t i = 0;

	if (f[0] & 0x80) {
		v = f[0] & 0x3f;
		for (i = 1; i < len; i++) {
			if (v > (1LL << 54))
				return -1;
			v = v << 8 | f[i];
		}
		*out = v;
		return 0;
	}
	while (i < len && (f[i] == ' ' || f[i] == '\0'))
		i++;
	for (; i < len && f[i] >= '0' && f[i] <= '7'; i++) {
		if (v > (1LL << 58))
			return -1;
		v = v * 8 + (f[i] - '0');
	}
	for (; i < len; i++)
		if (f[i] != ' ' && f[i] != '\0')
			return -1;
	*out = v;
	return 0;
}

int
tar_parse_header(const unsigned char *b, struct tar_entry *e)
{
	static char name[256 + 2], link[101];
	long long sum = 0, want, v;
	const char *magic = (const char *)b + 257;
	size_t n;

	for (int i = 0; i < TAR_BLOCK; i++)
		sum += b[i];
	if (sum == 0)
		return 0;
	/* The checksum counts its own field as eight blanks. */
	for (int i = 148; i < 156; i++)
		sum += ' ' - b[i];
	if (number(b + 148, 8, &want) < 0 || want != sum)
		return -1;
	memset(e, 0, sizeof(*e));
	name[0] = '\0';
	if (strncmp(magic, "ustar", 5) == 0 && b[345]) {
		n = strnlen((const char *)b + 345, 155);
		memcpy(name, b + 345, n);
		name[n++] = '/';
		name[n] = '\0';
	}
	n = strlen(name);
	memcpy(name + n, b, strnlen((const char *)b, 100));
	name[n + strnlen((const char *)b, 100)] = '\0';
	memcpy(link, b + 157, strnlen((const char *)b + 157, 100));
	link[strnlen((const char *)b + 157, 100)] = '\0';
	e->path = name;
	e->link = link;
	e->type = b[156] ? (char)b[156] : '0';
	if (number(b + 100, 8, &v) < 0)
		return -1;
	e->mode = (mode_t)(v & 07777);
	if (number(b + 108, 8, &v) < 0)
		return -1;
	e->uid = (uid_t)v;
	if (number(b + 116, 8, &v) < 0)
		return -1;
	e->gid = (gid_t)v;
	if (number(b + 124, 12, &e->size) < 0 || e->size < 0 ||
	    number(b + 136, 12, &e->mtime) < 0)
		return -1;
	if (number(b + 329, 8, &v) == 0)
		e->devmajor = (unsigned)v;
	if (number(b + 337, 8, &v) == 0)
		e->devminor = (unsigned)v;
	return 1;
}

/* Reads a record's data (a pax header or a GNU long name) whole. */
static char *
read_meta(struct tar_reader *tr, long long size)
{
	char *buf;

	if (size < 0 || size > TAR_MAX_META || !(buf = malloc((size_t)size + 1)))
		return NULL;
	if (size && read_full(tr, buf, (size_t)size) != 1) {
		free(buf);
		return NULL;
	}
	buf[size] = '\0';
	return buf;
}

static void
replace(char **slot, const char *v, size_t len)
{
	free(*slot);
	*slot = strndup(v, len);
}

/* Applies the pax records "LEN key=value\n" that matter here. */
static int
apply_pax(const char *rec, long long size, char **path, char **link,
	  long long *psize)
{
	const char *p = rec, *end = rec + size;

	while (p < end) {
		char *sp;
		long len = strtol(p, &sp, 10);
		const char *kv, *eq, *stop;

		if (sp == p || *sp != ' ' || len <= 0 || len > end - p)
			return -1;
		kv = sp + 1;
		stop = p + len - 1; /* the newline */
		if (*stop != '\n' || !(eq = memchr(kv, '=', (size_t)(stop - kv))))
			return -1;
		if ((size_t)(eq - kv) == 4 && strncmp(kv, "path", 4) == 0)
			replace(path, eq + 1, (size_t)(stop - eq - 1));
		else if ((size_t)(eq - kv) == 8 && strncmp(kv, "linkpath", 8) == 0)
			replace(link, eq + 1, (size_t)(stop - eq - 1));
		else if ((size_t)(eq - kv) == 4 && strncmp(kv, "size", 4) == 0)
			*psize = strtoll(eq + 1, NULL, 10);
		p += len;
	}
	return 0;
}

static long long
padding(long long size)
{
	return (TAR_BLOCK - size % TAR_BLOCK) % TAR_BLOCK;
}

int
tar_read(int fd, long long limit, tar_entry_fn fn, void *arg,
	 char *err, size_t errlen)
{
	struct tar_reader tr = { fd, 0, limit, 0 };
	unsigned char block[TAR_BLOCK];
	char *long_path = NULL, *long_link = NULL;
	long long pax_size = -1;
	int rc = -1, r, n = 0;
	struct tar_entry e;

	if (errlen)
		err[0] = '\0';
	for (;; n++) {
		if ((r = read_full(&tr, block, sizeof(block))) != 1) {
			/* The end of the file at an entry's boundary ends the
			 * archive too, as Go's and Python's readers take it. */
			if (r == 0 && n > 0)
				break;
			snprintf(err, errlen, r == 0 ? "the archive is empty" :
				 "the archive is cut short (after %d entries)", n);
			goto out;
		}
		r = tar_parse_header(block, &e);
		if (r == 0)
			break; /* an end block; a second one may follow */
		if (r < 0) {
			snprintf(err, errlen, "entry %d: a damaged header (bad "
				 "checksum or number): is this a tar archive?",
				 n + 1);
			goto out;
		}
		if (e.type == 'x' || e.type == 'g' || e.type == 'L' ||
		    e.type == 'K') {
			char *meta = read_meta(&tr, e.size);

			if (!meta || skip(&tr, padding(e.size)) < 0) {
				free(meta);
				snprintf(err, errlen, "entry %d: a long-name or pax "
					 "record that is cut short or over 1 MiB",
					 n + 1);
				goto out;
			}
			if (e.type == 'x' && apply_pax(meta, e.size, &long_path,
						       &long_link, &pax_size) < 0) {
				free(meta);
				snprintf(err, errlen, "entry %d: a malformed pax "
					 "header", n + 1);
				goto out;
			}
			if (e.type == 'L')
				replace(&long_path, meta, strlen(meta));
			if (e.type == 'K')
				replace(&long_link, meta, strlen(meta));
			free(meta);
			continue;
		}
		if (long_path)
			e.path = long_path;
		if (long_link)
			e.link = long_link;
		if (pax_size >= 0)
			e.size = pax_size;
		/* Links, directories and devices carry no data. */
		if (e.type == '1' || e.type == '2' || e.type == '5' ||
		    e.type == '3' || e.type == '4' || e.type == '6')
			e.size = 0;
		e.offset = tr.pos;
		tr.remaining = e.size;
		if (fn(&e, &tr, arg, err, errlen) < 0) {
			if (errlen && !err[0])
				snprintf(err, errlen, "entry %d (%s): its data "
					 "is cut short", n + 1, e.path);
			goto out;
		}
		if (skip(&tr, tr.remaining) < 0 ||
		    skip(&tr, padding(e.size)) < 0) {
			snprintf(err, errlen, "entry %d (%s): its data is cut "
				 "short", n + 1, e.path);
			goto out;
		}
		free(long_path);
		free(long_link);
		long_path = long_link = NULL;
		pax_size = -1;
	}
	rc = 0;
out:
	free(long_path);
	free(long_link);
	return rc;
}
