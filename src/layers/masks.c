/* masks: the layer that hides the kernel files a container has no use
 * for and makes read-only those it may read but not change, as Docker's
 * MaskedPaths and ReadonlyPaths do, and gives it a read-only /sys.  A
 * masked file is covered with the container's /dev/null (the dev
 * layer's), a masked directory with an empty read-only tmpfs. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "layers/layers.h"
#include "layers/oci.h"

static const char explain[] =
	"A private /proc still shows the kernel's own files: /proc/kcore (the\n"
	"machine's memory), /proc/keys, /proc/timer_list, /proc/sched_debug...\n"
	"and /proc/sys and /proc/sysrq-trigger, through which root changes\n"
	"kernel settings for the whole machine or reboots it: no namespace\n"
	"covers most of them.  Docker hides some (MaskedPaths: a file gets\n"
	"/dev/null bind-mounted over it, a directory an empty read-only tmpfs)\n"
	"and makes others read-only (ReadonlyPaths: bound onto themselves,\n"
	"then remounted read-only), and mounts /sys read-only.  masks does the\n"
	"same; it needs dev (for /dev/null) and proc.\n"
	"Look for: `cat /proc/kcore | wc -c` is 0; `echo 1 >\n"
	"/proc/sys/kernel/sysrq` says \"Read-only file system\"; the mounts\n"
	"under /proc in the host view.";

/* Docker's lists (moby's oci/defaults.go), files and directories apart;
 * a path this kernel lacks is skipped. */
static const char *const masked_files[] = {
	"/proc/kcore", "/proc/keys", "/proc/latency_stats", "/proc/timer_list",
	"/proc/timer_stats", "/proc/sched_debug",
};
static const char *const masked_dirs[] = {
	"/proc/acpi", "/proc/asound", "/proc/scsi", "/sys/firmware",
	"/sys/devices/virtual/powercap",
};
static const char *const readonly[] = {
	"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys",
	"/proc/sysrq-trigger",
};

#define COUNT(a) (sizeof(a) / sizeof(a[0]))

static bool
absent(const char *path)
{
	struct stat st;

	return lstat(path, &st) < 0 && errno == ENOENT;
}

static void
show_sys(struct step_out *o, const struct plan *p)
{
	step_say(o, "mount(\"sysfs\", \"%s/sys\", \"sysfs\", MS_RDONLY|"
		 "MS_NOSUID|MS_NODEV|MS_NOEXEC, NULL)", step_show_root(p));
}

/* Before the root is entered: in a user namespace the kernel mounts a
 * sysfs only where a full one is in view, as for proc. */
static int
mount_sys(struct step_ctx *x, char *err, size_t errlen)
{
	char path[PATH_MAX];

	(void)err, (void)errlen;
	snprintf(path, sizeof(path), "%s/sys", x->plan->rootfs);
	if (mkdir(path, 0555) < 0 && errno != EEXIST)
		return 125;
	return mount("sysfs", path, "sysfs", MS_RDONLY | MS_NOSUID | MS_NODEV |
		     MS_NOEXEC, NULL) < 0 ? 125 : 0;
}

static void
sys_failed(const struct step_ctx *x, int e, char *err, size_t errlen)
{
	msg_fail(err, errlen, "mount a read-only sysfs on %s/sys: %s%s",
		 x->plan->rootfs, strerror(e), e == EPERM ? " (the kernel "
		 "lets a user namespace mount sysfs only for a network "
		 "namespace it owns: enable net)" : "");
}

/* Its lines: each list in a line of its own. */
static void
say_list(struct step_out *o, const char *what, const char *const *paths,
	 size_t n)
{
	char line[512] = "";

	for (size_t i = 0; i < n; i++)
		snprintf(line + strlen(line), sizeof(line) - strlen(line),
			 "%s%s", i ? " " : "", paths[i]);
	step_say(o, "%s", what);
	step_say(o, "  %s", line);
}

