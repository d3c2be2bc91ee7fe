/* plan: the layers, their settings, validation, and the `show` text. */
#define _GNU_SOURCE
#include "plan.h"

#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "msg.h"

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
};

static const char *const onoff[] = { "on", "off", NULL };
static const char *const propagations[] = { "private", "shared", NULL };

static const struct plan_key_info keys[] = {
	{ "hostname", "NAME (1-64 bytes)",
	  "hostname set inside the new UTS namespace", NULL },
	{ "rootfs", "PATH",
	  "root directory for chroot (default: the built busybox rootfs)", NULL },
	{ "rootfs.layer", "on|off",
	  "on = a writable layer of this session's own over the rootfs",
	  onoff },
	{ "pids.max", "N|max",
	  "process limit for the pids layer (default 20)", NULL },
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
	plan->chdir = true;
	plan->rootfs_layer = true;
	plan->propagation = PLAN_PROP_PRIVATE;
}

bool
plan_has(const struct plan *plan, enum plan_layer layer)
{
	return (plan->layers & (1u << layer)) != 0;
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
	bool chroot = plan_has(plan, PLAN_CHROOT);

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

static void
describe_calls(const struct plan *plan, const char *cgroup_dir,
	       struct msg_text *t)
{
	bool shared = plan->propagation == PLAN_PROP_SHARED;
	bool mnt = plan_has(plan, PLAN_MNT);
	bool chroot = plan_has(plan, PLAN_CHROOT);
	char flags[128], call[3 * PATH_MAX + 128];
	const char *root = chroot && plan->rootfs_layer ? PLAN_LAYER_ROOT :
			   plan->rootfs;

	msg_append(t, "\n`run CMD` will make these calls, in this order:\n");
	if (chroot && plan->rootfs_layer) {
		snprintf(call, sizeof(call), "mount(\"overlay\", \"%s\", "
			 "\"overlay\", 0, \"lowerdir=%s,upperdir=%s,"
			 "workdir=%s\")", PLAN_LAYER_ROOT, plan->rootfs,
			 PLAN_LAYER_DIR "/upper", PLAN_LAYER_DIR "/work");
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
	if (plan_has(plan, PLAN_PIDS)) {
		char max[32];

		plan_get(plan, "pids.max", max, sizeof(max));
		snprintf(call, sizeof(call), "mkdir(\"%s/<session>\")",
			 cgroup_dir ? cgroup_dir : "<no pids cgroup found>");
		text_call(t, "boxstep", "[pids]", call);
		snprintf(call, sizeof(call), "write(\"pids.max\", \"%s\")",
			 max);
		text_call(t, "boxstep", "[pids]", call);
		text_call(t, "boxstep", "[pids]",
			  "write(\"cgroup.procs\", \"<child's pid>\")");
	}
	text_call(t, "boxstep", "[release the child]", "write(sync, ...)");
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
	if (chroot) {
		snprintf(call, sizeof(call), "chroot(\"%s\")", root);
		text_call(t, "child", "[chroot]", call);
		if (plan->chdir)
			text_call(t, "child", "[chroot]", "chdir(\"/\")");
		else
			text_call(t, "child", "[chdir off]",
				  "(no chdir: the cwd stays outside the root)");
	}
	if (plan_has(plan, PLAN_PROC))
		text_call(t, "child", "[proc]",
			  "mount(\"proc\", \"/proc\", \"proc\", "
			  "MS_NOSUID|MS_NODEV|MS_NOEXEC, NULL)");
	text_call(t, "child", "", "execvp(CMD, ARGS)");
	text_call(t, "boxstep", "", "waitpid(child)");
	if (plan_has(plan, PLAN_PIDS))
		text_call(t, "boxstep", "[pids]",
			  "kill what is left in the group; rmdir(<session>)");
	if (plan_has(plan, PLAN_PROC) && (!mnt || shared))
		text_call(t, "boxstep", "[proc leaked]",
			  "umount2(\"<rootfs>/proc\", MNT_DETACH)");
	if (shared && mnt)
		text_call(t, "boxstep", "[propagation shared]",
			  "umount2(\"<rootfs>\", MNT_DETACH)");
}

int
plan_describe(const struct plan *plan, const char *cgroup_dir,
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
	describe_calls(plan, cgroup_dir, &t);
	return t.used;
}
