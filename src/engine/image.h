/* image: container images as root filesystems.
 *
 * `boxstep import` unpacks a `docker save` tarball (manifest.json) or an
 * OCI image layout archive (index.json) into a directory: its layers in
 * order, gzip or plain, with whiteouts (".wh.NAME" removes NAME, and
 * ".wh..wh..opq" empties its directory) applied.  Every path is resolved
 * beneath the target with openat2(RESOLVE_BENEATH): a ".." or an absolute
 * symlink on the way is refused, never followed.  Images live in
 * $BOXSTEP_IMAGES, else <state directory>/images.
 */
#ifndef BOXSTEP_IMAGE_H
#define BOXSTEP_IMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "engine/image_store.h"

/* Unpacks ARCHIVE as the image NAME (NULL: named after its tag, or the
 * file).  Says what it does on OUT.  Writes the name used to USED.
 * Returns 0, or -1 with the reason in ERR; nothing is left behind. */
int image_import(const char *archive, const char *name, FILE *out,
		 char *used, size_t usedlen, char *err, size_t errlen);

#endif
