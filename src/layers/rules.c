/* rules: which layers and settings go together, in one table.
 *
 * plan_check() tries the rules in order and refuses with the first that
 * a plan breaks; its message says why and what to do.  A message may
 * name one thing the plan decides (%s): what ARG gives.
 */
#include "layers/plan.h"

#include <stdio.h>

#include "base/msg.h"

struct rule {
	bool (*breaks)(const struct plan *p);
	const char *(*arg)(const struct plan *p, char *buf, size_t len);
	const char *message;
};

static bool
shared(const struct plan *p)
{
	return p->propagation == PLAN_PROP_SHARED;
}

static bool
pivot_and_chroot(const struct plan *p)
{
	return plan_has(p, PLAN_PIVOT) && plan_has(p, PLAN_CHROOT);
}

static bool
pivot_without_mnt(const struct plan *p)
{
	return plan_has(p, PLAN_PIVOT) && !plan_has(p, PLAN_MNT);
}

static bool
pivot_shared(const struct plan *p)
{
	return plan_has(p, PLAN_PIVOT) && shared(p);
}

static bool
proc_user_without_mnt(const struct plan *p)
{
	return plan_has(p, PLAN_PROC) && !plan_has(p, PLAN_MNT) &&
	       plan_has(p, PLAN_USER);
}

static bool
proc_on_the_host(const struct plan *p)
{
	return plan_has(p, PLAN_PROC) && !plan_new_root(p) &&
	       !plan_has(p, PLAN_MNT);
}

static bool
proc_propagating(const struct plan *p)
{
	return plan_has(p, PLAN_PROC) && plan_has(p, PLAN_MNT) &&
	       !plan_new_root(p) && shared(p);
}

/* dev and masks mount under the container's root, in its own mount
 * namespace, privately: anything else would cover the host's. */
static bool
dev_without_root(const struct plan *p)
{
	return plan_has(p, PLAN_DEV) && (!plan_has(p, PLAN_MNT) ||
					 !plan_new_root(p));
}

static bool
dev_shared(const struct plan *p)
{
	return (plan_has(p, PLAN_DEV) || plan_has(p, PLAN_MASKS)) && shared(p);
}

static bool
masks_without_dev_proc(const struct plan *p)
{
	return plan_has(p, PLAN_MASKS) && (!plan_has(p, PLAN_DEV) ||
					   !plan_has(p, PLAN_PROC));
}

/* sysfs: a user namespace may mount one only for a network namespace it
 * owns. */
static bool
masks_user_without_net(const struct plan *p)
{
	return plan_has(p, PLAN_MASKS) && !plan_has(p, PLAN_NET) &&
	       (plan_has(p, PLAN_USER) || p->rootless);
}

static bool
no_rootfs(const struct plan *p)
{
	return (plan_new_root(p) || shared(p)) && p->rootfs[0] == '\0';
}

static const struct rule rules[] = {
	{ pivot_and_chroot, NULL,
	  "pivot and chroot are two ways to give the container its root; turn "
	  "one of them off" },
	{ pivot_without_mnt, NULL,
	  "refusing pivot without mnt: pivot_root changes the root of every "
	  "process in the mount namespace, and without the mnt layer that is "
	  "the host's. Enable mnt" },
	{ pivot_shared, NULL,
	  "refusing pivot with shared propagation: pivot_root fails (EINVAL) "
	  "when the mounts around the new root are shared. Set propagation "
	  "private" },
	{ proc_user_without_mnt, NULL,
	  "refusing proc with user but without mnt: root in a user namespace "
	  "may mount only in a mount namespace that its user namespace owns. "
	  "Enable mnt" },
	{ proc_on_the_host, NULL,
	  "refusing proc without chroot or mnt: the new proc would be mounted "
	  "on the host's own /proc and hide it from every program on the "
	  "host. Enable chroot (mount onto the rootfs's /proc) or mnt (mount "
	  "in a mount namespace of its own), or both" },
	{ proc_propagating, NULL,
	  "refusing proc with mnt and shared propagation but no chroot: the "
	  "mount on /proc would propagate back and cover the host's /proc. "
	  "Enable chroot, or set propagation private" },
	{ dev_without_root, NULL,
	  "refusing dev without mnt and a root of its own: the tmpfs would "
	  "be mounted on the host's /dev, or in the host's mount table. "
	  "Enable mnt, and chroot or pivot" },
	{ dev_shared, NULL,
	  "refusing dev or masks with shared propagation: their mounts "
	  "would propagate into the host's mount table. Set propagation "
	  "private" },
	{ masks_without_dev_proc, NULL,
	  "refusing masks without dev and proc: it covers files in the "
	  "container's own /proc with the container's own /dev/null. Enable "
	  "dev and proc" },
	{ masks_user_without_net, NULL,
	  "refusing masks without net in a user namespace (the user layer, "
	  "or rootless): root there may mount sysfs only for a network "
	  "namespace that its user namespace owns. Enable net" },
	{ no_rootfs, NULL,
	  "no root filesystem: build the default one with `sudo make "
	  "rootfs`, or `set rootfs PATH`" },
};

int
plan_check(const struct plan *plan, char *err, size_t errlen)
{
	char buf[32];

	for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++)
		if (rules[i].breaks(plan))
			return msg_fail(err, errlen, rules[i].message,
					rules[i].arg ? rules[i].arg(plan, buf,
					sizeof(buf)) : "");
	return 0;
}
