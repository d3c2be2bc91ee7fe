/* mountinfo: a pure parser for /proc/<pid>/mountinfo lines.
 *
 * A line reads (proc(5)):
 *   36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue
 *   id parent dev root mountpoint options [optional fields...] - fstype source superoptions
 */
#ifndef BOXSTEP_MOUNTINFO_H
#define BOXSTEP_MOUNTINFO_H

#include <stdbool.h>

struct mountinfo_entry {
	int id, parent;
	char *root;       /* unescaped, points into the parsed buffer */
	char *mountpoint; /* unescaped */
	char *options;
	char *tags;       /* optional fields ("shared:1 master:2"), may be "" */
	char *fstype;
	char *source;     /* unescaped */
	char *super;      /* superblock options ("lowerdir=..."), may be "" */
};

/* Parses the next line at *CURSOR in place (the buffer is modified) and
 * moves *CURSOR past it.  Returns 1 for an entry, 0 at the end, and skips
 * malformed lines. */
int mountinfo_next(char **cursor, struct mountinfo_entry *e);

/* True when PATH is DIR or lies below it ("/a/b" is under "/a", "/ab" is
 * not). */
bool mountinfo_under(const char *path, const char *dir);

#endif
