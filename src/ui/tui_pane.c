/* tui_pane: the host-view pane, read a part at a time and drawn. */
#define _GNU_SOURCE
#include "ui/tui_pane.h"

#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/fsutil.h"
#include "engine/spawn.h"
#include "host/cgroup.h"
#include "host/hostview.h"

static void
pane_free_lines(struct pane *p)
{
	for (int i = 0; i < p->nlines; i++)
		free(p->text[i]);
	p->nlines = 0;
}

/* Splits TEXT into the pane's lines; a line that was not there before is
 * stamped as changed now. */
static void
pane_set_text(struct pane *p, const char *text, bool highlight)
{
	char *old[PANE_LINES_MAX];
	double old_at[PANE_LINES_MAX];
	int nold = p->nlines;
	double t = tui_now();

	memcpy(old, p->text, sizeof(old));
	memcpy(old_at, p->changed_at, sizeof(old_at));
	p->nlines = 0;
	for (const char *s = text; *s && p->nlines < PANE_LINES_MAX;) {
		size_t n = strcspn(s, "\n");
		char *line = strndup(s, n);
		double at = highlight ? t : 0;

		for (int i = 0; line && i < nold; i++)
			if (old[i] && strcmp(old[i], line) == 0) {
				at = old_at[i];
				break;
			}
		if (!line)
			break;
		p->changed_at[p->nlines] = at;
		p->text[p->nlines++] = line;
		s += n + (s[n] == '\n');
	}
	for (int i = 0; i < nold; i++)
		free(old[i]);
	p->dirty = true;
}

/* True when the container's processes may have changed since the last
 * call.  With a cgroup of its own, its cgroup.procs (read at every tick
 * anyway) says so exactly.  Without one, its tree of processes does
 * (hostview_tree_mark: what forks elsewhere on the host, a fork bomb in
 * another learner's session, costs this pane nothing); a process that
 * joined its PID namespace from outside (nsenter) is no child of its
 * tree, and the whole of /proc is looked through for those every
 * PROCS_SCAN_SECONDS. */
static bool
procs_changed(struct pane *p)
{
	char buf[128];
	double t = tui_now();
	bool due = false;

	if (p->hv.pid == p->pid && p->hv.group.ctls && p->hv.cg.nprocs >= 0) {
		snprintf(buf, sizeof(buf), "cgroup %lu", p->hv.cg.procs_sum);
	} else {
		snprintf(buf, sizeof(buf), "tree %lu",
			 hostview_tree_mark("/proc", p->pid));
		if (t >= p->next_scan) {
			due = true;
			p->next_scan = t + PROCS_SCAN_SECONDS;
		}
	}
	if (!due && strcmp(buf, p->procs_mark) == 0)
		return false;
	snprintf(p->procs_mark, sizeof(p->procs_mark), "%s", buf);
	return true;
}

/* True when a mount table (its own or the host's) has changed: the
 * kernel flags a mountinfo file POLLPRI once after each change. */
static bool
mounts_changed(struct pane *p)
{
	struct pollfd fds[2] = {
		{ .fd = p->mounts_fd[0], .events = POLLPRI },
		{ .fd = p->mounts_fd[1], .events = POLLPRI },
	};

	if (poll(fds, 2, 0) <= 0)
		return false;
	return (fds[0].revents | fds[1].revents) & (POLLPRI | POLLERR);
}

static void
pane_close_fds(struct pane *p)
{
	for (int i = 0; i < 2; i++) {
		if (p->mounts_fd[i] >= 0)
			close(p->mounts_fd[i]);
		p->mounts_fd[i] = -1;
	}
}

/* True when HV is still boxstep's own copy, held before it runs the
 * command: its name is this program's. */
static bool
is_held_copy(const struct hostview *hv)
{
	static char self[32];

	if (!self[0] && fsutil_read("/proc/self/comm", self, sizeof(self)) < 0)
		snprintf(self, sizeof(self), "boxstep");
	self[strcspn(self, "\n")] = '\0';
	return strcmp(hv->name, self) == 0;
}

