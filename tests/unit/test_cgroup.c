/* Unit tests for cgroup over the fixture trees in tests/fixtures/.
#define _GNU_SOURCE
 *
 * Each test copies a fixture into a fresh temporary directory, so writes
 * land there.  kill(2), mkdir(2) and rmdir(2) are wrapped: kill never
 * reaches a real process, and the failure branches can be forced. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgroup.h"
#include "fsutil.h"

#ifndef FIXTURES
#define FIXTURES "tests/fixtures"
#endif

/* --- wrapped libc ---------------------------------------------------- */

int __real_mkdir(const char *path, mode_t mode);
int __real_rmdir(const char *path);

static int mkdir_fail_errno;    /* non-zero: mkdir fails with it */
static int rmdir_busy_times;    /* rmdir says EBUSY this many times */
static int rmdir_calls;
static char kill_procs_file[PATH_MAX]; /* emptied when kill is called */
static pid_t killed[16];
static int nkilled;

int
__wrap_kill(pid_t pid, int sig)
{
	assert_int_equal(sig, SIGKILL);
	if (nkilled < 16)
		killed[nkilled++] = pid;
	/* The kernel would take the process out of the group. */
	if (kill_procs_file[0])
		fsutil_write(kill_procs_file, "");
	return 0;
}

int
__wrap_mkdir(const char *path, mode_t mode)
{
	if (mkdir_fail_errno) {
		errno = mkdir_fail_errno;
		return -1;
	}
	return __real_mkdir(path, mode);
}

/* cgroupfs removes a group with its interface files; a fixture directory
 * holds real files, so remove those first. */
int
__wrap_rmdir(const char *path)
{
	char cmd[PATH_MAX + 64];

	rmdir_calls++;
	if (rmdir_busy_times > 0) {
		rmdir_busy_times--;
		errno = EBUSY;
		return -1;
	}
	snprintf(cmd, sizeof(cmd), "find '%s' -maxdepth 1 -type f -delete "
		 "2>/dev/null", path);
	if (system(cmd) != 0)
		return -1;
	return __real_rmdir(path);
}

/* --- fixture handling ------------------------------------------------ */

static char tmp[PATH_MAX];

static const char *
copy_fixture(const char *name)
{
	char cmd[PATH_MAX * 2];

	snprintf(tmp, sizeof(tmp), "/tmp/boxstep-test-cgroup.XXXXXX");
	assert_non_null(mkdtemp(tmp));
	snprintf(cmd, sizeof(cmd), "cp -a %s/%s/. %s/", FIXTURES, name, tmp);
	assert_int_equal(system(cmd), 0);
	return tmp;
}

static int
setup(void **state)
{
	(void)state;
	mkdir_fail_errno = 0;
	rmdir_busy_times = 0;
	rmdir_calls = 0;
	kill_procs_file[0] = '\0';
	nkilled = 0;
	tmp[0] = '\0';
	return 0;
}

static int
teardown(void **state)
{
	char cmd[PATH_MAX + 16];

	(void)state;
	if (tmp[0] && strncmp(tmp, "/tmp/boxstep-test-", 18) == 0) {
		snprintf(cmd, sizeof(cmd), "rm -rf %s", tmp);
		assert_int_equal(system(cmd), 0);
	}
	return 0;
}

static void
put(const char *dir, const char *file, const char *text)
{
	char path[PATH_MAX];

	assert_int_equal(fsutil_join(path, sizeof(path), dir, file), 0);
	assert_int_equal(fsutil_write(path, text), 0);
}

static void
assert_file(const char *dir, const char *file, const char *want)
{
	char path[PATH_MAX], buf[256];

	assert_int_equal(fsutil_join(path, sizeof(path), dir, file), 0);
	assert_true(fsutil_read(path, buf, sizeof(buf)) >= 0);
	assert_string_equal(buf, want);
}

/* --- detect ---------------------------------------------------------- */

static void
detect_v1(void **state)
{
	struct cgroup_ctx ctx;
	char err[512] = "", want[PATH_MAX];
	const char *root = copy_fixture("cgroup-v1");

	(void)state;
	assert_int_equal(cgroup_detect(&ctx, root, err, sizeof(err)), 0);
	assert_int_equal(ctx.version, CGROUP_V1);
	snprintf(want, sizeof(want), "%s/pids/boxstep", root);
	assert_string_equal(ctx.dir, want);
	assert_string_equal(cgroup_version_name(&ctx), "v1");
}

