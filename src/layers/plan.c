/* plan: the layers, their settings, validation, and the `show` text. */
#define _GNU_SOURCE
#include "layers/plan.h"

#include <ctype.h>
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/msg.h"

static const struct plan_layer_info layers[PLAN_NLAYERS] = {
	[PLAN_UTS] = {
		.name = "uts",
		.summary = "its own hostname",
		.kernel = "clone(CLONE_NEWUTS)",
		.explain =
		"The UTS namespace holds two names: the hostname and the NIS domain.\n"
		"A process cloned with CLONE_NEWUTS starts with a copy of the host's\n"
		"names; from then on sethostname() inside changes only the copy.\n"
		"The name has to be set by the new process itself, after the clone:\n"
		"set it before, in the parent, and you rename the host instead.\n"
		"Look for: `hostname` inside vs `host hostname`; the uts inode in\n"
		"`host ls -l /proc/$BOXPID/ns/uts` differs from /proc/self/ns/uts.",
	},
	[PLAN_PID] = {
		.name = "pid",
		.summary = "its own process IDs: the command is PID 1",
		.kernel = "clone(CLONE_NEWPID)",
		.explain =
		"A new PID namespace numbers its processes from 1; the first one is\n"
		"its init.  The same process has a second, larger PID on the host\n"
		"(see NSpid in /proc/$BOXPID/status).  PID 1 is special: the kernel\n"
		"drops signals it has no handler for, so Ctrl-C may do nothing, and\n"
		"when PID 1 exits every other process in the namespace is killed.\n"
		"`ps` reads /proc: until a /proc of the new namespace is mounted\n"
		"(the proc layer) it still lists the host's processes.",
	},
	[PLAN_MNT] = {
		.name = "mnt",
		.summary = "its own mount table",
		.kernel = "clone(CLONE_NEWNS)",
		.explain =
		"CLONE_NEWNS (the first namespace, hence the vague name) gives the\n"
		"process a copy of the host's mount table.  A copy is not enough on\n"
		"its own: mounts marked shared still propagate both ways, as they do\n"
		"on systemd hosts.  boxstep therefore makes its root private first:\n"
		"mount(NULL, \"/\", NULL, MS_REC|MS_PRIVATE, NULL), as unshare(1) does.\n"
		"`set propagation shared` skips that and shows the leak.\n"
		"Look for: `host grep proc /proc/self/mountinfo` vs\n"
		"`host cat /proc/$BOXPID/mountinfo`.",
	},
	[PLAN_CHROOT] = {
		.name = "chroot",
		.summary = "its own root directory: only the rootfs is visible",
		.kernel = "chroot(2) + chdir(\"/\")",
		.explain =
		"chroot(path) changes what \"/\" means for the process; everything\n"
		"outside path disappears from view.  A root filesystem is just a\n"
		"directory tree with programs and libraries, like the busybox one\n"
		"boxstep builds.  chroot does not move the current directory: a\n"
		"process left in a directory outside the new root can still `cd ..`\n"
		"its way out.  That is why chdir(\"/\") must follow (`set chdir off`\n"
		"shows the escape).  chroot is not a security boundary on its own.",
	},
	[PLAN_PROC] = {
		.name = "proc",
		.summary = "a /proc that shows its own PID namespace",
		.kernel = "mount(\"proc\", \"/proc\", \"proc\", ...) inside",
		.explain =
		"/proc is not a directory of files but a window the kernel draws\n"
		"when you look: ps, top and friends read it.  A procfs shows the\n"
		"PID namespace of whoever mounted it, so the container needs a fresh\n"
		"one mounted from inside its new PID namespace.  Mounted in the\n"
		"host's mount namespace (no mnt layer), it lands in the host's mount\n"
		"table too: the leak.  Without chroot and mnt it would cover the\n"
		"host's own /proc, so boxstep refuses that combination.",
	},
	[PLAN_PIDS] = {
		.name = "pids",
		.summary = "a cgroup limit on how many processes it may have",
		.kernel = "cgroup pids.max",
		.explain =
		"Namespaces limit what a process can see; control groups limit what\n"
		"it can use.  boxstep makes a cgroup for the container, writes the\n"
		"limit to pids.max and the child's PID to cgroup.procs before the\n"
		"child runs anything.  At the limit fork() fails with EAGAIN (\"can't\n"
		"fork: Resource temporarily unavailable\"), which is what stops a\n"
		"fork bomb.  pids.current counts, pids.events counts refusals.  The\n"
		"group is removed with rmdir once empty; rm -rf cannot delete its\n"
		"files.",
	},
	[PLAN_MEMORY] = {
		.name = "memory",
		.summary = "a cgroup limit on how much memory it may use",
		.kernel = "cgroup memory.max",
		.explain =
		"The memory controller counts the pages a group's processes use:\n"
		"their heap and stacks, and the page cache of files they read.\n"
		"boxstep writes `set memory.max` to memory.max (cgroup v2) or\n"
		"memory.limit_in_bytes (v1), and turns swap off for the group.  Near\n"
		"the limit the kernel reclaims cache; when nothing more can be freed\n"
		"the OOM killer picks a process in the group and kills it with\n"
		"SIGKILL.  Only the group suffers: the host does not run short.\n"
		"Look for: memory.current against memory.max in the host view, and\n"
		"the oom_kill count in memory.events (v1: memory.oom_control).",
	},
	[PLAN_CPU] = {
		.name = "cpu",
		.summary = "a cgroup limit on how much CPU time it may use",
		.kernel = "cgroup cpu.max",
		.explain =
		"The cpu controller's bandwidth limit gives a group a quota of CPU\n"
		"time per period: `set cpu.max 50` writes \"50000 100000\" to cpu.max\n"
		"(v2) or 50000 to cpu.cfs_quota_us (v1), half of one CPU each 100 ms.\n"
		"Once the quota is used the group's processes wait, throttled, for\n"
		"the next period, however idle the machine is.  This is what keeps\n"
		"a busy loop or a fork bomb from slowing the host down.\n"
		"Look for: nr_throttled and throttled_usec in cpu.stat, and\n"
		"`host top` showing the container near its limit.",
	},
	[PLAN_IPC] = {
		.name = "ipc",
		.summary = "its own System V IPC objects and POSIX queues",
		.kernel = "clone(CLONE_NEWIPC)",
		.explain =
		"Message queues, semaphore sets and shared memory segments (System V\n"
		"IPC, and POSIX message queues) are named by numbers anyone on the\n"
		"host can look up.  CLONE_NEWIPC gives the container a table of its\n"
		"own: it sees none of the host's objects, the host sees none of its,\n"
		"and they are destroyed with the namespace when its last process\n"
		"exits.  Without it, a queue a container makes outlives it on the host.\n"
		"Look for: `ipcs -q` inside vs `host ipcs -q` (busybox has no ipcs:\n"
		"try it without chroot, with the host's tools).",
	},
	[PLAN_NET] = {
		.name = "net",
		.summary = "its own network stack: only loopback",
		.kernel = "clone(CLONE_NEWNET)",
		.explain =
		"A new network namespace has its own interfaces, addresses, routes,\n"
		"firewall and ports, and starts with nothing but a loopback device,\n"
		"down.  boxstep brings lo up, so 127.0.0.1 works inside.  Reaching\n"
		"the outside needs more than a namespace: a veth pair with one end\n"
		"moved in, addresses, a route, and NAT on the host, which is what\n"
		"Docker's bridge network sets up.\n"
		"Look for: `ip addr` inside vs `host ip addr`; the interfaces the\n"
		"host view lists from /proc/$BOXPID/net/dev.",
	},
	[PLAN_CGROUPNS] = {
		.name = "cgroupns",
		.summary = "its own view of the cgroup tree: its group is /",
		.kernel = "unshare(CLONE_NEWCGROUP)",
		.explain =
		"/proc/self/cgroup names the groups a process is in, and by default\n"
		"the whole path: /boxstep/<session> gives away where the container\n"
		"runs on the host.  A cgroup namespace makes the groups the process\n"
		"is in at that moment its root, \"/\".  So the child unshares it\n"
		"after boxstep has moved it into its cgroup, not at clone time, when\n"
		"it is still in boxstep's own group.\n"
		"Look for: `cat /proc/self/cgroup` inside vs\n"
		"`host cat /proc/$BOXPID/cgroup`.",
	},
	[PLAN_PIVOT] = {
		.name = "pivot",
		.summary = "the rootfs as its root, the host's detached",
		.kernel = "pivot_root(2) + umount2(MNT_DETACH)",
		.explain =
		"chroot only changes where path lookups start; the host's root is\n"
		"still mounted, and a process with root inside can chroot again into a\n"
		"subdirectory, walk `..` out of it and chroot back to the real /.\n"
		"pivot_root moves the whole mount namespace onto a new root instead:\n"
		"the rootfs is bind-mounted onto itself (pivot_root wants a mount\n"
		"point), made private, pivot_root(\".\", \".\") stacks the old root on\n"
		"top of the new, and umount2(\".\", MNT_DETACH) takes it away.  There is\n"
		"nothing left to walk back to.  It needs the mnt layer, and replaces\n"
		"chroot.  Look for: `run ls /` the same as with chroot, and the\n"
		"escape (lesson 11) that works under chroot and fails here.",
	},
	[PLAN_USER] = {
		.name = "user",
		.summary = "its own user IDs: root inside, an ordinary uid outside",
		.kernel = "clone(CLONE_NEWUSER) + uid_map",
		.explain =
		"A user namespace maps user and group IDs: boxstep writes \"0 100000\n"
		"65536\" to /proc/<pid>/uid_map and gid_map (after \"deny\" to\n"
		"setgroups), so uid 0 inside is uid 100000 on the host.  The child\n"
		"then takes uid 0 with setresuid.  Inside it is root, with every\n"
		"capability, but only over what its namespaces own: its hostname,\n"
		"its mounts, its processes.  To the host's files it is an ordinary\n"
		"user: files owned by the host's root show as nobody, and it cannot\n"
		"write them.  The other namespaces made in the same clone belong to\n"
		"it.  Look for: `id` inside vs `host ps -o uid= -p $BOXPID`, and\n"
		"`host cat /proc/$BOXPID/uid_map`.  Started by an ordinary user,\n"
		"boxstep runs rootless: the map is \"0 <your uid> 1\", since a user\n"
		"may map only itself, and this layer stays on.",
	},
};

