/* Unit tests for the REPL's and the TUI's event lines: each kind as
 * written, round trips of awkward strings (spaces, newlines, backslashes,
 * control and non-UTF-8 bytes, every byte), what the reader refuses, and
 * a long text cut to fit. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "session/event.h"

static char line[EVENT_LINE_MAX + 1];

/* E's line, checked against the length event_encode() returns. */
static const char *
enc(const struct event *e)
{
	size_t n = event_encode(e, line, sizeof(line));

	assert_int_equal(n, strlen(line));
	return line;
}

/* Decodes a copy of S (without its newline) into E; returns its status.
 * E's strings stay valid until the next call. */
static int
dec(const char *s, struct event *e)
{
	static char buf[EVENT_LINE_MAX + 1];
	size_t n = strlen(s);

	if (n && s[n - 1] == '\n')
		n--;
	memcpy(buf, s, n);
	return event_decode(buf, n, e);
}

/* Encodes TEXT in each field that carries a string, decodes it, and
 * compares. */
static void
round_trip(const char *text)
{
	struct event e, d;

	e = (struct event){ .kind = EVENT_PANEL, .text = text };
	assert_int_equal(dec(enc(&e), &d), 0);
	assert_int_equal(d.kind, EVENT_PANEL);
	assert_string_equal(d.text, text);
	e = (struct event){ .kind = EVENT_START, .pid = 42, .text = text };
	assert_int_equal(dec(enc(&e), &d), 0);
	assert_int_equal(d.pid, 42);
	assert_string_equal(d.text, text);
	e = (struct event){ .kind = EVENT_PLAN, .layers = text,
			    .hostname = text, .rootfs = text };
	assert_int_equal(dec(enc(&e), &d), 0);
	assert_string_equal(d.layers, text);
	assert_string_equal(d.hostname, text);
	assert_string_equal(d.rootfs, text);
	/* One line: its only newline ends it. */
	assert_ptr_equal(strchr(line, '\n'), line + strlen(line) - 1);
}

static void
writes_each_kind(void **state)
{
	(void)state;
	assert_string_equal(enc(&(struct event){ .kind = EVENT_PLAN,
		.layers = "uts,pid", .hostname = "box", .rootfs = "/r/busybox" }),
		"plan uts,pid box /r/busybox\n");
	assert_string_equal(enc(&(struct event){ .kind = EVENT_PLAN,
		.hostname = "box" }), "plan  box \n");
	assert_string_equal(enc(&(struct event){ .kind = EVENT_START,
		.pid = 7, .text = "sh -c 'echo hi'" }),
		"start 7 sh\\s-c\\s'echo\\shi'\n");
	assert_string_equal(enc(&(struct event){ .kind = EVENT_EXIT,
		.pid = 7, .text = "exited with status 0" }),
		"exit 7 exited\\swith\\sstatus\\s0\n");
	assert_string_equal(enc(&(struct event){ .kind = EVENT_REFRESH,
		.ms = 200 }), "refresh 200\n");
	assert_string_equal(enc(&(struct event){ .kind = EVENT_PROMPT }),
			    "prompt\n");
	assert_string_equal(enc(&(struct event){ .kind = EVENT_BUSY }),
			    "busy\n");
	assert_string_equal(enc(&(struct event){ .kind = EVENT_PANEL,
		.text = "a\\b\nc\td\x7f" }), "panel a\\\\b\\nc\\x09d\\x7f\n");
	assert_string_equal(enc(&(struct event){ .kind = EVENT_PANEL }),
			    "panel \n");
	assert_string_equal(enc(&(struct event){ .kind = EVENT_SEEN,
		.pid = 31337 }), "seen 31337\n");
	assert_string_equal(enc(&(struct event){ .kind = EVENT_PANEL_VISIBLE,
		.visible = true }), "panel-visible 1\n");
	assert_string_equal(enc(&(struct event){ .kind = EVENT_PANEL_VISIBLE }),
			    "panel-visible 0\n");
	assert_string_equal(event_name(EVENT_PANEL_VISIBLE), "panel-visible");
	assert_null(event_name(EVENT_NONE));
	assert_null(event_name(EVENT_NKINDS));
}

