/* Unit tests for hostview: the parsers, and the collector over the fake
 * /proc in tests/fixtures/proc (a container, its child, a host process,
 * and one that vanished half-way through being read). */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/capnames.h"
#include "host/hostview.h"

#ifndef FIXTURES
#define FIXTURES "tests/fixtures"
#endif
#define PROC FIXTURES "/proc"

static struct hostview hv;

static int
teardown(void **state)
{
	(void)state;
	hostview_free(&hv);
	return 0;
}

static void
status_fields(void **state)
{
	(void)state;
	assert_int_equal(hostview_parse_status(
		"Name:\tsleep\nState:\tS (sleeping)\nPid:\t9\nPPid:\t7\n"
		"Uid:\t100000\t100000\t100000\t100000\n"
		"NSpid:\t9\t4\t1\nSigCgt:\t0000000000000002\n", &hv), 0);
	assert_int_equal(hv.uid, 100000);
	assert_string_equal(hv.name, "sleep");
	assert_int_equal(hv.state, 'S');
	assert_int_equal(hv.ppid, 7);
	assert_int_equal(hv.n_nspid, 3);
	assert_int_equal(hv.nspid[0], 9);
	assert_int_equal(hv.nspid[2], 1);
	assert_int_equal(hv.sigcgt, 2);
	/* an old kernel's status: no privilege lines */
	assert_false(hv.has_caps);
	assert_int_equal(hv.seccomp, -1);
	assert_int_equal(hv.no_new_privs, -1);
	assert_int_equal(hostview_parse_status("State:\tR\n", &hv), -1);
	assert_int_equal(hostview_parse_status("", &hv), -1);
}

static void
cgroup_lines(void **state)
{
	char buf[128];

	(void)state;
	assert_int_equal(hostview_parse_cgroup(
		"9:name=systemd:/\n8:pids:/boxstep/1-2\n0::/\n", buf,
		sizeof(buf)), 0);
	assert_string_equal(buf, "/boxstep/1-2");
	assert_int_equal(hostview_parse_cgroup("3:cpu,pids:/x\n", buf,
					       sizeof(buf)), 0);
	assert_string_equal(buf, "/x");
	assert_int_equal(hostview_parse_cgroup("0::/boxstep/5-1\n", buf,
					       sizeof(buf)), 0);
	assert_string_equal(buf, "/boxstep/5-1");
	assert_int_equal(hostview_parse_cgroup("4:pidsx:/no\n", buf,
					       sizeof(buf)), -1);
	assert_int_equal(hostview_parse_cgroup("garbage", buf, sizeof(buf)),
			 -1);
	/* Other controllers: their v1 line, or the v2 line when asked. */
	assert_int_equal(hostview_parse_cgroup_for(
		"4:cpu,cpuacct:/c\n3:memory:/m\n0::/u\n", "memory", false, buf,
		sizeof(buf)), 0);
	assert_string_equal(buf, "/m");
	assert_int_equal(hostview_parse_cgroup_for(
		"4:cpu,cpuacct:/c\n3:memory:/m\n0::/u\n", "cpu", false, buf,
		sizeof(buf)), 0);
	assert_string_equal(buf, "/c");
	assert_int_equal(hostview_parse_cgroup_for(
		"4:cpu,cpuacct:/c\n3:memory:/m\n0::/u\n", "cpu", true, buf,
		sizeof(buf)), 0);
	assert_string_equal(buf, "/u");
	assert_int_equal(hostview_parse_cgroup_for("4:cpuacct:/c\n", "cpu",
						   false, buf, sizeof(buf)), -1);
}