/* TEXT with its "cmdline:" line (boxstep's own, while held) replaced by
 * the command about to run; frees TEXT. */
static char *
name_held_command(const struct pane *p, char *text)
{
	char *line = strstr(text, "\ncmdline: "), *end, *out;
	size_t len;

	if (!line)
		return text;
	line++;
	end = line + strcspn(line, "\n");
	len = strlen(text) + strlen(p->about) + 64;
	if (!(out = malloc(len)))
		return text;
	snprintf(out, len, "%.*sabout to run: %s   (held by boxstep)%s",
		 (int)(line - text), text, p->about, end);
	free(text);
	return out;
}

/* Collects what can have changed in the view of the pane's process and,
 * when its text differs, rebuilds the lines. */
void
tui_pane_tick(struct pane *p)
{
	bool first = p->hv.pid != p->pid, failed;
	unsigned what = HOSTVIEW_STATUS | HOSTVIEW_CGROUP;
	double t = tui_now();
	char path[64], *text;
	int n;

	if (!p->pid || p->paused)
		return;
	if (p->exited && !first) {
		/* Frozen: its helper has nothing left to read (and would
		 * keep the namespace alive). */
		uts_helper_stop(&p->hv.uts);
		return;
	}
	if (first) {
		what = HOSTVIEW_ALL;
		pane_close_fds(p);
		snprintf(path, sizeof(path), "/proc/%d/mountinfo", (int)p->pid);
		p->mounts_fd[0] = open(path, O_RDONLY | O_CLOEXEC);
		p->mounts_fd[1] = open("/proc/self/mountinfo",
				       O_RDONLY | O_CLOEXEC);
		mounts_changed(p);
	}
	if (t >= p->next_slow) {
		what |= HOSTVIEW_CMDLINE | HOSTVIEW_NS | HOSTVIEW_LINKS;
		p->next_slow = t + 1.0;
	}
	if (mounts_changed(p))
		what |= HOSTVIEW_MOUNTS;
	if (p->held)
		what = HOSTVIEW_ALL; /* it has run its command since, maybe */
	failed = hostview_update(&p->hv, "/proc", p->pid, &p->cg,
				 what | HOSTVIEW_KEEP_HELPER) < 0;
	/* The processes: once this read has said what of them can have
	 * changed (its cgroup.procs), and only then. */
	if (!failed && procs_changed(p) && !(what & HOSTVIEW_PROCS))
		failed = hostview_update(&p->hv, "/proc", p->pid, &p->cg,
					 HOSTVIEW_PROCS |
					 HOSTVIEW_KEEP_HELPER) < 0;
	if (failed && !first) {
		/* Keep the last view, frozen. */
		uts_helper_stop(&p->hv.uts);
		p->exited = true;
		p->dirty = true;
		return;
	}
	p->held = p->about[0] && is_held_copy(&p->hv);
	if (t >= p->next_spark && p->hv.cg.current >= 0) {
		if (p->nspark == SPARK_SAMPLES) {
			memmove(p->spark, p->spark + 1,
				(SPARK_SAMPLES - 1) * sizeof(p->spark[0]));
			p->nspark--;
		}
		p->spark[p->nspark++] = p->hv.cg.current;
		p->next_spark = t + 1.0;
		p->dirty = true;
	}
	p->hv.session_host = spawn_rootless_active();
	p->hv.outside_uid = (long)spawn_rootless_uid();
	n = hostview_format(&p->hv, NULL, 0);
	if (!(text = malloc((size_t)n + 1)))
		return;
	hostview_format(&p->hv, text, (size_t)n + 1);
	if (p->held)
		text = name_held_command(p, text);
	if (p->last_text && strcmp(text, p->last_text) == 0) {
		free(text);
		return;
	}
	pane_set_text(p, text, !first);
	free(p->last_text);
	p->last_text = text;
}

