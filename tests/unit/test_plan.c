/* Unit tests for plan: settings, validation, and the `show` text. */
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
#include "base/capnames.h"
#include "layers/plan.h"
#include "layers/cmdlines.h"
#include "layers/oci.h"
#include "base/json.h"

static struct plan p;

/* Turns on each of the layers named, in order. */
#define ENABLE(...)                                                       \
	do {                                                              \
		const int l_[] = { __VA_ARGS__ };                         \
		for (size_t i_ = 0; i_ < sizeof(l_) / sizeof(l_[0]); i_++) \
			plan_enable(&p, l_[i_]);                          \
	} while (0)

static char err[512];

static int
setup(void **state)
{
	(void)state;
	plan_init(&p, "/srv/rootfs");
	err[0] = '\0';
	return 0;
}

static void
defaults(void **state)
{
	char v[64];

	(void)state;
	assert_int_equal(p.layers, 0);
	assert_string_equal(p.hostname, "boxstep");
	assert_string_equal(p.rootfs, "/srv/rootfs");
	assert_int_equal(p.pids_max, 20);
	assert_true(p.chdir);
	assert_int_equal(p.propagation, PLAN_PROP_PRIVATE);
	assert_int_equal(plan_get(&p, "pids.max", v, sizeof(v)), 0);
	assert_string_equal(v, "20");
	assert_int_equal(plan_get(&p, "nope", v, sizeof(v)), -1);
}

static void
layer_table_is_complete(void **state)
{
	(void)state;
	for (int i = 0; i < PLAN_NLAYERS; i++) {
		const struct plan_layer_info *l = plan_layer_info(i);

		assert_non_null(l);
		assert_non_null(l->name);
		assert_non_null(l->summary);
		assert_non_null(l->explain);
		assert_int_equal(plan_layer_lookup(l->name), i);
	}
	assert_null(plan_layer_info(PLAN_NLAYERS));
	assert_int_equal(plan_layer_lookup("network"), -1);
	assert_int_equal(plan_layer_lookup("ut"), -1);
}

static void
enable_disable(void **state)
{
	(void)state;
	plan_enable(&p, PLAN_UTS);
	plan_enable(&p, PLAN_PIDS);
	assert_true(plan_has(&p, PLAN_UTS));
	assert_true(plan_has(&p, PLAN_PIDS));
	assert_false(plan_has(&p, PLAN_PID));
	plan_disable(&p, PLAN_UTS);
	assert_false(plan_has(&p, PLAN_UTS));
	assert_true(plan_has(&p, PLAN_PIDS));
}

static void
set_hostname_checks(void **state)
{
	char longname[80];

	(void)state;
	assert_int_equal(plan_set(&p, "hostname", "kitten", err, sizeof(err)),
			 0);
	assert_string_equal(p.hostname, "kitten");
	memset(longname, 'a', 65);
	longname[65] = '\0';
	assert_int_equal(plan_set(&p, "hostname", longname, err, sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "65 bytes"));
	assert_non_null(strstr(err, "64"));
	assert_string_equal(p.hostname, "kitten");
	longname[64] = '\0';
	assert_int_equal(plan_set(&p, "hostname", longname, err, sizeof(err)),
			 0);
	assert_int_equal(plan_set(&p, "hostname", "", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "empty"));
	assert_int_equal(plan_set(&p, "hostname", "a b", err, sizeof(err)), -1);
	assert_int_equal(plan_set(&p, "hostname", "a/b", err, sizeof(err)), -1);
}

static void
set_pids_max_checks(void **state)
{
	static const char *const bad[] = {
		"-1", "0", "abc", "", "12x", "4194305", "99999999999999999999",
		" 5", "+5",
	};

	(void)state;
	assert_int_equal(plan_set(&p, "pids.max", "5", err, sizeof(err)), 0);
	assert_int_equal(p.pids_max, 5);
	assert_int_equal(plan_set(&p, "pids.max", "max", err, sizeof(err)), 0);
	assert_int_equal(p.pids_max, PLAN_PIDS_UNLIMITED);
	assert_int_equal(plan_set(&p, "pids.max", "4194304", err, sizeof(err)),
			 0);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		assert_int_equal(plan_set(&p, "pids.max", bad[i], err,
					  sizeof(err)), -1);
		assert_non_null(strstr(err, "pids.max"));
		assert_int_equal(p.pids_max, 4194304);
	}
	plan_set(&p, "pids.max", "-1", err, sizeof(err));
	assert_non_null(strstr(err, "out of range"));
	plan_set(&p, "pids.max", "abc", err, sizeof(err));
	assert_non_null(strstr(err, "whole number"));
}