static void
detect_v2(void **state)
{
	struct cgroup_ctx ctx;
	char err[512] = "", want[PATH_MAX];
	const char *root = copy_fixture("cgroup-v2");

	(void)state;
	assert_int_equal(cgroup_detect(&ctx, root, err, sizeof(err)), 0);
	assert_int_equal(ctx.version, CGROUP_V2);
	assert_string_equal(ctx.hier, root);
	snprintf(want, sizeof(want), "%s/boxstep", root);
	assert_string_equal(ctx.dir, want);
}

static void
detect_hybrid_unified(void **state)
{
	struct cgroup_ctx ctx;
	char err[512] = "", want[PATH_MAX];
	const char *root = copy_fixture("cgroup-hybrid");

	(void)state;
	assert_int_equal(cgroup_detect(&ctx, root, err, sizeof(err)), 0);
	assert_int_equal(ctx.version, CGROUP_V2);
	snprintf(want, sizeof(want), "%s/unified", root);
	assert_string_equal(ctx.hier, want);
}

static void
detect_v2_without_pids(void **state)
{
	struct cgroup_ctx ctx;
	char err[512] = "";
	const char *root = copy_fixture("cgroup-v2-nopids");

	(void)state;
	assert_int_equal(cgroup_detect(&ctx, root, err, sizeof(err)), -1);
	assert_int_equal(ctx.version, CGROUP_NONE);
	assert_non_null(strstr(err, "no pids cgroup controller"));
	assert_non_null(strstr(err, "cpuset cpu io memory"));
	assert_non_null(strstr(err, "CONFIG_CGROUP_PIDS"));
}

static void
detect_nothing(void **state)
{
	struct cgroup_ctx ctx;
	char err[512] = "", want[PATH_MAX];
	const char *root = copy_fixture("cgroup-none");

	(void)state;
	assert_int_equal(cgroup_detect(&ctx, root, err, sizeof(err)), -1);
	/* It names every place it looked. */
	snprintf(want, sizeof(want), "%s/cgroup.controllers", root);
	assert_non_null(strstr(err, want));
	snprintf(want, sizeof(want), "cgroup v1 at %s/pids", root);
	assert_non_null(strstr(err, want));
	snprintf(want, sizeof(want), "%s/unified", root);
	assert_non_null(strstr(err, want));
}

/* --- create, attach, stats ------------------------------------------ */

static void
create_v1_sets_pids_max(void **state)
{
	struct cgroup_ctx ctx;
	char err[512] = "", path[PATH_MAX];

	(void)state;
	assert_int_equal(cgroup_detect(&ctx, copy_fixture("cgroup-v1"), err,
				       sizeof(err)), 0);
	assert_int_equal(cgroup_create(&ctx, "42-1", 20, path, sizeof(path),
				       err, sizeof(err)), 0);
	assert_non_null(strstr(path, "/pids/boxstep/42-1"));
	assert_file(path, "pids.max", "20");
}

static void
create_v2_enables_pids_in_parents(void **state)
{
	struct cgroup_ctx ctx;
	char err[512] = "", path[PATH_MAX];
	const char *root = copy_fixture("cgroup-v2");

	(void)state;
	assert_int_equal(cgroup_detect(&ctx, root, err, sizeof(err)), 0);
	assert_int_equal(cgroup_create(&ctx, "42-2", -1, path, sizeof(path),
				       err, sizeof(err)), 0);
	assert_file(root, "cgroup.subtree_control", "+pids");
	assert_file(ctx.dir, "cgroup.subtree_control", "+pids");
	assert_file(path, "pids.max", "max");
}

static void
create_v2_leaves_enabled_controllers_alone(void **state)
{
	struct cgroup_ctx ctx;
	char err[512] = "", path[PATH_MAX];
	const char *root = copy_fixture("cgroup-v2");

	(void)state;
	put(root, "cgroup.subtree_control", "cpu pids memory\n");
	assert_int_equal(cgroup_detect(&ctx, root, err, sizeof(err)), 0);
	assert_int_equal(cgroup_create(&ctx, "42-3", 5, path, sizeof(path),
				       err, sizeof(err)), 0);
	assert_file(root, "cgroup.subtree_control", "cpu pids memory\n");
}

static void
create_reports_mkdir_failure(void **state)
{
	struct cgroup_ctx ctx;
	char err[512] = "", path[PATH_MAX];

	(void)state;
	assert_int_equal(cgroup_detect(&ctx, copy_fixture("cgroup-v1"), err,
				       sizeof(err)), 0);
	mkdir_fail_errno = EACCES;
	assert_int_equal(cgroup_create(&ctx, "42-4", 20, path, sizeof(path),
				       err, sizeof(err)), -1);
	assert_non_null(strstr(err, "mkdir"));
	assert_non_null(strstr(err, "Permission denied"));
}