static void
refuses_to_write_no_event(void **state)
{
	char small[8] = "x";

	(void)state;
	assert_int_equal(event_encode(&(struct event){ .kind = EVENT_NONE },
				      small, sizeof(small)), 0);
	assert_string_equal(small, "");
	assert_int_equal(event_encode(&(struct event){ .kind = EVENT_NKINDS },
				      small, sizeof(small)), 0);
	assert_int_equal(event_encode(&(struct event){ .kind = EVENT_SEEN },
				      small, sizeof(small)), 0);
	assert_int_equal(event_encode(&(struct event){ .kind = EVENT_EXIT,
				      .pid = -3 }, small, sizeof(small)), 0);
	assert_int_equal(event_encode(&(struct event){ .kind = EVENT_REFRESH },
				      small, sizeof(small)), 0);
}

static void
cuts_like_snprintf(void **state)
{
	char small[8];
	struct event e = { .kind = EVENT_PANEL, .text = "a b c d" };

	(void)state;
	assert_int_equal(event_encode(&e, small, sizeof(small)),
			 strlen("panel a\\sb\\sc\\sd\n"));
	assert_string_equal(small, "panel a");
	assert_int_equal(event_encode(&e, NULL, 0),
			 strlen("panel a\\sb\\sc\\sd\n"));
}

static void
round_trips_awkward_strings(void **state)
{
	static const char *const awkward[] = {
		"", " ", "  ", " lead", "trail ", "two  spaces",
		"/tmp/my rootfs/busybox", "\n", "a\nb\n", "\\", "\\\\",
		"\\n", "\\s", "\\x41", "ends in \\", "tab\there", "\r\n",
		"\033[1mbold\033[0m", "\x7f", "\x01\x02\x1f",
		"\xff\xfe not UTF-8 \xc3", "\xe2\x9c\x93 \xc2\xb7 UTF-8",
		"-", "plan a b c", "seen 12\nprompt",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(awkward) / sizeof(awkward[0]); i++)
		round_trip(awkward[i]);
}

static void
round_trips_every_byte(void **state)
{
	char all[256];

	(void)state;
	for (int c = 1; c < 256; c++)
		all[c - 1] = (char)c;
	all[255] = '\0';
	round_trip(all);
	for (int c = 1; c < 256; c++) {
		char one[4] = { 'x', (char)c, 'y', '\0' };

		round_trip(one);
	}
}

static void
reads_each_kind(void **state)
{
	struct event e;

	(void)state;
	assert_int_equal(dec("plan uts,pid kitten /tmp/a\\sb/busybox", &e), 0);
	assert_int_equal(e.kind, EVENT_PLAN);
	assert_string_equal(e.layers, "uts,pid");
	assert_string_equal(e.hostname, "kitten");
	assert_string_equal(e.rootfs, "/tmp/a b/busybox");
	assert_int_equal(dec("plan   ", &e), 0);
	assert_string_equal(e.layers, "");
	assert_string_equal(e.hostname, "");
	assert_string_equal(e.rootfs, "");
	assert_int_equal(dec("start 12 sleep\\s3", &e), 0);
	assert_int_equal(e.kind, EVENT_START);
	assert_int_equal(e.pid, 12);
	assert_string_equal(e.text, "sleep 3");
	assert_int_equal(dec("exit 2147483647 killed\\sby\\sSIGKILL", &e), 0);
	assert_int_equal(e.pid, 2147483647);
	assert_string_equal(e.text, "killed by SIGKILL");
	assert_int_equal(dec("refresh 100", &e), 0);
	assert_int_equal(e.ms, 100);
	assert_int_equal(dec("prompt", &e), 0);
	assert_int_equal(e.kind, EVENT_PROMPT);
	assert_int_equal(dec("busy", &e), 0);
	assert_int_equal(e.kind, EVENT_BUSY);
	assert_int_equal(dec("panel ", &e), 0);
	assert_int_equal(e.kind, EVENT_PANEL);
	assert_string_equal(e.text, "");
	assert_int_equal(dec("seen 9", &e), 0);
	assert_int_equal(e.pid, 9);
	assert_int_equal(dec("panel-visible 0", &e), 0);
	assert_false(e.visible);
	assert_int_equal(dec("panel-visible 1", &e), 0);
	assert_true(e.visible);
}