static void
set_chdir_propagation_rootfs(void **state)
{
	(void)state;
	assert_int_equal(plan_set(&p, "chdir", "off", err, sizeof(err)), 0);
	assert_false(p.chdir);
	assert_int_equal(plan_set(&p, "chdir", "no", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "'on' or 'off'"));
	assert_int_equal(plan_set(&p, "propagation", "shared", err,
				  sizeof(err)), 0);
	assert_int_equal(p.propagation, PLAN_PROP_SHARED);
	assert_int_equal(plan_set(&p, "propagation", "slave", err,
				  sizeof(err)), -1);
	assert_int_equal(plan_set(&p, "rootfs", "/other", err, sizeof(err)), 0);
	assert_string_equal(p.rootfs, "/other");
	assert_int_equal(plan_set(&p, "rootfs", "", err, sizeof(err)), -1);
	assert_int_equal(plan_set(&p, "colour", "red", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "colour"));
}

static void
check_refuses_proc_alone(void **state)
{
	(void)state;
	plan_enable(&p, PLAN_PROC);
	assert_int_equal(plan_check(&p, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "host's own /proc"));
	plan_enable(&p, PLAN_CHROOT);
	assert_int_equal(plan_check(&p, err, sizeof(err)), 0);
	plan_disable(&p, PLAN_CHROOT);
	plan_enable(&p, PLAN_MNT);
	assert_int_equal(plan_check(&p, err, sizeof(err)), 0);
}

static void
check_refuses_shared_proc_without_chroot(void **state)
{
	(void)state;
	plan_enable(&p, PLAN_PROC);
	plan_enable(&p, PLAN_MNT);
	p.propagation = PLAN_PROP_SHARED;
	assert_int_equal(plan_check(&p, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "propagate"));
	plan_enable(&p, PLAN_CHROOT);
	assert_int_equal(plan_check(&p, err, sizeof(err)), 0);
}

static void
check_needs_rootfs_for_chroot(void **state)
{
	(void)state;
	plan_init(&p, NULL);
	plan_enable(&p, PLAN_CHROOT);
	assert_int_equal(plan_check(&p, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "make rootfs"));
}

static void
clone_flags(void **state)
{
	char buf[128];

	(void)state;
	assert_int_equal(plan_clone_flags(&p), SIGCHLD);
	ENABLE(PLAN_UTS, PLAN_PID, PLAN_MNT, PLAN_CHROOT);
	assert_int_equal(plan_clone_flags(&p),
			 CLONE_NEWUTS | CLONE_NEWPID | CLONE_NEWNS | SIGCHLD);
	plan_format_clone_flags(plan_clone_flags(&p), buf, sizeof(buf));
	assert_string_equal(buf, "CLONE_NEWUTS|CLONE_NEWPID|CLONE_NEWNS|SIGCHLD");
	plan_format_clone_flags(CLONE_NEWUTS, buf, sizeof(buf));
	assert_string_equal(buf, "CLONE_NEWUTS");
	assert_int_equal(plan_format_clone_flags(SIGCHLD, buf, 4), 7);
	assert_string_equal(buf, "SIG");
}

static const char *
after(const char *t, const char *a, const char *b)
{
	const char *pa = strstr(t, a), *pb = strstr(t, b);

	if (!pa || !pb || pb <= pa)
		fail_msg("'%s' does not come after '%s' in:\n%s", b, a, t);
	return pb;
}

/* Renders the show text into a static buffer. */
static const struct plan_cgroups v1 = {
	"/sys/fs/cgroup/pids/boxstep", "/sys/fs/cgroup/memory/boxstep",
	"/sys/fs/cgroup/cpu/boxstep", false, false,
};
static const struct plan_cgroups v2 = {
	"/sys/fs/cgroup/boxstep", "/sys/fs/cgroup/boxstep",
	"/sys/fs/cgroup/boxstep", true, true,
};

static const char *
show(const struct plan_cgroups *cg)
{
	static char text[8192];
	int n = plan_describe(&p, cg, text, sizeof(text));

	assert_true(n > 0 && (size_t)n < sizeof(text));
	return text;
}

static void
describe_plain_process(void **state)
{
	const char *t;

	(void)state;
	t = show(NULL);
	assert_non_null(strstr(t, "(none: `run` starts an ordinary process)"));
	assert_non_null(strstr(t, "clone(SIGCHLD)"));
	assert_null(strstr(t, "sethostname"));
	assert_null(strstr(t, "chroot("));
}

