/* image_archive: the members of an image archive, and its manifests. */
#define _GNU_SOURCE
#include "engine/image_archive.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/json.h"
#include "base/msg.h"
#include "base/tar.h"
#include "base/text.h"
#include "engine/image_fs.h"

static int
on_member(const struct tar_entry *e, struct tar_reader *tr, void *arg,
	  char *err, size_t errlen)
{
	struct image_archive *a = arg;
	struct image_member *m;
	char name[4096];

	(void)tr;
	if (e->type != '0' && e->type != '7')
		return 0;
	if (image_clean_path(e->path, name, sizeof(name)) != 0)
		return 0; /* the outer archive's odd names are never read */
	if (!(m = realloc(a->m, (a->n + 1) * sizeof(*m))))
		return msg_fail(err, errlen, "out of memory");
	a->m = m;
	m[a->n].name = strdup(name);
	m[a->n].offset = e->offset;
	m[a->n].size = e->size;
	a->n++;
	return 0;
}

const struct image_member *
image_archive_member(const struct image_archive *a, const char *name)
{
	char clean[4096];

	if (image_clean_path(name, clean, sizeof(clean)) != 0)
		return NULL;
	for (size_t i = 0; i < a->n; i++)
		if (strcmp(a->m[i].name, clean) == 0)
			return &a->m[i];
	return NULL;
}

static struct json *
read_json(const struct image_archive *a, const char *name, char *err,
	  size_t errlen)
{
	const struct image_member *m = image_archive_member(a, name);
	char why[256], *text;
	struct json *j;

	if (!m) {
		msg_fail(err, errlen, "%s names %s, which is not in the archive",
			 a->file, name);
		return NULL;
	}
	if (m->size > (16 << 20) || !(text = malloc((size_t)m->size + 1)) ||
	    pread(a->fd, text, (size_t)m->size, m->offset) != m->size) {
		msg_fail(err, errlen, "read %s in %s: too big or cut short", name,
			 a->file);
		return NULL;
	}
	j = json_parse(text, (size_t)m->size, why, sizeof(why));
	free(text);
	if (!j)
		msg_fail(err, errlen, "%s in %s is not valid JSON: %s", name,
			 a->file, why);
	return j;
}

/* The member of an OCI blob: "sha256:HEX" -> blobs/sha256/HEX. */
static int
blob_name(const char *digest, char *buf, size_t len)
{
	const char *colon = digest ? strchr(digest, ':') : NULL;

	if (!colon || strchr(colon + 1, '/') || colon - digest > 32)
		return -1;
	snprintf(buf, len, "blobs/%.*s/%s", (int)(colon - digest), digest,
		 colon + 1);
	return 0;
}

/* Tag K of an image ENTRY (an item of manifest.json, or of index.json's
 * manifests when OCI), or NULL past its last. */
static const char *
entry_tag(const struct json *entry, bool oci, size_t k)
{
	if (oci)
		return k ? NULL : json_str(json_get(json_get(entry,
			"annotations"), "org.opencontainers.image.ref.name"));
	return json_str(json_at(json_get(entry, "RepoTags"), k));
}

/* Every tag of the N images in ENTRIES, separated by ", ", into BUF. */
static const char *
all_tags(const struct json *entries, bool oci, char *buf, size_t len)
{
	struct msg_text t = { buf, len, 0 };
	const char *s;

	buf[0] = '\0';
	for (size_t i = 0; i < entries->n; i++) {
		if (!entry_tag(json_at(entries, i), oci, 0))
			msg_append(&t, "%s(image %zu: no tag)", t.used ? ", " : "",
				   i + 1);
		for (size_t k = 0; (s = entry_tag(json_at(entries, i), oci, k));
		     k++)
			msg_append(&t, "%s%s", t.used ? ", " : "", s);
	}
	return buf;
}

/* Whether tag S is WANT: the same, or WANT with a registry's prefix
 * before it ("docker.io/library/tiny:1" is "tiny:1"). */
static bool
same_tag(const char *s, const char *want)
{
	size_t n = strlen(s), w = strlen(want);

	return strcmp(s, want) == 0 ||
	       (n > w && s[n - w - 1] == '/' && strcmp(s + n - w, want) == 0);
}

/* Which of the images in ENTRIES to import: the one tagged WANT, or the
 * only one.  Returns its index with its tag in TAG, or -1 + ERR (the
 * tags there are, for the learner to pick). */
static long
pick(const struct image_archive *a, const struct json *entries, bool oci,
     const char *want, char *tag, size_t taglen, char *err, size_t errlen)
{
	char tags[1024];
	const char *s;

	if (!entries || entries->type != JSON_ARRAY || entries->n == 0)
		return msg_fail(err, errlen, "%s: it lists no image", a->file);
	if (want && want[0]) {
		for (size_t i = 0; i < entries->n; i++)
			for (size_t k = 0; (s = entry_tag(json_at(entries, i),
							  oci, k)); k++)
				if (same_tag(s, want)) {
					snprintf(tag, taglen, "%s", s);
					return (long)i;
				}
		return msg_fail(err, errlen, "%s has no image tagged '%s'; its "
			    "tags: %s", a->file, want, all_tags(entries, oci,
			    tags, sizeof(tags)));
	}
	if (entries->n > 1) {
		char word[TEXT_SHELL_WORD_MAX];

		return msg_fail(err, errlen, "%s holds %zu images; name the one "
			    "to import: boxstep import %s:TAG, TAG one of: %s",
			    a->file, entries->n,
			    text_shell_word(a->file, word, sizeof(word)),
			    all_tags(entries, oci, tags, sizeof(tags)));
	}
	s = entry_tag(json_at(entries, 0), oci, 0);
	snprintf(tag, taglen, "%s", s ? s : "");
	return 0;
}

