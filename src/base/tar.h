/* tar: read ustar, pax and GNU tar archives as a stream of entries.
 *
 * The reader goes through a file descriptor front to back, never seeking,
 * so that it can read a pipe (a layer coming out of gzip).  Long names
 * from pax headers ("path", "linkpath", "size") and GNU ones ('L', 'K')
 * are applied to the entry that follows.  Names are given as stored:
 * checking them is the caller's job.
 */
#ifndef BOXSTEP_TAR_H
#define BOXSTEP_TAR_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define TAR_BLOCK 512

struct tar_entry {
	char *path;           /* as stored, possibly with a pax/GNU long name */
	char *link;           /* symlink or hardlink target, "" otherwise */
	char type;            /* '0' file, '1' hardlink, '2' symlink, '3' char,
			       * '4' block, '5' dir, '6' fifo */
	mode_t mode;          /* permission bits, setuid, setgid, sticky */
	uid_t uid;
	gid_t gid;
	long long size;       /* bytes of data that follow */
	long long mtime;
	unsigned devmajor, devminor;
	long long offset;     /* where the data starts in the stream */
};

struct tar_reader;

/* Called for each entry; TR reads its data with tar_data().  Whatever it
 * leaves unread is skipped.  Returns 0 to go on, -1 to stop (with ERR
 * filled in). */
typedef int (*tar_entry_fn)(const struct tar_entry *e, struct tar_reader *tr,
			    void *arg, char *err, size_t errlen);

/* Reads the archive on FD to its end-of-archive blocks (or to LIMIT bytes,
 * when LIMIT >= 0), calling FN for each entry.  Returns 0, or -1 with
 * what is wrong, and at which entry, in ERR. */
int tar_read(int fd, long long limit, tar_entry_fn fn, void *arg,
	     char *err, size_t errlen);

/* Reads up to LEN bytes of the current entry's data.  Returns how many
 * (0 at its end), or -1. */
ssize_t tar_data(struct tar_reader *tr, void *buf, size_t len);

/* Parses a 512-byte header block into E (names point into a static copy
 * until the next call; pax and GNU records are not applied).  Returns 1
 * for an entry, 0 for an all-zero block, -1 for a bad checksum or
 * number.  Exposed for tests. */
int tar_parse_header(const unsigned char *block, struct tar_entry *e);

#endif
