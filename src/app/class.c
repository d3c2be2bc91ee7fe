/* class: `boxstep class`, the instructor's view of every session on the
 * host, as the sessions told the room (session/room.h). */
#define _GNU_SOURCE
#include "app/class.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "engine/spawn.h"
#include "session/classconf.h"
#include "session/room.h"

/* Says whether the caller is in the group GID. */
static bool
in_group(gid_t gid)
{
	gid_t groups[256];
	int n = getgroups(256, groups);

	if (getegid() == gid)
		return true;
	for (int i = 0; i < n; i++)
		if (groups[i] == gid)
			return true;
	return false;
}

/* Root, or a member of the instructors group; else why not. */
static int
may_watch(const struct classconf *c, gid_t *gid)
{
	const char *file = classconf_path();
	struct passwd *pw = getpwuid(getuid());
	const char *me = pw ? pw->pw_name : "?";
	struct group *gr;

	*gid = 0;
	gr = c->instructors[0] ? getgrnam(c->instructors) : NULL;
	if (gr)
		*gid = gr->gr_gid;
	if (geteuid() == 0 || (gr && in_group(gr->gr_gid)))
		return 0;
	if (!c->instructors[0])
		fprintf(stderr, "boxstep: class: only root may watch the room: "
			"%s names no instructors group (instructors = GROUP); "
			"you are %s (uid %u)\n", file, me, (unsigned)getuid());
	else
		fprintf(stderr, "boxstep: class: only root and the instructors "
			"group, %s, may watch the room, and you, %s (uid %u), "
			"are not in it (an instructor is added with usermod -aG "
			"%s NAME, and logs in again)\n", c->instructors, me,
			(unsigned)getuid(), c->instructors);
	return -1;
}

/* Root makes the room's directory as the sessions need it. */
static void
make_room(gid_t gid)
{
	const char *dir = room_dir();

	if (geteuid() != 0)
		return;
	if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
		fprintf(stderr, "boxstep: class: mkdir %s: %s\n", dir,
			strerror(errno));
		return;
	}
	if (chown(dir, 0, gid) < 0 || chmod(dir, ROOM_MODE) < 0)
		fprintf(stderr, "boxstep: class: cannot set the owner and mode "
			"of %s: %s\n", dir, strerror(errno));
}

static long long
seconds_on_step(const struct room_entry *e, time_t now)
{
	return e->step_since > 0 && now >= e->step_since ?
	       (long long)(now - e->step_since) : 0;
}

static time_t sort_now;

/* The longest stuck first. */
static int
by_stuck(const void *a, const void *b)
{
	long long x = seconds_on_step(a, sort_now);
	long long y = seconds_on_step(b, sort_now);

	if (x != y)
		return x < y ? 1 : -1;
	return ((const struct room_entry *)a)->pid -
	       ((const struct room_entry *)b)->pid;
}

static void
json_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

static void
print_json(FILE *f, const struct room_entry *e, size_t n, time_t now)
{
	fputs("[", f);
	for (size_t i = 0; i < n; i++) {
		fputs(i ? ",\n {" : "\n {", f);
		fputs("\"user\": ", f);
		json_string(f, e[i].user);
		fprintf(f, ", \"uid\": %u, \"pid\": %d, \"from\": ", e[i].uid,
			(int)e[i].pid);
		json_string(f, e[i].from);
		fputs(", \"lesson\": ", f);
		json_string(f, e[i].lesson);
		fprintf(f, ", \"step\": %d, \"steps\": %d, \"checks_ok\": %d, "
			"\"checks\": %d, \"seconds_on_step\": %lld, \"hints\": "
			"%d, \"last_error\": ", e[i].step, e[i].steps,
			e[i].checks_ok, e[i].checks, seconds_on_step(&e[i], now),
			e[i].hints);
		json_string(f, e[i].last_error);
		fprintf(f, ", \"containers\": %d, \"pids\": %ld, \"memory\": "
			"%lld}", e[i].containers, e[i].pids, e[i].memory);
	}
	fputs(n ? "\n]\n" : "]\n", f);
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

static void
print_table(FILE *f, const struct room_entry *e, size_t n, time_t now)
{
	fprintf(f, "%-10s %7s %-15s %-22s %5s %6s %7s %5s %3s %5s %6s  %s\n",
		"USER", "PID", "FROM", "LESSON", "STEP", "CHECKS", "ON STEP",
		"HINTS", "BOX", "PIDS", "MEMORY", "LAST ERROR");
	for (size_t i = 0; i < n; i++) {
		char step[16] = "-", checks[16] = "-", on[16] = "-", mem[16];
		char pids[16] = "-";
		long long s = seconds_on_step(&e[i], now);

		if (e[i].steps) {
			snprintf(step, sizeof(step), "%d/%d", e[i].step,
				 e[i].steps);
			snprintf(checks, sizeof(checks), "%d/%d",
				 e[i].checks_ok, e[i].checks);
			snprintf(on, sizeof(on), "%lldm%02llds", s / 60, s % 60);
		}
		if (e[i].pids >= 0)
			snprintf(pids, sizeof(pids), "%ld", e[i].pids);
		size_text(e[i].memory, mem, sizeof(mem));
		fprintf(f, "%-10.10s %7d %-15.15s %-22.22s %5s %6s %7s %5d %3d "
			"%5s %6s  %s\n", e[i].user, (int)e[i].pid, e[i].from,
			e[i].lesson[0] ? e[i].lesson : "-", step, checks, on,
			e[i].hints, e[i].containers, pids, mem,
			e[i].last_error[0] ? e[i].last_error : "-");
	}
	if (!n)
		fprintf(f, "(no boxstep session is running on this host)\n");
}

int
class_main(int argc, char **argv)
{
	struct room_entry *all;
	struct classconf c;
	char err[2048];
	bool json = false;
	size_t n;
	gid_t gid;
	time_t now;

	if (argc > 1 || (argc == 1 && strcmp(argv[0], "--json") != 0)) {
		fprintf(stderr, "boxstep: usage: boxstep class [--json]\n");
		return 2;
	}
	json = argc == 1;
	if (classconf_load(&c, err, sizeof(err)) < 0) {
		fprintf(stderr, "boxstep: %s\n", err);
		return 1;
	}
	if (may_watch(&c, &gid) < 0)
		return 1;
	make_room(gid);
	if (room_read(room_dir(), spawn_boxstep_alive, &all, &n, err,
		      sizeof(err)) < 0) {
		fprintf(stderr, "boxstep: class: %s%s\n", err, errno == ENOENT ?
			" (`sudo boxstep class` makes it; a session started "
			"before it shows after its next command)" : "");
		return 1;
	}
	now = sort_now = time(NULL);
	if (n)
		qsort(all, n, sizeof(*all), by_stuck);
	if (json)
		print_json(stdout, all, n, now);
	else
		print_table(stdout, all, n, now);
	free(all);
	return 0;
}