static void
describe_all_layers(void **state)
{
	const char *t;

	(void)state;
	for (int i = 0; i < PLAN_NLAYERS; i++)
		plan_enable(&p, i);
	plan_disable(&p, PLAN_PIVOT); /* chroot's other half */
	plan_set(&p, "hostname", "kitten", err, sizeof(err));
	t = show(&v1);
	assert_non_null(strstr(t, "clone(CLONE_NEWUTS|CLONE_NEWPID|CLONE_NEWNS"
			       "|CLONE_NEWIPC|CLONE_NEWNET|CLONE_NEWUSER|SIGCHLD)"));
	/* the maps are written before the child is released */
	after(t, "uid_map\", \"0 100000 65536\")", "[release the child]");
	after(t, "setgroups\", \"deny\")", "uid_map");
	after(t, "[release the child]", "setresuid(0, 0, 0)");
	assert_non_null(strstr(t, "sethostname(\"kitten\", 6)"));
	assert_non_null(strstr(t, "mount(NULL, \"/\", NULL, MS_REC|MS_PRIVATE, "
			       "NULL)"));
	/* The session's writable layer over the rootfs, then a chroot into
	 * it; with the layer off, into the rootfs itself. */
	assert_non_null(strstr(t, "mount(\"overlay\", \"/run/boxstep/<session>/"
			       "<rootfs name>\", \"overlay\", 0, \"lowerdir="
			       "/srv/rootfs,upperdir=/run/boxstep/<session>/upper"));
	assert_non_null(strstr(t, "chroot(\"/run/boxstep/<session>/<rootfs "
			       "name>\")"));
	assert_true(strstr(t, "overlay") < strstr(t, "clone("));
	assert_non_null(strstr(t, "chdir(\"/\")"));
	assert_non_null(strstr(t, "mount(\"proc\", \"/proc\", \"proc\""));
	assert_non_null(strstr(t, "mkdir(\"/sys/fs/cgroup/pids/boxstep/"
			       "<session>/<n>\")"));
	assert_non_null(strstr(t, "write(\"pids.max\", \"20\")"));
	/* The cgroup is filled before the child is released, and the child
	 * sets its hostname before it execs. */
	assert_true(strstr(t, "cgroup.procs") < strstr(t, "release the child"));
	assert_true(strstr(t, "sethostname") < strstr(t, "execvp"));
	assert_true(strstr(t, "chroot(") < strstr(t, "mount(\"proc\""));
	/* No leak, so no cleanup of host mounts. */
	assert_null(strstr(t, "umount2("));
	assert_int_equal(plan_set(&p, "rootfs.layer", "off", err,
				  sizeof(err)), 0);
	t = show(&v1);
	assert_null(strstr(t, "overlay"));
	assert_non_null(strstr(t, "chroot(\"/srv/rootfs\")"));
	assert_int_equal(plan_set(&p, "rootfs.layer", "maybe", err,
				  sizeof(err)), -1);
	assert_string_equal(err, "rootfs.layer takes 'on' or 'off', not "
			    "'maybe'");
}

static void
describe_chdir_off_and_leak(void **state)
{
	const char *t;

	(void)state;
	plan_enable(&p, PLAN_CHROOT);
	plan_enable(&p, PLAN_PROC);
	p.chdir = false;
	t = show(NULL);
	assert_null(strstr(t, "chdir(\"/\")"));
	assert_non_null(strstr(t, "cwd stays outside the root"));
	assert_non_null(strstr(t, "[proc leaked]"));
}

static void
describe_shared_propagation(void **state)
{
	const char *t;

	(void)state;
	ENABLE(PLAN_MNT, PLAN_CHROOT, PLAN_PROC);
	p.propagation = PLAN_PROP_SHARED;
	t = show(NULL);
	assert_non_null(strstr(t, "MS_BIND"));
	assert_non_null(strstr(t, "MS_SHARED"));
	assert_null(strstr(t, "MS_REC|MS_PRIVATE"));
	assert_non_null(strstr(t, "umount2(\"<rootfs>\", MNT_DETACH)"));
}

static void
describe_refused_plan(void **state)
{
	const char *t;

	(void)state;
	plan_enable(&p, PLAN_PROC);
	t = show(NULL);
	assert_non_null(strstr(t, "`run` would refuse"));
	assert_null(strstr(t, "clone("));
}