int
image_archive_layers(const struct image_archive *a, const char *want,
		     char ***layers, size_t *nlayers, char *tag,
		     size_t taglen, char *err, size_t errlen)
{
	struct json *doc = NULL, *next;
	const struct json *list = NULL, *it;
	const char *named;
	char blob[4096];
	bool oci = false;
	long i0;

	*layers = NULL;
	*nlayers = 0;
	tag[0] = '\0';
	if (image_archive_member(a, "manifest.json")) {
		if (!(doc = read_json(a, "manifest.json", err, errlen)))
			return -1;
		if ((i0 = pick(a, doc, false, want, tag, taglen, err,
			       errlen)) < 0) {
			json_free(doc);
			return -1;
		}
		list = json_get(json_at(doc, (size_t)i0), "Layers");
	} else if (image_archive_member(a, "index.json")) {
		oci = true;
		if (!(doc = read_json(a, "index.json", err, errlen)))
			return -1;
		/* the image asked for, of the top index's */
		if ((i0 = pick(a, json_get(doc, "manifests"), true, want, tag,
			       taglen, err, errlen)) < 0) {
			json_free(doc);
			return -1;
		}
		/* index -> (index ->) manifest, a few hops at most */
		for (int hop = 0; hop < 4 && !json_get(doc, "layers"); hop++) {
			it = json_at(json_get(doc, "manifests"),
				     hop ? 0 : (size_t)i0);
			named = json_str(json_get(json_get(it, "annotations"),
					 "org.opencontainers.image.ref.name"));
			if (!tag[0] && named)
				snprintf(tag, taglen, "%s", named);
			if (blob_name(json_str(json_get(it, "digest")), blob,
				      sizeof(blob)) < 0) {
				json_free(doc);
				return msg_fail(err, errlen, "%s: index.json names "
					    "no manifest digest", a->file);
			}
			if (!(next = read_json(a, blob, err, errlen))) {
				json_free(doc);
				return -1;
			}
			json_free(doc);
			doc = next;
		}
		list = json_get(doc, "layers");
	} else {
		return msg_fail(err, errlen, "%s has neither manifest.json "
			    "(docker save) nor index.json (an OCI image layout): "
			    "is it an image archive?  A `docker export` tarball "
			    "is a plain filesystem: unpack it with tar and `set "
			    "rootfs DIR`", a->file);
	}
	if (!list || list->type != JSON_ARRAY || list->n == 0) {
		json_free(doc);
		return msg_fail(err, errlen, "%s: its manifest lists no layers",
			    a->file);
	}
	*layers = calloc(list->n, sizeof(char *));
	for (size_t i = 0; *layers && i < list->n; i++) {
		const char *s = oci ? NULL : json_str(json_at(list, i));

		if (oci && blob_name(json_str(json_get(json_at(list, i),
				     "digest")), blob, sizeof(blob)) == 0)
			s = blob;
		if (!s || !image_archive_member(a, s)) {
			msg_fail(err, errlen, "%s: layer %zu (%s) is not in the "
				 "archive", a->file, i + 1, s ? s : "no name");
			for (size_t k = 0; k < i; k++)
				free((*layers)[k]);
			free(*layers);
			*layers = NULL;
			json_free(doc);
			return -1;
		}
		(*layers)[i] = strdup(s);
		(*nlayers)++;
	}
	json_free(doc);
	return *layers ? 0 : msg_fail(err, errlen, "out of memory");
}

int
image_archive_open(struct image_archive *a, const char *file, char *err,
		   size_t errlen)
{
	char why[512];
	struct stat st;

	*a = (struct image_archive){ file, -1, NULL, 0 };
	if ((a->fd = open(file, O_RDONLY | O_CLOEXEC)) < 0)
		return msg_fail(err, errlen, "%s: %s", file, strerror(errno));
	if (fstat(a->fd, &st) == 0 && S_ISDIR(st.st_mode))
		return msg_fail(err, errlen, "%s is a directory: import takes an "
			    "archive (`docker save IMAGE -o FILE.tar`); a "
			    "directory tree is used as it is with `set rootfs "
			    "DIR`", file);
	if (tar_read(a->fd, -1, on_member, a, why, sizeof(why)) < 0)
		return msg_fail(err, errlen, "%s is not a readable tar archive: "
			    "%s", file, why);
	return 0;
}

void
image_archive_close(struct image_archive *a)
{
	for (size_t i = 0; i < a->n; i++)
		free(a->m[i].name);
	free(a->m);
	if (a->fd >= 0)
		close(a->fd);
	*a = (struct image_archive){ a->file, -1, NULL, 0 };
}
