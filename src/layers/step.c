/* step: the lines the steps of a plan print in `show`. */
#include "layers/step.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

const char *
step_who(enum step_phase phase)
{
	return phase == STEP_CHILD ? "child" : "boxstep";
}

bool
step_uses_layer(const struct plan *p)
{
	return plan_new_root(p) && p->rootfs_layer;
}

const char *
step_show_layer_dir(const struct plan *p)
{
	return p->rootless ? PLAN_USER_LAYER_DIR : PLAN_LAYER_DIR;
}

int
step_kernel_has(int (*has)(char *err, size_t errlen), const char *layer,
		char *err, size_t errlen)
{
	if (has(err, errlen) == 0)
		return 0;
	snprintf(err + strlen(err), errlen - strlen(err), "; disable %s",
		 layer);
	return 125;
}

const char *
step_show_root(const struct plan *p)
{
	if (!step_uses_layer(p))
		return p->rootfs;
	return p->rootless ? PLAN_USER_LAYER_ROOT : PLAN_LAYER_ROOT;
}

static void
say(struct step_out *o, const char *tag, const char *fmt, va_list ap)
{
	char call[3 * PATH_MAX + 128];

	vsnprintf(call, sizeof(call), fmt, ap);
	msg_append(o->text, "  %-7s %-58s %s\n", step_who(o->step->phase),
		   call, tag);
}

void
step_say(struct step_out *o, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	say(o, o->step->tag ? o->step->tag : "", fmt, ap);
	va_end(ap);
}

void
step_say_as(struct step_out *o, const char *tag, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	say(o, tag, fmt, ap);
	va_end(ap);
}

void
step_describe(const struct step_list *list, const struct plan *plan,
	      const struct plan_cgroups *cg, struct msg_text *t)
{
	for (size_t i = 0; i < list->n; i++) {
		struct step_out o = { t, list->step[i], cg };

		if (list->step[i]->show)
			list->step[i]->show(&o, plan);
	}
}
