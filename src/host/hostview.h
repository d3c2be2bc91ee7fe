/* hostview: what the host sees of one process.
 *
 * Parsers are pure functions over a buffer; readers take an explicit proc
 * root ("/proc", or a fixture tree in tests) and fill a struct hostview.
 * A process that vanishes mid-read leaves `gone` set and the fields that
 * were read so far; nothing fails loudly.
 */
#ifndef BOXSTEP_HOSTVIEW_H
#define BOXSTEP_HOSTVIEW_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "base/filecache.h"
#include "host/cgroup.h"
#include "host/hostname.h"

#define HOSTVIEW_NSPID_MAX 8
#define HOSTVIEW_NS_MAX 8

struct hostview_ns {
	char type[16];          /* "uts", "pid", "mnt", ... */
	unsigned long ino;      /* the process's namespace */
	unsigned long host_ino; /* the reader's own */
};

struct hostview_mount {
	int id;
	char *mountpoint;
	char *fstype;
	char *source;
	char *tags; /* "shared:1", "master:2", "" = private */
	char *super; /* superblock options */
};

struct hostview_proc {
	pid_t host; /* pid on the host */
	pid_t inner;/* pid inside its own pid namespace */
	char comm[32];
};

struct hostview {
	pid_t pid;
	bool gone;              /* the process no longer exists */
	/* identity */
	char name[32];
	char state;
	pid_t ppid;
	pid_t nspid[HOSTVIEW_NSPID_MAX]; /* host first, innermost last */
	int n_nspid;
	unsigned long long sigcgt; /* signals with a handler */
	long uid;               /* its real uid, as the host sees it; -1 */
	/* privileges: CapEff, CapBnd; NoNewPrivs, Seccomp (0 off, 1 strict,
	 * 2 filter) and Seccomp_filters; -1 where status has no line */
	unsigned long long cap_eff, cap_bnd;
	bool has_caps;
	int no_new_privs, seccomp, seccomp_filters;
	long map_inside, map_outside, map_count; /* uid_map's first line */
	/* timens_offsets, read when its time namespace is its own */
	bool has_time_offsets;
	long long time_monotonic, time_boottime;
	char cmdline[256];
	/* namespaces */
	struct hostview_ns ns[HOSTVIEW_NS_MAX];
	int n_ns;
	/* names */
	char hostname[65];      /* as seen in its UTS namespace, "" unknown */
	int hostname_err;       /* why it is unknown: the errno of joining
				 * that namespace; 0 when it was read */
	char host_hostname[65];
	/* Set by the reader before hostview_format(): the "host" is a
	 * rootless session's own, whose uid 0 is OUTSIDE_UID on the
	 * machine; the text then says "your host" and names that uid. */
	bool session_host;
	long outside_uid;
	/* root and cwd */
	char root[PATH_MAX];
	char cwd[PATH_MAX];
	bool cwd_outside_root;  /* the chroot escape */
	bool root_is_host;      /* its root is the reader's own / */
	char root_lower[PATH_MAX]; /* the root is an overlay over this, or "" */
	/* mounts: its own, and the host's that lie under its root */
	struct hostview_mount *mounts;
	size_t n_mounts;
	struct hostview_mount *leaks;
	size_t n_leaks;
	char *mount_text;       /* backing store of mounts[] */
	char *leak_text;        /* backing store of leaks[] */
	/* the network interfaces of its net namespace, space-separated */
	char ifaces[256];
	/* cgroups: the pids controller's path names the group */
	char cgroup[PATH_MAX];  /* path inside the hierarchy, "" unknown */
	char cgroup_dir[PATH_MAX]; /* the directory on the host, "" none */
	struct cgroup_group group; /* its directory per controller */
	struct cgroup_stats cg;
	/* the processes in its PID namespace (or just itself) */
	struct hostview_proc *procs;
	size_t n_procs;
	/* what is read at every update (status, cgroup files), kept open
	 * until hostview_free() */
	struct filecache files;
	struct uts_helper uts;  /* with HOSTVIEW_KEEP_HELPER */
};

/* Parses /proc/<pid>/status text into HV (name, state, ppid, NSpid,
 * SigCgt, Uid, the capability sets, NoNewPrivs and Seccomp).  Returns 0, or -1 when the text has no Name and Pid lines. */
int hostview_parse_status(const char *text, struct hostview *hv);

/* Finds the pids controller's path in /proc/<pid>/cgroup text: the v1
 * line naming "pids", else the v2 "0::" line.  Writes it to BUF.
 * Returns 0, or -1 when there is neither. */