static const char *const onoff[] = { "on", "off", NULL };
static const char *const propagations[] = { "private", "shared", NULL };

static const struct plan_key_info keys[] = {
	{ "hostname", "NAME (1-64 bytes)",
	  "hostname set inside the new UTS namespace", NULL },
	{ "rootfs", "PATH|IMAGE",
	  "root for chroot or pivot: a directory, or an imported image",
	  NULL },
	{ "rootfs.layer", "on|off",
	  "on = a writable layer of this session's own over the rootfs",
	  onoff },
	{ "pids.max", "N|max",
	  "process limit for the pids layer (default 20)", NULL },
	{ "memory.max", "SIZE|max",
	  "memory limit for the memory layer: 32M, 1G (default 64M)", NULL },
	{ "cpu.max", "PERCENT|max",
	  "CPU limit for the cpu layer, in % of one CPU (default 50)", NULL },
	{ "chdir", "on|off",
	  "off = chroot without chdir(\"/\"), the escape demo", onoff },
	{ "propagation", "private|shared",
	  "mount propagation in the new mount namespace", propagations },
	{ NULL, NULL, NULL, NULL },
};

const struct plan_layer_info *
plan_layer_info(enum plan_layer layer)
{
	if ((int)layer < 0 || layer >= PLAN_NLAYERS)
		return NULL;
	return &layers[layer];
}

