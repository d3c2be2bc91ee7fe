/* image_fs: the filesystem beneath an image's root, as an import writes it.
 *
 * Every path is relative to the root (cleaned by image_clean_path()) and
 * opened with openat2(RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS), so that
 * neither a ".." nor an absolute symlink planted by an earlier layer can
 * lead a lookup outside.  Where openat2() is missing the path is walked
 * one component at a time and every symlink on the way is refused.
 */
#ifndef BOXSTEP_IMAGE_FS_H
#define BOXSTEP_IMAGE_FS_H

#include <stdbool.h>
#include <stddef.h>

/* Turns a stored path into one relative to the image root: leading "/"
 * and "./" go, "//" and "/./" fold, a trailing "/" goes.  Returns 0, 1
 * for the root itself, or -1 when a component is "..". */
int image_clean_path(const char *path, char *buf, size_t len);

/* Opens PATH beneath the directory AT with FLAGS.  Returns the fd, or -1
 * with errno (EXDEV or ELOOP when the lookup would leave AT). */
int image_open_beneath(int at, const char *path, int flags);

/* Says in ERR that WHAT PATH leads out of the image.  Returns -1. */
int image_escape_error(const char *what, const char *path, char *err,
		       size_t errlen);

/* Opens the directory that holds PATH beneath ROOT, making missing
 * directories when CREATE.  Writes the last component to *BASE.  Returns
 * the fd, or -1 + ERR. */
int image_parent_fd(int root, const char *path, bool create,
		    const char **base, char *err, size_t errlen);

/* Removes NAME in the directory AT, a directory with everything in it.
 * Returns 0 (also when there is no NAME), or -1 with errno. */
int image_remove_at(int at, const char *name);

/* Empties the directory at PATH beneath ROOT ("" is ROOT itself).
 * Returns 0 (also when there is no PATH), or -1 with errno. */
int image_empty_dir(int root, const char *path);

#endif