static void
create_without_hierarchy_fails(void **state)
{
	struct cgroup_ctx ctx = { .version = CGROUP_NONE };
	char err[512] = "", path[PATH_MAX];

	(void)state;
	assert_int_equal(cgroup_create(&ctx, "42-5", 20, path, sizeof(path),
				       err, sizeof(err)), -1);
	assert_non_null(strstr(err, "no pids cgroup"));
}

static void
attach_writes_cgroup_procs(void **state)
{
	struct cgroup_ctx ctx;
	char err[512] = "", path[PATH_MAX];

	(void)state;
	assert_int_equal(cgroup_detect(&ctx, copy_fixture("cgroup-v1"), err,
				       sizeof(err)), 0);
	assert_int_equal(cgroup_create(&ctx, "42-6", 20, path, sizeof(path),
				       err, sizeof(err)), 0);
	assert_int_equal(cgroup_attach(path, 4321, err, sizeof(err)), 0);
	assert_file(path, "cgroup.procs", "4321");
}

static void
attach_to_missing_group_fails(void **state)
{
	char err[512] = "";

	(void)state;
	copy_fixture("cgroup-v1");
	strcat(tmp, "/no/such/group");
	assert_int_equal(cgroup_attach(tmp, 1, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "cgroup.procs"));
	tmp[strlen(tmp) - strlen("/no/such/group")] = '\0';
}

static void
stats_read_parses_every_file(void **state)
{
	struct cgroup_stats st;
	const char *dir = copy_fixture("cgroup-v1");

	(void)state;
	put(dir, "pids.current", "7\n");
	put(dir, "pids.max", "max\n");
	put(dir, "pids.events", "max 3\n");
	put(dir, "cgroup.procs", "10\n11\n12\n");
	assert_int_equal(cgroup_stats_read(dir, &st), 0);
	assert_int_equal(st.current, 7);
	assert_int_equal(st.max, -1);
	assert_int_equal(st.events_max, 3);
	assert_int_equal(st.nprocs, 3);
}

static void
stats_read_of_vanished_group(void **state)
{
	struct cgroup_stats st;

	(void)state;
	assert_int_equal(cgroup_stats_read("/nonexistent/group", &st), -1);
	assert_int_equal(st.current, -1);
	assert_int_equal(st.events_max, -1);
	assert_int_equal(st.nprocs, -1);
}

/* --- kill, remove, stale --------------------------------------------- */

static void
kill_all_v1_kills_each_process(void **state)
{
	struct cgroup_ctx ctx;
	char err[512] = "", path[PATH_MAX];

	(void)state;
	assert_int_equal(cgroup_detect(&ctx, copy_fixture("cgroup-v1"), err,
				       sizeof(err)), 0);
	assert_int_equal(cgroup_create(&ctx, "42-7", 20, path, sizeof(path),
				       err, sizeof(err)), 0);
	put(path, "cgroup.procs", "101\n102\n");
	fsutil_join(kill_procs_file, sizeof(kill_procs_file), path,
		    "cgroup.procs");
	assert_int_equal(cgroup_kill_all(&ctx, path), 0);
	assert_int_equal(nkilled, 2);
	assert_int_equal(killed[0], 101);
	assert_int_equal(killed[1], 102);
}

static void
kill_all_v2_uses_cgroup_kill(void **state)
{
	struct cgroup_ctx ctx;
	char err[512] = "", path[PATH_MAX];

	(void)state;
	assert_int_equal(cgroup_detect(&ctx, copy_fixture("cgroup-v2"), err,
				       sizeof(err)), 0);
	assert_int_equal(cgroup_create(&ctx, "42-8", 20, path, sizeof(path),
				       err, sizeof(err)), 0);
	put(path, "cgroup.kill", "");
	put(path, "cgroup.procs", "201\n");
	put(path, "cgroup.events", "populated 0\nfrozen 0\n");
	assert_int_equal(cgroup_kill_all(&ctx, path), 0);
	assert_file(path, "cgroup.kill", "1");
	assert_int_equal(nkilled, 0);
}