const char *
plan_layer_names(void)
{
	static char names[128];

	if (!names[0])
		for (int i = 0; i < PLAN_NLAYERS; i++)
			snprintf(names + strlen(names),
				 sizeof(names) - strlen(names), "%s%s",
				 i ? " " : "", layers[i].name);
	return names;
}

int
plan_layer_lookup(const char *name)
{
	for (int i = 0; i < PLAN_NLAYERS; i++)
		if (strcmp(layers[i].name, name) == 0)
			return i;
	return -1;
}

const struct plan_key_info *
plan_keys(void)
{
	return keys;
}

const struct plan_key_info *
plan_key_lookup(const char *name)
{
	for (const struct plan_key_info *k = keys; k->name; k++)
		if (strcmp(k->name, name) == 0)
			return k;
	return NULL;
}

void
plan_init(struct plan *plan, const char *default_rootfs)
{
	memset(plan, 0, sizeof(*plan));
	snprintf(plan->hostname, sizeof(plan->hostname), "%s",
		 PLAN_DEFAULT_HOSTNAME);
	if (default_rootfs)
		snprintf(plan->rootfs, sizeof(plan->rootfs), "%s",
			 default_rootfs);
	plan->pids_max = PLAN_DEFAULT_PIDS_MAX;
	plan->memory_max = PLAN_DEFAULT_MEMORY_MAX;
	plan->cpu_max = PLAN_DEFAULT_CPU_MAX;
	plan->chdir = true;
	plan->rootfs_layer = true;
	plan->propagation = PLAN_PROP_PRIVATE;
}

void
plan_make_rootless(struct plan *plan, unsigned uid, unsigned gid)
{
	plan->rootless = true;
	plan->rootless_uid = uid;
	plan->rootless_gid = gid;
	plan_enable(plan, PLAN_USER);
}

bool
plan_has(const struct plan *plan, enum plan_layer layer)
{
	return (plan->layers & (1u << layer)) != 0;
}

bool
plan_new_root(const struct plan *plan)
{
	return plan_has(plan, PLAN_CHROOT) || plan_has(plan, PLAN_PIVOT);
}

void
plan_enable(struct plan *plan, enum plan_layer layer)
{
	plan->layers |= 1u << layer;
}

void
plan_disable(struct plan *plan, enum plan_layer layer)
{
	plan->layers &= ~(1u << layer);
}

static int
set_hostname(struct plan *plan, const char *v, char *err, size_t errlen)
{
	size_t n = strlen(v);

	if (n == 0)
		return msg_fail(err, errlen, "hostname cannot be empty");
	if (n > PLAN_HOSTNAME_MAX)
		return msg_fail(err, errlen,
			    "hostname is %zu bytes long; the kernel takes at "
			    "most %d (HOST_NAME_MAX), so sethostname() would "
			    "fail with EINVAL", n, PLAN_HOSTNAME_MAX);
	for (const char *p = v; *p; p++)
		if (*p == '/' || (unsigned char)*p < 0x21 || *p == 0x7f)
			return msg_fail(err, errlen,
				    "hostname '%s' has a space, a control "
				    "character or '/'; use letters, digits, "
				    "'-' and '.'", v);
	memcpy(plan->hostname, v, n + 1);
	return 0;
}

