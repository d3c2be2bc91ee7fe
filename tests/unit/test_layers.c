/* Unit tests for the layer table and the steps: every layer in its
 * place, the steps of a plan in one order, the settings table whole. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "layers/layers.h"

static void
table_in_the_order_of_enum(void **state)
{
	size_t n = 0;

	(void)state;
	for (int i = 0; i < PLAN_NLAYERS; i++) {
		const struct layer *l = layer_at(i);

		assert_non_null(l);
		assert_int_equal(l->id, i);
		assert_ptr_equal(plan_layer_info(i), &l->info);
		assert_non_null(l->info.explain);
		assert_true(!l->clone_flag == !l->clone_name);
	}
	for (size_t i = PLAN_NLAYERS; layer_at(i); i++, n++) {
		assert_int_equal(layer_at(i)->id, -1);
		assert_non_null(layer_at(i)->on);
	}
	assert_int_equal(n, 3);
}

/* No two steps of a phase share a place, so their order is the one
 * their AT gives; a step the child makes and may fail names why. */
static void
steps_have_places_of_their_own(void **state)
{
	const struct layer *a, *b;

	(void)state;
	for (size_t i = 0; (a = layer_at(i)) != NULL; i++)
		for (size_t k = 0; k < a->nsteps; k++) {
			const struct step *s = &a->steps[k];

			assert_true(s->phase < STEP_NPHASES);
			assert_true(s->show || s->run);
			for (size_t j = 0; (b = layer_at(j)) != NULL; j++)
				for (size_t m = 0; m < b->nsteps; m++) {
					const struct step *t = &b->steps[m];

					if (t != s && t->phase == s->phase &&
					    t->at == s->at)
						fail_msg("%s and %s share place %d "
							 "of phase %d", a->info.name,
							 b->info.name, s->at,
							 s->phase);
				}
		}
}

static size_t
find(const struct step_list *list, const char *tag, size_t from)
{
	for (size_t i = from; i < list->n; i++)
		if (list->step[i]->tag && strcmp(list->step[i]->tag, tag) == 0)
			return i;
	return (size_t)-1;
}

static void
proc_goes_between_the_pivot_steps(void **state)
{
	struct plan p;
	struct step_list list;
	size_t bind, proc, pivot;

	(void)state;
	plan_init(&p, "/srv/rootfs");
	plan_enable(&p, PLAN_MNT);
	plan_enable(&p, PLAN_PIVOT);
	plan_enable(&p, PLAN_PROC);
	step_list_make(&p, &list);
	bind = find(&list, "[pivot]", 0);
	proc = find(&list, "[proc, before the pivot]", 0);
	pivot = find(&list, "[pivot]", bind + 2);
	assert_true(bind < proc && proc < pivot && pivot != (size_t)-1);
	assert_int_equal(find(&list, "[proc]", 0), (size_t)-1);
	for (size_t i = 1; i < list.n; i++)
		assert_true(list.step[i - 1]->phase <= list.step[i]->phase);
}

static void
every_layer_fits_the_list(void **state)
{
	struct plan p;
	struct step_list list;
	size_t total = 0;
	const struct layer *l;

	(void)state;
	for (size_t i = 0; (l = layer_at(i)) != NULL; i++)
		total += l->nsteps;
	assert_true(total <= STEP_MAX);
	plan_init(&p, "/srv/rootfs");
	p.layers = (1u << PLAN_NLAYERS) - 1;
	step_list_make(&p, &list);
	assert_true(list.n > 20);
	assert_int_equal(find(&list, "[cgroupns]", 0) > find(&list, "[user]",
			 find(&list, "[release the child]", 0)), 1);
}

static void
clone_flags_come_from_the_layers(void **state)
{
	struct plan p;
	char text[128];

	(void)state;
	plan_init(&p, NULL);
	p.layers = (1u << PLAN_NLAYERS) - 1;
	assert_int_equal(plan_clone_flags(&p), SIGCHLD | CLONE_NEWUTS |
			 CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWIPC |
			 CLONE_NEWNET | CLONE_NEWUSER);
	plan_format_clone_flags(plan_clone_flags(&p), text, sizeof(text));
	assert_string_equal(text, "CLONE_NEWUTS|CLONE_NEWPID|CLONE_NEWNS|"
			    "CLONE_NEWIPC|CLONE_NEWNET|CLONE_NEWUSER|SIGCHLD");
}

static void
settings_table_is_whole(void **state)
{
	struct plan p;
	char value[256], err[256];

	(void)state;
	plan_init(&p, "/srv/rootfs");
	for (const struct plan_key_info *k = plan_keys(); k->name; k++) {
		assert_non_null(k->parse);
		assert_non_null(k->format);
		assert_non_null(k->help);
		assert_true(k->needs >= -1 && k->needs < PLAN_NLAYERS);
		/* what it prints, it reads back */
		assert_int_equal(plan_get(&p, k->name, value, sizeof(value)), 0);
		assert_int_equal(plan_set(&p, k->name, value, err, sizeof(err)),
				 0);
	}
	assert_int_equal(plan_key_lookup("hostname")->needs, PLAN_UTS);
	assert_int_equal(plan_key_lookup("rootfs.layer")->needs, -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(table_in_the_order_of_enum),
		cmocka_unit_test(steps_have_places_of_their_own),
		cmocka_unit_test(proc_goes_between_the_pivot_steps),
		cmocka_unit_test(every_layer_fits_the_list),
		cmocka_unit_test(clone_flags_come_from_the_layers),
		cmocka_unit_test(settings_table_is_whole),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