static void
net_dev(void **state)
{
	char buf[64];

	(void)state;
	assert_int_equal(hostview_parse_net_dev(
		"Inter-|   Receive                    |  Transmit\n"
		" face |bytes    packets errs drop fifo|bytes\n"
		"    lo:       0       0    0    0    0 0\n"
		"  eth0: 1234 5 0 0 0 0\n", buf, sizeof(buf)), 2);
	assert_string_equal(buf, "lo eth0");
	assert_int_equal(hostview_parse_net_dev("", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "");
	assert_int_equal(hostview_parse_net_dev("  lo: 1\n", buf, 3), 1);
	assert_string_equal(buf, "lo");
}

static void
id_maps(void **state)
{
	long in, out, n;

	(void)state;
	assert_int_equal(hostview_parse_id_map(
		"         0     100000      65536\n", &in, &out, &n), 0);
	assert_int_equal(in, 0);
	assert_int_equal(out, 100000);
	assert_int_equal(n, 65536);
	assert_int_equal(hostview_parse_id_map("", &in, &out, &n), -1);
	assert_int_equal(hostview_parse_id_map("0 1\n", &in, &out, &n), -1);
}

static void
sizes(void **state)
{
	char buf[32];

	(void)state;
	hostview_size(512, buf, sizeof(buf));
	assert_string_equal(buf, "512B");
	hostview_size(64LL << 20, buf, sizeof(buf));
	assert_string_equal(buf, "64M");
	hostview_size(1536LL << 10, buf, sizeof(buf));
	assert_string_equal(buf, "1.5M");
	hostview_size(300LL << 20, buf, sizeof(buf));
	assert_string_equal(buf, "300M");
	hostview_size(-2, buf, sizeof(buf));
	assert_string_equal(buf, "max");
	hostview_size(-1, buf, sizeof(buf));
	assert_string_equal(buf, "?");
}

static void
cmdline_and_ns_links(void **state)
{
	char buf[64];

	(void)state;
	assert_string_equal(hostview_format_cmdline("sh\0-c\0echo hi\0", 15,
						    buf, sizeof(buf)),
			    "sh -c echo hi");
	assert_string_equal(hostview_format_cmdline("abcdef", 6, buf, 4),
			    "abc");
	assert_string_equal(hostview_format_cmdline("", 0, buf, sizeof(buf)),
			    "");
	assert_int_equal(hostview_parse_ns_link("uts:[4026531838]"),
			 4026531838UL);
	assert_int_equal(hostview_parse_ns_link("nonsense"), 0);
}

static void
collect_container(void **state)
{
	struct cgroup_ctx cg = { 0 };
	char text[4096];

	(void)state;
	cg.ctl[CGROUP_PIDS].version = CGROUP_V1;
	snprintf(cg.ctl[CGROUP_PIDS].hier, PATH_MAX, "/nonexistent/pids");
	cg.ctl[CGROUP_MEMORY].version = CGROUP_V1;
	snprintf(cg.ctl[CGROUP_MEMORY].hier, PATH_MAX, "/nonexistent/memory");
	assert_int_equal(hostview_collect(&hv, PROC, 4242, &cg), 0);
	assert_false(hv.gone);
	assert_string_equal(hv.name, "sh");
	assert_int_equal(hv.n_nspid, 2);
	assert_int_equal(hv.nspid[1], 1);
	assert_string_equal(hv.cmdline, "sh -c sleep 3000 | sleep 3001");
	assert_int_equal(hv.n_ns, 5);
	assert_true(hostview_ns_is_new(&hv, "uts"));
	assert_true(hostview_ns_is_new(&hv, "pid"));
	assert_true(hostview_ns_is_new(&hv, "mnt"));
	assert_false(hostview_ns_is_new(&hv, "net"));
	assert_false(hostview_ns_is_new(&hv, "user")); /* absent */
	assert_string_equal(hv.root, "/srv/box");
	assert_string_equal(hv.cwd, "/srv");
	assert_true(hv.cwd_outside_root);
	assert_int_equal(hv.n_mounts, 1);
	assert_string_equal(hv.mounts[0].mountpoint, "/proc");
	assert_string_equal(hv.mounts[0].tags, "");
	assert_int_equal(hv.n_leaks, 1);
	assert_string_equal(hv.leaks[0].mountpoint, "/srv/box/proc");
	assert_string_equal(hv.cgroup, "/boxstep/4200-1");
	assert_string_equal(hv.cgroup_dir, "/nonexistent/pids/boxstep/4200-1");
	assert_string_equal(hv.group.dir[CGROUP_MEMORY],
			    "/nonexistent/memory/boxstep/4200-1");
	assert_string_equal(hv.group.dir[CGROUP_CPU], ""); /* not found */
	assert_false(hostview_has_memory_limit(&hv)); /* unreadable */
	assert_int_equal(hv.cg.current, -1);
	/* Its pid namespace holds itself and its child, not the host's. */
	assert_int_equal(hv.n_procs, 2);
	for (size_t i = 0; i < hv.n_procs; i++) {
		assert_true(hv.procs[i].host == 4242 || hv.procs[i].host == 4243);
		assert_int_equal(hv.procs[i].inner,
				 hv.procs[i].host == 4242 ? 1 : 2);
	}
	hostview_format(&hv, text, sizeof(text));
	assert_non_null(strstr(text, "NSpid: 4242 -> 1"));
	assert_non_null(strstr(text, "OUTSIDE THE ROOT"));
	assert_non_null(strstr(text, "LEAKED to the host"));
	assert_non_null(strstr(text, "uts     NEW"));
	assert_non_null(strstr(text, "net     shared"));
}

static void
collect_partial_process(void **state)
{
	(void)state;
	/* 4243 has a status but no cgroup, mountinfo, root or cwd. */
	assert_int_equal(hostview_collect(&hv, PROC, 4243, NULL), 0);
	assert_string_equal(hv.name, "sleep");
	assert_string_equal(hv.cgroup, "");
	assert_int_equal(hv.n_mounts, 0);
	assert_false(hv.cwd_outside_root);
}

static void
collect_vanished(void **state)
{
	(void)state;
	/* 9999 vanished after writing half its status; 5 never existed. */
	assert_int_equal(hostview_collect(&hv, PROC, 9999, NULL), -1);
	assert_true(hv.gone);
	assert_int_equal(hostview_collect(&hv, PROC, 5, NULL), -1);
	assert_true(hv.gone);
	assert_int_equal(hv.pid, 5);
}

static void
format_needs_no_buffer(void **state)
{
	char small[8];
	int need;

	(void)state;
	assert_int_equal(hostview_collect(&hv, PROC, 4242, NULL), 0);
	need = hostview_format(&hv, NULL, 0);
	assert_true(need > 100);
	assert_int_equal(hostview_format(&hv, small, sizeof(small)), need);
	assert_int_equal(strlen(small), sizeof(small) - 1);
}

/* A thread's children file under ROOT. */
static void
children(const char *root, int pid, int tid, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "mkdir -p %s/%d/task/%d", root, pid, tid);
	assert_int_equal(system(path), 0);
	snprintf(path, sizeof(path), "%s/%d/task/%d/children", root, pid, tid);
	assert_non_null(f = fopen(path, "w"));
	fputs(text, f);
	fclose(f);
}