static int
set_rootfs(struct plan *plan, const char *v, char *err, size_t errlen)
{
	if (*v == '\0')
		return msg_fail(err, errlen, "rootfs needs a directory path");
	if (strlen(v) >= sizeof(plan->rootfs))
		return msg_fail(err, errlen, "rootfs path is longer than %zu bytes",
			    sizeof(plan->rootfs) - 1);
	snprintf(plan->rootfs, sizeof(plan->rootfs), "%s", v);
	return 0;
}

static int
set_pids_max(struct plan *plan, const char *v, char *err, size_t errlen)
{
	char *end;
	long n;

	if (strcmp(v, "max") == 0) {
		plan->pids_max = PLAN_PIDS_UNLIMITED;
		return 0;
	}
	errno = 0;
	n = strtol(v, &end, 10);
	if (*v == '\0' || *end != '\0' || errno == ERANGE ||
	    (*v != '-' && (*v < '0' || *v > '9')))
		return msg_fail(err, errlen,
			    "pids.max takes a whole number or 'max', not '%s'",
			    v);
	if (n < 1 || n > PLAN_PIDS_LIMIT)
		return msg_fail(err, errlen,
			    "pids.max must be between 1 and %ld, or 'max' for "
			    "no limit; '%s' is out of range (1 is the command "
			    "itself and nothing else)", PLAN_PIDS_LIMIT, v);
	plan->pids_max = n;
	return 0;
}

static int
set_memory_max(struct plan *plan, const char *v, char *err, size_t errlen)
{
	static const char units[] = "KMGTP";
	const char *unit = NULL;
	char *end;
	long long n;

	if (strcmp(v, "max") == 0) {
		plan->memory_max = PLAN_MEMORY_UNLIMITED;
		return 0;
	}
	errno = 0;
	n = strtoll(v, &end, 10);
	if (*end)
		unit = strchr(units, toupper((unsigned char)*end));
	if (*v < '0' || *v > '9' || errno == ERANGE || (*end && !unit) ||
	    (unit && end[1] && strcmp(end + 1, "B") != 0 &&
	     strcmp(end + 1, "iB") != 0))
		return msg_fail(err, errlen,
			    "memory.max takes a size such as 32M, 512K or 1G "
			    "(or 'max'), not '%s'", v);
	/* K is 1024: the kernel's own suffixes in memory.max */
	for (long k = unit ? unit - units + 1 : 0; k > 0 &&
	     n <= PLAN_MEMORY_LIMIT; k--)
		n *= 1024;
	if (n < PLAN_MEMORY_MIN || n > PLAN_MEMORY_LIMIT)
		return msg_fail(err, errlen,
			    "memory.max must be between 1M and 1P, or 'max'; "
			    "'%s' is out of range (below 1M not even a shell "
			    "can start)", v);
	plan->memory_max = n;
	return 0;
}

static int
set_cpu_max(struct plan *plan, const char *v, char *err, size_t errlen)
{
	char *end;
	long n;

	if (strcmp(v, "max") == 0) {
		plan->cpu_max = PLAN_CPU_UNLIMITED;
		return 0;
	}
	errno = 0;
	n = strtol(v, &end, 10);
	if (*v < '0' || *v > '9' || errno == ERANGE ||
	    (*end && strcmp(end, "%") != 0))
		return msg_fail(err, errlen,
			    "cpu.max takes a whole percentage of one CPU, such "
			    "as 50 or 200 (two CPUs), or 'max'; not '%s'", v);
	if (n < 1 || n > PLAN_CPU_LIMIT)
		return msg_fail(err, errlen,
			    "cpu.max must be between 1 (1%% of one CPU) and %ld, "
			    "or 'max'; '%s' is out of range", PLAN_CPU_LIMIT, v);
	plan->cpu_max = n;
	return 0;
}

void
plan_format_size(long long bytes, char *buf, size_t len)
{
	static const char units[] = "KMGTP";
	int u = -1;

	while (bytes >= 1024 && bytes % 1024 == 0 && u < 4) {
		bytes /= 1024;
		u++;
	}
	if (u < 0)
		snprintf(buf, len, "%lld", bytes);
	else
		snprintf(buf, len, "%lld%c", bytes, units[u]);
}

/* Reads "on" or "off" into *FLAG for setting KEY. */
static int
set_onoff(bool *flag, const char *key, const char *v, char *err, size_t errlen)
{
	if (strcmp(v, "on") == 0)
		*flag = true;
	else if (strcmp(v, "off") == 0)
		*flag = false;
	else
		return msg_fail(err, errlen, "%s takes 'on' or 'off', not '%s'",
			    key, v);
	return 0;
}

static int
set_chdir(struct plan *plan, const char *v, char *err, size_t errlen)
{
	return set_onoff(&plan->chdir, "chdir", v, err, errlen);
}

static int
set_layer(struct plan *plan, const char *v, char *err, size_t errlen)
{
	return set_onoff(&plan->rootfs_layer, "rootfs.layer", v, err, errlen);
}

static int
set_propagation(struct plan *plan, const char *v, char *err, size_t errlen)
{
	if (strcmp(v, "private") == 0)
		plan->propagation = PLAN_PROP_PRIVATE;
	else if (strcmp(v, "shared") == 0)
		plan->propagation = PLAN_PROP_SHARED;
	else
		return msg_fail(err, errlen,
			    "propagation takes 'private' or 'shared', not '%s'",
			    v);
	return 0;
}

