/* image_layer: one layer of an image applied to the image's root.
 *
 * A layer is a tar, plain or gzip (read through a pipe from `gzip -dc`,
 * so that it never seeks), read twice: first its whiteouts (".wh.NAME"
 * removes NAME, ".wh..wh..opq" empties its directory), which refer to
 * the layers below, then everything else.  A name with ".." is refused;
 * every file is made beneath the root (image_fs) with O_EXCL|O_NOFOLLOW.
 */
#ifndef BOXSTEP_IMAGE_LAYER_H
#define BOXSTEP_IMAGE_LAYER_H

#include <stdbool.h>

#include "engine/image_archive.h"

struct image_layer {
	int root;       /* the image's root directory */
	bool whiteouts; /* pass 1: whiteouts only; pass 2: the rest */
	long files, removed; /* counts, over every layer applied */
	/* The importer's user namespace maps one uid (rootless): every
	 * entry stays the importer's, and device nodes are left out;
	 * OWNED and DEVICES count them. */
	bool one_owner;
	long owned, devices;
};

/* Applies the layer M of A to L->root.  Writes "tar" or "tar+gzip" to
 * *KIND.  Returns 0, or -1 + ERR. */
int image_apply_layer(const struct image_archive *a,
		      const struct image_member *m, struct image_layer *l,
		      const char **kind, char *err, size_t errlen);

#endif
