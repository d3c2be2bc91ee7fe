/* Unit tests for room: a session's state as its file says it, and the
 * room read back, trusting each file's owner rather than its text. */
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

#include "base/fsutil.h"
#include "session/room.h"

static bool alive_all(pid_t pid, unsigned uid) { (void)pid; (void)uid; return true; }
static bool alive_none(pid_t pid, unsigned uid) { (void)pid; (void)uid; return false; }

static void
format_then_parse_is_the_same(void **state)
{
	struct room_entry e = { .uid = 1000, .pid = 4242, .step = 3,
				.steps = 5, .checks_ok = 1, .checks = 2,
				.hints = 1, .step_since = 1700000000LL,
				.containers = 1 }, back;
	char text[8192];

	(void)state;
	snprintf(e.user, sizeof(e.user), "ada");
	snprintf(e.from, sizeof(e.from), "ssh 10.0.0.5");
	snprintf(e.lesson, sizeof(e.lesson), "07-cgroups");
	snprintf(e.last_error, sizeof(e.last_error), "exit 1: line one\nkey=x");
	snprintf(e.pids_dir, sizeof(e.pids_dir), "/sys/fs/cgroup/boxstep/4242");
	room_format(&e, text, sizeof(text));
	/* a newline in a text cannot make a key of its own */
	assert_null(strstr(text, "\nkey=x"));
	assert_int_equal(room_parse(text, &back), 0);
	assert_int_equal(back.uid, 1000);
	assert_int_equal(back.pid, 4242);
	assert_string_equal(back.user, "ada");
	assert_string_equal(back.from, "ssh 10.0.0.5");
	assert_string_equal(back.lesson, "07-cgroups");
	assert_int_equal(back.step, 3);
	assert_int_equal(back.steps, 5);
	assert_int_equal(back.checks_ok, 1);
	assert_int_equal(back.checks, 2);
	assert_int_equal(back.hints, 1);
	assert_true(back.step_since == 1700000000LL);
	assert_int_equal(back.containers, 1);
	assert_string_equal(back.last_error, "exit 1: line one key=x");
	assert_string_equal(back.pids_dir, "/sys/fs/cgroup/boxstep/4242");
	assert_int_equal(back.pids, -1);
	/* no pid: no entry */
	assert_int_equal(room_parse("user=x\nstep=2\n", &back), -1);
}

/* Publish into a directory, read back; an entry whose name's uid is not
 * its owner's, and one whose session is gone, are skipped. */
static void
publish_read_withdraw(void **state)
{
	char dir[] = "/tmp/boxstep-test-room.XXXXXX", path[PATH_MAX], err[256];
	struct room_entry e = { .uid = 0, .pid = 77 }, *all;
	size_t n;

	(void)state;
	assert_non_null(mkdtemp(dir));
	setenv("BOXSTEP_ROOM_DIR", dir, 1);
	e.uid = getuid();
	/* The file's text is the learner's: its user, its escapes and a
	 * cgroup that is not its session's are not believed. */
	snprintf(e.user, sizeof(e.user), "someone-else");
	snprintf(e.from, sizeof(e.from), "\033]0;x\007pts/1");
	snprintf(e.memory_dir, sizeof(e.memory_dir), "%s", dir);
	snprintf(path, sizeof(path), "%s/memory.current", dir);
	assert_int_equal(fsutil_write(path, "12345\n"), 0);
	snprintf(e.pids_dir, sizeof(e.pids_dir), "%s/boxstep/77", dir);
	snprintf(path, sizeof(path), "%s/boxstep", dir);
	assert_int_equal(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/boxstep/77", dir);
	assert_int_equal(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/boxstep/77/pids.current", dir);
	assert_int_equal(fsutil_write(path, "7\n"), 0);
	assert_int_equal(room_publish(&e), 0);
	{
		struct stat a, b;

		/* The same state again is not written again; a change is,
		 * and so is a file that went. */
		snprintf(path, sizeof(path), "%s/%u-77", dir, e.uid);
		assert_int_equal(stat(path, &a), 0);
		assert_int_equal(room_publish(&e), 0);
		assert_int_equal(stat(path, &b), 0);
		assert_true(a.st_ino == b.st_ino);
		e.hints = 1;
		assert_int_equal(room_publish(&e), 0);
		assert_int_equal(stat(path, &b), 0);
		assert_true(a.st_ino != b.st_ino);
		unlink(path);
		assert_int_equal(room_publish(&e), 0);
		assert_int_equal(access(path, F_OK), 0);
		e.hints = 0;
		assert_int_equal(room_publish(&e), 0);
	}
	/* a forged entry: the uid in its name is not its owner's */
	snprintf(path, sizeof(path), "%s/%u-78", dir, getuid() + 1);
	assert_int_equal(fsutil_write(path, "pid=78\n"), 0);
	assert_int_equal(room_read(dir, alive_all, &all, &n, err, sizeof(err)),
			 0);
	assert_int_equal(n, 1);
	assert_int_equal(all[0].pid, 77);
	assert_int_equal(all[0].pids, 7);
	assert_int_equal(all[0].memory, -1);
	assert_string_equal(all[0].from, "?]0;x?pts/1");
	assert_string_not_equal(all[0].user, "someone-else");
	free(all);
	assert_int_equal(room_read(dir, alive_none, &all, &n, err,
				   sizeof(err)), 0);
	assert_int_equal(n, 0);
	free(all);
	room_withdraw(&e);
	snprintf(path, sizeof(path), "%s/%u-77", dir, e.uid);
	assert_int_equal(access(path, F_OK), -1);
	unlink(path);
	snprintf(path, sizeof(path), "%s/%u-78", dir, getuid() + 1);
	unlink(path);
	snprintf(path, sizeof(path), "%s/boxstep/77/pids.current", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/boxstep/77", dir);
	rmdir(path);
	snprintf(path, sizeof(path), "%s/boxstep", dir);
	rmdir(path);
	snprintf(path, sizeof(path), "%s/memory.current", dir);
	unlink(path);
	assert_int_equal(rmdir(dir), 0);
	/* no room: nothing published, and reading says why */
	assert_int_equal(room_publish(&e), 1);
	assert_int_equal(room_read(dir, alive_all, &all, &n, err, sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "cannot list"));
	unsetenv("BOXSTEP_ROOM_DIR");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(format_then_parse_is_the_same),
		cmocka_unit_test(publish_read_withdraw),
	};

	return cmocka_run_group_tests_name("room", tests, NULL, NULL);
}