void
tui_pane_release(struct pane *p)
{
	hostview_free(&p->hv);
	pane_free_lines(p);
	pane_close_fds(p);
	free(p->last_text);
	p->last_text = NULL;
}

void
tui_pane_show(struct pane *p, pid_t pid, const char *about)
{
	p->pid = pid;
	snprintf(p->about, sizeof(p->about), "%s", about);
	p->held = false;
	p->exited = false;
	p->exit_text[0] = '\0';
	p->nspark = 0;
	p->next_spark = 0;
	p->next_slow = 0;
	hostview_free(&p->hv);
	pane_free_lines(p);
	free(p->last_text);
	p->last_text = NULL;
	p->next_tick = 0;
	p->dirty = true;
}

/* LABEL, then CUR against MAX as a bar, then FIGURES. */
static void
draw_bar(const struct tui *t, const struct pane *p, int y, int width,
	 const char *label, double cur, double max, bool alert,
	 const char *figures)
{
	int barw = width - 34, fill;

	fill = max > 0 ? (int)((cur * barw + max - 1) / max) : 0;
	if (fill > barw)
		fill = barw;
	mvwprintw(p->win, y, 1, "%-5s", label);
	wattron(p->win, alert ? tui_attr(t, PAIR_ALERT, A_REVERSE) :
		tui_attr(t, PAIR_ON, A_REVERSE));
	for (int i = 0; i < fill; i++)
		waddch(p->win, ' ');
	wattroff(p->win, A_COLOR | A_REVERSE);
	for (int i = fill; i < barw; i++)
		waddch(p->win, '.');
	waddnstr(p->win, figures, width - barw - 7);
}

/* pids.current against pids.max as a bar, then the last minute's
 * samples as a sparkline. */
static void
draw_pids(const struct tui *t, const struct pane *p, int y, int width)
{
	static const char *const blocks[] = {
		" ", "\u2581", "\u2582", "\u2583", "\u2584", "\u2585", "\u2586",
		"\u2587", "\u2588",
	};
	static const char ascii[] = " .:-=+*#%@";
	long cur = p->hv.cg.current, max = p->hv.cg.max, top = 1;
	bool full = max > 0 && cur >= max;
	char fig[64];

	if (cur < 0 || width - 34 < 5)
		return;
	if (max >= 0)
		snprintf(fig, sizeof(fig), " %ld/%ld%s", cur, max,
			 full ? " AT LIMIT" : "");
	else
		snprintf(fig, sizeof(fig), " %ld/max", cur);
	draw_bar(t, p, y, width, "pids", (double)cur, (double)max, full, fig);
	for (int i = 0; i < p->nspark; i++)
		if (p->spark[i] > top)
			top = p->spark[i];
	if (max > top)
		top = max;
	wmove(p->win, y + 1, 1);
	wprintw(p->win, "last %2ds ", p->nspark);
	for (int i = 0; i < p->nspark && i < width - 12; i++) {
		int level = (int)(p->spark[i] * 8 / top);

		if (t->utf8)
			waddstr(p->win, blocks[level]);
		else
			waddch(p->win, (chtype)ascii[level]);
	}
}

/* memory.current against memory.max, with the OOM killer's count. */
static void
draw_memory(const struct tui *t, const struct pane *p, int y, int width)
{
	const struct cgroup_stats *st = &p->hv.cg;
	char cur[32], max[32], fig[96];

	if (width - 34 < 5)
		return;
	hostview_size(st->memory_current, cur, sizeof(cur));
	hostview_size(st->memory_max, max, sizeof(max));
	snprintf(fig, sizeof(fig), " %s/%s", cur, max);
	if (st->oom_kills > 0)
		snprintf(fig + strlen(fig), sizeof(fig) - strlen(fig),
			 " OOM KILLED %ld", st->oom_kills);
	draw_bar(t, p, y, width, "mem", (double)st->memory_current,
		 (double)st->memory_max, st->oom_kills > 0, fig);
}

