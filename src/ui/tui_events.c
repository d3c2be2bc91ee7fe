/* tui_events: the REPL's events heard, and the TUI's answers. */
#define _GNU_SOURCE
#include "ui/tui_events.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "ui/tui_pane.h"

/* Tells the REPL the event E (seen, panel-visible). */
void
tui_events_answer(const struct tui *t, const struct event *e)
{
	char line[64];
	size_t n = event_encode(e, line, sizeof(line));

	if (n == 0 || n >= sizeof(line))
		return;
	if (send(t->events, line, n, MSG_NOSIGNAL | MSG_DONTWAIT) < 0) {
		/* the REPL is gone, or not reading: it does not wait */
	}
}

/* `start PID CMD`: the container is held, so its view is read at once
 * (a command that ends at once leaves only this), then the REPL is told
 * to let it go. */
static void
on_start(struct tui *t, pid_t pid, const char *cmd)
{
	char about[sizeof(t->pane.about)];

	/* One line in the pane: a newline or a control byte is a space. */
	snprintf(about, sizeof(about), "%s", cmd);
	for (char *c = about; *c; c++)
		if ((unsigned char)*c < ' ' || *c == 0x7f)
			*c = ' ';
	tui_pane_show(&t->pane, pid, about);
	tui_pane_tick(&t->pane);
	t->pane.next_tick = tui_now() + t->pane.refresh_ms / 1000.0;
	tui_events_answer(t, &(struct event){ .kind = EVENT_SEEN, .pid = pid });
}

/* `panel TEXT`: the lesson panel's new text, or none. */
static void
on_panel(struct tui *t, const char *text)
{
	int rows_before = tui_lesson_rows(t, t->rows - 1, 50);
	bool had = t->lesson_text != NULL;

	free(t->lesson_text);
	t->lesson_text = NULL;
	if (*text && (t->lesson_text = malloc(strlen(text) + 1))) {
		/* Lines and tabs; no other control byte reaches curses. */
		char *o = t->lesson_text;

		for (; *text; text++)
			if ((unsigned char)*text >= ' ' || *text == '\n' ||
			    *text == '\t')
				*o++ = *text;
		*o = '\0';
	}
	/* A new layout only when the panel comes, goes or changes size:
	 * after each command only its text does. */
	if (had != (t->lesson_text != NULL) ||
	    rows_before != tui_lesson_rows(t, t->rows - 1, 50))
		tui_layout(t);
	else
		t->lesson_dirty = true;
}

/* `exit PID TEXT`: the container PID ended as TEXT says. */
static void
on_exit_event(struct tui *t, pid_t pid, const char *text)
{
	if (pid == t->alt_pid)
		t->alt_leave = true;
	if (pid == t->pane.pid) {
		t->pane.exited = true;
		snprintf(t->pane.exit_text, sizeof(t->pane.exit_text), "%s",
			 text);
		t->pane.dirty = true;
	}
}

/* Acts on the line LINE (LEN bytes, its newline replaced). */
static void
handle_event(struct tui *t, char *line, size_t len)
{
	struct event e;

	if (event_decode(line, len, &e) < 0)
		return;
	switch (e.kind) {
	case EVENT_PLAN:
		snprintf(t->layers, sizeof(t->layers), "%s", e.layers);
		snprintf(t->hostname, sizeof(t->hostname), "%s", e.hostname);
		snprintf(t->rootfs, sizeof(t->rootfs), "%s", e.rootfs);
		break;
	case EVENT_START:
		on_start(t, e.pid, e.text);
		break;
	case EVENT_EXIT:
		on_exit_event(t, e.pid, e.text);
		break;
	case EVENT_PROMPT:
		t->at_prompt = true;
		t->alt_leave = true;
		break;
	case EVENT_BUSY:
		t->at_prompt = false;
		break;
	case EVENT_PANEL:
		on_panel(t, e.text);
		break;
	case EVENT_REFRESH:
		t->pane.refresh_ms = e.ms;
		t->pane.next_tick = 0;
		break;
	default:
		break; /* the TUI's own answers: not for it */
	}
}

/* Handles the events that have come, without waiting. */
void
tui_events_read(struct tui *t)
{
	ssize_t n = recv(t->events, t->evbuf + t->evlen,
			 sizeof(t->evbuf) - 1 - t->evlen, MSG_DONTWAIT);
	char *line = t->evbuf, *end, *nl;

	if (n <= 0)
		return;
	t->evlen += (size_t)n;
	end = t->evbuf + t->evlen;
	while ((nl = memchr(line, '\n', (size_t)(end - line)))) {
		if (!t->evskip)
			handle_event(t, line, (size_t)(nl - line));
		t->evskip = false;
		line = nl + 1;
	}
	t->evlen -= (size_t)(line - t->evbuf);
	memmove(t->evbuf, line, t->evlen);
	if (t->evlen == sizeof(t->evbuf) - 1) {
		/* A line longer than the REPL sends: up to its end, dropped. */
		t->evlen = 0;
		t->evskip = true;
	}
}
