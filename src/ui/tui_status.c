/* tui_status: the TUI's status line, and projector mode's legend. */
#define _GNU_SOURCE
#include "ui/tui_status.h"

#include <stdio.h>
#include <string.h>

#include "layers/layers.h"
#include "layers/plan.h"
#include "lessons/lesson.h"
#include "ui/tui_mirror.h"

/* Projector mode's status line: the keys, and where the script is. */
static void
draw_legend(struct tui *t)
{
	const struct lesson_step *s;
	char watched[160];

	werase(t->status);
	wattron(t->status, A_REVERSE | A_BOLD);
	if (t->free_typing) {
		mvwprintw(t->status, 0, 0, " FREE TYPING: the keys go to the "
			  "REPL. Esc returns to the script ");
	} else {
		mvwprintw(t->status, 0, 0, " Space/\u2192 type  Enter run  "
			  "\u2190 back  h hint  p %s  f free typing  q quit ",
			  t->pane.paused ? "resume" : "pause");
	}
	wattroff(t->status, A_REVERSE | A_BOLD);
	if (t->flash[0] && tui_now() < t->flash_until) {
		wattron(t->status, tui_attr(t, PAIR_ALERT, A_REVERSE));
		wprintw(t->status, " %s ", t->flash);
		wattroff(t->status, A_COLOR | A_REVERSE);
	} else if (t->script_lesson.nsteps) {
		s = &t->script_lesson.steps[t->script.step];
		wprintw(t->status, " step %zu/%zu", t->script.step + 1,
			t->script_lesson.nsteps);
		if (t->script.cmd >= s->ncommands &&
		    t->script.step + 1 == t->script_lesson.nsteps)
			wprintw(t->status, ", the end");
		else if (t->script.cmd >= s->ncommands)
			wprintw(t->status, ": Space for the next step");
	}
	tui_mirror_note(t, watched, sizeof(watched));
	if (watched[0]) {
		wattron(t->status, tui_attr(t, PAIR_ALERT, A_REVERSE) | A_BOLD);
		wprintw(t->status, " %s ", watched);
		wattroff(t->status, A_COLOR | A_REVERSE | A_BOLD);
	}
	wnoutrefresh(t->status);
}

/* The status line's items, left to right after the layers. */
enum status_item {
	ST_HOST, ST_ROOT, ST_CONTAINER, ST_F2, ST_F3, ST_WATCHED, ST_NITEMS,
};

/* What goes first when the line is too narrow, in this order: the layers
 * that are off (only the count is left), then the root, the hostname,
 * the F2 key, the container; then the layers that are on give way to
 * their count.  The F3 key, in a lesson the way to the other panel,
 * stays to the end, and so does the note that an instructor watches.  No
 * item is ever cut. */
static const int drop_order[] = {
	-1 /* the off layers */, ST_ROOT, ST_HOST, ST_F2, ST_CONTAINER,
	-2 /* the on layers */,
};

/* The F3 item: only in a lesson, and saying what the key brings. */
static void
f3_text(const struct tui *t, char *buf, size_t len)
{
	if (!t->lesson_text)
		buf[0] = '\0';
	else if (t->side_by_side)
		snprintf(buf, len, "F3 %s lesson", t->lesson_hidden ? "show" :
			 "hide");
	else
		snprintf(buf, len, "F3 %s", t->lesson_hidden ? "lesson" :
			 "host view");
}

/* Fills ITEM[] with the status line's texts ("" for none). */
static void
status_items(const struct tui *t, char item[ST_NITEMS][160])
{
	const char *root = t->rootfs[0] ? t->rootfs : "-";

	if (strrchr(root, '/') && strlen(root) > 24)
		root = strrchr(root, '/') + 1;
	snprintf(item[ST_HOST], 160, "host %s", t->hostname);
	snprintf(item[ST_ROOT], 160, "root %s", root);
	if (!t->pane.pid)
		snprintf(item[ST_CONTAINER], 160, "no container");
	else
		snprintf(item[ST_CONTAINER], 160, "pid %d %s", (int)t->pane.pid,
			 t->pane.exited ? "exited" : "running");
	snprintf(item[ST_F2], 160, "F2 %s", t->pane.paused ? "resume" :
		 "pause");
	f3_text(t, item[ST_F3], 160);
	tui_mirror_note(t, item[ST_WATCHED], 160);
}

