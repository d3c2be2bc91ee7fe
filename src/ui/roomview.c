/* roomview: the room as rows of text (roomview.h). */
#define _GNU_SOURCE
#include "ui/roomview.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "engine/spawn.h"

bool
roomview_alive(pid_t pid, unsigned uid)
{
	char path[64];
	struct stat st;

	snprintf(path, sizeof(path), "/proc/%d", (int)pid);
	return spawn_boxstep_alive(pid) && stat(path, &st) == 0 &&
	       st.st_uid == uid;
}

long long
roomview_on_step(const struct room_entry *e, time_t now)
{
	return e->step_since > 0 && now >= e->step_since ?
	       (long long)(now - e->step_since) : 0;
}

/* How far E is through its lesson, in thousandths. */
static long
progress(const struct room_entry *e)
{
	return e->steps ? 1000L * (e->step - 1) / e->steps : 0;
}

struct order {
	enum roomview_order by;
	time_t now;
};

static int
compare(const void *a, const void *b, void *arg)
{
	const struct room_entry *x = a, *y = b;
	const struct order *o = arg;
	long long dx = 0, dy = 0;
	int c;

	switch (o->by) {
	case ROOMVIEW_STUCK:
		dx = roomview_on_step(y, o->now);
		dy = roomview_on_step(x, o->now);
		break;
	case ROOMVIEW_BEHIND:
		dx = progress(x);
		dy = progress(y);
		break;
	case ROOMVIEW_HINTS:
		dx = y->hints;
		dy = x->hints;
		break;
	case ROOMVIEW_MEMORY:
		dx = y->memory;
		dy = x->memory;
		break;
	case ROOMVIEW_USER:
		if ((c = strcmp(x->user, y->user)) != 0)
			return c;
		break;
	case ROOMVIEW_NORDERS:
		break;
	}
	if (dx != dy)
		return dx < dy ? -1 : 1;
	return x->pid < y->pid ? -1 : x->pid > y->pid;
}

void
roomview_sort(struct room_entry *e, size_t n, enum roomview_order o,
	      time_t now)
{
	struct order by = { o, now };

	if (n)
		qsort_r(e, n, sizeof(*e), compare, &by);
}

const char *
roomview_order_name(enum roomview_order o)
{
	static const char *const names[ROOMVIEW_NORDERS] = {
		"time on step", "steps done", "hints", "memory", "user",
	};

	return o < ROOMVIEW_NORDERS ? names[o] : "?";
}

static void
size_text(long long bytes, char *buf, size_t len)
{
	if (bytes < 0)
		snprintf(buf, len, "-");
	else if (bytes < (10LL << 20))
		snprintf(buf, len, "%.1fM", (double)bytes / (1 << 20));
	else
		snprintf(buf, len, "%lldM", bytes >> 20);
}

/* S in WIDTH columns (a character a column), padded with blanks, or cut
 * with a last "…" when it is longer; into OUT (LEN bytes). */
static void
column(char *out, size_t len, const char *s, int width)
{
	size_t o = 0, i = 0, n = strlen(s);
	int cols = 0, total = 0;

	for (size_t k = 0; k < n; k++)
		total += ((unsigned char)s[k] & 0xc0) != 0x80;
	while (i < n && cols < (total > width ? width - 1 : width)) {
		size_t l = 1;

		while (i + l < n && ((unsigned char)s[i + l] & 0xc0) == 0x80)
			l++;
		if (o + l + 4 >= len)
			break;
		memcpy(out + o, s + i, l);
		o += l;
		i += l;
		cols++;
	}
	if (total > width && o + 4 < len) {
		memcpy(out + o, "\xe2\x80\xa6", 3);
		o += 3;
		cols++;
	}
	while (cols < width && o + 1 < len) {
		out[o++] = ' ';
		cols++;
	}
	out[o] = '\0';
}

void
roomview_header(char *buf, size_t len)
{
	snprintf(buf, len, "%-10s %7s %-21s %-22s %5s %6s %7s %5s %3s %5s %6s"
		 "  %s", "USER", "PID", "FROM", "LESSON", "STEP", "CHECKS",
		 "ON STEP", "HINTS", "BOX", "PIDS", "MEMORY", "LAST ERROR");
}

void
roomview_row(const struct room_entry *e, time_t now, char *buf, size_t len)
{
	char step[16] = "-", checks[16] = "-", on[16] = "-", mem[16];
	char pids[16] = "-", user[64], from[128], lesson[128];
	long long s = roomview_on_step(e, now);

	if (e->steps) {
		snprintf(step, sizeof(step), "%d/%d", e->step, e->steps);
		snprintf(checks, sizeof(checks), "%d/%d", e->checks_ok,
			 e->checks);
		snprintf(on, sizeof(on), "%lldm%02llds", s / 60, s % 60);
	}
	if (e->pids >= 0)
		snprintf(pids, sizeof(pids), "%ld", e->pids);
	size_text(e->memory, mem, sizeof(mem));
	column(user, sizeof(user), e->user, 10);
	column(from, sizeof(from), e->from, 21);
	column(lesson, sizeof(lesson), e->lesson[0] ? e->lesson : "-", 22);
	snprintf(buf, len, "%s %7d %s %s %5s %6s %7s %5d %3d %5s %6s  %s", user,
		 (int)e->pid, from, lesson, step, checks, on, e->hints,
		 e->containers, pids, mem,
		 e->last_error[0] ? e->last_error : "-");
}

void
roomview_print(FILE *f, const struct room_entry *e, size_t n, time_t now)
{
	char line[1024];

	roomview_header(line, sizeof(line));
	fprintf(f, "%s\n", line);
	for (size_t i = 0; i < n; i++) {
		roomview_row(&e[i], now, line, sizeof(line));
		fprintf(f, "%s\n", line);
	}
	if (!n)
		fprintf(f, "(no boxstep session is running on this host)\n");
}