static void
tree_mark(void **state)
{
	char root[] = "/tmp/boxstep-tree.XXXXXX", cmd[64];
	unsigned long before, after;

	(void)state;
	assert_non_null(mkdtemp(root));
	children(root, 100, 100, "101 ");
	children(root, 100, 103, "");
	children(root, 101, 101, "");
	children(root, 500, 500, "");
	before = hostview_tree_mark(root, 100);
	assert_true(before != 0);
	/* A fork elsewhere: the same mark. */
	children(root, 500, 500, "501 502 ");
	assert_true(hostview_tree_mark(root, 100) == before);
	/* A fork in the tree, by a second thread: another. */
	children(root, 100, 103, "104 ");
	children(root, 104, 104, "");
	after = hostview_tree_mark(root, 100);
	assert_true(after != before);
	/* It ends: the first mark again. */
	children(root, 100, 103, "");
	assert_true(hostview_tree_mark(root, 100) == before);
	assert_true(hostview_tree_mark(root, 777) == 0);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
	assert_int_equal(system(cmd), 0);
}

/* What the caps, seccomp and nonewprivs layers change, from status:
 * Docker's 14 kept are named; a full set is said to be one. */
static void
privileges(void **state)
{
	static const char docker[] =
		"Name:\tsh\nPid:\t9\nCapEff:\t00000000a80425fb\n"
		"CapBnd:\t00000000a80425fb\nNoNewPrivs:\t1\nSeccomp:\t2\n"
		"Seccomp_filters:\t1\n";
	char text[4096], want[64];

	(void)state;
	assert_int_equal(hostview_parse_status(docker, &hv), 0);
	assert_true(hv.has_caps);
	assert_int_equal(hv.cap_eff, 0xa80425fbULL);
	assert_int_equal(hv.no_new_privs, 1);
	assert_int_equal(hv.seccomp, 2);
	assert_int_equal(hv.seccomp_filters, 1);
	hostview_format(&hv, text, sizeof(text));
	snprintf(want, sizeof(want), "capabilities: CapEff 14 of %d, CapBnd "
		 "14  (%d dropped)\n", caps_count(), caps_count() - 14);
	assert_non_null(strstr(text, want));
	assert_non_null(strstr(text, "  kept: CHOWN DAC_OVERRIDE FOWNER FSETID "
			       "KILL SETGID SETUID SETPCAP NET_BIND_SERVICE "
			       "NET_RAW SYS_CHROOT MKNOD AUDIT_WRITE SETFCAP\n"));
	assert_non_null(strstr(text, "seccomp: filter (1 filter)   "
			       "no_new_privs: 1\n"));
	hostview_free(&hv);
	snprintf(text, sizeof(text), "Name:\tsh\nPid:\t9\nCapEff:\t%llx\n"
		 "CapBnd:\t%llx\nNoNewPrivs:\t0\nSeccomp:\t0\n", caps_all(),
		 caps_all() & ~CAPS_BIT(CAP_SYS_RESOURCE));
	assert_int_equal(hostview_parse_status(text, &hv), 0);
	hostview_format(&hv, text, sizeof(text));
	assert_non_null(strstr(text, "(root's full set)\nseccomp: off   "
			       "no_new_privs: 0\n"));
	hostview_free(&hv);
	snprintf(text, sizeof(text), "Name:\tsh\nPid:\t9\nCapEff:\t%llx\n",
		 caps_all() & ~CAPS_BIT(CAP_SYS_RESOURCE));
	assert_int_equal(hostview_parse_status(text, &hv), 0);
	hostview_format(&hv, text, sizeof(text));
	assert_non_null(strstr(text, "\n  missing: SYS_RESOURCE\n"));
}