int
plan_set(struct plan *plan, const char *key, const char *value,
	 char *err, size_t errlen)
{
	static const struct {
		const char *key;
		int (*set)(struct plan *, const char *, char *, size_t);
	} setters[] = {
		{ "hostname", set_hostname },
		{ "rootfs", set_rootfs },
		{ "rootfs.layer", set_layer },
		{ "pids.max", set_pids_max },
		{ "memory.max", set_memory_max },
		{ "cpu.max", set_cpu_max },
		{ "chdir", set_chdir },
		{ "propagation", set_propagation },
	};

	for (size_t i = 0; i < sizeof(setters) / sizeof(setters[0]); i++)
		if (strcmp(setters[i].key, key) == 0)
			return setters[i].set(plan, value, err, errlen);
	return msg_fail(err, errlen, "no setting called '%s'", key);
}

int
plan_get(const struct plan *plan, const char *key, char *buf, size_t len)
{
	if (strcmp(key, "hostname") == 0)
		snprintf(buf, len, "%s", plan->hostname);
	else if (strcmp(key, "rootfs") == 0)
		snprintf(buf, len, "%s", plan->rootfs[0] ? plan->rootfs :
			 "(none)");
	else if (strcmp(key, "pids.max") == 0) {
		if (plan->pids_max == PLAN_PIDS_UNLIMITED)
			snprintf(buf, len, "max");
		else
			snprintf(buf, len, "%ld", plan->pids_max);
	} else if (strcmp(key, "memory.max") == 0) {
		if (plan->memory_max == PLAN_MEMORY_UNLIMITED)
			snprintf(buf, len, "max");
		else
			plan_format_size(plan->memory_max, buf, len);
	} else if (strcmp(key, "cpu.max") == 0) {
		if (plan->cpu_max == PLAN_CPU_UNLIMITED)
			snprintf(buf, len, "max");
		else
			snprintf(buf, len, "%ld", plan->cpu_max);
	} else if (strcmp(key, "chdir") == 0)
		snprintf(buf, len, "%s", plan->chdir ? "on" : "off");
	else if (strcmp(key, "rootfs.layer") == 0)
		snprintf(buf, len, "%s", plan->rootfs_layer ? "on" : "off");
	else if (strcmp(key, "propagation") == 0)
		snprintf(buf, len, "%s", plan->propagation == PLAN_PROP_SHARED ?
			 "shared" : "private");
	else
		return -1;
	return 0;
}

int
plan_check(const struct plan *plan, char *err, size_t errlen)
{
	bool proc = plan_has(plan, PLAN_PROC);
	bool mnt = plan_has(plan, PLAN_MNT);
	bool chroot = plan_new_root(plan);
	bool pivot = plan_has(plan, PLAN_PIVOT);

	if (plan->rootless && !plan_has(plan, PLAN_USER))
		return msg_fail(err, errlen,
			    "boxstep runs rootless (as uid %u): every namespace "
			    "it makes belongs to a user namespace of yours, so "
			    "the user layer stays on. Enable user",
			    plan->rootless_uid);
	if (plan->rootless && plan->propagation == PLAN_PROP_SHARED)
		return msg_fail(err, errlen,
			    "refusing propagation shared rootless: a mount "
			    "namespace made inside a user namespace receives "
			    "every host mount as a slave, so nothing mounted in "
			    "it can reach the host, and making the rootfs a "
			    "shared mount on the host needs root. Set "
			    "propagation private (lesson 06 shows the leak as "
			    "root)");
	if (pivot && plan_has(plan, PLAN_CHROOT))
		return msg_fail(err, errlen,
			    "pivot and chroot are two ways to give the container "
			    "its root; turn one of them off");
	if (pivot && !mnt)
		return msg_fail(err, errlen,
			    "refusing pivot without mnt: pivot_root changes the "
			    "root of every process in the mount namespace, and "
			    "without the mnt layer that is the host's. Enable mnt");
	if (pivot && plan->propagation == PLAN_PROP_SHARED)
		return msg_fail(err, errlen,
			    "refusing pivot with shared propagation: pivot_root "
			    "fails (EINVAL) when the mounts around the new root "
			    "are shared. Set propagation private");
	if (plan->rootless && plan_new_root(plan) && plan->rootfs_layer &&
	    !plan_has(plan, PLAN_MNT))
		return msg_fail(err, errlen,
			    "refusing %s without mnt rootless: the session's "
			    "writable layer is an overlay that only the "
			    "container may mount, in a mount namespace of its "
			    "own. Enable mnt, or `set rootfs.layer off` to use "
			    "the rootfs directory itself",
			    plan_has(plan, PLAN_PIVOT) ? "pivot" : "chroot");
	if (proc && !mnt && plan_has(plan, PLAN_USER))
		return msg_fail(err, errlen,
			    "refusing proc with user but without mnt: root in a "
			    "user namespace may mount only in a mount namespace "
			    "that its user namespace owns. Enable mnt");
	if (proc && !chroot && !mnt)
		return msg_fail(err, errlen,
			    "refusing proc without chroot or mnt: the new proc "
			    "would be mounted on the host's own /proc and hide "
			    "it from every program on the host. Enable chroot "
			    "(mount onto the rootfs's /proc) or mnt (mount in "
			    "a mount namespace of its own), or both");
	if (proc && mnt && !chroot && plan->propagation == PLAN_PROP_SHARED)
		return msg_fail(err, errlen,
			    "refusing proc with mnt and shared propagation but "
			    "no chroot: the mount on /proc would propagate back "
			    "and cover the host's /proc. Enable chroot, or set "
			    "propagation private");
	if ((chroot || plan->propagation == PLAN_PROP_SHARED) &&
	    plan->rootfs[0] == '\0')
		return msg_fail(err, errlen,
			    "no root filesystem: build the default one with "
			    "`sudo make rootfs`, or `set rootfs PATH`");
	return 0;
}

