/* Unit tests for the mountinfo parser. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host/mountinfo.h"

static void
parses_fields_and_tags(void **state)
{
	char text[] =
		"26 1 254:0 / / rw,relatime shared:1 master:3 - ext4 /dev/vda rw\n"
		"65 41 0:38 / /srv/root\\040fs/proc rw,nosuid - proc proc rw\n"
		"70 26 0:40 / /run/boxstep/9/busybox rw - overlay overlay "
		"rw,lowerdir=/srv/rootfs,upperdir=/run/boxstep/9/upper\n"
		"71 26 0:41 / /x rw - tmpfs none";
	char *cur = text;
	struct mountinfo_entry e;

	(void)state;
	assert_int_equal(mountinfo_next(&cur, &e), 1);
	assert_int_equal(e.id, 26);
	assert_int_equal(e.parent, 1);
	assert_string_equal(e.root, "/");
	assert_string_equal(e.mountpoint, "/");
	assert_string_equal(e.options, "rw,relatime");
	assert_string_equal(e.tags, "shared:1 master:3");
	assert_string_equal(e.fstype, "ext4");
	assert_string_equal(e.source, "/dev/vda");
	assert_string_equal(e.super, "rw");
	assert_int_equal(mountinfo_next(&cur, &e), 1);
	assert_int_equal(e.id, 65);
	assert_string_equal(e.mountpoint, "/srv/root fs/proc");
	assert_string_equal(e.tags, "");
	assert_string_equal(e.fstype, "proc");
	/* The superblock options: where an overlay's lower layer is. */
	assert_int_equal(mountinfo_next(&cur, &e), 1);
	assert_string_equal(e.fstype, "overlay");
	assert_string_equal(e.super, "rw,lowerdir=/srv/rootfs,upperdir="
			    "/run/boxstep/9/upper");
	/* None at all, at the very end: "". */
	assert_int_equal(mountinfo_next(&cur, &e), 1);
	assert_string_equal(e.super, "");
	assert_int_equal(mountinfo_next(&cur, &e), 0);
}

static void
skips_malformed_lines(void **state)
{
	char text[] = "garbage\n12 x 0:1 / /a rw - proc proc rw\n"
		      "13 1 0:1 / /b rw no-dash-here\n"
		      "14 1 0:1 / /c rw - tmpfs\n"
		      "15 1 0:1 / /d rw - tmpfs none rw";
	char *cur = text;
	struct mountinfo_entry e;

	(void)state;
	assert_int_equal(mountinfo_next(&cur, &e), 1);
	assert_int_equal(e.id, 15);
	assert_string_equal(e.mountpoint, "/d");
	assert_int_equal(mountinfo_next(&cur, &e), 0);
	cur = NULL;
	assert_int_equal(mountinfo_next(&cur, &e), 0);
}

static void
under(void **state)
{
	(void)state;
	assert_true(mountinfo_under("/a/b", "/a"));
	assert_true(mountinfo_under("/a", "/a"));
	assert_true(mountinfo_under("/a/b", "/a/"));
	assert_false(mountinfo_under("/ab", "/a"));
	assert_false(mountinfo_under("/", "/a"));
	assert_true(mountinfo_under("/anything", "/"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parses_fields_and_tags),
		cmocka_unit_test(skips_malformed_lines),
		cmocka_unit_test(under),
	};

	return cmocka_run_group_tests_name("mountinfo", tests, NULL, NULL);
}
