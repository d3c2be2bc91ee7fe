/* class: `boxstep class`, the instructor's view of every session on the
 * host, as the sessions told the room (session/room.h). */
#define _GNU_SOURCE
#include "app/class.h"

#include <errno.h>
#include <limits.h>
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
#include "ui/mirror.h"
#include "ui/roomview.h"
#include "ui/tui.h"
#include "ui/tui_class.h"

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
			e[i].checks_ok, e[i].checks, roomview_on_step(&e[i], now),
			e[i].hints);
		json_string(f, e[i].last_error);
		fprintf(f, ", \"containers\": %d, \"pids\": %ld, \"memory\": "
			"%lld}", e[i].containers, e[i].pids, e[i].memory);
	}
	fputs(n ? "\n]\n" : "]\n", f);
}

/* The caller's user name, which a watched learner's status line shows. */
static const char *
my_name(void)
{
	static char name[64];
	struct passwd *pw = getpwuid(getuid());

	if (pw)
		snprintf(name, sizeof(name), "%s", pw->pw_name);
	else
		snprintf(name, sizeof(name), "%u", (unsigned)getuid());
	return name;
}

/* The session WHO names (a pid, or a user with one session) in ALL (N),
 * or NULL having said why. */
static const struct room_entry *
find_session(const struct room_entry *all, size_t n, const char *who)
{
	const struct room_entry *found = NULL;
	bool by_pid = who[0] && strspn(who, "0123456789") == strlen(who);
	size_t count = 0;

	for (size_t i = 0; i < n; i++)
		if (by_pid && all[i].pid == atoi(who)) {
			found = &all[i];
			count++;
		}
	/* A user without a name is their uid, all digits too. */
	if (!count)
		by_pid = false;
	for (size_t i = 0; i < n && !by_pid; i++)
		if (strcmp(all[i].user, who) == 0) {
			found = &all[i];
			count++;
		}
	if (count == 1)
		return found;
	if (!count) {
		fprintf(stderr, "boxstep: class watch: no session %s %s is "
			"running (`boxstep class` lists them)\n",
			strspn(who, "0123456789") == strlen(who) ?
			"with pid or of user" : "of", who);
		return NULL;
	}
	fprintf(stderr, "boxstep: class watch: %s has %zu sessions; give the "
		"pid of one:", who, count);
	for (size_t i = 0; i < n; i++)
		if (strcmp(all[i].user, who) == 0)
			fprintf(stderr, " %d (%s)", (int)all[i].pid,
				all[i].from);
	fputc('\n', stderr);
	return NULL;
}

/* `class watch WHO` off a terminal: the screen as it is, once. */
static int
print_screen(const struct room_entry *e)
{
	static char buf[MIRROR_MAX + 1];
	struct mirror_screen s;
	char path[PATH_MAX], err[512];
	int last = -1;

	room_screen_path(path, sizeof(path), e->uid, e->pid);
	if (mirror_fetch(path, my_name(), 3000, buf, sizeof(buf), &s, err,
			 sizeof(err)) < 0) {
		fprintf(stderr, "boxstep: class watch: %s (pid %d): %s\n",
			e->user, (int)e->pid, err);
		return 1;
	}
	for (int y = 0; y < s.rows; y++)
		if (s.text_len[y])
			last = y;
	for (int y = 0; y <= last; y++)
		printf("%.*s\n", (int)s.text_len[y], s.text[y]);
	return 0;
}

static int
usage(void)
{
	fprintf(stderr, "boxstep: usage: boxstep class [--json]\n"
		"       boxstep class watch USER|PID\n"
		"       boxstep class doctor [--as USER]\n");
	return 2;
}

int
class_main(int argc, char **argv)
{
	const struct room_entry *one;
	struct room_entry *all;
	struct classconf c;
	char err[2048];
	bool json = argc == 1 && strcmp(argv[0], "--json") == 0;
	bool watch = argc == 2 && strcmp(argv[0], "watch") == 0;
	bool live = !json && isatty(STDIN_FILENO) && isatty(STDOUT_FILENO) &&
		    tui_capable();
	size_t n;
	gid_t gid;
	int rc;

	if (argc && !json && !watch)
		return usage();
	if (classconf_load(&c, err, sizeof(err)) < 0) {
		fprintf(stderr, "boxstep: %s\n", err);
		return 1;
	}
	if (may_watch(&c, &gid) < 0)
		return 1;
	make_room(gid);
	if (live && !watch)
		return tui_class(my_name());
	if (room_read(room_dir(), roomview_alive, &all, &n, err,
		      sizeof(err)) < 0) {
		fprintf(stderr, "boxstep: class: %s%s\n", err, errno == ENOENT ?
			" (`sudo boxstep class` makes it; a session started "
			"before it shows after its next command)" : "");
		return 1;
	}
	roomview_sort(all, n, ROOMVIEW_STUCK, time(NULL));
	if (watch) {
		if (!(one = find_session(all, n, argv[1])))
			rc = 1;
		else if (live)
			rc = tui_class_watch(one, my_name());
		else
			rc = print_screen(one);
	} else if (json) {
		print_json(stdout, all, n, time(NULL));
		rc = 0;
	} else {
		roomview_print(stdout, all, n, time(NULL));
		rc = 0;
	}
	free(all);
	return rc;
}