unsigned long
plan_clone_flags(const struct plan *plan)
{
	unsigned long flags = SIGCHLD;

	if (plan_has(plan, PLAN_UTS))
		flags |= CLONE_NEWUTS;
	if (plan_has(plan, PLAN_PID))
		flags |= CLONE_NEWPID;
	if (plan_has(plan, PLAN_MNT))
		flags |= CLONE_NEWNS;
	if (plan_has(plan, PLAN_IPC))
		flags |= CLONE_NEWIPC;
	if (plan_has(plan, PLAN_NET))
		flags |= CLONE_NEWNET;
	if (plan_has(plan, PLAN_USER))
		flags |= CLONE_NEWUSER;
	/* cgroupns is unshared by the child once it is in its group */
	return flags;
}

int
plan_format_clone_flags(unsigned long flags, char *buf, size_t len)
{
	static const struct {
		unsigned long flag;
		const char *name;
	} names[] = {
		{ CLONE_NEWUTS, "CLONE_NEWUTS|" },
		{ CLONE_NEWPID, "CLONE_NEWPID|" },
		{ CLONE_NEWNS, "CLONE_NEWNS|" },
		{ CLONE_NEWIPC, "CLONE_NEWIPC|" },
		{ CLONE_NEWNET, "CLONE_NEWNET|" },
		{ CLONE_NEWUSER, "CLONE_NEWUSER|" },
	};
	char text[128] = "";

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (flags & names[i].flag)
			strcat(text, names[i].name);
	if ((flags & 0xff) == SIGCHLD)
		strcat(text, "SIGCHLD");
	else if (text[0])
		text[strlen(text) - 1] = '\0';
	return snprintf(buf, len, "%s", text);
}

/* One line of the call list: who makes the call, the call, and the layer
 * or reason that causes it. */
static void
text_call(struct msg_text *t, const char *who, const char *tag,
	  const char *call)
{
	msg_append(t, "  %-7s %-58s %s\n", who, call, tag);
}

static bool
uses_cgroups(const struct plan *plan)
{
	return plan_has(plan, PLAN_PIDS) || plan_has(plan, PLAN_MEMORY) ||
	       plan_has(plan, PLAN_CPU);
}

/* The cgroup calls: a directory in each controller's hierarchy (one for
 * them all on v2), the limits, and the child's pid in each directory. */
static void
describe_cgroups(const struct plan *plan, const struct plan_cgroups *cg,
		 struct msg_text *t)
{
	const struct {
		enum plan_layer layer;
		const char *dir, *tag;
	} ctl[] = {
		{ PLAN_PIDS, cg && cg->pids_dir ? cg->pids_dir :
		  "<no pids cgroup found>", "[pids]" },
		{ PLAN_MEMORY, cg && cg->memory_dir ? cg->memory_dir :
		  "<no memory cgroup found>", "[memory]" },
		{ PLAN_CPU, cg && cg->cpu_dir ? cg->cpu_dir :
		  "<no cpu cgroup found>", "[cpu]" },
	};
	const size_t n = sizeof(ctl) / sizeof(ctl[0]);
	size_t made[3], nmade = 0;
	char call[PATH_MAX + 128], value[64];

