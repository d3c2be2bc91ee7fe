/* user: the layer that maps the container's root to an ordinary uid on
 * the host.
 *
 * boxstep writes the child's maps while it is held: "deny" to setgroups
 * first, which an unprivileged writer of gid_map must do and which keeps
 * the container from dropping into groups the map does not cover, then
 * uid 0..65535 inside to PLAN_USER_BASE.. outside (rootless, an ordinary
 * user may map only itself: its uid, and its gid).  Released, the child
 * becomes root in it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "base/fsutil.h"
#include "layers/layers.h"
#include "layers/oci.h"

static const char explain[] =
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
	"boxstep is root only in your session's host, whose own map is\n"
	"\"0 <your uid> 1\" (a user may map only itself): there the map is\n"
	"\"0 0 1\", the one uid that host has.";

/* The map of uids and of gids, as written to the map files. */
static void
id_map(const struct plan *p, char *buf, size_t len)
{
	/* The session's host has one uid and one gid, 0: the user's. */
	if (p->rootless)
		snprintf(buf, len, "0 0 1");
	else
		snprintf(buf, len, "0 %d %d", PLAN_USER_BASE, PLAN_USER_COUNT);
}

/* Writes TEXT to the child's /proc/PID/FILE. */
static int
write_child(const struct step_ctx *x, const char *file, const char *text,
	    const char *what, char *err, size_t errlen)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)x->pid, file);
	if (fsutil_write(path, text) < 0) {
		msg_fail(err, errlen, "write %s to %s: %s", what, path,
			 strerror(errno));
		return 125;
	}
	return 0;
}

static void
show_setgroups(struct step_out *o, const struct plan *p)
{
	(void)p;
	step_say(o, "write(\"/proc/<child>/setgroups\", \"deny\")");
}

static int
deny_setgroups(struct step_ctx *x, char *err, size_t errlen)
{
	return write_child(x, "setgroups", "deny", "\"deny\"", err, errlen);
}

static void
show_map(struct step_out *o, const struct plan *p, bool gids)
{
	char map[64];

	id_map(p, map, sizeof(map));
	step_say(o, "write(\"/proc/<child>/%s\", \"%s\")",
		 gids ? "gid_map" : "uid_map", map);
}

static int
write_map(struct step_ctx *x, bool gids, char *err, size_t errlen)
{
	char map[64];

	id_map(x->plan, map, sizeof(map));
	strcat(map, "\n");
	return write_child(x, gids ? "gid_map" : "uid_map", map, "the id map",
			   err, errlen);
}

static void
show_uid_map(struct step_out *o, const struct plan *p)
{
	show_map(o, p, false);
}

static void
show_gid_map(struct step_out *o, const struct plan *p)
{
	show_map(o, p, true);
}

static int
write_uid_map(struct step_ctx *x, char *err, size_t errlen)
{
	return write_map(x, false, err, errlen);
}

static int
write_gid_map(struct step_ctx *x, char *err, size_t errlen)
{
	return write_map(x, true, err, errlen);
}

static void
show_become_root(struct step_out *o, const struct plan *p)
{
	(void)p;
	step_say(o, "setresgid(0, 0, 0); setresuid(0, 0, 0)");
}

/* The change of credentials clears the parent-death signal, so it is
 * set again.  By system call: glibc's setresuid() would have every
 * thread of boxstep's change too, and the child may share boxstep's
 * memory (layers/core.c). */
static int
become_root(struct step_ctx *x, char *err, size_t errlen)
{
	(void)x, (void)err, (void)errlen;
	if (syscall(SYS_setresgid, 0, 0, 0) < 0 ||
	    syscall(SYS_setresuid, 0, 0, 0) < 0)
		return 125;
	prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	return 0;
}

static void
become_root_failed(const struct step_ctx *x, int e, char *err,
		   size_t errlen)
{
	(void)x;
	msg_fail(err, errlen, "become root in the new user namespace "
		 "(setresuid 0): %s", strerror(e));
}

static const struct step steps[] = {
	{ STEP_HOLDING, 30, "[user]", .show = show_setgroups,
	  .run = deny_setgroups },
	{ STEP_HOLDING, 31, "[user]", .show = show_uid_map,
	  .run = write_uid_map },
	{ STEP_HOLDING, 32, "[user]", .show = show_gid_map,
	  .run = write_gid_map },
	{ STEP_CHILD, 10, "[user]", .show = show_become_root,
	  .run = become_root, .fail = become_root_failed },
};

/* Its part of config.json: the maps the layer writes.  Rootless, those
 * are of the session's host, whose only uid is 0 (the user), and so is
 * the bundle: it is run there, by `host runc`. */
static void
oci(const struct plan *p, struct oci_doc *d)
{
	oci_namespace(d, "user");
	d->map_outside = p->rootless ? 0 : PLAN_USER_BASE;
	d->map_count = p->rootless ? 1 : PLAN_USER_COUNT;
}

const struct layer layer_user = {
	.info = {
		.name = "user",
		.summary = "its own user IDs: root inside, an ordinary uid outside",
		.kernel = "clone(CLONE_NEWUSER) + uid_map",
		.explain = explain,
	},
	.id = PLAN_USER,
	.clone_flag = CLONE_NEWUSER,
	.clone_name = "CLONE_NEWUSER",
	.steps = steps,
	.nsteps = STEP_COUNT(steps),
	.oci = oci,
};
