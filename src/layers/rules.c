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
rootless_without_user(const struct plan *p)
{
	return p->rootless && !plan_has(p, PLAN_USER);
}

static bool
rootless_shared(const struct plan *p)
{
	return p->rootless && shared(p);
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
rootless_layer_without_mnt(const struct plan *p)
{
	return p->rootless && plan_new_root(p) && p->rootfs_layer &&
	       !plan_has(p, PLAN_MNT);
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

static bool
no_rootfs(const struct plan *p)
{
	return (plan_new_root(p) || shared(p)) && p->rootfs[0] == '\0';
}

static const char *
rootless_uid(const struct plan *p, char *buf, size_t len)
{
	snprintf(buf, len, "%u", p->rootless_uid);
	return buf;
}

static const char *
way_to_root(const struct plan *p, char *buf, size_t len)
{
	(void)buf, (void)len;
	return plan_has(p, PLAN_PIVOT) ? "pivot" : "chroot";
}

static const struct rule rules[] = {
	{ rootless_without_user, rootless_uid,
	  "boxstep runs rootless (as uid %s): every namespace it makes "
	  "belongs to a user namespace of yours, so the user layer stays on. "
	  "Enable user" },
	{ rootless_shared, NULL,
	  "refusing propagation shared rootless: a mount namespace made "
	  "inside a user namespace receives every host mount as a slave, so "
	  "nothing mounted in it can reach the host, and making the rootfs a "
	  "shared mount on the host needs root. Set propagation private "
	  "(lesson 06 shows the leak as root)" },
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
	{ rootless_layer_without_mnt, way_to_root,
	  "refusing %s without mnt rootless: the session's writable layer is "
	  "an overlay that only the container may mount, in a mount namespace "
	  "of its own. Enable mnt, or `set rootfs.layer off` to use the rootfs "
	  "directory itself" },
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