	for (size_t i = 0; i < n; i++) {
		bool again = false;

		if (!plan_has(plan, ctl[i].layer))
			continue;
		for (size_t k = 0; k < nmade; k++)
			again |= strcmp(ctl[made[k]].dir, ctl[i].dir) == 0;
		if (again)
			continue;
		made[nmade++] = i;
		snprintf(call, sizeof(call), "mkdir(\"%s/<session>\")",
			 ctl[i].dir);
		text_call(t, "boxstep", ctl[i].tag, call);
	}
	if (plan_has(plan, PLAN_PIDS)) {
		plan_get(plan, "pids.max", value, sizeof(value));
		snprintf(call, sizeof(call), "write(\"pids.max\", \"%s\")",
			 value);
		text_call(t, "boxstep", "[pids]", call);
	}
	if (plan_has(plan, PLAN_MEMORY)) {
		bool v2 = cg && cg->memory_v2;

		if (plan->memory_max == PLAN_MEMORY_UNLIMITED)
			snprintf(value, sizeof(value), v2 ? "max" : "-1");
		else
			snprintf(value, sizeof(value), "%lld",
				 plan->memory_max);
		snprintf(call, sizeof(call), "write(\"%s\", \"%s\")",
			 v2 ? "memory.max" : "memory.limit_in_bytes", value);
		text_call(t, "boxstep", "[memory]", call);
		snprintf(call, sizeof(call), "write(\"%s\", \"%s\")",
			 v2 ? "memory.swap.max" : "memory.memsw.limit_in_bytes",
			 v2 ? (plan->memory_max < 0 ? "max" : "0") : value);
		text_call(t, "boxstep", "[memory, no swap]", call);
	}
	if (plan_has(plan, PLAN_CPU)) {
		if (cg && cg->cpu_v2) {
			if (plan->cpu_max == PLAN_CPU_UNLIMITED)
				snprintf(value, sizeof(value), "max 100000");
			else
				snprintf(value, sizeof(value), "%ld 100000",
					 plan->cpu_max * 1000);
			snprintf(call, sizeof(call), "write(\"cpu.max\", "
				 "\"%s\")", value);
		} else {
			snprintf(call, sizeof(call), "write(\"cpu.cfs_quota_us\""
				 ", \"%ld\")", plan->cpu_max < 0 ? -1L :
				 plan->cpu_max * 1000);
		}
		text_call(t, "boxstep", "[cpu]", call);
	}
	for (size_t k = 0; k < nmade; k++)
		text_call(t, "boxstep", ctl[made[k]].tag,
			  "write(\"cgroup.procs\", \"<child's pid>\")");
}

static void
describe_calls(const struct plan *plan, const struct plan_cgroups *cg,
	       struct msg_text *t)
{
	bool shared = plan->propagation == PLAN_PROP_SHARED;
	bool mnt = plan_has(plan, PLAN_MNT);
	bool chroot = plan_has(plan, PLAN_CHROOT);
	bool pivot = plan_has(plan, PLAN_PIVOT);
	char flags[128], call[3 * PATH_MAX + 128];
	bool layer = (chroot || pivot) && plan->rootfs_layer;
	const char *dir = plan->rootless ? PLAN_USER_LAYER_DIR : PLAN_LAYER_DIR;
	const char *root = !layer ? plan->rootfs : plan->rootless ?
			   PLAN_USER_LAYER_ROOT : PLAN_LAYER_ROOT;
	char overlay[3 * PATH_MAX + 128];

