/* plan: which isolation layers are on, their settings, and what they do.
 *
 * Pure data and text: no syscalls, no I/O.  The REPL edits a plan, spawn
 * carries it out, and `show` prints plan_describe() (layers/layers.h).
 * What each layer is and does is defined in its own file (layers/layers.h
 * lists them); the settings are layers/settings.c, the rules between
 * layers layers/rules.c.
 */
#ifndef BOXSTEP_PLAN_H
#define BOXSTEP_PLAN_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

enum plan_layer {
	PLAN_UTS,
	PLAN_PID,
	PLAN_MNT,
	PLAN_CHROOT,
	PLAN_PROC,
	PLAN_PIDS,
	PLAN_MEMORY,
	PLAN_CPU,
	PLAN_IPC,
	PLAN_NET,
	PLAN_CGROUPNS,
	PLAN_PIVOT,
	PLAN_USER,
	PLAN_CAPS,
	PLAN_NONEWPRIVS,
	PLAN_SECCOMP,
	PLAN_DEV,
	PLAN_MASKS,
	PLAN_TIME,
	PLAN_NLAYERS
};

enum plan_propagation {
	PLAN_PROP_PRIVATE,
	PLAN_PROP_SHARED
};

/* HOST_NAME_MAX on Linux: sethostname(2) refuses longer names. */
#define PLAN_HOSTNAME_MAX 64
/* PID_MAX_LIMIT: no pids.max above this can ever matter. */
#define PLAN_PIDS_LIMIT 4194304L
#define PLAN_PIDS_UNLIMITED (-1L)
#define PLAN_DEFAULT_HOSTNAME "boxstep"
#define PLAN_DEFAULT_PIDS_MAX 20L
#define PLAN_MEMORY_UNLIMITED (-1LL)
#define PLAN_MEMORY_MIN (1LL << 20)  /* below 1M not even sh starts */
#define PLAN_MEMORY_LIMIT (1LL << 50)
#define PLAN_DEFAULT_MEMORY_MAX (64LL << 20)
#define PLAN_CPU_UNLIMITED (-1L)
#define PLAN_CPU_LIMIT 102400L       /* percent: 1024 CPUs */
#define PLAN_DEFAULT_CPU_MAX 50L
#define PLAN_DEFAULT_LAYER_MAX (256LL << 20)
/* a year ahead; at most ten years either way */
#define PLAN_DEFAULT_TIME_OFFSET 31536000LL
#define PLAN_TIME_OFFSET_LIMIT 315360000LL
/* The user layer maps uid and gid 0..65535 inside to these outside, as
 * subordinate ids in /etc/subuid usually start. */
#define PLAN_USER_BASE 100000
#define PLAN_USER_COUNT 65536

/* Where `show` says the session's writable layer is (spawn makes it under
 * /run/boxstep/<its pid>/, the root named after the rootfs's directory). */
#define PLAN_LAYER_DIR "/run/boxstep/<session>"
#define PLAN_LAYER_ROOT PLAN_LAYER_DIR "/<rootfs name>"
/* ...and rootless, under the user's runtime directory. */
#define PLAN_USER_LAYER_DIR "$XDG_RUNTIME_DIR/boxstep/<session>"
#define PLAN_USER_LAYER_ROOT PLAN_USER_LAYER_DIR "/<rootfs name>"

struct plan {
	unsigned layers; /* bit (1u << enum plan_layer) per layer that is on */
	char hostname[PLAN_HOSTNAME_MAX + 1];
	char rootfs[PATH_MAX];
	long pids_max; /* PLAN_PIDS_UNLIMITED for "max" */
	long long memory_max; /* bytes; PLAN_MEMORY_UNLIMITED for "max" */
	long cpu_max;  /* percent of one CPU; PLAN_CPU_UNLIMITED for "max" */
	bool chdir;    /* chdir("/") after chroot */
	bool rootfs_layer; /* chroot into this session's writable overlay over
			    * the rootfs, not into the shared directory */
	/* What that layer may hold, in bytes: its upper directory is on a
	 * tmpfs of this size.  The instructor's (session.disk.max), not a
	 * `set` key: `reset` keeps it. */
	long long layer_max;
	enum plan_propagation propagation;
	/* The capabilities the caps layer keeps: bit N for capability N
	 * (base/capnames.h); Docker's 14 by default. */
	unsigned long long caps;
	/* Seconds the time layer moves the monotonic and boot clocks. */
	long long time_offset;
	/* Started by an ordinary user: boxstep is root in its session's host,
	 * a user namespace that maps uid 0 to ROOTLESS_UID alone (and gid 0
	 * to ROOTLESS_GID), so the user layer can map only that uid 0. */
	bool rootless;
	unsigned rootless_uid, rootless_gid;
};

