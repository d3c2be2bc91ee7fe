/* plan: which layers are on, and what `show` says `run` will do.
 *
 * The layers themselves are in the files of layers/ (the table in
 * layers.c); the settings in settings.c, the rules between layers in
 * rules.c.
 */
#define _GNU_SOURCE
#include "layers/plan.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "base/msg.h"
#include "layers/layers.h"

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
	static char names[128];

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