	snprintf(overlay, sizeof(overlay), "mount(\"overlay\", \"%s\", "
		 "\"overlay\", 0, \"lowerdir=%s,upperdir=%s/upper,"
		 "workdir=%s/work\")", root, plan->rootfs, dir, dir);
	msg_append(t, "\n`run CMD` will make these calls, in this order:\n");
	if (layer && !plan->rootless)
		text_call(t, "boxstep", "[rootfs.layer, once]", overlay);
	if (layer && plan->rootless) {
		snprintf(call, sizeof(call), "mkdir(\"%s/upper/tmp\", 01777)",
			 dir);
		text_call(t, "boxstep", "[rootfs.layer, once]", call);
	}
	if (shared && mnt) {
		snprintf(call, sizeof(call),
			 "mount(\"%s\", \"%s\", NULL, MS_BIND, NULL)", root,
			 root);
		text_call(t, "boxstep", "[propagation shared]", call);
		snprintf(call, sizeof(call),
			 "mount(NULL, \"%s\", NULL, MS_SHARED, NULL)", root);
		text_call(t, "boxstep", "[propagation shared]", call);
	}
	text_call(t, "boxstep", "[hold the child]", "pipe2(sync, O_CLOEXEC)");
	plan_format_clone_flags(plan_clone_flags(plan), flags, sizeof(flags));
	snprintf(call, sizeof(call), "clone(%s)", flags);
	text_call(t, "boxstep", "", call);
	describe_cgroups(plan, cg, t);
	if (plan_has(plan, PLAN_USER)) {
		char map[64], gmap[64];

		snprintf(map, sizeof(map), "\"0 %d %d\")", PLAN_USER_BASE,
			 PLAN_USER_COUNT);
		snprintf(gmap, sizeof(gmap), "%s", map);
		if (plan->rootless) {
			snprintf(map, sizeof(map), "\"0 %u 1\")",
				 plan->rootless_uid);
			snprintf(gmap, sizeof(gmap), "\"0 %u 1\")",
				 plan->rootless_gid);
		}
		text_call(t, "boxstep", "[user]",
			  "write(\"/proc/<child>/setgroups\", \"deny\")");
		snprintf(call, sizeof(call), "write(\"/proc/<child>/uid_map\", %s",
			 map);
		text_call(t, "boxstep", "[user]", call);
		snprintf(call, sizeof(call), "write(\"/proc/<child>/gid_map\", %s",
			 gmap);
		text_call(t, "boxstep", "[user]", call);
	}
	text_call(t, "boxstep", "[release the child]", "write(sync, ...)");
	if (plan_has(plan, PLAN_USER))
		text_call(t, "child", "[user]",
			  "setresgid(0, 0, 0); setresuid(0, 0, 0)");
	if (plan_has(plan, PLAN_CGROUPNS))
		text_call(t, "child", "[cgroupns]", "unshare(CLONE_NEWCGROUP)");
	if (plan_has(plan, PLAN_NET))
		text_call(t, "child", "[net]",
			  "ioctl(socket, SIOCSIFFLAGS, {\"lo\", IFF_UP})");
	if (plan_has(plan, PLAN_UTS)) {
		snprintf(call, sizeof(call), "sethostname(\"%s\", %zu)",
			 plan->hostname, strlen(plan->hostname));
		text_call(t, "child", "[uts]", call);
	}
	if (mnt && !shared)
		text_call(t, "child", "[mnt]",
			  "mount(NULL, \"/\", NULL, MS_REC|MS_PRIVATE, NULL)");
	else if (mnt)
		text_call(t, "child", "[mnt]",
			  "(root left shared: mounts propagate to the host)");
	if (layer && plan->rootless)
		text_call(t, "child", "[rootfs.layer, rootless]", overlay);
	if (pivot) {
		snprintf(call, sizeof(call), "mount(\"%s\", \"%s\", NULL, "
			 "MS_BIND|MS_REC, NULL)", root, root);
		text_call(t, "child", "[pivot]", call);
		snprintf(call, sizeof(call), "mount(NULL, \"%s\", NULL, "
			 "MS_PRIVATE, NULL)", root);
		text_call(t, "child", "[pivot]", call);
		if (plan_has(plan, PLAN_PROC)) {
			snprintf(call, sizeof(call), "mount(\"proc\", "
				 "\"%s/proc\", \"proc\", MS_NOSUID|MS_NODEV|"
				 "MS_NOEXEC, NULL)", root);
			text_call(t, "child", "[proc, before the pivot]",
				  call);
		}
		snprintf(call, sizeof(call), "chdir(\"%s\")", root);
		text_call(t, "child", "[pivot]", call);
		text_call(t, "child", "[pivot]", "pivot_root(\".\", \".\")");
		text_call(t, "child", "[pivot]", "umount2(\".\", MNT_DETACH)");
		text_call(t, "child", "[pivot]", "chdir(\"/\")");
	}
	if (chroot) {
		snprintf(call, sizeof(call), "chroot(\"%s\")", root);
		text_call(t, "child", "[chroot]", call);
		if (plan->chdir)
			text_call(t, "child", "[chroot]", "chdir(\"/\")");
		else
			text_call(t, "child", "[chdir off]",
				  "(no chdir: the cwd stays outside the root)");
	}
	if (plan_has(plan, PLAN_PROC) && !pivot)
		text_call(t, "child", "[proc]",
			  "mount(\"proc\", \"/proc\", \"proc\", "
			  "MS_NOSUID|MS_NODEV|MS_NOEXEC, NULL)");
	text_call(t, "child", "[held, set up]", "read(sync): boxstep reads "
		  "/proc/<child> as it is now");
	text_call(t, "child", "", "execvp(CMD, ARGS)");
	text_call(t, "boxstep", "", "waitpid(child)");
	if (uses_cgroups(plan))
		text_call(t, "boxstep", "[cgroup]",
			  "kill what is left in the group; rmdir(<session>)");
	if (plan_has(plan, PLAN_PROC) && (!mnt || shared))
		text_call(t, "boxstep", "[proc leaked]",
			  "umount2(\"<rootfs>/proc\", MNT_DETACH)");
	if (shared && mnt)
		text_call(t, "boxstep", "[propagation shared]",
			  "umount2(\"<rootfs>\", MNT_DETACH)");
}

int
plan_describe(const struct plan *plan, const struct plan_cgroups *cg,
	      char *buf, size_t len)
{
	struct msg_text t = { buf, len, 0 };
	char value[PATH_MAX];
	char err[512];
	bool any_off = false;

	if (len)
		buf[0] = '\0';
	msg_append(&t, "layers on: ");
	if (plan->layers == 0)
		msg_append(&t, "(none: `run` starts an ordinary process)");
	for (int i = 0; i < PLAN_NLAYERS; i++)
		if (plan_has(plan, i))
			msg_append(&t, "%s ", layers[i].name);
	msg_append(&t, "\nlayers off:");
	for (int i = 0; i < PLAN_NLAYERS; i++)
		if (!plan_has(plan, i)) {
			msg_append(&t, " %s", layers[i].name);
			any_off = true;
		}
	if (!any_off)
		msg_append(&t, " (none)");
	msg_append(&t, "\nsettings:\n");
	for (const struct plan_key_info *k = keys; k->name; k++) {
		plan_get(plan, k->name, value, sizeof(value));
		msg_append(&t, "  %-12s %s\n", k->name, value);
	}
	if (plan_check(plan, err, sizeof(err)) != 0) {
		msg_append(&t, "\n`run` would refuse: %s.\n", err);
		return t.used;
	}
	describe_calls(plan, cg, &t);
	return t.used;
}