static void
describe_memory_and_cpu(void **state)
{
	const char *t;

	(void)state;
	ENABLE(PLAN_PIDS, PLAN_MEMORY, PLAN_CPU);
	assert_int_equal(plan_set(&p, "memory.max", "32M", err, sizeof(err)), 0);
	/* v1: a directory in each hierarchy, the v1 file names */
	t = show(&v1);
	after(t, "clone(", "mkdir(\"/sys/fs/cgroup/memory/boxstep/<session>/<n>\")");
	after(t, "mkdir(\"/sys/fs/cgroup/pids/boxstep/<session>/<n>\")",
	      "mkdir(\"/sys/fs/cgroup/cpu/boxstep/<session>/<n>\")");
	assert_non_null(strstr(t, "write(\"memory.limit_in_bytes\", "
			       "\"33554432\")"));
	assert_non_null(strstr(t, "write(\"cpu.cfs_quota_us\", \"50000\")"));
	after(t, "cpu.cfs_quota_us", "write(\"cgroup.procs\"");
	after(t, "cgroup.procs", "[release the child]");
	/* v2: one directory, one cgroup.procs, the v2 file names */
	t = show(&v2);
	assert_non_null(strstr(t, "mkdir(\"/sys/fs/cgroup/boxstep/<session>/<n>\")"));
	assert_null(strstr(strstr(t, "mkdir(") + 1, "mkdir("));
	assert_null(strstr(strstr(t, "cgroup.procs") + 1, "cgroup.procs"));
	assert_non_null(strstr(t, "write(\"memory.max\", \"33554432\")"));
	assert_non_null(strstr(t, "write(\"memory.swap.max\", \"0\")"));
	assert_non_null(strstr(t, "write(\"cpu.max\", \"50000 100000\")"));
	assert_int_equal(plan_set(&p, "cpu.max", "max", err, sizeof(err)), 0);
	assert_non_null(strstr(show(&v2), "write(\"cpu.max\", \"max 100000\")"));
	assert_non_null(strstr(show(&v1), "write(\"cpu.cfs_quota_us\", \"-1\")"));
	/* missing controllers say so */
	plan_disable(&p, PLAN_PIDS);
	assert_non_null(strstr(show(NULL), "<no memory cgroup found>"));
	assert_non_null(strstr(show(NULL), "<no cpu cgroup found>"));
	assert_null(strstr(show(NULL), "<no pids cgroup found>"));
}

static void
set_memory_and_cpu(void **state)
{
	static const struct { const char *v; long long want; } sizes[] = {
		{ "32M", 32LL << 20 }, { "1G", 1LL << 30 }, { "4096k", 4LL << 20 },
		{ "64MiB", 64LL << 20 }, { "2097152", 2097152 }, { "1P", 1LL << 50 },
		{ "max", PLAN_MEMORY_UNLIMITED },
	};
	static const char *const bad_sizes[] = {
		"", "-1M", "32X", "1M2", "1024", "1023K", "2P", "M", "32 M",
		"99999999999999999999",
	};
	char buf[32];

	(void)state;
	plan_get(&p, "memory.max", buf, sizeof(buf));
	assert_string_equal(buf, "64M");
	plan_get(&p, "cpu.max", buf, sizeof(buf));
	assert_string_equal(buf, "50");
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		assert_int_equal(plan_set(&p, "memory.max", sizes[i].v, err,
					  sizeof(err)), 0);
		assert_true(p.memory_max == sizes[i].want);
	}
	for (size_t i = 0; i < sizeof(bad_sizes) / sizeof(bad_sizes[0]); i++)
		if (plan_set(&p, "memory.max", bad_sizes[i], err,
			     sizeof(err)) != -1 || !strstr(err, "memory.max"))
			fail_msg("memory.max '%s' taken (%s)", bad_sizes[i], err);
	assert_int_equal(plan_set(&p, "memory.max", "1536K", err, sizeof(err)), 0);
	plan_get(&p, "memory.max", buf, sizeof(buf));
	assert_string_equal(buf, "1536K");
	assert_int_equal(plan_set(&p, "cpu.max", "250", err, sizeof(err)), 0);
	assert_int_equal(p.cpu_max, 250);
	assert_int_equal(plan_set(&p, "cpu.max", "20%", err, sizeof(err)), 0);
	assert_int_equal(p.cpu_max, 20);
	assert_int_equal(plan_set(&p, "cpu.max", "0", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "between 1"));
	assert_int_equal(plan_set(&p, "cpu.max", "half", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "whole percentage"));
	assert_int_equal(plan_set(&p, "cpu.max", "102401", err, sizeof(err)), -1);
	plan_format_size(3LL << 30, buf, sizeof(buf));
	assert_string_equal(buf, "3G");
	plan_format_size(1000, buf, sizeof(buf));
	assert_string_equal(buf, "1000");
}

static void
describe_ipc_net_cgroupns(void **state)
{
	const char *t;
	char buf[128];

	(void)state;
	ENABLE(PLAN_IPC, PLAN_NET, PLAN_CGROUPNS, PLAN_PIDS);
	plan_format_clone_flags(plan_clone_flags(&p), buf, sizeof(buf));
	/* cgroupns is not a clone flag: the child unshares it later */
	assert_string_equal(buf, "CLONE_NEWIPC|CLONE_NEWNET|SIGCHLD");
	t = show(&v1);
	after(t, "write(\"cgroup.procs\"", "unshare(CLONE_NEWCGROUP)");
	after(t, "[release the child]", "unshare(CLONE_NEWCGROUP)");
	after(t, "unshare(CLONE_NEWCGROUP)", "SIOCSIFFLAGS, {\"lo\", IFF_UP}");
	after(t, "IFF_UP", "execvp");
	assert_int_equal(plan_layer_lookup("cgroupns"), PLAN_CGROUPNS);
	assert_string_equal(plan_layer_names(), "uts pid mnt chroot proc pids "
			    "memory cpu ipc net cgroupns pivot user caps "
			    "nonewprivs seccomp dev masks time");
}

