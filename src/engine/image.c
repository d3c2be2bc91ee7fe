/* image: `boxstep import`, an archive's layers unpacked in order into a
 * NAME.partial directory that is renamed when whole. */
#define _GNU_SOURCE
#include "engine/image.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/fsutil.h"
#include "base/msg.h"
#include "engine/image_archive.h"
#include "engine/image_layer.h"
#include "engine/image_store.h"

/* Turns a tag such as "library/busybox:1.36" into "busybox-1.36". */
static void
name_from(const char *tag, const char *file, char *buf, size_t len)
{
	const char *s = tag[0] ? tag : file;
	const char *slash = strrchr(s, '/');
	size_t o = 0;

	s = slash ? slash + 1 : s;
	for (; *s && o + 1 < len && o < IMAGE_NAME_MAX; s++) {
		if (!tag[0] && strcmp(s, ".tar") == 0)
			break;
		buf[o++] = strchr(":@+ ", *s) ? '-' : *s;
	}
	buf[o] = '\0';
	if (!image_name_ok(buf))
		snprintf(buf, len, "image");
}

/* Applies the layers in order, saying what each brought. */
static int
apply_layers(const struct image_archive *a, char **layers, size_t nlayers,
	     struct image_layer *l, FILE *out, char *err, size_t errlen)
{
	char why[512];

	for (size_t i = 0; i < nlayers; i++) {
		const char *kind = "tar";
		long before = l->files, removed = l->removed;

		if (image_apply_layer(a, image_archive_member(a, layers[i]), l,
				      &kind, why, sizeof(why)) < 0)
			return msg_fail(err, errlen, "layer %zu of %zu (%s): %s",
				    i + 1, nlayers, layers[i], why);
		fprintf(out, "  layer %zu: %s, %s: %ld entries, %ld removed by "
			"whiteouts\n", i + 1, layers[i], kind, l->files - before,
			l->removed - removed);
	}
	return 0;
}

/* Whether this process's user namespace maps a single uid, as a
 * rootless session's host does: no one else can own a file there. */
static bool
one_uid_mapped(void)
{
	char *map = fsutil_slurp("/proc/self/uid_map", NULL);
	unsigned in, outside, count;
	const char *nl = map ? strchr(map, '\n') : NULL;
	bool one = map && sscanf(map, "%u %u %u", &in, &outside, &count) == 3 &&
		   count == 1 && (!nl || !nl[1]);

	free(map);
	return one;
}

/* What a container runtime makes at run time, made now. */
static void
make_runtime_dirs(int root)
{
	static const char *const dirs[] = { "proc", "sys", "dev", "tmp" };

	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
		if (mkdirat(root, dirs[i], i == 3 ? 01777 : 0755) == 0 && i == 3)
			fchmodat(root, dirs[i], 01777, 0);
}

/* ARG as FILE or FILE:TAG: when ARG is no file, the file is the first
 * prefix before a ':' that exists, and the tag what follows (NULL
 * without one). */
static const char *
split_tag(const char *arg, char *file, size_t len, const char **want)
{
	*want = NULL;
	snprintf(file, len, "%s", arg);
	if (access(arg, F_OK) == 0)
		return file;
	for (const char *c = strchr(arg, ':'); c; c = strchr(c + 1, ':')) {
		snprintf(file, len, "%.*s", (int)(c - arg), arg);
		if (access(file, F_OK) == 0) {
			*want = c + 1;
			return file;
		}
	}
	snprintf(file, len, "%s", arg);
	return file;
}

int
image_import(const char *arg, const char *name, FILE *out,
	     char *used, size_t usedlen, char *err, size_t errlen)
{
	char file[4096];
	const char *want, *archive = split_tag(arg, file, sizeof(file), &want);
	struct image_archive a = { archive, -1, NULL, 0 };
	char dir[4096], target[8192], partial[8300], tag[256];
	char **layers = NULL, auto_name[IMAGE_NAME_MAX + 1];
	size_t nlayers = 0;
	struct image_layer l = { .root = -1, .one_owner = one_uid_mapped() };
	struct stat st;
	int rc = -1;

	if (name && !image_name_ok(name))
		return msg_fail(err, errlen, "'%s' cannot name an image: use "
			    "letters, digits, '.', '_' and '-' (at most %d, not "
			    "starting with '.')", name, IMAGE_NAME_MAX);
	if (image_dir(dir, sizeof(dir), err, errlen) < 0)
		return -1;
	if (image_archive_open(&a, archive, err, errlen) < 0 ||
	    image_archive_layers(&a, want, &layers, &nlayers, tag, sizeof(tag),
				 err, errlen) < 0)
		goto out;
	if (!name) {
		name_from(tag, archive, auto_name, sizeof(auto_name));
		name = auto_name;
	}
	snprintf(target, sizeof(target), "%s/%s", dir, name);
	snprintf(partial, sizeof(partial), "%s%s", target, IMAGE_PARTIAL);
	if (lstat(target, &st) == 0) {
		msg_fail(err, errlen, "an image called %s is there already (%s); "
			 "give another name: boxstep import %s OTHER-NAME", name,
			 target, archive);
		goto out;
	}
	/* What a killed import left behind goes first. */
	image_store_drop(dir, strrchr(partial, '/') + 1);
	if (mkdir(partial, 0755) < 0 ||
	    (l.root = open(partial, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		msg_fail(err, errlen, "mkdir %s: %s", partial, strerror(errno));
		goto out;
	}
	fprintf(out, "import: %s as %s, %zu layer%s (%s)\n", archive, name,
		nlayers, nlayers == 1 ? "" : "s",
		image_archive_member(&a, "manifest.json") ? "docker save" :
		"OCI layout");
	if (apply_layers(&a, layers, nlayers, &l, out, err, errlen) < 0)
		goto out;
	make_runtime_dirs(l.root);
	if (l.one_owner && (l.owned || l.devices))
		fprintf(out, "import: rootless, every file is yours: %ld entries "
			"of other owners in the image are owned by you (your "
			"session's host has one uid), and %ld device nodes are "
			"left out (only the host's root may make them)\n",
			l.owned, l.devices);
	if (rename(partial, target) < 0) {
		msg_fail(err, errlen, "rename %s: %s", partial, strerror(errno));
		goto out;
	}
	fprintf(out, "import: done: %s (`set rootfs %s` uses it)\n", target,
		name);
	snprintf(used, usedlen, "%s", name);
	rc = 0;
out:
	if (l.root >= 0)
		close(l.root);
	if (rc < 0 && l.root >= 0)
		image_store_drop(dir, strrchr(partial, '/') + 1);
	for (size_t i = 0; i < nlayers; i++)
		free(layers[i]);
	free(layers);
	image_archive_close(&a);
	return rc;
}
