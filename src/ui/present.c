/* present: what each key of the presenter types. */
#include "ui/present.h"

#include <string.h>

void
present_init(struct present *p, const struct lesson *l)
{
	memset(p, 0, sizeof(*p));
	p->l = l;
}

static const char *
command(const struct present *p)
{
	const struct lesson_step *s = &p->l->steps[p->step];

	return p->cmd < s->ncommands ? s->commands[p->cmd] : NULL;
}

bool
present_mid_command(const struct present *p)
{
	return command(p) && p->typed > 0;
}

static struct present_action
next_step(struct present *p)
{
	struct present_action a = { PRESENT_NOTHING, NULL, 0 };

	if (p->step + 1 >= p->l->nsteps)
		return a;
	p->step++;
	p->cmd = 0;
	p->typed = 0;
	a.what = PRESENT_STEP;
	return a;
}

struct present_action
present_space(struct present *p)
{
	struct present_action a = { PRESENT_TYPE, NULL, 0 };
	const char *c = command(p);
	size_t len, end;

	if (!c)
		return next_step(p);
	len = strlen(c);
	if (p->typed >= len) {
		/* Typed out: Enter runs it.  Space waits. */
		a.what = PRESENT_NOTHING;
		return a;
	}
	/* A word, and the blanks that follow it. */
	end = p->typed;
	while (end < len && c[end] == ' ')
		end++;
	while (end < len && c[end] != ' ')
		end++;
	while (end < len && c[end] == ' ')
		end++;
	a.bytes = c + p->typed;
	a.len = end - p->typed;
	p->typed = end;
	return a;
}

struct present_action
present_enter(struct present *p)
{
	struct present_action a = { PRESENT_RUN, NULL, 0 };
	const char *c = command(p);

	if (!c)
		return next_step(p);
	a.bytes = c + p->typed;
	a.len = strlen(c) - p->typed;
	p->cmd++;
	p->typed = 0;
	return a;
}

bool
present_back(struct present *p)
{
	if (p->step == 0)
		return false;
	p->step--;
	p->cmd = 0;
	p->typed = 0;
	return true;
}
