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

#define IMAGE_NAME_MAX 64

/* Where images are kept, made if missing.  Returns 0, or -1 + ERR. */
int image_dir(char *buf, size_t len, char *err, size_t errlen);

/* Says whether NAME is a usable image name (letters, digits, '.', '_',
 * '-', at most 64, not starting with '.'). */
bool image_name_ok(const char *name);

/* Unpacks ARCHIVE as the image NAME (NULL: named after its tag, or the
 * file).  Says what it does on OUT.  Writes the name used to USED.
 * Returns 0, or -1 with the reason in ERR; nothing is left behind. */
int image_import(const char *archive, const char *name, FILE *out,
		 char *used, size_t usedlen, char *err, size_t errlen);

/* Writes the directory of image NAME to BUF.  Returns 0, or -1 when
 * there is no such image. */
int image_path(const char *name, char *buf, size_t len);

/* Lists the images on OUT.  Returns how many there are, or -1 + ERR. */
int image_list(FILE *out, char *err, size_t errlen);

/* Removes the image NAME, saying so on OUT.  Returns 0, or -1 + ERR. */
int image_remove(const char *name, FILE *out, char *err, size_t errlen);

/* Turns a stored path into one relative to the image root: leading "/"
 * and "./" go, "//" and "/./" fold, a trailing "/" goes.  Returns 0, 1
 * for the root itself, or -1 when a component is "..".  Exposed for
 * tests. */
int image_clean_path(const char *path, char *buf, size_t len);

#endif
