/* contain: a replay's writes kept off the host's files.
 *
 * `boxstep check` proves a step's checks need its layers by playing the
 * step again with every isolation layer off (app/autoplay.c), as root on
 * the machine or in the session's host.  Its commands then run on the
 * host's own files: lesson 12's `touch /etc/mine` and `echo made inside
 * > /tmp/note` made those files on the machine.  In the replay's own
 * mount namespace (private already), contain_writes() lays a tmpfs-backed
 * overlay on the directories a command may write to (/tmp, /var/tmp,
 * /etc, /root, /home, and $HOME and $XDG_STATE_HOME wherever they are),
 * so that what is there shows and what is written stays in memory, and
 * makes the root mount read-only beneath them: anything else written on
 * it fails (EROFS) instead of landing on the disk.  The kernel drops it
 * all with the namespace.  Mounts below the root (/run, /sys, /proc,
 * /dev) stay as they are: the session needs its cgroups and its
 * directory under /run, and boxstep's teardown removes what it makes.
 */
#ifndef BOXSTEP_CONTAIN_H
#define BOXSTEP_CONTAIN_H

#include <stddef.h>

/* Returns 0, or -1 with what failed in ERR. */
int contain_writes(char *err, size_t errlen);

#endif