static void
describe_pivot(void **state)
{
	const char *t;

	(void)state;
	plan_enable(&p, PLAN_PIVOT);
	assert_int_equal(plan_check(&p, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "refusing pivot without mnt"));
	plan_enable(&p, PLAN_MNT);
	assert_int_equal(plan_check(&p, err, sizeof(err)), 0);
	assert_true(plan_new_root(&p));
	t = show(NULL);
	after(t, "MS_REC|MS_PRIVATE", "MS_BIND|MS_REC");
	after(t, "MS_BIND|MS_REC", "chdir(\"/run/boxstep/<session>/<rootfs name>\")");
	after(t, "pivot_root(\".\", \".\")", "umount2(\".\", MNT_DETACH)");
	after(t, "umount2(\".\", MNT_DETACH)", "execvp");
	assert_null(strstr(t, "chroot("));
	plan_enable(&p, PLAN_CHROOT);
	assert_int_equal(plan_check(&p, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "two ways to give the container its root"));
	plan_disable(&p, PLAN_CHROOT);
	p.propagation = PLAN_PROP_SHARED;
	assert_int_equal(plan_check(&p, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "refusing pivot with shared propagation"));
}

static void
rootless_checks_and_calls(void **state)
{
	const char *t;

	(void)state;
	/* In the session's host every layer is as optional as it is for
	 * root: the user layer too. */
	plan_make_rootless(&p, 1000, 1001);
	assert_false(plan_has(&p, PLAN_USER));
	assert_int_equal(plan_check(&p, err, sizeof(err)), 0);
	plan_enable(&p, PLAN_USER);
	t = show(NULL);
	/* That host has one uid and one gid, 0: the user's. */
	assert_non_null(strstr(t, "uid_map\", \"0 0 1\""));
	assert_non_null(strstr(t, "gid_map\", \"0 0 1\""));
	assert_null(strstr(t, "1000"));
	after(t, "\"deny\"", "uid_map");
	plan_disable(&p, PLAN_USER);
	/* chroot without mnt works: the session's host mounts the layer. */
	plan_enable(&p, PLAN_CHROOT);
	assert_int_equal(plan_check(&p, err, sizeof(err)), 0);
	t = show(NULL);
	/* The layer is bounded as root's is; /tmp made in it first (the
	 * host's root's /tmp cannot be copied up), then the overlay. */
	after(t, "mount(\"tmpfs\", \"$XDG_RUNTIME_DIR/boxstep/<session>\"",
	      "upper/tmp\", 01777)");
	after(t, "upper/tmp\", 01777)", "mount(\"overlay\", \"$XDG_RUNTIME_DIR/"
	      "boxstep/<session>/<rootfs name>\"");
	after(t, "[release the child]", "chroot(\"$XDG_RUNTIME_DIR/boxstep/");
	assert_null(strstr(t, "/run/boxstep"));
	/* Shared propagation reaches the session's host, as it would the
	 * host. */
	plan_enable(&p, PLAN_MNT);
	p.propagation = PLAN_PROP_SHARED;
	assert_int_equal(plan_check(&p, err, sizeof(err)), 0);
	/* plan_init undoes it all. */
	plan_init(&p, "/srv/rootfs");
	assert_false(p.rootless);
	assert_false(plan_has(&p, PLAN_USER));
}

static void
describe_pivot_mounts_proc_first(void **state)
{
	const char *t;

	(void)state;
	ENABLE(PLAN_MNT, PLAN_PIVOT, PLAN_PID, PLAN_PROC);
	t = show(NULL);
	after(t, "\"/run/boxstep/<session>/<rootfs name>/proc\", \"proc\"",
	      "pivot_root");
	assert_null(strstr(t, "mount(\"proc\", \"/proc\""));
}

static void
describe_pids_without_hierarchy(void **state)
{
	(void)state;
	plan_enable(&p, PLAN_PIDS);
	assert_non_null(strstr(show(NULL), "<no pids cgroup found>"));
}

static void
describe_truncates_like_snprintf(void **state)
{
	char small[16];
	int need;

	(void)state;
	need = plan_describe(&p, NULL, NULL, 0);
	assert_true(need > 100);
	assert_int_equal(plan_describe(&p, NULL, small, sizeof(small)), need);
	assert_int_equal(strlen(small), sizeof(small) - 1);
}

