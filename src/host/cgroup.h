/* cgroup: cgroup v1 and v2 behind one interface, for the pids, memory and
 * cpu controllers.
 *
 * Every path is taken relative to an explicit root (normally
 * /sys/fs/cgroup) so that tests can point it at a fixture tree.  A
 * session's group is <hierarchy>/boxstep/<boxstep pid>, with the
 * instructor's limits for the session as a whole; in it, <n> is its n-th
 * container's group and "shared" holds what has no group of its own
 * (host commands, containers without a cgroup layer).  On v2 one
 * directory serves every controller, on v1 each controller's hierarchy
 * has a directory of that name.
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

enum cgroup_controller {
	CGROUP_PIDS,
	CGROUP_MEMORY,
	CGROUP_CPU,
	CGROUP_NCTL
};

#define CGROUP_BIT(ctl) (1u << (ctl))

/* Where one controller lives. */
struct cgroup_hier {
	enum cgroup_version version; /* CGROUP_NONE: not found, see why */
	char hier[PATH_MAX]; /* root/pids, root/memory, root/cpu; or root */
	char dir[PATH_MAX];  /* hier/boxstep, parent of the session groups */
	char why[1024];      /* when not found: what was looked for, where */
};

struct cgroup_ctx {
	char root[PATH_MAX]; /* where hierarchies are mounted */
	struct cgroup_hier ctl[CGROUP_NCTL];
};

/* What a new group is limited to. */
struct cgroup_limits {
	unsigned ctls;        /* CGROUP_BIT() of each controller to use */
	long pids_max;        /* -1: "max" */
	long long memory_max; /* bytes; -1: "max" */
	long cpu_percent;     /* of one CPU; -1: "max" */
};

/* One container's group: a directory per controller it uses. */
struct cgroup_group {
	unsigned ctls;
	enum cgroup_version version[CGROUP_NCTL];
	char dir[CGROUP_NCTL][PATH_MAX]; /* "" for a controller not used */
};

struct cgroup_stats {
	/* pids */
	long current;    /* pids.current */
	long max;        /* pids.max, -1 for "max" */
	long events_max; /* "max N" in pids.events: forks refused */
	long nprocs;     /* lines in cgroup.procs */
	unsigned long procs_sum; /* a sum of cgroup.procs: another value
				  * when the processes have changed */
	/* memory; -1 where unknown, memory_max -2 for "max" */
	long long memory_current, memory_max, memory_peak;
	long oom_kills;  /* oom_kill in memory.events or memory.oom_control */
	/* cpu; -1 where unknown, cpu_percent -2 for "max" */
	long cpu_percent;             /* the quota, as percent of one CPU */
	long long cpu_usage_usec;     /* CPU time used */
	long cpu_periods, cpu_throttled; /* periods, and those throttled */
	long long cpu_throttled_usec; /* time spent throttled */
};

/* Says whether the word W appears in the blank-separated LIST (as in
 * cgroup.controllers and cgroup.subtree_control). */
bool cgroup_has_word(const char *list, const char *w);

/* Finds each controller under ROOT: cgroup v2 mounted at ROOT, v1 at
 * ROOT/<controller>, or v2 at ROOT/unified (hybrid hosts).  Returns 0
 * when pids was found, or -1 with what was looked for, and where, in ERR;
 * either way every controller's entry says where it is or why not. */
int cgroup_detect(struct cgroup_ctx *ctx, const char *root,
		  char *err, size_t errlen);

/* "pids", "memory", "cpu". */
const char *cgroup_controller_name(enum cgroup_controller ctl);

/* "v1", "v2" or "none", for the pids controller. */
const char *cgroup_version_name(const struct cgroup_ctx *ctx);

/* Creates the group NAME in every controller LIM names, enabling them in
 * the v2 parents first, and writes the limits.  Returns 0, or -1 with a
 * message in ERR (nothing is left behind). */
int cgroup_create(const struct cgroup_ctx *ctx, const char *name,
		  const struct cgroup_limits *lim, struct cgroup_group *g,
		  char *err, size_t errlen);

/* Writes LIM's limits into the directories of G it names. */
int cgroup_write_limits(const struct cgroup_group *g,
			const struct cgroup_limits *lim, char *err,
			size_t errlen);

/* The group's first directory (pids, else memory, else cpu), "" none. */
const char *cgroup_main_dir(const struct cgroup_group *g);

/* Moves PID into the group (writes each cgroup.procs).  Returns 0 or
 * -1 + ERR. */
int cgroup_attach(const struct cgroup_group *g, pid_t pid,
		  char *err, size_t errlen);

/* Reads the group's figures; what cannot be read stays -1.  Returns 0
 * when the group's first directory could be read, else -1. */
int cgroup_stats_read(const struct cgroup_group *g, struct cgroup_stats *st);

/* How cgroup_stats_read_with() reads a file: as fsutil_read() does. */
typedef ssize_t (*cgroup_reader)(void *ctx, const char *path, char *buf,
				 size_t len);

