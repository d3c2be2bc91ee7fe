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

#include "host/cgroup.h"
#include "base/fsutil.h"

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

static void reset_groups(void);

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
	reset_groups();
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

/* --- groups ---------------------------------------------------------- */

/* The groups the tests made, found again by their first directory. */
static struct cgroup_group groups[8];
static int ngroups;

static void
reset_groups(void)
{
	memset(groups, 0, sizeof(groups));
	ngroups = 0;
}

static int
create_pids(struct cgroup_ctx *ctx, const char *name, long pids_max,
	    char *path, size_t len, char *err, size_t errlen)
{
	struct cgroup_limits lim = { CGROUP_BIT(CGROUP_PIDS), pids_max, -1, -1 };
	struct cgroup_group *g = &groups[ngroups % 8];

	if (cgroup_create(ctx, name, &lim, g, err, errlen) < 0)
		return -1;
	ngroups++;
	snprintf(path, len, "%s", cgroup_main_dir(g));
	return 0;
}

static struct cgroup_group *
group_of(const char *path)
{
	for (int i = 0; i < 8; i++)
		if (strcmp(groups[i].dir[CGROUP_PIDS], path) == 0)
			return &groups[i];
	fail_msg("no group at %s", path);
	return NULL;
}

/* A group of just DIR, as the pids controller's on v1. */
static struct cgroup_group *
pids_group(const char *dir)
{
	static struct cgroup_group g;

	memset(&g, 0, sizeof(g));
	g.ctls = CGROUP_BIT(CGROUP_PIDS);
	g.version[CGROUP_PIDS] = CGROUP_V1;
	snprintf(g.dir[CGROUP_PIDS], sizeof(g.dir[CGROUP_PIDS]), "%s", dir);
	return &g;
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
	assert_int_equal(ctx.ctl[CGROUP_PIDS].version, CGROUP_V1);
	snprintf(want, sizeof(want), "%s/pids/boxstep", root);
	assert_string_equal(ctx.ctl[CGROUP_PIDS].dir, want);
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
	assert_int_equal(ctx.ctl[CGROUP_PIDS].version, CGROUP_V2);
	assert_string_equal(ctx.ctl[CGROUP_PIDS].hier, root);
	snprintf(want, sizeof(want), "%s/boxstep", root);
	assert_string_equal(ctx.ctl[CGROUP_PIDS].dir, want);
}

static void
detect_hybrid_unified(void **state)
{
	struct cgroup_ctx ctx;
	char err[512] = "", want[PATH_MAX];
	const char *root = copy_fixture("cgroup-hybrid");

	(void)state;
	assert_int_equal(cgroup_detect(&ctx, root, err, sizeof(err)), 0);
	assert_int_equal(ctx.ctl[CGROUP_PIDS].version, CGROUP_V2);
	snprintf(want, sizeof(want), "%s/unified", root);
	assert_string_equal(ctx.ctl[CGROUP_PIDS].hier, want);
}