/* caps: relative to Docker's default, as --cap-add and --cap-drop;
 * what `set` prints reads back to the same set. */
static void
set_caps_checks(void **state)
{
	char v[256];
	unsigned long long was;

	(void)state;
	assert_int_equal(p.caps, CAPS_DOCKER_DEFAULT);
	assert_int_equal(caps_size(p.caps), 14);
	plan_get(&p, "caps", v, sizeof(v));
	assert_string_equal(v, "default");
	assert_int_equal(plan_set(&p, "caps", "-SYS_CHROOT,+sys_admin", err,
				  sizeof(err)), 0);
	assert_false(p.caps & CAPS_BIT(CAP_SYS_CHROOT));
	assert_true(p.caps & CAPS_BIT(CAP_SYS_ADMIN));
	assert_int_equal(caps_size(p.caps), 14);
	plan_get(&p, "caps", v, sizeof(v));
	assert_string_equal(v, "default,-SYS_CHROOT,+SYS_ADMIN");
	was = p.caps;
	assert_int_equal(plan_set(&p, "caps", v, err, sizeof(err)), 0);
	assert_int_equal(p.caps, was);
	/* CAP_ and any case; a second set starts again from the default */
	assert_int_equal(plan_set(&p, "caps", "-cap_kill", err, sizeof(err)),
			 0);
	assert_int_equal(p.caps, CAPS_DOCKER_DEFAULT & ~CAPS_BIT(CAP_KILL));
	assert_int_equal(plan_set(&p, "caps", "none,+CHOWN", err, sizeof(err)),
			 0);
	assert_int_equal(p.caps, CAPS_BIT(CAP_CHOWN));
	plan_get(&p, "caps", v, sizeof(v));
	assert_string_equal(v, "none,+CHOWN");
	assert_int_equal(plan_set(&p, "caps", "none", err, sizeof(err)), 0);
	plan_get(&p, "caps", v, sizeof(v));
	assert_string_equal(v, "none");
	assert_int_equal(plan_set(&p, "caps", "all", err, sizeof(err)), 0);
	assert_int_equal(p.caps, caps_all());
	plan_get(&p, "caps", v, sizeof(v));
	assert_string_equal(v, "all");
	/* bad names change nothing; "none" only as the first word */
	was = p.caps;
	assert_int_equal(plan_set(&p, "caps", "-SYS_ADMN", err, sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "no capability called 'SYS_ADMN'"));
	assert_int_equal(plan_set(&p, "caps", "+CHOWN,none", err, sizeof(err)),
			 -1);
	assert_int_equal(plan_set(&p, "caps", "+21", err, sizeof(err)), -1);
	assert_int_equal(plan_set(&p, "caps", ",", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "caps needs a value"));
	assert_int_equal(p.caps, was);
	assert_int_equal(caps_lookup("sys_chroot"), CAP_SYS_CHROOT);
	assert_int_equal(caps_lookup("CAP_NET_RAW"), CAP_NET_RAW);
	assert_int_equal(caps_lookup("chroot"), -1);
}

/* The three privilege layers come after every mount and the root, in
 * the order that lets each work: the filter before the capabilities
 * go (without no_new_privs loading one needs CAP_SYS_ADMIN), all before
 * the hold that lets boxstep look. */
static void
describe_privileges(void **state)
{
	const char *t;

	(void)state;
	ENABLE(PLAN_UTS, PLAN_MNT, PLAN_CHROOT, PLAN_PROC, PLAN_CAPS,
	       PLAN_SECCOMP, PLAN_NONEWPRIVS);
	t = show(&v1);
	after(t, "mount(\"proc\"", "seccomp(SECCOMP_SET_MODE_FILTER");
	after(t, "unshare setns (namespaces)", "PR_CAPBSET_DROP");
	after(t, "for the 27 it does not keep", "SYS_ADMIN");
	after(t, "PR_CAPBSET_DROP", "capset()");
	after(t, "the 14 kept", "SYS_CHROOT");
	after(t, "capset()", "PR_SET_NO_NEW_PRIVS, 1");
	after(t, "PR_SET_NO_NEW_PRIVS", "[held, set up]");
	assert_int_equal(plan_clone_flags(&p) & ~(unsigned long)SIGCHLD,
			 CLONE_NEWUTS | CLONE_NEWNS);
	assert_int_equal(plan_set(&p, "caps", "all", err, sizeof(err)), 0);
	t = show(&v1);
	assert_null(strstr(t, "PR_CAPBSET_DROP"));
	assert_non_null(strstr(t, "the bounding set keeps all"));
}

/* dev and masks mount under the root before it is entered; masks'
 * /proc files after proc, before seccomp would refuse a mount; time
 * before the user layer's setresuid. */
