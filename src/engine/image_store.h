/* image_store: the directory images live in (image_dir()), one directory
 * per image, and the `.partial` one an import builds before renaming it.
 * image.h, which includes this, is what the rest of boxstep uses.
 */
#ifndef BOXSTEP_IMAGE_STORE_H
#define BOXSTEP_IMAGE_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define IMAGE_NAME_MAX 64

/* Where images are kept, made if missing.  Returns 0, or -1 + ERR. */
int image_dir(char *buf, size_t len, char *err, size_t errlen);

/* Says whether NAME is a usable image name (letters, digits, '.', '_',
 * '-', at most 64, not starting with '.'). */
bool image_name_ok(const char *name);

/* Writes the directory of image NAME to BUF.  Returns 0, or -1 when
 * there is no such image. */
int image_path(const char *name, char *buf, size_t len);

/* Lists the images on OUT.  Returns how many there are, or -1 + ERR. */
int image_list(FILE *out, char *err, size_t errlen);

/* Removes the image NAME, saying so on OUT.  Returns 0, or -1 + ERR. */
int image_remove(const char *name, FILE *out, char *err, size_t errlen);

/* The suffix of an image being imported: NAME.partial. */
#define IMAGE_PARTIAL ".partial"

/* Removes LEAF, with everything in it, from the images directory DIR, if
 * it is there; quietly. */
void image_store_drop(const char *dir, const char *leaf);

#endif