static void
detect_v2_without_pids(void **state)
{
	struct cgroup_ctx ctx;
	char err[512] = "";
	const char *root = copy_fixture("cgroup-v2-nopids");

	(void)state;
	assert_int_equal(cgroup_detect(&ctx, root, err, sizeof(err)), -1);
	assert_int_equal(ctx.ctl[CGROUP_PIDS].version, CGROUP_NONE);
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
	assert_int_equal(create_pids(&ctx, "42-1", 20, path, sizeof(path),
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
	assert_int_equal(create_pids(&ctx, "42-2", -1, path, sizeof(path),
				       err, sizeof(err)), 0);
	assert_file(root, "cgroup.subtree_control", "+pids");
	assert_file(ctx.ctl[CGROUP_PIDS].dir, "cgroup.subtree_control", "+pids");
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
	assert_int_equal(create_pids(&ctx, "42-3", 5, path, sizeof(path),
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
	assert_int_equal(create_pids(&ctx, "42-4", 20, path, sizeof(path),
				       err, sizeof(err)), -1);
	assert_non_null(strstr(err, "mkdir"));
	assert_non_null(strstr(err, "Permission denied"));
}

static void
create_without_hierarchy_fails(void **state)
{
	struct cgroup_ctx ctx = { 0 };
	char err[512] = "", path[PATH_MAX];

	(void)state;
	assert_int_equal(create_pids(&ctx, "42-5", 20, path, sizeof(path),
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
	assert_int_equal(create_pids(&ctx, "42-6", 20, path, sizeof(path),
				       err, sizeof(err)), 0);
	assert_int_equal(cgroup_attach(group_of(path), 4321, err, sizeof(err)), 0);
	assert_file(path, "cgroup.procs", "4321");
}

static void
attach_to_missing_group_fails(void **state)
{
	char err[512] = "";

	(void)state;
	copy_fixture("cgroup-v1");
	strcat(tmp, "/no/such/group");
	assert_int_equal(cgroup_attach(pids_group(tmp), 1, err,
				       sizeof(err)), -1);
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
	assert_int_equal(cgroup_stats_read(pids_group(dir), &st), 0);
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
	assert_int_equal(cgroup_stats_read(pids_group("/nonexistent/group"),
					   &st), -1);
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
	assert_int_equal(create_pids(&ctx, "42-7", 20, path, sizeof(path),
				       err, sizeof(err)), 0);
	put(path, "cgroup.procs", "101\n102\n");
	fsutil_join(kill_procs_file, sizeof(kill_procs_file), path,
		    "cgroup.procs");
	assert_int_equal(cgroup_kill_all(group_of(path)), 0);
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
	assert_int_equal(create_pids(&ctx, "42-8", 20, path, sizeof(path),
				       err, sizeof(err)), 0);
	put(path, "cgroup.kill", "");
	put(path, "cgroup.procs", "201\n");
	put(path, "cgroup.events", "populated 0\nfrozen 0\n");
	assert_int_equal(cgroup_kill_all(group_of(path)), 0);
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
	assert_int_equal(create_pids(&ctx, "42-9", 20, path, sizeof(path),
				       err, sizeof(err)), 0);
	rmdir_busy_times = 3;
	assert_int_equal(cgroup_remove(group_of(path), err, sizeof(err)), 0);
	assert_int_equal(stat(path, &st), -1);
	/* The parent stays: it is the session's to remove. */
	assert_int_equal(stat(ctx.ctl[CGROUP_PIDS].dir, &st), 0);
	assert_true(rmdir_calls >= 4);
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
	assert_int_equal(create_pids(&ctx, "1-1", 20, a, sizeof(a), err,
				       sizeof(err)), 0);
	assert_int_equal(create_pids(&ctx, "2-1", 20, b, sizeof(b), err,
				       sizeof(err)), 0);
	assert_int_equal(cgroup_remove(group_of(a), err, sizeof(err)), 0);
	assert_int_equal(stat(b, &st), 0);
	assert_int_equal(stat(ctx.ctl[CGROUP_PIDS].dir, &st), 0);
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
	assert_int_equal(create_pids(&ctx, "111-1", 20, path, sizeof(path),
				       err, sizeof(err)), 0);
	assert_int_equal(create_pids(&ctx, "222-1", 20, path, sizeof(path),
				       err, sizeof(err)), 0);
	assert_int_equal(create_pids(&ctx, "not-a-session", 20, path,
				       sizeof(path), err, sizeof(err)), 0);
	assert_int_equal(cgroup_remove_stale(&ctx, only_222_alive, report,
					     sizeof(report)), 1);
	assert_non_null(strstr(report, "111-1"));
	assert_non_null(strstr(report, "pid 111"));
	assert_null(strstr(report, "222-1"));
	snprintf(path, sizeof(path), "%s/222-1", ctx.ctl[CGROUP_PIDS].dir);
	assert_int_equal(stat(path, &st), 0);
	snprintf(path, sizeof(path), "%s/111-1", ctx.ctl[CGROUP_PIDS].dir);
	assert_int_equal(stat(path, &st), -1);
}

/* The race of two sessions ending at once: one's clean-up lists the
 * other's group, and that session's own teardown removes it (and ends)
 * before the clean-up looks at its boxstep. */
static char racing_group[PATH_MAX];

static bool
removed_by_its_session_then_gone(pid_t pid)
{
	(void)pid;
	__wrap_rmdir(racing_group);
	return false;
}

static void
remove_stale_says_nothing_of_a_group_its_session_removed(void **state)
{
	struct cgroup_ctx ctx;
	char err[512] = "", report[1024] = "";

	(void)state;
	assert_int_equal(cgroup_detect(&ctx, copy_fixture("cgroup-v1"), err,
				       sizeof(err)), 0);
	assert_int_equal(create_pids(&ctx, "111-1", 20, racing_group,
				       sizeof(racing_group), err,
				       sizeof(err)), 0);
	assert_int_equal(cgroup_remove_stale(&ctx,
					     removed_by_its_session_then_gone,
					     report, sizeof(report)), 0);
	assert_string_equal(report, "");
}

/* --- memory and cpu ------------------------------------------------- */

static void
detect_each_controller(void **state)
{
	struct cgroup_ctx ctx;
	char err[512] = "", want[PATH_MAX];
	const char *root = copy_fixture("cgroup-hybrid");

	(void)state;
	/* hybrid: pids on the unified v2 tree, memory on v1, no cpu */
	assert_int_equal(cgroup_detect(&ctx, root, err, sizeof(err)), 0);
	assert_int_equal(ctx.ctl[CGROUP_PIDS].version, CGROUP_V2);
	assert_int_equal(ctx.ctl[CGROUP_MEMORY].version, CGROUP_V1);
	snprintf(want, sizeof(want), "%s/memory/boxstep", root);
	assert_string_equal(ctx.ctl[CGROUP_MEMORY].dir, want);
	assert_int_equal(ctx.ctl[CGROUP_CPU].version, CGROUP_NONE);
	assert_non_null(strstr(ctx.ctl[CGROUP_CPU].why,
			       "no cpu cgroup controller"));
	assert_non_null(strstr(ctx.ctl[CGROUP_CPU].why,
			       "(mounted, but without it)"));
	/* v2 without pids still has memory and cpu */
	teardown(state);
	root = copy_fixture("cgroup-v2-nopids");
	assert_int_equal(cgroup_detect(&ctx, root, err, sizeof(err)), -1);
	assert_int_equal(ctx.ctl[CGROUP_MEMORY].version, CGROUP_V2);
	assert_int_equal(ctx.ctl[CGROUP_CPU].version, CGROUP_V2);
	assert_string_equal(ctx.ctl[CGROUP_CPU].hier, root);
}

static void
create_v1_in_each_hierarchy(void **state)
{
	struct cgroup_limits lim = {
		CGROUP_BIT(CGROUP_PIDS) | CGROUP_BIT(CGROUP_MEMORY) |
		CGROUP_BIT(CGROUP_CPU), 64, 32LL << 20, 50,
	};
	struct cgroup_ctx ctx;
	struct cgroup_group g;
	char err[512] = "", made[CGROUP_NCTL][PATH_MAX];
	const char *root = copy_fixture("cgroup-v1");
	struct stat st;

	(void)state;
	assert_int_equal(cgroup_detect(&ctx, root, err, sizeof(err)), 0);
	assert_int_equal(cgroup_create(&ctx, "42-20", &lim, &g, err,
				       sizeof(err)), 0);
	assert_non_null(strstr(g.dir[CGROUP_PIDS], "/pids/boxstep/42-20"));
	assert_non_null(strstr(g.dir[CGROUP_MEMORY], "/memory/boxstep/42-20"));
	assert_non_null(strstr(g.dir[CGROUP_CPU], "/cpu/boxstep/42-20"));
	assert_string_equal(cgroup_main_dir(&g), g.dir[CGROUP_PIDS]);
	assert_file(g.dir[CGROUP_PIDS], "pids.max", "64");
	assert_file(g.dir[CGROUP_MEMORY], "memory.limit_in_bytes", "33554432");
	assert_file(g.dir[CGROUP_CPU], "cpu.cfs_period_us", "100000");
	assert_file(g.dir[CGROUP_CPU], "cpu.cfs_quota_us", "50000");
	assert_int_equal(cgroup_attach(&g, 77, err, sizeof(err)), 0);
	for (int c = 0; c < CGROUP_NCTL; c++)
		assert_file(g.dir[c], "cgroup.procs", "77");
	/* removed from every hierarchy */
	memcpy(made, g.dir, sizeof(made));
	put(g.dir[CGROUP_PIDS], "cgroup.procs", "");
	assert_int_equal(cgroup_remove(&g, err, sizeof(err)), 0);
	for (int c = 0; c < CGROUP_NCTL; c++)
		assert_int_equal(stat(made[c], &st), -1);
	assert_string_equal(cgroup_main_dir(&g), "");
}

static void
create_v2_in_one_directory(void **state)
{
	struct cgroup_limits lim = {
		CGROUP_BIT(CGROUP_MEMORY) | CGROUP_BIT(CGROUP_CPU), -1,
		64LL << 20, 20,
	};
	struct cgroup_ctx ctx;
	struct cgroup_group g;
	char err[512] = "";
	const char *root = copy_fixture("cgroup-v2");

	(void)state;
	assert_int_equal(cgroup_detect(&ctx, root, err, sizeof(err)), 0);
	assert_int_equal(cgroup_create(&ctx, "42-21", &lim, &g, err,
				       sizeof(err)), 0);
	assert_string_equal(g.dir[CGROUP_MEMORY], g.dir[CGROUP_CPU]);
	assert_string_equal(g.dir[CGROUP_PIDS], "");
	assert_file(g.dir[CGROUP_MEMORY], "memory.max", "67108864");
	assert_file(g.dir[CGROUP_CPU], "cpu.max", "20000 100000");
	/* the fixture's file keeps the last write: +memory, then +cpu */
	assert_file(ctx.ctl[CGROUP_CPU].dir, "cgroup.subtree_control", "+cpu");
	assert_int_equal(cgroup_attach(&g, 88, err, sizeof(err)), 0);
	assert_file(g.dir[CGROUP_CPU], "cgroup.procs", "88");
	/* unlimited */
	lim.memory_max = -1;
	lim.cpu_percent = -1;
	assert_int_equal(cgroup_create(&ctx, "42-22", &lim, &g, err,
				       sizeof(err)), 0);
	assert_file(g.dir[CGROUP_MEMORY], "memory.max", "max");
	assert_file(g.dir[CGROUP_CPU], "cpu.max", "max 100000");
}

static void
create_undoes_on_a_missing_controller(void **state)
{
	struct cgroup_limits lim = {
		CGROUP_BIT(CGROUP_PIDS) | CGROUP_BIT(CGROUP_CPU), 20, -1, 50,
	};
	struct cgroup_ctx ctx;
	struct cgroup_group g;
	char err[512] = "", path[PATH_MAX];
	const char *root = copy_fixture("cgroup-v1");
	struct stat st;

	(void)state;
	assert_int_equal(cgroup_detect(&ctx, root, err, sizeof(err)), 0);
	ctx.ctl[CGROUP_CPU].version = CGROUP_NONE;
	snprintf(ctx.ctl[CGROUP_CPU].why, sizeof(ctx.ctl[CGROUP_CPU].why),
		 "no cpu cgroup controller: test");
	assert_int_equal(cgroup_create(&ctx, "42-23", &lim, &g, err,
				       sizeof(err)), -1);
	assert_string_equal(err, "no cpu cgroup controller: test");
	/* the pids group made before it is gone again */
	snprintf(path, sizeof(path), "%s/42-23", ctx.ctl[CGROUP_PIDS].dir);
	assert_int_equal(stat(path, &st), -1);
}

static void
stats_read_memory_and_cpu(void **state)
{
	struct cgroup_group g = { 0 };
	struct cgroup_stats st;
	const char *dir = copy_fixture("cgroup-v2");

	(void)state;
	g.ctls = CGROUP_BIT(CGROUP_MEMORY) | CGROUP_BIT(CGROUP_CPU);
	for (int c = CGROUP_MEMORY; c <= CGROUP_CPU; c++) {
		g.version[c] = CGROUP_V2;
		snprintf(g.dir[c], sizeof(g.dir[c]), "%s", dir);
	}
	put(dir, "memory.current", "1048576\n");
	put(dir, "memory.max", "33554432\n");
	put(dir, "memory.peak", "2097152\n");
	put(dir, "memory.events", "low 0\nhigh 0\nmax 5\noom 2\noom_kill 1\n"
	    "oom_group_kill 0\n");
	put(dir, "cpu.max", "50000 100000\n");
	put(dir, "cpu.stat", "usage_usec 1500000\nuser_usec 1\nsystem_usec 1\n"
	    "nr_periods 30\nnr_throttled 12\nthrottled_usec 400000\n");
	assert_int_equal(cgroup_stats_read(&g, &st), 0);
	assert_true(st.memory_current == 1048576);
	assert_true(st.memory_max == 33554432);
	assert_true(st.memory_peak == 2097152);
	assert_int_equal(st.oom_kills, 1);
	assert_int_equal(st.cpu_percent, 50);
	assert_true(st.cpu_usage_usec == 1500000);
	assert_int_equal(st.cpu_periods, 30);
	assert_int_equal(st.cpu_throttled, 12);
	assert_true(st.cpu_throttled_usec == 400000);
	assert_int_equal(st.current, -1); /* no pids */
	put(dir, "memory.max", "max\n");
	put(dir, "cpu.max", "max 100000\n");
	cgroup_stats_read(&g, &st);
	assert_true(st.memory_max == -2);
	assert_int_equal(st.cpu_percent, -2);
	/* v1 names and units */
	g.version[CGROUP_MEMORY] = g.version[CGROUP_CPU] = CGROUP_V1;
	put(dir, "memory.usage_in_bytes", "4096\n");
	put(dir, "memory.limit_in_bytes", "9223372036854771712\n");
	put(dir, "memory.oom_control", "oom_kill_disable 0\nunder_oom 0\n"
	    "oom_kill 3\n");
	put(dir, "cpu.cfs_quota_us", "25000\n");
	put(dir, "cpu.cfs_period_us", "100000\n");
	put(dir, "cpuacct.usage", "2000000000\n");
	put(dir, "cpu.stat", "nr_periods 5\nnr_throttled 2\n"
	    "throttled_time 3000000\n");
	cgroup_stats_read(&g, &st);
	assert_true(st.memory_current == 4096);
	assert_true(st.memory_max == -2);
	assert_int_equal(st.oom_kills, 3);
	assert_int_equal(st.cpu_percent, 25);
	assert_true(st.cpu_usage_usec == 2000000);
	assert_int_equal(st.cpu_throttled, 2);
	assert_true(st.cpu_throttled_usec == 3000);
	put(dir, "cpu.cfs_quota_us", "-1\n");
	cgroup_stats_read(&g, &st);
	assert_int_equal(st.cpu_percent, -2);
}

static void
remove_stale_in_every_hierarchy(void **state)
{
	struct cgroup_limits lim = {
		CGROUP_BIT(CGROUP_PIDS) | CGROUP_BIT(CGROUP_MEMORY), 20,
		1LL << 20, -1,
	};
	struct cgroup_ctx ctx;
	struct cgroup_group g;
	char err[512] = "", report[2048] = "";

	(void)state;
	assert_int_equal(cgroup_detect(&ctx, copy_fixture("cgroup-v1"), err,
				       sizeof(err)), 0);
	assert_int_equal(cgroup_create(&ctx, "111-1", &lim, &g, err,
				       sizeof(err)), 0);
	assert_int_equal(cgroup_remove_stale(&ctx, only_222_alive, report,
					     sizeof(report)), 2);
	assert_non_null(strstr(report, "/pids/boxstep/111-1"));
	assert_non_null(strstr(report, "/memory/boxstep/111-1"));
}

/* A boxstep parent with no group in it is left over too. */
static void
remove_stale_takes_an_empty_parent(void **state)
{
	struct cgroup_ctx ctx;
	char err[512] = "", report[256] = "";

	(void)state;
	assert_int_equal(cgroup_detect(&ctx, copy_fixture("cgroup-v1"), err,
				       sizeof(err)), 0);
	assert_int_equal(mkdir(ctx.ctl[CGROUP_PIDS].dir, 0755), 0);
	assert_int_equal(cgroup_remove_stale(&ctx, only_222_alive, report,
					     sizeof(report)), 0);
	assert_int_equal(access(ctx.ctl[CGROUP_PIDS].dir, F_OK), -1);
}

/* --- rootless: a delegated group ----------------------------------- */

/* Makes ROOT/user.slice/me a group with the files a delegated v2 group
 * has, the process 4242 in it. */
static void
make_user_group(const char *root, char *group, size_t len)
{
	char cmd[PATH_MAX * 2];

	snprintf(group, len, "%s/user.slice/me", root);
	snprintf(cmd, sizeof(cmd), "mkdir -p %s && cd %s && echo 'pids memory' "
		 "> cgroup.controllers && : > cgroup.subtree_control && "
		 "echo 4242 > cgroup.procs", group, group);
	assert_int_equal(system(cmd), 0);
}

static void
delegate_checks_owner_and_company(void **state)
{
	const char *root = copy_fixture("cgroup-v2");
	char group[PATH_MAX], path[PATH_MAX + 32];
	struct cgroup_delegation d;
	uid_t me = geteuid();

	(void)state;
	make_user_group(root, group, sizeof(group));
	/* The group belongs to this test's uid; another uid is refused. */
	assert_int_equal(cgroup_delegate(&d, root, "0::/user.slice/me\n",
					 me + 1, 4242), -1);
	assert_non_null(strstr(d.why, "belongs to uid"));
	assert_non_null(strstr(d.why, "systemd-run --user --scope -p "
			       "Delegate=yes boxstep"));
	assert_string_equal(d.group, "");
	/* No v2 line: nothing to go on. */
	assert_int_equal(cgroup_delegate(&d, root, "1:pids:/x\n", me, 4242),
			 -1);
	assert_non_null(strstr(d.why, "names no cgroup v2 group"));
	/* Another process in the group. */
	assert_int_equal(cgroup_delegate(&d, root, "0::/user.slice/me\n", me,
					 4343), -1);
	assert_non_null(strstr(d.why, "holds other processes too (pid "
			       "4242)"));
	snprintf(path, sizeof(path), "%s/boxstep-4343", group);
	assert_int_equal(access(path, F_OK), -1);
}

static void
delegate_moves_into_a_leaf_and_back(void **state)
{
	const char *root = copy_fixture("cgroup-v2");
	char group[PATH_MAX], path[PATH_MAX + 32], buf[64];
	char cmd[2 * PATH_MAX + 64];
	struct cgroup_delegation d;
	struct cgroup_ctx ctx;

	(void)state;
	make_user_group(root, group, sizeof(group));
	/* cgroupfs gives a new group its files; the fixture's leaf is made
	 * beforehand with the one file that matters (mkdir takes EEXIST). */
	snprintf(cmd, sizeof(cmd), "mkdir %s/boxstep-4242 && touch "
		 "%s/boxstep-4242/cgroup.procs", group, group);
	assert_int_equal(system(cmd), 0);
	snprintf(path, sizeof(path), "%s/boxstep-4242/cgroup.procs", group);
	assert_int_equal(cgroup_delegate(&d, root, "0::/user.slice/me\n",
					 geteuid(), 4242), 0);
	assert_string_equal(d.group, group);
	assert_int_equal(fsutil_read(path, buf, sizeof(buf)), 4);
	assert_string_equal(buf, "4242");
	/* The group serves as a cgroup root: its controllers are found. */
	assert_int_equal(cgroup_detect(&ctx, d.group, NULL, 0), 0);
	assert_int_equal(ctx.ctl[CGROUP_PIDS].version, CGROUP_V2);
	assert_int_equal(ctx.ctl[CGROUP_MEMORY].version, CGROUP_V2);
	assert_int_equal(ctx.ctl[CGROUP_CPU].version, CGROUP_NONE);
	/* Back: the process returns to the group, the leaf goes. */
	cgroup_undelegate(&d, 4242);
	snprintf(path, sizeof(path), "%s/cgroup.procs", group);
	assert_int_equal(fsutil_read(path, buf, sizeof(buf)), 4);
	assert_string_equal(buf, "4242");
	snprintf(path, sizeof(path), "%s/boxstep-4242", group);
	assert_int_equal(access(path, F_OK), -1);
}

static void
unavailable_says_why_for_each(void **state)
{
	struct cgroup_ctx ctx;

	(void)state;
	assert_int_equal(cgroup_detect(&ctx, copy_fixture("cgroup-v2"), NULL,
				       0), 0);
	cgroup_unavailable(&ctx, "no delegation");
	for (int c = 0; c < CGROUP_NCTL; c++) {
		assert_int_equal(ctx.ctl[c].version, CGROUP_NONE);
		assert_string_equal(ctx.ctl[c].why, "no delegation");
	}
}

/* --- a session's group ------------------------------------------------ */

static bool
is_dir(const char *dir, const char *sub)
{
	char path[PATH_MAX];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", dir, sub);
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* The group and its shared leaf in each v1 hierarchy; the limits, and a
 * limit whose controller is missing refused with the reason. */
static void
session_group_holds_the_limits(void **state)
{
	struct cgroup_limits lim = { 0, 300, 512LL << 20, 150 };
	struct cgroup_session s;
	struct cgroup_ctx ctx;
	char err[512] = "";

	(void)state;
	assert_int_equal(cgroup_detect(&ctx, copy_fixture("cgroup-v1"), err,
				       sizeof(err)), 0);
	assert_int_equal(cgroup_session_open(&ctx, 42, &s, err, sizeof(err)),
			 0);
	assert_string_equal(s.name, "42");
	for (int c = 0; c < CGROUP_NCTL; c++) {
		assert_true(is_dir(ctx.ctl[c].dir, "42/shared"));
		assert_non_null(strstr(s.group.dir[c], "/boxstep/42"));
	}
	assert_file(s.group.dir[CGROUP_PIDS], "pids.max", "max");
	assert_int_equal(cgroup_session_limit(&ctx, &s, &lim, err,
					      sizeof(err)), 0);
	assert_file(s.group.dir[CGROUP_PIDS], "pids.max", "300");
	assert_file(s.group.dir[CGROUP_MEMORY], "memory.limit_in_bytes",
		    "536870912");
	assert_file(s.group.dir[CGROUP_CPU], "cpu.cfs_quota_us", "150000");
	/* the shared leaf has none of its own */
	assert_file(s.shared.dir[CGROUP_PIDS], "pids.max", "max");
	assert_int_equal(cgroup_session_close(&ctx, &s, err, sizeof(err)), 0);
	for (int c = 0; c < CGROUP_NCTL; c++)
		assert_int_equal(access(ctx.ctl[c].dir, F_OK), -1);
	/* no memory controller: its limit cannot hold, and says why */
	assert_int_equal(cgroup_detect(&ctx, tmp, err, sizeof(err)), 0);
	ctx.ctl[CGROUP_MEMORY].version = CGROUP_NONE;
	snprintf(ctx.ctl[CGROUP_MEMORY].why, sizeof(ctx.ctl[0].why),
		 "no memory here");
	assert_int_equal(cgroup_session_open(&ctx, 43, &s, err, sizeof(err)),
			 0);
	assert_int_equal(cgroup_session_limit(&ctx, &s, &lim, err,
					      sizeof(err)), -1);
	assert_string_equal(err, "no memory here");
	lim.memory_max = -1;
	assert_int_equal(cgroup_session_limit(&ctx, &s, &lim, err,
					      sizeof(err)), 0);
	assert_int_equal(cgroup_session_close(&ctx, &s, err, sizeof(err)), 0);
}

/* boxstep enters the shared leaf, so that all it forks is born there,
 * and goes back where it was before the group goes. */
static void
session_enter_and_leave(void **state)
{
	struct cgroup_session s;
	struct cgroup_ctx ctx;
	char err[512] = "", home[PATH_MAX], self[32];

	(void)state;
	assert_int_equal(cgroup_detect(&ctx, copy_fixture("cgroup-v1"), err,
				       sizeof(err)), 0);
	snprintf(home, sizeof(home), "%s/pids/user.slice", tmp);
	assert_int_equal(mkdir(home, 0755), 0);
	assert_int_equal(cgroup_session_open(&ctx, 42, &s, err, sizeof(err)),
			 0);
	assert_int_equal(cgroup_session_enter(&ctx, &s, "8:pids:/user.slice\n"
					      "4:memory:/\n1:cpu,cpuacct:/\n"
					      "0::/\n", NULL, getpid(), err,
					      sizeof(err)), 0);
	snprintf(self, sizeof(self), "%d", (int)getpid());
	for (int c = 0; c < CGROUP_NCTL; c++)
		assert_file(s.shared.dir[c], "cgroup.procs", self);
	assert_string_equal(s.home[CGROUP_PIDS], home);
	/* the kernel would have taken it out of the leaf */
	for (int c = 0; c < CGROUP_NCTL; c++)
		put(s.shared.dir[c], "cgroup.procs", "");
	assert_int_equal(cgroup_session_close(&ctx, &s, err, sizeof(err)), 0);
	assert_file(home, "cgroup.procs", self);
	assert_false(is_dir(ctx.ctl[CGROUP_PIDS].hier, "boxstep"));
	/* a controller /proc/self/cgroup does not name: refused, why */
	assert_int_equal(cgroup_session_open(&ctx, 43, &s, err, sizeof(err)),
			 0);
	assert_int_equal(cgroup_session_enter(&ctx, &s, "8:pids:/\n", NULL,
					      getpid(), err, sizeof(err)), -1);
	assert_string_equal(err, "/proc/self/cgroup names no memory group");
	assert_int_equal(cgroup_session_close(&ctx, &s, err, sizeof(err)), 0);
}

/* On v2, one directory: the session group hands its children the
 * controllers. */
static void
session_v2_hands_controllers_down(void **state)
{
	struct cgroup_limits mem = { CGROUP_BIT(CGROUP_MEMORY), -1, 8LL << 20,
				     -1 };
	struct cgroup_session s;
	struct cgroup_group own;
	struct cgroup_ctx ctx;
	char err[512] = "";

	(void)state;
	assert_int_equal(cgroup_detect(&ctx, copy_fixture("cgroup-v2"), err,
				       sizeof(err)), 0);
	assert_int_equal(cgroup_session_open(&ctx, 42, &s, err, sizeof(err)),
			 0);
	assert_true(is_dir(ctx.ctl[CGROUP_PIDS].dir, "42/shared"));
	assert_int_equal(access(s.group.dir[CGROUP_PIDS], F_OK), 0);
	assert_int_equal(cgroup_create(&ctx, "42/1", &mem, &own, err,
				       sizeof(err)), 0);
	/* the fixture's file keeps the last write */
	assert_file(s.group.dir[CGROUP_PIDS], "cgroup.subtree_control",
		    "+memory");
	assert_int_equal(cgroup_remove(&own, err, sizeof(err)), 0);
	assert_int_equal(cgroup_session_close(&ctx, &s, err, sizeof(err)), 0);
	assert_int_equal(access(ctx.ctl[CGROUP_PIDS].dir, F_OK), -1);
}

/* Rootless: the context's root is the delegated group, and the paths in
 * /proc/self/cgroup are under the v2 mount above it. */
static void
session_enter_from_a_delegated_group(void **state)
{
	struct cgroup_session s;
	struct cgroup_ctx ctx;
	char err[512] = "", deleg[PATH_MAX], leaf[PATH_MAX + 16], self[32];
	const char *root = copy_fixture("cgroup-v2");

	(void)state;
	snprintf(deleg, sizeof(deleg), "%s/me", root);
	snprintf(leaf, sizeof(leaf), "%s/boxstep-9", deleg);
	assert_int_equal(mkdir(deleg, 0755), 0);
	assert_int_equal(mkdir(leaf, 0755), 0);
	put(deleg, "cgroup.controllers", "pids memory cpu\n");
	assert_int_equal(cgroup_detect(&ctx, deleg, err, sizeof(err)), 0);
	assert_int_equal(cgroup_session_open(&ctx, 9, &s, err, sizeof(err)), 0);
	assert_int_equal(cgroup_session_enter(&ctx, &s, "0::/me/boxstep-9\n",
					      root, getpid(), err,
					      sizeof(err)), 0);
	assert_string_equal(s.home[CGROUP_PIDS], leaf);
	put(s.shared.dir[CGROUP_PIDS], "cgroup.procs", "");
	assert_int_equal(cgroup_session_close(&ctx, &s, err, sizeof(err)), 0);
	snprintf(self, sizeof(self), "%d", (int)getpid());
	assert_file(leaf, "cgroup.procs", self);
	assert_false(is_dir(deleg, "boxstep"));
}

/* A dead session's group, with its containers' groups in it, goes whole;
 * a live one's stays. */
static void
remove_stale_takes_a_dead_session_whole(void **state)
{
	struct cgroup_limits pids = { CGROUP_BIT(CGROUP_PIDS), 20, -1, -1 };
	struct cgroup_session dead, live;
	struct cgroup_group own;
	struct cgroup_ctx ctx;
	char err[512] = "", report[2048] = "";

	(void)state;
	assert_int_equal(cgroup_detect(&ctx, copy_fixture("cgroup-v1"), err,
				       sizeof(err)), 0);
	assert_int_equal(cgroup_session_open(&ctx, 111, &dead, err,
					     sizeof(err)), 0);
	assert_int_equal(cgroup_session_open(&ctx, 222, &live, err,
					     sizeof(err)), 0);
	assert_int_equal(cgroup_create(&ctx, "111/1", &pids, &own, err,
				       sizeof(err)), 0);
	put(own.dir[CGROUP_PIDS], "cgroup.procs", "5\n");
	fsutil_join(kill_procs_file, sizeof(kill_procs_file),
		    own.dir[CGROUP_PIDS], "cgroup.procs");
	assert_int_equal(cgroup_remove_stale(&ctx, only_222_alive, report,
					     sizeof(report)), 3);
	assert_non_null(strstr(report, "/pids/boxstep/111 (its boxstep, pid "
			       "111, is gone; 1 process killed)"));
	assert_false(is_dir(ctx.ctl[CGROUP_PIDS].dir, "111"));
	assert_false(is_dir(ctx.ctl[CGROUP_MEMORY].dir, "111"));
	assert_true(is_dir(ctx.ctl[CGROUP_PIDS].dir, "222/shared"));
	assert_int_equal(cgroup_session_close(&ctx, &live, err, sizeof(err)),
			 0);
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
		cmocka_unit_test_setup_teardown(
			remove_stale_says_nothing_of_a_group_its_session_removed,
			setup, teardown),
		cmocka_unit_test_setup_teardown(detect_each_controller, setup,
						teardown),
		cmocka_unit_test_setup_teardown(create_v1_in_each_hierarchy,
						setup, teardown),
		cmocka_unit_test_setup_teardown(create_v2_in_one_directory,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			create_undoes_on_a_missing_controller, setup, teardown),
		cmocka_unit_test_setup_teardown(stats_read_memory_and_cpu,
						setup, teardown),
		cmocka_unit_test_setup_teardown(remove_stale_in_every_hierarchy,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			remove_stale_takes_an_empty_parent, setup, teardown),
		cmocka_unit_test_setup_teardown(
			delegate_checks_owner_and_company, setup, teardown),
		cmocka_unit_test_setup_teardown(
			delegate_moves_into_a_leaf_and_back, setup, teardown),
		cmocka_unit_test_setup_teardown(unavailable_says_why_for_each,
						setup, teardown),
		cmocka_unit_test_setup_teardown(session_group_holds_the_limits,
						setup, teardown),
		cmocka_unit_test_setup_teardown(session_enter_and_leave, setup,
						teardown),
		cmocka_unit_test_setup_teardown(
			session_enter_from_a_delegated_group, setup, teardown),
		cmocka_unit_test_setup_teardown(
			session_v2_hands_controllers_down, setup, teardown),
		cmocka_unit_test_setup_teardown(
			remove_stale_takes_a_dead_session_whole, setup,
			teardown),
	};

	return cmocka_run_group_tests_name("cgroup", tests, NULL, NULL);
}
