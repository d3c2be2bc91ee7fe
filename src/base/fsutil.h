/* fsutil: the few file helpers the syscall modules share. */
#ifndef BOXSTEP_FSUTIL_H
#define BOXSTEP_FSUTIL_H

#include <stddef.h>
#include <sys/types.h>

/* Reads at most LEN-1 bytes of PATH into BUF and NUL-terminates it.
 * Returns the byte count, or -1 with errno set. */
ssize_t fsutil_read(const char *path, char *buf, size_t len);

/* Reads the whole of PATH into a new NUL-terminated buffer the caller
 * frees.  Returns NULL with errno set on failure.  LENP may be NULL. */
char *fsutil_slurp(const char *path, size_t *lenp);

/* Writes TEXT to PATH in one write(2), as cgroup and proc files want
 * (created if missing, so fixture trees behave like cgroupfs).  Returns 0, or -1 with errno set. */
int fsutil_write(const char *path, const char *text);

/* Writes all LEN bytes of BUF to FD, going on after EINTR and short
 * writes.  Returns 0, or -1 when FD will take no more. */
int fsutil_write_all(int fd, const void *buf, size_t len);

/* Reads PATH as one decimal number ("max" reads as -1).  Returns 0 or -1. */
int fsutil_read_long(const char *path, long *out);

/* Joins DIR and NAME with one '/' into BUF.  Returns 0, or -1 when it
 * would not fit. */
int fsutil_join(char *buf, size_t len, const char *dir, const char *name);

/* boxstep's state directory, $XDG_STATE_HOME/boxstep or
 * ~/.local/state/boxstep, created when missing (history, progress).
 * Returns 0, or -1 when there is no home to put it in. */
int fsutil_state_dir(char *buf, size_t len);

#endif
