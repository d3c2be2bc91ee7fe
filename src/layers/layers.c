/* layers: the table of layers, in the order of the story, and what it
 * says of a plan: its steps, its clone(2) flags, its `show`. */
#define _GNU_SOURCE
#include "layers/layers.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "base/msg.h"

static const struct layer *const table[] = {
	[PLAN_UTS] = &layer_uts,
	[PLAN_PID] = &layer_pid,
	[PLAN_MNT] = &layer_mnt,
	[PLAN_CHROOT] = &layer_chroot,
	[PLAN_PROC] = &layer_proc,
	[PLAN_PIDS] = &layer_pids,
	[PLAN_MEMORY] = &layer_memory,
	[PLAN_CPU] = &layer_cpu,
	[PLAN_IPC] = &layer_ipc,
	[PLAN_NET] = &layer_net,
	[PLAN_CGROUPNS] = &layer_cgroupns,
	[PLAN_PIVOT] = &layer_pivot,
	[PLAN_USER] = &layer_user,
	[PLAN_CAPS] = &layer_caps,
	[PLAN_NONEWPRIVS] = &layer_nonewprivs,
	[PLAN_SECCOMP] = &layer_seccomp,
	[PLAN_DEV] = &layer_dev,
	[PLAN_MASKS] = &layer_masks,
	[PLAN_TIME] = &layer_time,
	/* not a learner's */
	&layer_core,
	&layer_rootfs,
	&layer_cgroup,
};

_Static_assert(sizeof(table) / sizeof(table[0]) == PLAN_NLAYERS + 3,
	       "a layer of enum plan_layer without its line in the table");

const struct layer *
layer_at(size_t i)
{
	return i < sizeof(table) / sizeof(table[0]) ? table[i] : NULL;
}

bool
layer_on(const struct layer *l, const struct plan *plan)
{
	return l->id >= 0 ? plan_has(plan, l->id) : l->on(plan);
}

static bool
makes(const struct layer *l, const struct step *s, const struct plan *p)
{
	return layer_on(l, p) != s->off && (!s->when || s->when(p));
}

static bool
before(const struct step *a, const struct step *b)
{
	return a->phase < b->phase || (a->phase == b->phase && a->at < b->at);
}

void
step_list_make(const struct plan *plan, struct step_list *list)
{
	const struct layer *l;

	list->n = 0;
	for (size_t i = 0; (l = layer_at(i)) != NULL; i++)
		for (size_t k = 0; k < l->nsteps; k++) {
			const struct step *s = &l->steps[k];
			size_t at = list->n;

			if (!makes(l, s, plan) || list->n == STEP_MAX)
				continue;
			/* insertion: the lists are short */
			while (at > 0 && before(s, list->step[at - 1])) {
				list->step[at] = list->step[at - 1];
				at--;
			}
			list->step[at] = s;
			list->n++;
		}
}

const struct plan_layer_info *
plan_layer_info(enum plan_layer layer)
{
	if ((int)layer < 0 || layer >= PLAN_NLAYERS)
		return NULL;
	return &layer_at(layer)->info;
}

const char *
plan_layer_names(void)
{
	static char names[256];

	if (!names[0])
		for (int i = 0; i < PLAN_NLAYERS; i++)
			snprintf(names + strlen(names),
				 sizeof(names) - strlen(names), "%s%s",
				 i ? " " : "", layer_at(i)->info.name);
	return names;
}

int
plan_layer_lookup(const char *name)
{
	for (int i = 0; i < PLAN_NLAYERS; i++)
		if (strcmp(layer_at(i)->info.name, name) == 0)
			return i;
	return -1;
}

unsigned long
plan_clone_flags(const struct plan *plan)
{
	unsigned long flags = SIGCHLD;

	for (int i = 0; i < PLAN_NLAYERS; i++)
		if (plan_has(plan, i))
			flags |= layer_at(i)->clone_flag;
	return flags;
}

int
plan_format_clone_flags(unsigned long flags, char *buf, size_t len)
{
	char text[128] = "";

	for (int i = 0; i < PLAN_NLAYERS; i++) {
		const struct layer *l = layer_at(i);

		if (l->clone_flag && (flags & l->clone_flag))
			snprintf(text + strlen(text), sizeof(text) - strlen(text),
				 "%s|", l->clone_name);
	}
	if ((flags & 0xff) == SIGCHLD)
		strcat(text, "SIGCHLD");
	else if (text[0])
		text[strlen(text) - 1] = '\0';
	return snprintf(buf, len, "%s", text);
}

int
plan_describe(const struct plan *plan, const struct plan_cgroups *cg,
	      char *buf, size_t len)
{
	struct msg_text t = { buf, len, 0 };
	char value[PATH_MAX];
	char err[512];
	bool any_off = false;
	struct step_list list;

	if (len)
		buf[0] = '\0';
	msg_append(&t, "layers on: ");
	if (plan->layers == 0)
		msg_append(&t, "(none: `run` starts an ordinary process)");
	for (int i = 0; i < PLAN_NLAYERS; i++)
		if (plan_has(plan, i))
			msg_append(&t, "%s ", layer_at(i)->info.name);
	msg_append(&t, "\nlayers off:");
	for (int i = 0; i < PLAN_NLAYERS; i++)
		if (!plan_has(plan, i)) {
			msg_append(&t, " %s", layer_at(i)->info.name);
			any_off = true;
		}
	if (!any_off)
		msg_append(&t, " (none)");
	msg_append(&t, "\nsettings:\n");
	for (const struct plan_key_info *k = plan_keys(); k->name; k++) {
		plan_get(plan, k->name, value, sizeof(value));
		msg_append(&t, "  %-12s %s\n", k->name, value);
	}
	if (plan_check(plan, err, sizeof(err)) != 0) {
		msg_append(&t, "\n`run` would refuse: %s.\n", err);
		return t.used;
	}
	step_list_make(plan, &list);
	msg_append(&t, "\n`run CMD` will make these calls, in this order:\n");
	step_describe(&list, plan, cg, &t);
	return t.used;
}
