/* child: a container's child, from its clone to its command. */
#define _GNU_SOURCE
#include "engine/child.h"

#include <errno.h>
#include <unistd.h>

static void __attribute__((noreturn))
child_fail(const struct step_ctx *x, const struct step *s, int code)
{
	struct step_report r = { (int)x->index, errno };

	if (s->fail && write(x->report[1], &r, sizeof(r)) < 0) {
		/* the parent is gone; nothing to tell */
	}
	_exit(code);
}

void
child_main(struct step_ctx *x)
{
	const struct step_list *list = x->list;

	for (size_t i = 0; i < list->n; i++) {
		const struct step *s = list->step[i];
		int code;

		if (s->phase != STEP_CHILD || !s->run)
			continue;
		x->index = i;
		code = s->run(x, NULL, 0);
		if (code)
			child_fail(x, s, code);
	}
	_exit(125); /* the last step execs, or fails */
}