static void
describe_dev_masks_time(void **state)
{
	const char *t;

	(void)state;
	ENABLE(PLAN_UTS, PLAN_PID, PLAN_MNT, PLAN_CHROOT, PLAN_PROC, PLAN_DEV,
	       PLAN_MASKS, PLAN_TIME, PLAN_SECCOMP);
	t = show(&v1);
	after(t, "MS_REC|MS_PRIVATE", "mount(\"tmpfs\", \"/run/boxstep/<session>/"
	      "<rootfs name>/dev\"");
	after(t, "/dev\", \"tmpfs\"", "mknod(\"/dev/null\", S_IFCHR|0666, "
	      "makedev(1, 3))");
	after(t, "mknod(\"/dev/tty\"", "newinstance");
	after(t, "newinstance", "symlink(\"pts/ptmx\", \"/dev/ptmx\")");
	after(t, "/dev/ptmx", "<rootfs name>/sys\", \"sysfs\", MS_RDONLY");
	after(t, "sysfs", "chroot(");
	after(t, "mount(\"proc\", \"/proc\"", "/proc/kcore /proc/keys");
	after(t, "/proc/kcore", "/proc/sys /proc/sysrq-trigger");
	after(t, "/proc/sysrq-trigger", "seccomp(SECCOMP_SET_MODE_FILTER");
	after(t, "unshare(CLONE_NEWTIME)", "sethostname");
	assert_non_null(strstr(t, "\"monotonic 31536000 0\\nboottime 31536000 "
			       "0\\n\""));
	/* the time flag is not a clone flag */
	assert_false(plan_clone_flags(&p) & 0x80);
	/* in a user namespace the host's nodes are bound, not made */
	plan_enable(&p, PLAN_USER);
	plan_enable(&p, PLAN_NET);
	t = show(&v1);
	assert_null(strstr(t, "mknod("));
	assert_non_null(strstr(t, "mount(\"/dev/null\", \"/dev/null\" (an "
			       "empty file), NULL, MS_BIND, NULL)"));
	after(t, "unshare(CLONE_NEWTIME)", "setresuid");
}

static void
dev_masks_rules(void **state)
{
	(void)state;
	plan_enable(&p, PLAN_DEV);
	plan_enable(&p, PLAN_CHROOT);
	assert_int_equal(plan_check(&p, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "refusing dev without mnt"));
	plan_enable(&p, PLAN_MNT);
	assert_int_equal(plan_check(&p, err, sizeof(err)), 0);
	plan_disable(&p, PLAN_CHROOT);
	assert_int_equal(plan_check(&p, err, sizeof(err)), -1);
	plan_enable(&p, PLAN_PIVOT);
	assert_int_equal(plan_check(&p, err, sizeof(err)), 0);
	p.propagation = PLAN_PROP_SHARED;
	assert_int_equal(plan_check(&p, err, sizeof(err)), -1);
	p.propagation = PLAN_PROP_PRIVATE;
	plan_enable(&p, PLAN_MASKS);
	assert_int_equal(plan_check(&p, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "masks without dev and proc"));
	plan_enable(&p, PLAN_PROC);
	assert_int_equal(plan_check(&p, err, sizeof(err)), 0);
	plan_enable(&p, PLAN_USER);
	assert_int_equal(plan_check(&p, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "masks without net in a user namespace"));
	plan_enable(&p, PLAN_NET);
	assert_int_equal(plan_check(&p, err, sizeof(err)), 0);
	plan_disable(&p, PLAN_USER);
	plan_disable(&p, PLAN_NET);
	plan_make_rootless(&p, 1000, 1000);
	assert_int_equal(plan_check(&p, err, sizeof(err)), -1);
}

static void
set_time_offset_checks(void **state)
{
	char v[32];

	(void)state;
	assert_int_equal(p.time_offset, 31536000);
	assert_int_equal(plan_set(&p, "time.offset", "-60", err, sizeof(err)),
			 0);
	plan_get(&p, "time.offset", v, sizeof(v));
	assert_string_equal(v, "-60");
	assert_int_equal(plan_set(&p, "time.offset", "soon", err, sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "whole number of seconds"));
	assert_int_equal(plan_set(&p, "time.offset", "315360001", err,
				  sizeof(err)), -1);
	assert_int_equal(plan_set(&p, "time.offset", "", err, sizeof(err)), -1);
	assert_int_equal(p.time_offset, -60);
	assert_non_null(plan_key_lookup("time.offset")->kernel_has);
}