static void
refuses_what_the_writer_does_not_write(void **state)
{
	static const char *const bad[] = {
		"", " ", "hello", "Prompt", "prompt ", "busy x", "panel",
		"plan a b", "plan a b c d", "start 12", "start x sh",
		"start 0 sh", "start -1 sh", "start +1 sh", "start 012 sh",
		"start 2147483648 sh", "start 99999999999 sh", "start 1 a b",
		"exit 5", "refresh", "refresh 0", "refresh 10ms",
		"seen", "seen 1 2", "panel-visible 2", "panel-visible 01",
		"panel-visible", "panel a\\", "panel a\\q", "panel \\x",
		"panel \\x4", "panel \\xzz", "panel \\x0A", "panel \\x0a",
		"panel \\x00", "panel \\x20", "panel \\x41", "panel \\xff",
		"panel \\S", "panel \\N", "panel tab\there", "panel \x7f",
		"panel cr\r", "\\x70anel x", "output 5",
	};
	struct event e;
	char nul[] = "panel a\0b";

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		e.kind = EVENT_BUSY;
		if (dec(bad[i], &e) != -1)
			fail_msg("read as an event: \"%s\"", bad[i]);
		assert_int_equal(e.kind, EVENT_NONE);
		assert_null(e.text);
	}
	assert_int_equal(event_decode(nul, sizeof(nul) - 1, &e), -1);
}

static void
fits_a_long_text(void **state)
{
	size_t n = 3 * EVENT_LINE_MAX, len;
	char *text = malloc(n + 1), *out;
	struct event e = { .kind = EVENT_PANEL }, d;

	(void)state;
	assert_non_null(text);
	/* "✓ " over and over: a cut inside a character must back off. */
	for (size_t i = 0; i < n; i++)
		text[i] = "\xe2\x9c\x93 "[i % 4];
	text[n] = '\0';
	e.text = text;
	out = event_fit(&e, EVENT_LINE_MAX, &len);
	assert_non_null(out);
	assert_true(len <= EVENT_LINE_MAX);
	assert_true(len > EVENT_LINE_MAX - 8);
	assert_int_equal(len, strlen(out));
	assert_int_equal(out[len - 1], '\n');
	assert_int_equal(event_decode(out, len - 1, &d), 0);
	assert_true(strlen(d.text) % 4 == 0 || strlen(d.text) % 4 == 3);
	assert_memory_equal(d.text, text, strlen(d.text));
	free(out);

	/* What fits is as event_encode() writes it. */
	e.text = "short";
	out = event_fit(&e, EVENT_LINE_MAX, &len);
	assert_non_null(out);
	assert_string_equal(out, "panel short\n");
	assert_int_equal(len, 12);
	free(out);

	/* Without a text to cut, a line too long is not sent. */
	e = (struct event){ .kind = EVENT_PLAN, .rootfs = text };
	assert_null(event_fit(&e, EVENT_LINE_MAX, &len));
	e = (struct event){ .kind = EVENT_START, .pid = 1, .text = "x" };
	assert_null(event_fit(&e, 4, &len));
	assert_null(event_fit(&(struct event){ .kind = EVENT_NONE },
			      EVENT_LINE_MAX, &len));
	free(text);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(writes_each_kind),
		cmocka_unit_test(refuses_to_write_no_event),
		cmocka_unit_test(cuts_like_snprintf),
		cmocka_unit_test(round_trips_awkward_strings),
		cmocka_unit_test(round_trips_every_byte),
		cmocka_unit_test(reads_each_kind),
		cmocka_unit_test(refuses_what_the_writer_does_not_write),
		cmocka_unit_test(fits_a_long_text),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
