/* nonewprivs: the layer that sets the container's no_new_privs bit, so
 * that no exec in it can gain privileges: a setuid program runs as its
 * caller, and file capabilities are not granted. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>

#include "layers/layers.h"
#include "layers/oci.h"

static const char explain[] =
	"A setuid-root program (su, passwd, ping on old systems) runs as root\n"
	"whoever starts it: the exec raises its privileges.  The no_new_privs\n"
	"bit, set with prctl(PR_SET_NO_NEW_PRIVS), stops that for the process\n"
	"and everything it starts, for good: execve() then ignores the setuid\n"
	"and setgid bits and file capabilities.  It is also what lets an\n"
	"unprivileged process install a seccomp filter.  Docker sets it with\n"
	"--security-opt no-new-privileges; runc with \"noNewPrivileges\".\n"
	"Look for: NoNewPrivs in the host view; as an ordinary user inside,\n"
	"`run su -s /bin/sh nobody -c /usr/local/bin/suidroot` says who it\n"
	"runs as, with the layer on and off.";

static void
show_set(struct step_out *o, const struct plan *p)
{
	(void)p;
	step_say(o, "prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)");
}

static int
set_bit(struct step_ctx *x, char *err, size_t errlen)
{
	(void)x, (void)err, (void)errlen;
	return prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ? 125 : 0;
}

static void
set_failed(const struct step_ctx *x, int e, char *err, size_t errlen)
{
	(void)x;
	msg_fail(err, errlen, "prctl(PR_SET_NO_NEW_PRIVS) in the container: "
		 "%s", strerror(e));
}

static const struct step steps[] = {
	{ STEP_CHILD, 108, "[nonewprivs]", .show = show_set, .run = set_bit,
	  .fail = set_failed },
};

/* Its part of config.json. */
static void
oci(const struct plan *p, struct oci_doc *d)
{
	(void)p;
	d->no_new_privs = true;
}

const struct layer layer_nonewprivs = {
	.info = {
		.name = "nonewprivs",
		.summary = "no exec gains privileges (setuid is ignored)",
		.kernel = "prctl(PR_SET_NO_NEW_PRIVS)",
		.explain = explain,
	},
	.id = PLAN_NONEWPRIVS,
	.steps = steps,
	.nsteps = STEP_COUNT(steps),
	.oci = oci,
};