/* Adds S in ATTR, at most *ROOM columns of it, and takes what it used
 * from *ROOM. */
static void
put_clipped(WINDOW *w, const char *s, attr_t attr, int *room)
{
	int n = (int)strlen(s);

	if (*room <= 0)
		return;
	if (n > *room)
		n = *room;
	wattron(w, attr);
	waddnstr(w, s, n);
	wattroff(w, attr);
	*room -= n;
}

void
tui_pane_draw(const struct tui *t, struct pane *p)
{
	int h, w, y = 1;
	double tnow = tui_now();

	getmaxyx(p->win, h, w);
	werase(p->win);
	{
		/* The title line, cut to the pane's width: a narrow pane
		 * must not wrap it into the next line. */
		char head[160];
		int room = w - 2;

		/* Rootless, the host is the session's own. */
		const char *what = spawn_rootless_active() ?
			"YOUR SESSION'S HOST" : "HOST VIEW";

		wmove(p->win, 0, 1);
		if (!p->pid)
			snprintf(head, sizeof(head), "%s", what);
		else
			snprintf(head, sizeof(head), "%s%s pid %d", what,
				 spawn_rootless_active() ? "," : " of",
				 (int)p->pid);
		put_clipped(p->win, head, tui_attr(t, PAIR_TITLE, A_BOLD) |
			    A_BOLD, &room);
		if (spawn_rootless_active()) {
			snprintf(head, sizeof(head), " (uid %u outside)",
				 spawn_rootless_uid());
			put_clipped(p->win, head, A_DIM, &room);
		}
		/* PAUSED first: cut short, the exit text matters less. */
		if (p->paused)
			put_clipped(p->win, " PAUSED ", A_REVERSE | A_BOLD,
				    &room);
		if (p->exited) {
			snprintf(head, sizeof(head), " EXITED%s%s ",
				 p->exit_text[0] ? ": " : "", p->exit_text);
			put_clipped(p->win, head, tui_attr(t, PAIR_ALERT,
				    A_REVERSE), &room);
		}
	}
	if (!p->pid) {
		mvwprintw(p->win, 2, 1, "No container yet.");
		mvwprintw(p->win, 3, 1, "`run`, `sh` or `start` one, and what the");
		mvwprintw(p->win, 4, 1, "host sees of it appears here.");
		wnoutrefresh(p->win);
		p->dirty = false;
		return;
	}
	if (p->hv.cg.current >= 0 && h > 8) {
		draw_pids(t, p, y, w);
		y += 2;
	}
	if (hostview_has_memory_limit(&p->hv) && h > 10) {
		draw_memory(t, p, y, w);
		y++;
	}
	for (int i = 0; i < p->nlines && y < h; i++, y++) {
		bool hot = p->changed_at[i] > 0 &&
			tnow - p->changed_at[i] < HIGHLIGHT_SECONDS;

		if (hot)
			wattron(p->win, tui_attr(t, PAIR_HIGHLIGHT, A_REVERSE));
		tui_put_cut(p->win, y, 1, p->text[i], w - 2, t->utf8);
		if (hot)
			wattroff(p->win, A_COLOR | A_REVERSE);
	}
	wnoutrefresh(p->win);
	p->dirty = false;
}

/* True while some highlight is still fading: the pane must be drawn again
 * when it goes out. */
bool
tui_pane_has_highlights(const struct pane *p)
{
	double tnow = tui_now();

	for (int i = 0; i < p->nlines; i++)
		if (p->changed_at[i] > 0 &&
		    tnow - p->changed_at[i] < HIGHLIGHT_SECONDS + 0.2)
			return true;
	return false;
}

int
tui_pane_timeout(const struct pane *p)
{
	double wait;

	if (!p->pid || p->paused || p->exited)
		return tui_pane_has_highlights(p) ? 250 : -1;
	wait = p->next_tick - tui_now();
	return wait <= 0 ? 0 : (int)(wait * 1000) + 1;
}