static void
remove_retries_while_busy(void **state)
{
	struct cgroup_ctx ctx;
	char err[512] = "", path[PATH_MAX];
	struct stat st;

	(void)state;
	assert_int_equal(cgroup_detect(&ctx, copy_fixture("cgroup-v1"), err,
				       sizeof(err)), 0);
	assert_int_equal(cgroup_create(&ctx, "42-9", 20, path, sizeof(path),
				       err, sizeof(err)), 0);
	rmdir_busy_times = 3;
	assert_int_equal(cgroup_remove(&ctx, path, err, sizeof(err)), 0);
	assert_int_equal(stat(path, &st), -1);
	/* The parent went too: no other session was using it. */
	assert_int_equal(stat(ctx.dir, &st), -1);
	assert_true(rmdir_calls >= 5);
}

static void
remove_keeps_parent_of_other_sessions(void **state)
{
	struct cgroup_ctx ctx;
	char err[512] = "", a[PATH_MAX], b[PATH_MAX];
	struct stat st;

	(void)state;
	assert_int_equal(cgroup_detect(&ctx, copy_fixture("cgroup-v1"), err,
				       sizeof(err)), 0);
	assert_int_equal(cgroup_create(&ctx, "1-1", 20, a, sizeof(a), err,
				       sizeof(err)), 0);
	assert_int_equal(cgroup_create(&ctx, "2-1", 20, b, sizeof(b), err,
				       sizeof(err)), 0);
	assert_int_equal(cgroup_remove(&ctx, a, err, sizeof(err)), 0);
	assert_int_equal(stat(b, &st), 0);
	assert_int_equal(stat(ctx.dir, &st), 0);
}

static bool
only_222_alive(pid_t pid)
{
	return pid == 222;
}

static void
remove_stale_removes_dead_sessions_only(void **state)
{
	struct cgroup_ctx ctx;
	char err[512] = "", path[PATH_MAX], report[1024] = "";
	struct stat st;

	(void)state;
	assert_int_equal(cgroup_detect(&ctx, copy_fixture("cgroup-v1"), err,
				       sizeof(err)), 0);
	assert_int_equal(cgroup_create(&ctx, "111-1", 20, path, sizeof(path),
				       err, sizeof(err)), 0);
	assert_int_equal(cgroup_create(&ctx, "222-1", 20, path, sizeof(path),
				       err, sizeof(err)), 0);
	assert_int_equal(cgroup_create(&ctx, "not-a-session", 20, path,
				       sizeof(path), err, sizeof(err)), 0);
	assert_int_equal(cgroup_remove_stale(&ctx, only_222_alive, report,
					     sizeof(report)), 1);
	assert_non_null(strstr(report, "111-1"));
	assert_non_null(strstr(report, "pid 111"));
	assert_null(strstr(report, "222-1"));
	snprintf(path, sizeof(path), "%s/222-1", ctx.dir);
	assert_int_equal(stat(path, &st), 0);
	snprintf(path, sizeof(path), "%s/111-1", ctx.dir);
	assert_int_equal(stat(path, &st), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(detect_v1, setup, teardown),
		cmocka_unit_test_setup_teardown(detect_v2, setup, teardown),
		cmocka_unit_test_setup_teardown(detect_hybrid_unified, setup,
						teardown),
		cmocka_unit_test_setup_teardown(detect_v2_without_pids, setup,
						teardown),
		cmocka_unit_test_setup_teardown(detect_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(create_v1_sets_pids_max, setup,
						teardown),
		cmocka_unit_test_setup_teardown(
			create_v2_enables_pids_in_parents, setup, teardown),
		cmocka_unit_test_setup_teardown(
			create_v2_leaves_enabled_controllers_alone, setup,
			teardown),
		cmocka_unit_test_setup_teardown(create_reports_mkdir_failure,
						setup, teardown),
		cmocka_unit_test_setup_teardown(create_without_hierarchy_fails,
						setup, teardown),
		cmocka_unit_test_setup_teardown(attach_writes_cgroup_procs,
						setup, teardown),
		cmocka_unit_test_setup_teardown(attach_to_missing_group_fails,
						setup, teardown),
		cmocka_unit_test_setup_teardown(stats_read_parses_every_file,
						setup, teardown),
		cmocka_unit_test_setup_teardown(stats_read_of_vanished_group,
						setup, teardown),
		cmocka_unit_test_setup_teardown(kill_all_v1_kills_each_process,
						setup, teardown),
		cmocka_unit_test_setup_teardown(kill_all_v2_uses_cgroup_kill,
						setup, teardown),
		cmocka_unit_test_setup_teardown(remove_retries_while_busy,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			remove_keeps_parent_of_other_sessions, setup, teardown),
		cmocka_unit_test_setup_teardown(
			remove_stale_removes_dead_sessions_only, setup,
			teardown),
	};

	return cmocka_run_group_tests_name("cgroup", tests, NULL, NULL);
}