/* cgroup_stats_read(), each file read with FN(CTX, ...) (a cache of open
 * files, say); FN NULL reads them the plain way. */
int cgroup_stats_read_with(const struct cgroup_group *g, struct cgroup_stats *st,
			   cgroup_reader fn, void *ctx);

/* Reads up to MAX pids from DIR/cgroup.procs.  Returns how many there are
 * (may exceed MAX), or -1. */
long cgroup_procs(const char *dir, pid_t *pids, size_t max);

/* Kills every process in the group (cgroup.kill on v2 where the kernel
 * has it, else SIGKILL to each pid in cgroup.procs until none is left)
 * and waits up to about two seconds for it to empty.  Returns 0 once
 * empty. */
int cgroup_kill_all(const struct cgroup_group *g);

/* Kills what is left in the group and removes its directories with
 * rmdir(2), retrying while the kernel finishes the exits.  Returns 0, 1
 * when every
 * directory was already gone (someone else removed it), or -1 with a
 * message in ERR. */
int cgroup_remove(struct cgroup_group *g, char *err, size_t errlen);

/* A session's group in every hierarchy found, and its "shared" leaf,
 * where boxstep itself runs once it has entered: everything it forks is
 * born there. */
struct cgroup_session {
	char name[32];              /* "<pid>": its containers' groups are
				     * "<pid>/<n>" */
	struct cgroup_group group;  /* boxstep/<pid> */
	struct cgroup_group shared; /* boxstep/<pid>/shared */
	pid_t entered;              /* the process that entered, or 0 */
	char home[CGROUP_NCTL][PATH_MAX]; /* where it was before */
};

/* Makes the session group of PID and its shared leaf, without limits,
 * in every controller CTX found.  Returns 0 (S->group.ctls 0 when none
 * was found), or -1 with a message in ERR (nothing is left behind). */
int cgroup_session_open(const struct cgroup_ctx *ctx, pid_t pid,
			struct cgroup_session *s, char *err, size_t errlen);

/* Writes LIM into the session group.  A limit (not -1) whose controller
 * was not found is refused with CTX's reason.  Returns 0 or -1 + ERR. */
int cgroup_session_limit(const struct cgroup_ctx *ctx,
			 const struct cgroup_session *s,
			 const struct cgroup_limits *lim, char *err,
			 size_t errlen);

/* Moves SELF, whose /proc/self/cgroup reads SELF_CGROUP, into the
 * shared leaf in every hierarchy, noting where it was.  Those paths are
 * under each hierarchy's mount: V2_MOUNT is cgroup v2's when CTX's root
 * is not it (a delegated group), NULL when it is.  Returns 0 or
 * -1 + ERR. */
int cgroup_session_enter(const struct cgroup_ctx *ctx,
			 struct cgroup_session *s, const char *self_cgroup,
			 const char *v2_mount, pid_t self, char *err,
			 size_t errlen);

/* In the process that entered (elsewhere it does nothing): moves it back
 * where it was, kills what is left in the session group, removes it (its
 * containers' groups are gone by then), and the boxstep parents no other
 * session uses.  Returns 0 or -1 + ERR. */
int cgroup_session_close(const struct cgroup_ctx *ctx,
			 struct cgroup_session *s, char *err, size_t errlen);

/* Says whether the boxstep process PID is still running. */
typedef bool (*cgroup_alive_fn)(pid_t pid);

/* Removes the groups of sessions whose boxstep is gone (ALIVE says so) in
 * every controller's hierarchy, killing what is left in them.  Appends one
 * line per group removed to REPORT.  Returns the number removed. */
int cgroup_remove_stale(const struct cgroup_ctx *ctx, cgroup_alive_fn alive,
			char *report, size_t len);

/* Rootless: a cgroup v2 group the user owns, in which boxstep may make
 * groups of its own. */
struct cgroup_delegation {
	char group[PATH_MAX]; /* the delegated group; "" when there is none */
	char leaf[PATH_MAX];  /* group/boxstep-<pid>: boxstep moved there */
	char handed[256];     /* the group's cgroup.subtree_control then */
	char why[1024];       /* when none: why, and what to do */
};

/* Finds the cgroup v2 group SELF_CGROUP (the text of /proc/self/cgroup)
 * names under ROOT and checks that UID owns it and that the process SELF
 * is alone in it.  Then moves SELF into group/boxstep-<SELF>, since v2
 * lets only a group without processes hand controllers down.  Returns 0,
 * or -1 with the reason in D->why (nothing is left behind). */
int cgroup_delegate(struct cgroup_delegation *d, const char *root,
		    const char *self_cgroup, uid_t uid, pid_t self);

/* Undoes cgroup_delegate() once the session's groups are gone: takes back
 * every controller handed down since (boxstep's, and any a runtime run
 * by `host` added), moves SELF back and removes the leaf. */
void cgroup_undelegate(struct cgroup_delegation *d, pid_t self);

/* Marks every controller of CTX as unavailable for the reason WHY. */
void cgroup_unavailable(struct cgroup_ctx *ctx, const char *why);

#endif
