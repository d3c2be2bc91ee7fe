/* tui_keys: the keys the TUI takes for itself, and projector mode's. */
#define _GNU_SOURCE
#include "ui/tui_keys.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "base/fsutil.h"
#include "session/event.h"
#include "ui/present.h"
#include "ui/tui_events.h"

static size_t
match_key(const char *s, size_t n, const char *const seqs[3])
{
	for (size_t i = 0; i < 3; i++) {
		size_t l = strlen(seqs[i]);

		if (n >= l && memcmp(s, seqs[i], l) == 0)
			return l;
	}
	return 0;
}

/* F2 and F3, as xterm, tmux and the Linux console send them. */
static const char *const seq_f2[3] = { "\033OQ", "\033[12~", "\033[[B" };
static const char *const seq_f3[3] = { "\033OR", "\033[13~", "\033[[C" };

/* A short note in projector mode's legend, for three seconds. */
static void
note(struct tui *t, const char *text)
{
	snprintf(t->flash, sizeof(t->flash), "%s", text);
	t->flash_until = tui_now() + 3;
}

/* Types S (N bytes) into the REPL's terminal. */
static void
to_repl(struct tui *t, const char *s, size_t n)
{
	(void)fsutil_write_all(t->ptmx, s, n);
}

void
tui_keys_forward(struct tui *t, const char *buf, size_t n)
{
	size_t start = 0;

	for (size_t i = 0; i < n;) {
		size_t l2 = match_key(buf + i, n - i, seq_f2);
		size_t l3 = l2 ? 0 : match_key(buf + i, n - i, seq_f3);

		if (!l2 && !l3) {
			i++;
			continue;
		}
		to_repl(t, buf + start, i - start);
		if (l2) {
			t->pane.paused = !t->pane.paused;
			t->pane.next_tick = 0;
			t->pane.dirty = true;
		} else if (t->lesson_text) {
			/* The REPL prints the step's text when the panel
			 * does not show it: it hears before the next key. */
			t->lesson_hidden = !t->lesson_hidden;
			tui_events_answer(t, &(struct event){
				.kind = EVENT_PANEL_VISIBLE,
				.visible = !t->lesson_hidden });
			tui_layout(t);
		}
		i += l2 + l3;
		start = i;
	}
	to_repl(t, buf + start, n - start);
}

/* --- projector mode's keys ----------------------------------------------- */

/* Types a runner command on a fresh line (Ctrl-U clears what is there). */
static void
steer(struct tui *t, const char *cmd)
{
	char line[64];
	int n = snprintf(line, sizeof(line), "\025%s\r", cmd);

	to_repl(t, line, (size_t)n);
	t->at_prompt = false;
}

static void
script_key(struct tui *t, const char *k, size_t n)
{
	struct present_action a = { PRESENT_NOTHING, NULL, 0 };
	bool space = n == 1 && k[0] == ' ';
	bool right = n == 3 && (memcmp(k, "\033[C", 3) == 0 ||
				memcmp(k, "\033OC", 3) == 0);
	bool left = n == 3 && (memcmp(k, "\033[D", 3) == 0 ||
			       memcmp(k, "\033OD", 3) == 0);
	bool enter = n == 1 && (k[0] == '\r' || k[0] == '\n');
	char cmd[32];

	if (n == 1 && k[0] == 'q') {
		t->quit = SIGTERM;
		return;
	}
	if (n == 1 && k[0] == 'p') {
		t->pane.paused = !t->pane.paused;
		t->pane.next_tick = 0;
		t->pane.dirty = true;
		return;
	}
	if (n == 1 && k[0] == 'f') {
		t->free_typing = true;
		return;
	}
	if (!space && !right && !left && !enter && !(n == 1 && k[0] == 'h'))
		return;
	if (!t->at_prompt) {
		note(t, "a command is running: wait, or f to type into it");
		return;
	}
	if (n == 1 && k[0] == 'h') {
		steer(t, "hint");
		return;
	}
	if (left) {
		if (!present_back(&t->script)) {
			note(t, "this is the first step");
			return;
		}
		snprintf(cmd, sizeof(cmd), "goto %zu", t->script.step + 1);
		steer(t, cmd);
		return;
	}
	/* Ctrl-U first: the line holds only what the script types. */
	if (!present_mid_command(&t->script))
		to_repl(t, "\025", 1);
	a = enter ? present_enter(&t->script) : present_space(&t->script);
	switch (a.what) {
	case PRESENT_TYPE:
		to_repl(t, a.bytes, a.len);
		break;
	case PRESENT_RUN:
		to_repl(t, a.bytes, a.len);
		to_repl(t, "\r", 1);
		t->at_prompt = false;
		break;
	case PRESENT_STEP:
		steer(t, "next");
		break;
	case PRESENT_NOTHING:
		note(t, t->script.cmd < t->script_lesson.steps[t->script.step]
		      .ncommands ? "Enter runs the command" :
		      "the end of the lesson: q quits");
		break;
	}
}

void
tui_keys_present(struct tui *t, const char *buf, size_t n)
{
	if (t->free_typing) {
		if (n == 1 && buf[0] == '\033') {
			t->free_typing = false;
			return;
		}
		tui_keys_forward(t, buf, n);
		return;
	}
	if (match_key(buf, n, seq_f2)) {
		script_key(t, "p", 1);
		return;
	}
	script_key(t, buf, n);
}

bool
tui_key_is_f2(const char *buf, size_t n)
{
	return match_key(buf, n, seq_f2) > 0;
}
