/* Unit tests for the progress file: parsing (forgiving), formatting
 * (round trip), and load/save in a scratch state directory. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lessons/progress.h"

static void
test_parse(void **state)
{
	struct progress p = { 0 };
	const struct progress_entry *e;

	(void)state;
	assert_int_equal(progress_parse("# a comment\n\n02-uts 3 1,2\n"
					"07-cgroups 1 -\n", &p), 0);
	assert_int_equal(p.n, 2);
	e = progress_get(&p, "02-uts", false);
	assert_non_null(e);
	assert_int_equal(e->step, 3);
	assert_int_equal(e->done, 3);
	assert_int_equal(progress_count_done(e, 5), 2);
	e = progress_get(&p, "07-cgroups", false);
	assert_int_equal(e->done, 0);
	assert_null(progress_get(&p, "99-none", false));
	progress_free(&p);
}

static void
test_parse_skips_bad_lines(void **state)
{
	struct progress p = { 0 };

	(void)state;
	/* Each bad line is skipped and counted; the good one stays. */
	assert_int_equal(progress_parse("02-uts\n"         /* no step */
					"02-uts x -\n"     /* not a number */
					"02-uts 0 -\n"     /* steps start at 1 */
					"02-uts 2 1,,2\n"  /* empty step */
					"02-uts 2 65\n"    /* beyond the limit */
					"02-uts 2 - extra\n"
					"03-pid 2 1\n", &p), 6);
	assert_int_equal(p.n, 1);
	assert_string_equal(p.e[0].id, "03-pid");
	progress_free(&p);
}

static void
test_round_trip(void **state)
{
	struct progress p = { 0 }, q = { 0 };
	struct progress_entry *e;
	char *text, *again;

	(void)state;
	e = progress_get(&p, "04-chroot", true);
	assert_non_null(e);
	assert_int_equal(e->step, 1);
	e->step = 4;
	e->done = (uint64_t)1 << 0 | (uint64_t)1 << 2 | (uint64_t)1 << 63;
	progress_get(&p, "01-plain-process", true);
	text = progress_format(&p);
	assert_non_null(strstr(text, "04-chroot 4 1,3,64\n"));
	assert_non_null(strstr(text, "01-plain-process 1 -\n"));
	progress_parse(text, &q);
	again = progress_format(&q);
	assert_string_equal(text, again);
	progress_forget(&q, "04-chroot");
	assert_int_equal(q.n, 1);
	assert_null(progress_get(&q, "04-chroot", false));
	free(text);
	free(again);
	progress_free(&p);
	progress_free(&q);
}

static void
test_load_save(void **state)
{
	char dir[] = "/tmp/boxstep-progress-XXXXXX", path[4200], *cwd;
	struct progress p = { 0 }, q = { 0 };

	(void)state;
	assert_non_null(mkdtemp(dir));
	setenv("XDG_STATE_HOME", dir, 1);
	assert_int_equal(progress_path(path, sizeof(path)), 0);
	cwd = strstr(path, "/boxstep/progress");
	assert_non_null(cwd);
	/* A missing file is no progress, not an error. */
	assert_int_equal(progress_load(&p, path), 0);
	assert_int_equal(p.n, 0);
	progress_get(&p, "02-uts", true)->step = 2;
	assert_int_equal(progress_save(&p, path), 0);
	assert_int_equal(progress_load(&q, path), 0);
	assert_int_equal(q.n, 1);
	assert_int_equal(q.e[0].step, 2);
	progress_free(&p);
	progress_free(&q);
	unlink(path);
	snprintf(path, sizeof(path), "%s/boxstep", dir);
	rmdir(path);
	rmdir(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_parse_skips_bad_lines),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_load_save),
	};

	return cmocka_run_group_tests_name("progress", tests, NULL, NULL);
}