/* Columns the layers take: each as " name " and a space, only the ones
 * on unless ALL, then "(N off) " or "no layers "; with COUNT_ONLY,
 * "N layers on ". */
static int
layers_width(const struct tui *t, bool all, bool count_only, int *off)
{
	char list[160], want[32];
	int width = 0, on = 0;

	snprintf(list, sizeof(list), ",%s,", t->layers);
	*off = 0;
	for (int i = 0; i < PLAN_NLAYERS; i++) {
		const char *name = plan_layer_info(i)->name;

		snprintf(want, sizeof(want), ",%s,", name);
		if (strstr(list, want)) {
			on++;
			width += (int)strlen(name) + 3;
		} else if (all) {
			width += (int)strlen(name) + 3;
		} else {
			(*off)++;
		}
	}
	if (count_only)
		return snprintf(want, sizeof(want), "%d layers on ", on);
	if (*off == PLAN_NLAYERS)
		return (int)strlen("no layers ");
	if (*off)
		width += snprintf(want, sizeof(want), "(%d off) ", *off);
	return width;
}

/* Draws the layers as layers_width() measured them. */
static void
draw_layers(const struct tui *t, bool all, bool count_only)
{
	char list[160], want[32];
	int off = 0, on = 0;

	snprintf(list, sizeof(list), ",%s,", t->layers);
	for (int i = 0; i < PLAN_NLAYERS; i++) {
		const char *name = plan_layer_info(i)->name;
		bool is_on;

		snprintf(want, sizeof(want), ",%s,", name);
		is_on = strstr(list, want) != NULL;
		on += is_on;
		if (count_only || (!is_on && !all)) {
			off += !is_on;
			continue;
		}
		wattron(t->status, is_on ? tui_attr(t, PAIR_ON, A_REVERSE) |
			A_BOLD : A_DIM);
		wprintw(t->status, " %s ", name);
		wattroff(t->status, A_COLOR | A_REVERSE | A_BOLD | A_DIM);
		waddch(t->status, ' ');
	}
	if (count_only && on)
		wprintw(t->status, "%d layers on ", on);
	else if (off == PLAN_NLAYERS)
		wprintw(t->status, "no layers ");
	else if (off && !all)
		wprintw(t->status, "(%d off) ", off);
}

/* Columns the kept items take, each as "| text ". */
static int
items_width(char item[ST_NITEMS][160], const bool keep[ST_NITEMS])
{
	int width = 0;

	for (int i = 0; i < ST_NITEMS; i++)
		if (keep[i] && item[i][0])
			width += 2 + (int)strlen(item[i]) + 1;
	return width;
}

void
tui_draw_status(struct tui *t)
{
	char item[ST_NITEMS][160];
	bool keep[ST_NITEMS], all = true, count_only = false;
	int off;

	if (t->presenting) {
		draw_legend(t);
		return;
	}
	status_items(t, item);
	for (int i = 0; i < ST_NITEMS; i++)
		keep[i] = true;
	for (size_t d = 0; layers_width(t, all, count_only, &off) +
	     items_width(item, keep) > t->cols &&
	     d < sizeof(drop_order) / sizeof(drop_order[0]); d++) {
		if (drop_order[d] == -1)
			all = false;
		else if (drop_order[d] == -2)
			count_only = true;
		else
			keep[drop_order[d]] = false;
	}
	werase(t->status);
	wmove(t->status, 0, 0);
	draw_layers(t, all, count_only);
	for (int i = 0; i < ST_NITEMS; i++) {
		if (!keep[i] || !item[i][0])
			continue;
		waddstr(t->status, "| ");
		if (i == ST_WATCHED)
			wattron(t->status, tui_attr(t, PAIR_ALERT, A_REVERSE) |
				A_BOLD);
		wprintw(t->status, "%s", item[i]);
		wattroff(t->status, A_COLOR | A_REVERSE | A_BOLD);
		waddch(t->status, ' ');
	}
	wnoutrefresh(t->status);
}