int hostview_parse_cgroup(const char *text, char *buf, size_t len);

/* The same for controller NAME: the v2 "0::" line when V2, else the v1
 * line naming NAME.  Returns 0, or -1 when there is none. */
int hostview_parse_cgroup_for(const char *text, const char *name, bool v2,
			      char *buf, size_t len);

/* Reads the first line of a uid_map ("0 100000 65536") into INSIDE,
 * OUTSIDE and COUNT.  Returns 0, or -1 when there is none. */
int hostview_parse_id_map(const char *text, long *inside, long *outside,
			  long *count);

/* Reads /proc/<pid>/timens_offsets TEXT ("monotonic S N" and
 * "boottime S N" lines) into HV.  Returns 0, or -1 without both. */
int hostview_parse_time_offsets(const char *text, struct hostview *hv);

/* Lists the interface names in /proc/<pid>/net/dev TEXT into BUF,
 * separated by spaces ("lo eth0").  Returns how many there are. */
int hostview_parse_net_dev(const char *text, char *buf, size_t len);

/* Writes BYTES as "12.5M", "64M", "512B"; -2 as "max", other negatives
 * as "?". */
void hostview_size(long long bytes, char *buf, size_t len);

/* Whether the process's group has a memory limit (or has seen the OOM
 * killer), and whether it has a CPU quota: the pane shows those. */
bool hostview_has_memory_limit(const struct hostview *hv);
bool hostview_has_cpu_limit(const struct hostview *hv);

/* Turns LEN bytes of /proc/<pid>/cmdline (NUL-separated) into one line in
 * BUF, with the NULs as spaces.  Returns BUF. */
char *hostview_format_cmdline(const char *raw, size_t len, char *buf,
			      size_t blen);

/* Reads the inode number out of a namespace link text ("uts:[4026531838]").
 * Returns 0 when it has none. */
unsigned long hostview_parse_ns_link(const char *link);

/* Says whether namespace TYPE of HV differs from the reader's. */
bool hostview_ns_is_new(const struct hostview *hv, const char *type);

/* The parts of a view, for hostview_update(). */
enum hostview_part {
	HOSTVIEW_STATUS = 1 << 0,  /* name, state, ppid, NSpid, SigCgt */
	HOSTVIEW_CMDLINE = 1 << 1,
	HOSTVIEW_NS = 1 << 2,      /* namespaces and the hostnames */
	HOSTVIEW_LINKS = 1 << 3,   /* root and cwd */
	HOSTVIEW_MOUNTS = 1 << 4,  /* its mounts and the host's leaks */
	HOSTVIEW_CGROUP = 1 << 5,
	HOSTVIEW_PROCS = 1 << 6,
	HOSTVIEW_ALL = (1 << 7) - 1,
	/* Not a part: read the hostname through a helper kept in the
	 * container's UTS namespace (struct uts_helper), for a reader that
	 * comes back every second; hostview_free() ends it. */
	HOSTVIEW_KEEP_HELPER = 1 << 7,
};

/* Re-reads the parts of PID's view named in WHAT, keeping the others
 * (a live pane re-reads only what can have changed).  Returns 0, or -1
 * when the process is gone (HV->gone). */
int hostview_update(struct hostview *hv, const char *proc_root, pid_t pid,
		    const struct cgroup_ctx *cg, unsigned what);

/* Collects everything about PID through PROC_ROOT.  CG, when not NULL,
 * locates the pids hierarchy for the cgroup figures.  Frees what HV held
 * before.  Returns 0, or -1 when the process does not exist (HV->gone). */
int hostview_collect(struct hostview *hv, const char *proc_root, pid_t pid,
		     const struct cgroup_ctx *cg);

/* A mark of PID's tree of processes: every pid in it, read from its
 * threads' `children` files, hashed (at most 4096 processes).  It changes
 * when a process of the tree forks or ends, and not when one elsewhere
 * does: a pane without a cgroup to watch asks it at every tick instead
 * of scanning all of /proc.  0 when PID is gone. */
unsigned long hostview_tree_mark(const char *proc_root, pid_t pid);

/* Reads the hostname of PID's UTS namespace by joining it from a helper
 * thread.  Returns 0, or -1 with errno set. */
int hostview_uts_hostname(const char *proc_root, pid_t pid, char *buf,
			  size_t len);

/* Frees what HV holds and zeroes it. */
void hostview_free(struct hostview *hv);

/* Writes HV as plain text, one fact a line, for `watch` without a
 * terminal and for tests.  Returns the length needed, like snprintf. */
int hostview_format(const struct hostview *hv, char *buf, size_t len);

#endif
