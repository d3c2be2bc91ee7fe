/* Unit tests for filecache: files kept open and read again with pread. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "base/filecache.h"
#include "base/fsutil.h"

static char dir[] = "/tmp/boxstep-filecache.XXXXXX";

static int
setup(void **state)
{
	(void)state;
	return mkdtemp(dir) ? 0 : -1;
}

static int
teardown(void **state)
{
	char cmd[64 + sizeof(dir)];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd);
}

/* Written over in place (as the kernel regenerates a proc file), the
 * file kept open reads the new text, and stays open: one entry. */
static void
reads_the_new_text(void **state)
{
	struct filecache c = { 0 };
	char path[PATH_MAX], buf[64];

	(void)state;
	snprintf(path, sizeof(path), "%s/f", dir);
	assert_int_equal(fsutil_write(path, "first\n"), 0);
	assert_int_equal(filecache_read(&c, path, buf, sizeof(buf)), 6);
	assert_string_equal(buf, "first\n");
	assert_int_equal(fsutil_write(path, "second, longer\n"), 0);
	assert_int_equal(filecache_read(&c, path, buf, sizeof(buf)), 15);
	assert_string_equal(buf, "second, longer\n");
	assert_int_equal(c.n, 1);
	/* cut to the buffer, NUL-terminated */
	assert_int_equal(filecache_read(&c, path, buf, 7), 6);
	assert_string_equal(buf, "second");
	filecache_close(&c);
	assert_int_equal(c.n, 0);
}

/* More files than it holds, or a longer path: read the plain way. */
static void
beyond_the_cache_reads_plainly(void **state)
{
	struct filecache c = { 0 };
	char path[PATH_MAX], buf[64], want[64];

	(void)state;
	for (int i = 0; i < FILECACHE_MAX + 4; i++) {
		snprintf(path, sizeof(path), "%s/f%d", dir, i);
		snprintf(want, sizeof(want), "file %d", i);
		assert_int_equal(fsutil_write(path, want), 0);
		assert_true(filecache_read(&c, path, buf, sizeof(buf)) > 0);
		assert_string_equal(buf, want);
	}
	assert_int_equal(c.n, FILECACHE_MAX);
	filecache_close(&c);
	snprintf(path, sizeof(path), "%s/%0*d", dir, FILECACHE_PATH_MAX, 7);
	assert_int_equal(fsutil_write(path, "long"), 0);
	assert_int_equal(filecache_read(&c, path, buf, sizeof(buf)), 4);
	assert_int_equal(c.n, 0);
	snprintf(path, sizeof(path), "%s/none", dir);
	assert_int_equal(filecache_read(&c, path, buf, sizeof(buf)), -1);
	assert_int_equal(errno, ENOENT);
	assert_int_equal(c.n, 0);
}

/* A process's status kept open: once it has gone, the read says so. */
static void
a_process_gone_reads_nothing(void **state)
{
	struct filecache c = { 0 };
	char path[64], buf[4096];
	pid_t pid = fork();

	(void)state;
	if (pid == 0) {
		pause();
		_exit(0);
	}
	assert_true(pid > 0);
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	assert_true(filecache_read(&c, path, buf, sizeof(buf)) > 0);
	assert_non_null(strstr(buf, "Name:"));
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	assert_int_equal(filecache_read(&c, path, buf, sizeof(buf)), -1);
	assert_int_equal(c.n, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(reads_the_new_text),
		cmocka_unit_test(beyond_the_cache_reads_plainly),
		cmocka_unit_test(a_process_gone_reads_nothing),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