static void
time_offsets(void **state)
{
	(void)state;
	assert_int_equal(hostview_parse_time_offsets("monotonic 86400 0\n"
		"boottime -60 0\n", &hv), 0);
	assert_int_equal(hv.time_monotonic, 86400);
	assert_int_equal(hv.time_boottime, -60);
	assert_int_equal(hostview_parse_time_offsets("monotonic 1 0\n", &hv),
			 -1);
	assert_int_equal(hostview_parse_time_offsets("", &hv), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(status_fields, teardown),
		cmocka_unit_test_teardown(privileges, teardown),
		cmocka_unit_test_teardown(time_offsets, teardown),
		cmocka_unit_test_teardown(cgroup_lines, teardown),
		cmocka_unit_test_teardown(sizes, teardown),
		cmocka_unit_test(tree_mark),
		cmocka_unit_test_teardown(net_dev, teardown),
		cmocka_unit_test_teardown(id_maps, teardown),
		cmocka_unit_test_teardown(cmdline_and_ns_links, teardown),
		cmocka_unit_test_teardown(collect_container, teardown),
		cmocka_unit_test_teardown(collect_partial_process, teardown),
		cmocka_unit_test_teardown(collect_vanished, teardown),
		cmocka_unit_test_teardown(format_needs_no_buffer, teardown),
	};

	return cmocka_run_group_tests_name("hostview", tests, NULL, NULL);
}
