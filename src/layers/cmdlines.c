/* cmdlines: the plan as unshare(1) and `docker run` command lines. */
#include "layers/cmdlines.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "base/capnames.h"
#include "base/msg.h"
#include "base/text.h"
#include "layers/layers.h"

/* Per layer: unshare's option when it is on (NULL: unshare cannot), and
 * docker's when it is on and when it is off ("": Docker's default;
 * NULL: Docker cannot). */
static const struct tool_options {
	const char *unshare, *docker_on, *docker_off;
} options[PLAN_NLAYERS] = {
	[PLAN_UTS] = { "--uts", "", "--uts=host" },
	[PLAN_PID] = { "--pid --fork", "", "--pid=host" },
	[PLAN_MNT] = { "--mount", "", NULL },
	/* Docker always pivots: chroot is what it cannot do */
	[PLAN_CHROOT] = { "--root=ROOT", NULL, "" },
	[PLAN_PROC] = { "--mount-proc", "", NULL },
	[PLAN_PIDS] = { NULL, "--pids-limit=N", "" },
	[PLAN_MEMORY] = { NULL, "--memory=N", "" },
	[PLAN_CPU] = { NULL, "--cpus=N", "" },
	[PLAN_IPC] = { "--ipc", "", "--ipc=host" },
	[PLAN_NET] = { "--net", "--network=none", "--network=host" },
	[PLAN_CGROUPNS] = { "--cgroup", "--cgroupns=private", "--cgroupns=host" },
	[PLAN_PIVOT] = { NULL, "", "" },
	[PLAN_USER] = { "--user --map-users=100000,0,65536 "
			"--map-groups=100000,0,65536", NULL, "" },
	[PLAN_CAPS] = { NULL, "", "--cap-add=ALL" },
	[PLAN_NONEWPRIVS] = { NULL, "--security-opt=no-new-privileges", "" },
	[PLAN_SECCOMP] = { NULL, "", "--security-opt=seccomp=unconfined" },
	[PLAN_DEV] = { NULL, "", NULL },
	[PLAN_MASKS] = { NULL, "", "--security-opt=systempaths=unconfined" },
	[PLAN_TIME] = { "--time --monotonic=S --boottime=S", NULL, "" },
};

/* OPT with its placeholder (ROOT, N, S) filled in from the plan. */
static void
option(struct msg_text *t, int layer, const char *opt, const struct plan *p)
{
	char size[32], root[TEXT_SHELL_WORD_MAX];

	if (layer == PLAN_CHROOT)
		msg_append(t, " --root=%s",
			   text_shell_word(p->rootfs, root, sizeof(root)));
	else if (layer == PLAN_TIME)
		msg_append(t, " --time --monotonic=%lld --boottime=%lld",
			   p->time_offset, p->time_offset);
	else if (layer == PLAN_PIDS && p->pids_max >= 0)
		msg_append(t, " --pids-limit=%ld", p->pids_max);
	else if (layer == PLAN_MEMORY && p->memory_max >= 0) {
		plan_format_size(p->memory_max, size, sizeof(size));
		msg_append(t, " --memory=%s", size);
	} else if (layer == PLAN_CPU && p->cpu_max >= 0)
		msg_append(t, " --cpus=%ld.%02ld", p->cpu_max / 100,
			   p->cpu_max % 100);
	else if (layer != PLAN_MEMORY && layer != PLAN_CPU &&
		 layer != PLAN_PIDS)
		msg_append(t, " %s", opt);
}

/* The layers that are on and cannot be said, after WHO. */
static void
cannot(struct msg_text *t, const struct plan *p, const char *who,
       bool docker)
{
	int n = 0;

	for (int i = 0; i < PLAN_NLAYERS; i++) {
		const struct tool_options *o = &options[i];
		bool on = plan_has(p, i);
		const char *opt = docker ? (on ? o->docker_on : o->docker_off) :
				  (on ? o->unshare : "");

		if (!opt)
			msg_append(t, "%s %s%s", n++ ? "," : who,
				   plan_layer_info(i)->name, on ? "" : " off");
	}
	msg_append(t, "\n");
}

int
plan_unshare_line(const struct plan *p, char *buf, size_t len)
{
	struct msg_text t = { buf, len, 0 };

	if (len)
		buf[0] = '\0';
	msg_append(&t, "unshare");
	for (int i = 0; i < PLAN_NLAYERS; i++)
		if (plan_has(p, i) && options[i].unshare)
			option(&t, i, options[i].unshare, p);
	if (plan_has(p, PLAN_MNT))
		msg_append(&t, " --propagation=%s", p->propagation ==
			   PLAN_PROP_SHARED ? "shared" : "private");
	msg_append(&t, " sh");
	if (plan_has(p, PLAN_UTS))
		msg_append(&t, "\n# then, inside: hostname %s", p->hostname);
	cannot(&t, p, "\n# unshare(1) has no option for:", false);
	return t.used;
}

int
plan_docker_line(const struct plan *p, char *buf, size_t len)
{
	struct msg_text t = { buf, len, 0 };
	char name[48];

	if (len)
		buf[0] = '\0';
	msg_append(&t, "docker run --rm -it");
	if (plan_has(p, PLAN_UTS))
		msg_append(&t, " --hostname=%s", p->hostname);
	for (int i = 0; i < PLAN_NLAYERS; i++) {
		const char *opt = plan_has(p, i) ? options[i].docker_on :
				  options[i].docker_off;

		if (opt && opt[0])
			option(&t, i, opt, p);
	}
	if (plan_has(p, PLAN_CAPS))
		for (int c = 0; c < 64; c++)
			if ((p->caps ^ CAPS_DOCKER_DEFAULT) & CAPS_BIT(c))
				msg_append(&t, " --cap-%s=%s", p->caps &
					   CAPS_BIT(c) ? "add" : "drop",
					   caps_name(c, name, sizeof(name)));
	msg_append(&t, " busybox sh");
	cannot(&t, p, "\n# docker run has no option for:", true);
	return t.used;
}