static void
show_masks(struct step_out *o, const struct plan *p)
{
	(void)p;
	say_list(o, "mount(\"/dev/null\", PATH, NULL, MS_BIND, NULL) for",
		 masked_files, COUNT(masked_files));
	say_list(o, "mount(\"tmpfs\", PATH, \"tmpfs\", MS_RDONLY, NULL) for",
		 masked_dirs, COUNT(masked_dirs));
}

static int
mask(struct step_ctx *x, char *err, size_t errlen)
{
	(void)x, (void)err, (void)errlen;
	for (size_t i = 0; i < COUNT(masked_files); i++)
		if (!absent(masked_files[i]) &&
		    mount("/dev/null", masked_files[i], NULL, MS_BIND, NULL) < 0)
			return 125;
	for (size_t i = 0; i < COUNT(masked_dirs); i++)
		if (!absent(masked_dirs[i]) &&
		    mount("tmpfs", masked_dirs[i], "tmpfs", MS_RDONLY, NULL) < 0)
			return 125;
	return 0;
}

static void
show_readonly(struct step_out *o, const struct plan *p)
{
	(void)p;
	say_list(o, "mount(PATH, PATH, NULL, MS_BIND|MS_REC, NULL), then "
		 "MS_REMOUNT|MS_RDONLY, for", readonly, COUNT(readonly));
}

/* Bound onto itself, then the bind remounted read-only, keeping proc's
 * nosuid, nodev and noexec (a user namespace may not drop them). */
static int
make_readonly(struct step_ctx *x, char *err, size_t errlen)
{
	unsigned long keep = MS_NOSUID | MS_NODEV | MS_NOEXEC;

	(void)x, (void)err, (void)errlen;
	for (size_t i = 0; i < COUNT(readonly); i++)
		if (!absent(readonly[i]) &&
		    (mount(readonly[i], readonly[i], NULL, MS_BIND | MS_REC,
			   NULL) < 0 ||
		     mount(NULL, readonly[i], NULL, MS_BIND | MS_REMOUNT |
			   MS_RDONLY | keep, NULL) < 0))
			return 125;
	return 0;
}

static void
mask_failed(const struct step_ctx *x, int e, char *err, size_t errlen)
{
	(void)x;
	msg_fail(err, errlen, "mount over the kernel's files in /proc and /sys "
		 "(/dev/null on a file, a read-only tmpfs on a directory): %s",
		 strerror(e));
}

static void
readonly_failed(const struct step_ctx *x, int e, char *err, size_t errlen)
{
	(void)x;
	msg_fail(err, errlen, "mount /proc/sys and the others read-only (each "
		 "bound onto itself, then remounted): %s", strerror(e));
}

/* sysfs with dev's mounts, before the root (75); the rest once proc is
 * mounted inside (100), before seccomp would refuse a mount (105). */
static const struct step steps[] = {
	{ STEP_CHILD, 75, "[masks]", .show = show_sys, .run = mount_sys,
	  .fail = sys_failed },
	{ STEP_CHILD, 101, "[masks]", .show = show_masks, .run = mask,
	  .fail = mask_failed },
	{ STEP_CHILD, 102, "[masks]", .show = show_readonly,
	  .run = make_readonly, .fail = readonly_failed },
};

/* Its part of config.json. */
static void
oci(const struct plan *p, struct oci_doc *d)
{
	(void)p;
	oci_mount(d, "/sys", "sysfs", "sysfs", "nosuid,noexec,nodev,ro");
	oci_paths(d->masked, &d->nmasked, masked_files, COUNT(masked_files));
	oci_paths(d->masked, &d->nmasked, masked_dirs, COUNT(masked_dirs));
	oci_paths(d->readonly, &d->nreadonly, readonly, COUNT(readonly));
}

const struct layer layer_masks = {
	.info = {
		.name = "masks",
		.summary = "kernel files in /proc hidden or read-only; /sys read-only",
		.kernel = "mount(MS_BIND) of /dev/null, MS_RDONLY remounts",
		.explain = explain,
	},
	.id = PLAN_MASKS,
	.steps = steps,
	.nsteps = STEP_COUNT(steps),
	.oci = oci,
};
