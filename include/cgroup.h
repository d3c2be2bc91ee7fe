/* cgroup: cgroup v1 and v2 behind one interface, for the pids controller.
 *
 * Every path is taken relative to an explicit root (normally
 * /sys/fs/cgroup) so that tests can point it at a fixture tree.  Session
 * groups live in <hierarchy>/boxstep/<boxstep pid>-<n>.
 */
#ifndef BOXSTEP_CGROUP_H
#define BOXSTEP_CGROUP_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define CGROUP_DEFAULT_ROOT "/sys/fs/cgroup"
#define CGROUP_PARENT "boxstep"

enum cgroup_version {
	CGROUP_NONE = 0,
	CGROUP_V1 = 1,
	CGROUP_V2 = 2,
};

struct cgroup_ctx {
	enum cgroup_version version;
	char root[PATH_MAX]; /* where hierarchies are mounted */
	char hier[PATH_MAX]; /* the hierarchy with pids: root/pids or root */
	char dir[PATH_MAX];  /* hier/boxstep, parent of the session groups */
};

struct cgroup_stats {
	long current;    /* pids.current */
	long max;        /* pids.max, -1 for "max" */
	long events_max; /* "max N" in pids.events: forks refused */
	long nprocs;     /* lines in cgroup.procs */
};

/* Finds the pids controller under ROOT: cgroup v2 mounted at ROOT, v1 at
 * ROOT/pids, or v2 at ROOT/unified (hybrid hosts).  Returns 0, or -1 with
 * what was looked for, and where, in ERR. */
int cgroup_detect(struct cgroup_ctx *ctx, const char *root,
		  char *err, size_t errlen);

/* "v1" or "v2". */
const char *cgroup_version_name(const struct cgroup_ctx *ctx);

/* Creates the group NAME with pids.max set to PIDS_MAX (-1 = "max"),
 * enabling +pids in the v2 parents first.  Writes the group's path to
 * PATH.  Returns 0, or -1 with a message in ERR (nothing is left behind). */
int cgroup_create(const struct cgroup_ctx *ctx, const char *name,
		  long pids_max, char *path, size_t pathlen,
		  char *err, size_t errlen);

/* Moves PID into GROUP (writes cgroup.procs).  Returns 0 or -1 + ERR. */
int cgroup_attach(const char *group, pid_t pid, char *err, size_t errlen);

/* Reads GROUP's figures; a file that cannot be read leaves -1.  Returns 0
 * when pids.current could be read, else -1. */
int cgroup_stats_read(const char *group, struct cgroup_stats *st);

/* Reads up to MAX pids from GROUP/cgroup.procs.  Returns how many there
 * are (may exceed MAX), or -1. */
long cgroup_procs(const char *group, pid_t *pids, size_t max);

/* Kills every process in GROUP (cgroup.kill on v2 where the kernel has
 * it, else SIGKILL to each pid in cgroup.procs until none is left) and
 * waits up to about two seconds for it to empty.  Returns 0 once empty. */
int cgroup_kill_all(const struct cgroup_ctx *ctx, const char *group);

/* Kills what is left in GROUP and removes it with rmdir(2), retrying while
 * the kernel finishes the exits; then removes the boxstep parent if no
 * other session uses it.  Returns 0, or -1 with a message in ERR. */
int cgroup_remove(const struct cgroup_ctx *ctx, const char *group,
		  char *err, size_t errlen);

/* Says whether the boxstep process PID is still running. */
typedef bool (*cgroup_alive_fn)(pid_t pid);

/* Removes the groups of sessions whose boxstep is gone (ALIVE says so),
 * killing what is left in them.  Appends one line per group removed to
 * REPORT.  Returns the number removed. */
int cgroup_remove_stale(const struct cgroup_ctx *ctx, cgroup_alive_fn alive,
			char *report, size_t len);

#endif