struct plan_layer_info {
	const char *name;
	const char *summary; /* one line: what it isolates */
	const char *kernel;  /* the flag or call behind it */
	const char *explain; /* a few lines for `explain LAYER` */
};

struct plan;

struct plan_key_info {
	const char *name;
	const char *values;  /* what it accepts, for help and errors */
	const char *summary;
	const char *const *choices; /* NULL-terminated, for completion; or NULL */
	/* Reads VALUE into the plan: 0, or -1 with a message in ERR. */
	int (*parse)(struct plan *plan, const char *value, char *err,
		     size_t errlen);
	/* Writes the plan's value as `set` and `show` print it. */
	void (*format)(const struct plan *plan, char *buf, size_t len);
	int needs;           /* the layer it matters for (enum plan_layer),
			      * or -1 */
	const char *help;    /* its line in `help set` */
	/* `set` refuses it while NEEDS is off (a value relative to what the
	 * layer does, not a setting of its own); else it notes it. */
	bool needs_on;
	/* `set KEY A B C` joins A B C with commas into one value. */
	bool words;
	/* Whether this kernel can do what the key sets: 0, or -1 with the
	 * reason in ERR (`set` refuses then); NULL: always. */
	int (*kernel_has)(char *err, size_t errlen);
};

/* The `set` keys, NULL-terminated by name. */
const struct plan_key_info *plan_keys(void);

/* Returns the key called NAME, or NULL. */
const struct plan_key_info *plan_key_lookup(const char *name);

/* Every layer off, every setting at its default; ROOTFS may be NULL. */
void plan_init(struct plan *plan, const char *default_rootfs);

/* Makes PLAN rootless for the user UID:GID (see struct plan); plan_init
 * undoes it, so a reset calls this again. */
void plan_make_rootless(struct plan *plan, unsigned uid, unsigned gid);

bool plan_has(const struct plan *plan, enum plan_layer layer);

/* Whether the container gets the rootfs as its root: chroot or pivot. */
bool plan_new_root(const struct plan *plan);
void plan_enable(struct plan *plan, enum plan_layer layer);
void plan_disable(struct plan *plan, enum plan_layer layer);

/* Sets KEY to VALUE after checking it.  Returns 0, or -1 with a message
 * for the learner in ERR.  rootfs is only checked for form here; whether
 * the directory is a usable root is spawn_check_rootfs()'s job. */
int plan_set(struct plan *plan, const char *key, const char *value,
	     char *err, size_t errlen);

/* Writes KEY's current value into BUF.  Returns 0, or -1 for no such key. */
int plan_get(const struct plan *plan, const char *key, char *buf, size_t len);

/* Checks that the combination of layers can run without harming the host.
 * Returns 0, or -1 with the reason and what to do in ERR. */
int plan_check(const struct plan *plan, char *err, size_t errlen);

/* Where the session's cgroups are made, for `show`: per controller the
 * boxstep parent directory ("/sys/fs/cgroup/pids/boxstep"), NULL when the
 * controller was not found, and whether it is cgroup v2 (whose files are
 * named differently). */
struct plan_cgroups {
	const char *pids_dir, *memory_dir, *cpu_dir;
	bool memory_v2, cpu_v2;
};

/* Reads a size as memory.max takes it: digits, then K, M, G, T or P
 * (powers of 1024), optionally followed by B or iB.  Returns 0 with the
 * bytes (above PLAN_MEMORY_LIMIT for any larger size), or -1. */
int plan_parse_size(const char *v, long long *bytes);

/* Formats BYTES as memory.max is set: "64M", "1G", "1536K" or bytes. */
void plan_format_size(long long bytes, char *buf, size_t len);

#endif
