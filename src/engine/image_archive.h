/* image_archive: the outer archive of an image, indexed once.
 *
 * A `docker save` tarball or an OCI image layout archive is read through
 * once for the offset and size of every regular file in it (its members);
 * then manifest.json (docker save), or index.json and the manifest blob
 * it names (OCI layout), give the layers in order and a name for the
 * image.  A layer is read later straight from the archive at its offset.
 */
#ifndef BOXSTEP_IMAGE_ARCHIVE_H
#define BOXSTEP_IMAGE_ARCHIVE_H

#include <stddef.h>

struct image_member {
	char *name;             /* clean (image_clean_path) */
	long long offset, size; /* of its data in the archive */
};

struct image_archive {
	const char *file;
	int fd;
	struct image_member *m;
	size_t n;
};

/* Opens FILE and indexes its members into A.  Returns 0, or -1 + ERR;
 * either way A is then closed with image_archive_close(). */
int image_archive_open(struct image_archive *a, const char *file, char *err,
		       size_t errlen);

void image_archive_close(struct image_archive *a);

/* The member called NAME (cleaned first), or NULL. */
const struct image_member *image_archive_member(const struct image_archive *a,
						const char *name);

/* Finds the layers of the image tagged WANT (NULL or "": the only image;
 * an archive of several then refuses, naming their tags), in order
 * (*NLAYERS member names in *LAYERS, which the caller frees), and its
 * tag, or "" (in TAG).  Returns 0, or -1 + ERR. */
int image_archive_layers(const struct image_archive *a, const char *want,
			 char ***layers, size_t *nlayers, char *tag,
			 size_t taglen, char *err, size_t errlen);

#endif