/* config.json: what each layer adds, read back with the JSON reader. */
static void
oci_config(void **state)
{
	static char *const argv[] = { "sleep", "1", NULL };
	static char text[65536];
	const struct json *ns, *caps;
	struct json *j;
	char jerr[128];

	(void)state;
	ENABLE(PLAN_UTS, PLAN_PID, PLAN_MNT, PLAN_CHROOT, PLAN_PROC, PLAN_CAPS,
	       PLAN_PIDS, PLAN_TIME);
	assert_int_equal(plan_set(&p, "hostname", "kit", err, sizeof(err)), 0);
	assert_true(plan_oci(&p, argv, "/srv/rootfs", text, sizeof(text)) <
		    (int)sizeof(text));
	j = json_parse(text, strlen(text), jerr, sizeof(jerr));
	if (!j)
		fail_msg("%s in:\n%s", jerr, text);
	assert_string_equal(json_str(json_get(j, "hostname")), "kit");
	assert_string_equal(json_str(json_get(json_get(j, "root"), "path")),
			    "/srv/rootfs");
	assert_string_equal(json_str(json_at(json_get(json_get(j, "process"),
					     "args"), 0)), "sleep");
	ns = json_get(json_get(j, "linux"), "namespaces");
	assert_int_equal(ns->n, 4);
	assert_string_equal(json_str(json_get(json_at(ns, 2), "type")), "mount");
	assert_string_equal(json_str(json_get(json_at(ns, 3), "type")), "time");
	caps = json_get(json_get(json_get(j, "process"), "capabilities"),
			"effective");
	assert_int_equal(caps->n, 14);
	assert_string_equal(json_str(json_at(caps, 0)), "CAP_CHOWN");
	assert_string_equal(json_get(json_get(json_get(json_get(j, "linux"),
			    "resources"), "pids"), "limit")->str, "20");
	assert_string_equal(json_get(json_get(json_get(json_get(j, "linux"),
			    "timeOffsets"), "boottime"), "secs")->str,
			    "31536000");
	assert_null(json_get(json_get(j, "linux"), "seccomp"));
	assert_string_equal(json_str(json_get(json_at(json_get(j, "mounts"),
					     0), "destination")), "/proc");
	json_free(j);
}

static void
tool_lines(void **state)
{
	char text[1024];

	(void)state;
	ENABLE(PLAN_UTS, PLAN_PID, PLAN_PIDS);
	plan_unshare_line(&p, text, sizeof(text));
	assert_string_equal(text, "unshare --uts --pid --fork sh\n"
			    "# then, inside: hostname boxstep\n"
			    "# unshare(1) has no option for: pids\n");
	plan_docker_line(&p, text, sizeof(text));
	assert_non_null(strstr(text, "docker run --rm -it --hostname=boxstep "
			       "--pids-limit=20 --ipc=host --network=host "));
	assert_non_null(strstr(text, "\n# docker run has no option for: mnt "
			       "off, proc off, dev off\n"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(defaults, setup),
		cmocka_unit_test_setup(layer_table_is_complete, setup),
		cmocka_unit_test_setup(enable_disable, setup),
		cmocka_unit_test_setup(set_hostname_checks, setup),
		cmocka_unit_test_setup(set_pids_max_checks, setup),
		cmocka_unit_test_setup(set_chdir_propagation_rootfs, setup),
		cmocka_unit_test_setup(check_refuses_proc_alone, setup),
		cmocka_unit_test_setup(check_refuses_shared_proc_without_chroot,
				       setup),
		cmocka_unit_test_setup(check_needs_rootfs_for_chroot, setup),
		cmocka_unit_test_setup(clone_flags, setup),
		cmocka_unit_test_setup(describe_plain_process, setup),
		cmocka_unit_test_setup(describe_all_layers, setup),
		cmocka_unit_test_setup(describe_chdir_off_and_leak, setup),
		cmocka_unit_test_setup(describe_shared_propagation, setup),
		cmocka_unit_test_setup(describe_refused_plan, setup),
		cmocka_unit_test_setup(describe_pids_without_hierarchy, setup),
cmocka_unit_test_setup(describe_memory_and_cpu, setup),
cmocka_unit_test_setup(describe_pivot, setup),
cmocka_unit_test_setup(describe_ipc_net_cgroupns, setup),
cmocka_unit_test_setup(set_memory_and_cpu, setup),
		cmocka_unit_test_setup(describe_truncates_like_snprintf, setup),
		cmocka_unit_test_setup(rootless_checks_and_calls, setup),
		cmocka_unit_test_setup(describe_pivot_mounts_proc_first, setup),
		cmocka_unit_test_setup(set_caps_checks, setup),
		cmocka_unit_test_setup(describe_privileges, setup),
		cmocka_unit_test_setup(describe_dev_masks_time, setup),
		cmocka_unit_test_setup(dev_masks_rules, setup),
		cmocka_unit_test_setup(set_time_offset_checks, setup),
		cmocka_unit_test_setup(oci_config, setup),
		cmocka_unit_test_setup(tool_lines, setup),
	};

	return cmocka_run_group_tests_name("plan", tests, NULL, NULL);
}
