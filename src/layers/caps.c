/* caps: the layer that takes from the container's root every capability
 * but those the plan keeps (Docker's 14 by default): out of the bounding
 * set first, so that no exec can bring them back, then out of the
 * permitted, effective, inheritable and ambient sets.  libcap makes the
 * calls. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>

#include "base/capnames.h"
#include "layers/layers.h"
#include "layers/oci.h"

static const char explain[] =
	"Root's power is not one switch but about forty capabilities:\n"
	"CAP_SYS_ADMIN to mount, CAP_SYS_MODULE to load kernel modules,\n"
	"CAP_SYS_CHROOT to chroot, CAP_NET_ADMIN to change the network...\n"
	"(capabilities(7)).  The kernel checks the effective set; the bounding\n"
	"set is the most that any exec can ever give back.  The caps layer drops\n"
	"from the bounding set every capability the plan does not keep, then\n"
	"sets the permitted and effective sets to what is kept and clears the\n"
	"inheritable and ambient ones.  uid 0 inside stays uid 0, but `mount`\n"
	"fails with EPERM.  Docker keeps 14: CHOWN DAC_OVERRIDE FSETID FOWNER\n"
	"MKNOD NET_RAW SETGID SETUID SETFCAP SETPCAP NET_BIND_SERVICE SYS_CHROOT\n"
	"KILL AUDIT_WRITE.  `set caps -SYS_CHROOT` drops one more and `set caps\n"
	"+SYS_ADMIN` adds one, as --cap-drop and --cap-add do.\n"
	"Look for: CapEff and CapBnd in the host view, or\n"
	"`host grep Cap /proc/$BOXPID/status` (`capsh --decode=HEX` names them).";

static int
dropped(const struct plan *p)
{
	return caps_size(caps_all() & ~p->caps);
}

/* NAMES (space-separated) on lines of their own, a few at a time. */
static void
say_names(struct step_out *o, const char *names)
{
	for (const char *p = names; *p;) {
		int n = 0;

		/* about 44 characters, cut at a space */
		while (p[n] && (n < 44 || p[n] != ' '))
			n++;
		step_say(o, "  %.*s", n, p);
		p += n + (p[n] == ' ');
	}
}

static void
show_bounding(struct step_out *o, const struct plan *p)
{
	char names[1024];

	if (dropped(p) == 0) {
		step_say(o, "(the bounding set keeps all %d)", caps_count());
		return;
	}
	caps_format(caps_all() & ~p->caps, " ", names, sizeof(names));
	step_say(o, "prctl(PR_CAPBSET_DROP, CAP_...) for the %d it does not "
		 "keep:", dropped(p));
	say_names(o, names);
}

static void
show_sets(struct step_out *o, const struct plan *p)
{
	char names[1024];

	caps_format(p->caps, " ", names, sizeof(names));
	step_say(o, "capset(): permitted = effective = the %d kept, "
		 "inheritable and ambient empty:", caps_size(p->caps));
	say_names(o, names[0] ? names : "(none)");
}

/* Out of the bounding set: needs CAP_SETPCAP, so before the sets. */
static int
drop_bounding(struct step_ctx *x, char *err, size_t errlen)
{
	(void)err, (void)errlen;
	for (int c = 0; c < caps_count(); c++)
		if (!(x->plan->caps & CAPS_BIT(c)) && cap_drop_bound(c) < 0)
			return 125;
	return 0;
}

static int
set_sets(struct step_ctx *x, char *err, size_t errlen)
{
	cap_t caps = cap_init();
	int r = 0, e;

	(void)err, (void)errlen;
	if (!caps)
		return 125;
	/* what is kept and still bounded (a host may lack some) */
	for (cap_value_t c = 0; c < caps_count(); c++)
		if ((x->plan->caps & CAPS_BIT(c)) && cap_get_bound(c) > 0 &&
		    (cap_set_flag(caps, CAP_PERMITTED, 1, &c, CAP_SET) < 0 ||
		     cap_set_flag(caps, CAP_EFFECTIVE, 1, &c, CAP_SET) < 0))
			r = 125;
	if (r == 0 && (cap_reset_ambient() < 0 || cap_set_proc(caps) < 0))
		r = 125;
	e = errno;
	cap_free(caps);
	errno = e;
	return r;
}

static void
bounding_failed(const struct step_ctx *x, int e, char *err, size_t errlen)
{
	(void)x;
	msg_fail(err, errlen, "prctl(PR_CAPBSET_DROP) in the container: %s%s",
		 strerror(e), e == EPERM ? " (it needs CAP_SETPCAP, which "
		 "root has unless something dropped it before)" : "");
}

static void
sets_failed(const struct step_ctx *x, int e, char *err, size_t errlen)
{
	(void)x;
	msg_fail(err, errlen, "capset() in the container: %s", strerror(e));
}

static const struct step steps[] = {
	{ STEP_CHILD, 106, "[caps]", .show = show_bounding,
	  .run = drop_bounding, .fail = bounding_failed },
	{ STEP_CHILD, 107, "[caps]", .show = show_sets, .run = set_sets,
	  .fail = sets_failed, .own_memory = true },
};

/* Its part of config.json. */
static void
oci(const struct plan *p, struct oci_doc *d)
{
	d->caps = p->caps;
}

const struct layer layer_caps = {
	.info = {
		.name = "caps",
		.summary = "root with only Docker's 14 capabilities",
		.kernel = "prctl(PR_CAPBSET_DROP), capset()",
		.explain = explain,
	},
	.id = PLAN_CAPS,
	.steps = steps,
	.nsteps = STEP_COUNT(steps),
	.oci = oci,
};
