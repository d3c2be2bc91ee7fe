/* image_store: the directory images live in (image_dir()), one directory
 * per image, and the `.partial` one an import builds before renaming it.
 * image.h declares what the rest of boxstep uses; this is for the import.
 */
#ifndef BOXSTEP_IMAGE_STORE_H
#define BOXSTEP_IMAGE_STORE_H

/* The suffix of an image being imported: NAME.partial. */
#define IMAGE_PARTIAL ".partial"

/* Removes LEAF, with everything in it, from the images directory DIR, if
 * it is there; quietly. */
void image_store_drop(const char *dir, const char *leaf);

#endif
