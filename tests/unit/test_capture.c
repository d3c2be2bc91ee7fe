/* Unit tests for the capture filter: markers stripped and what lies
 * between kept, however the stream is cut into reads. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base/capture.h"

/* Feeds STREAM in reads of CHUNK bytes; the terminal's share goes to
 * SHOWN, and the number of end markers seen is returned. */
static int
feed(struct capture *c, const char *stream, size_t chunk, char *shown)
{
	size_t n = strlen(stream), o = 0;
	int ends = 0;

	for (size_t i = 0; i < n; i += chunk) {
		char out[256];
		size_t len = n - i < chunk ? n - i : chunk;
		bool ended;
		size_t got = capture_filter(c, stream + i, len, out, &ended);

		memcpy(shown + o, out, got);
		o += got;
		ends += ended;
	}
	shown[o] = '\0';
	return ends;
}

static void
test_markers_every_chunking(void **state)
{
	const char *stream = "boxstep> run hostname\r\n" CAPTURE_BEGIN
		"kitten\r\n\033[1mbold\033[0m\r\n" CAPTURE_END "boxstep> ";

	(void)state;
	for (size_t chunk = 1; chunk <= strlen(stream); chunk++) {
		struct capture c = { 0 };
		char shown[512];

		assert_int_equal(feed(&c, stream, chunk, shown), 1);
		assert_string_equal(shown, "boxstep> run hostname\r\nkitten\r\n"
				    "\033[1mbold\033[0m\r\nboxstep> ");
		assert_non_null(c.buf);
		assert_string_equal(c.buf, "kitten\r\n\033[1mbold\033[0m\r\n");
		capture_free(&c);
	}
}

static void
test_outside_markers_not_kept(void **state)
{
	struct capture c = { 0 };
	char shown[256];

	(void)state;
	assert_int_equal(feed(&c, "before" CAPTURE_BEGIN "in" CAPTURE_END
			      "after", 3, shown), 1);
	assert_string_equal(c.buf, "in");
	assert_string_equal(shown, "beforeinafter");
	/* A second capture starts empty. */
	assert_int_equal(feed(&c, CAPTURE_BEGIN "two" CAPTURE_END, 5, shown), 1);
	assert_string_equal(c.buf, "two");
	capture_free(&c);
}

static void
test_near_miss_is_output(void **state)
{
	struct capture c = { 0 };
	char shown[256];

	(void)state;
	/* An OSC that is not ours, and a marker's prefix that turns into
	 * another escape, pass through untouched. */
	assert_int_equal(feed(&c, "\033]0;title\007\033]5379;box\033[0m", 1,
			      shown), 0);
	assert_string_equal(shown, "\033]0;title\007\033]5379;box\033[0m");
	/* A lone end marker with no capture open ends nothing. */
	assert_int_equal(feed(&c, CAPTURE_END, 1, shown), 0);
	assert_string_equal(shown, "");
	capture_free(&c);
}

static void
test_reply_round_trip(void **state)
{
	struct capture c = { 0 };
	char shown[256], *got;
	int sv[2];

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	feed(&c, CAPTURE_BEGIN "line one\nline two\n" CAPTURE_END, 4, shown);
	assert_int_equal(capture_reply(&c, sv[0]), 0);
	got = capture_read_reply(sv[1], 1000);
	assert_non_null(got);
	assert_string_equal(got, "line one\nline two\n");
	free(got);
	/* An empty capture, then none at all (a timeout). */
	feed(&c, CAPTURE_BEGIN CAPTURE_END, 1, shown);
	assert_int_equal(capture_reply(&c, sv[0]), 0);
	got = capture_read_reply(sv[1], 1000);
	assert_non_null(got);
	assert_string_equal(got, "");
	free(got);
	assert_null(capture_read_reply(sv[1], 50));
	/* A header that is not ours. */
	assert_int_equal(write(sv[0], "nonsense\n", 9), 9);
	assert_null(capture_read_reply(sv[1], 50));
	close(sv[0]);
	close(sv[1]);
	capture_free(&c);
}

static void
test_capture_is_bounded(void **state)
{
	struct capture c = { 0 };
	char *big = malloc(CAPTURE_MAX + 100), *out = malloc(CAPTURE_MAX + 200);
	bool ended;

	(void)state;
	memset(big, 'x', CAPTURE_MAX + 100);
	capture_filter(&c, CAPTURE_BEGIN, strlen(CAPTURE_BEGIN), out, &ended);
	assert_int_equal(capture_filter(&c, big, CAPTURE_MAX + 100, out, &ended),
			 CAPTURE_MAX + 100);
	assert_int_equal(c.len, CAPTURE_MAX);
	free(big);
	free(out);
	capture_free(&c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_markers_every_chunking),
		cmocka_unit_test(test_outside_markers_not_kept),
		cmocka_unit_test(test_near_miss_is_output),
		cmocka_unit_test(test_reply_round_trip),
		cmocka_unit_test(test_capture_is_bounded),
	};

	return cmocka_run_group_tests_name("capture", tests, NULL, NULL);
}
