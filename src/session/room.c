/* room: each session's state for the instructor, written and read back. */
#define _GNU_SOURCE
#include "session/room.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/fsutil.h"
#include "base/msg.h"
#include "base/text.h"

/* Each key of a file, and where it goes in the entry. */
enum kind { INT, LONG, TEXT, UID, PID };
static const struct field {
	const char *key;
	enum kind kind;
	size_t at, size;
} fields[] = {
#define F(key, kind, member) \
	{ key, kind, offsetof(struct room_entry, member), \
	  sizeof(((struct room_entry *)0)->member) }
	F("uid", UID, uid),
	F("pid", PID, pid),
	F("user", TEXT, user),
	F("from", TEXT, from),
	F("lesson", TEXT, lesson),
	F("step", INT, step),
	F("steps", INT, steps),
	F("checks_ok", INT, checks_ok),
	F("checks", INT, checks),
	F("hints", INT, hints),
	F("step_since", LONG, step_since),
	F("last_error", TEXT, last_error),
	F("containers", INT, containers),
	F("pids_dir", TEXT, pids_dir),
	F("memory_dir", TEXT, memory_dir),
#undef F
};

#define NFIELDS (sizeof(fields) / sizeof(fields[0]))

const char *
room_dir(void)
{
	const char *d = getenv("BOXSTEP_ROOM_DIR");

	return d && *d ? d : ROOM_DIR;
}

void
room_format(const struct room_entry *e, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < NFIELDS && used < len; i++) {
		const void *p = (const char *)e + fields[i].at;
		char value[PATH_MAX];

		switch (fields[i].kind) {
		case INT:
			snprintf(value, sizeof(value), "%d", *(const int *)p);
			break;
		case LONG:
			snprintf(value, sizeof(value), "%lld",
				 *(const long long *)p);
			break;
		case UID:
			snprintf(value, sizeof(value), "%u",
				 *(const unsigned *)p);
			break;
		case PID:
			snprintf(value, sizeof(value), "%d",
				 (int)*(const pid_t *)p);
			break;
		case TEXT:
			/* One line each: a newline in a text would start a
			 * key of its own. */
			snprintf(value, sizeof(value), "%s", (const char *)p);
			for (char *c = value; *c; c++)
				if (*c == '\n' || *c == '\r')
					*c = ' ';
			break;
		}
		used += (size_t)snprintf(buf + used, len - used, "%s=%s\n",
					 fields[i].key, value);
	}
}

/* S with every byte that is no printable UTF-8 made '?': a learner
 * writes their own file, and its text goes to an instructor's terminal. */
static void
clean_text(char *s)
{
	unsigned char *p = (unsigned char *)s;
	size_t n = strlen(s);

	for (size_t i = 0, l; i < n; i += l) {
		l = text_utf8_lead(p[i]);
		if (!l || l > n - i || !text_utf8_whole(p + i, l) ||
		    p[i] < 0x20 || p[i] == 0x7f ||
		    (p[i] == 0xc2 && p[i + 1] < 0xa0)) {
			p[i] = '?';
			l = 1;
		}
	}
}

static void
set_field(struct room_entry *e, const struct field *f, const char *v)
{
	void *p = (char *)e + f->at;

	switch (f->kind) {
	case INT:
		*(int *)p = atoi(v);
		break;
	case LONG:
		*(long long *)p = atoll(v);
		break;
	case UID:
		*(unsigned *)p = (unsigned)strtoul(v, NULL, 10);
		break;
	case PID:
		*(pid_t *)p = (pid_t)atoi(v);
		break;
	case TEXT:
		snprintf(p, f->size, "%s", v);
		clean_text(p);
		break;
	}
}

int
room_parse(const char *text, struct room_entry *e)
{
	memset(e, 0, sizeof(*e));
	e->pids = e->memory = -1;
	for (const char *p = text; *p;) {
		size_t n = strcspn(p, "\n"), k = strcspn(p, "=");
		char line[PATH_MAX + 64];

		if (k < n && n < sizeof(line)) {
			memcpy(line, p, n);
			line[n] = '\0';
			line[k] = '\0';
			for (size_t i = 0; i < NFIELDS; i++)
				if (strcmp(fields[i].key, line) == 0)
					set_field(e, &fields[i], line + k + 1);
		}
		p += n + (p[n] == '\n');
	}
	return e->pid > 0 ? 0 : -1;
}

static void
entry_path(const struct room_entry *e, char *buf, size_t len, const char *tail)
{
	snprintf(buf, len, "%s/%u-%d%s", room_dir(), e->uid, (int)e->pid, tail);
}

int
room_publish(const struct room_entry *e)
{
	char path[PATH_MAX], tmp[PATH_MAX], text[8192];
	struct stat st;
	int fd;

	static char last[8192], last_path[PATH_MAX];

	if (stat(room_dir(), &st) < 0 || !S_ISDIR(st.st_mode))
		return 1;
	entry_path(e, path, sizeof(path), "");
	entry_path(e, tmp, sizeof(tmp), ".new");
	room_format(e, text, sizeof(text));
	/* Most lines typed change nothing the room shows: no write then,
	 * unless the file has gone. */
	if (strcmp(text, last) == 0 && strcmp(path, last_path) == 0 &&
	    lstat(path, &st) == 0)
		return 0;
	unlink(tmp);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
		  0640);
	if (fd < 0)
		return -1;
	/* Whatever the umask: the instructors group reads it. */
	if (fchmod(fd, 0640) < 0 ||
	    fsutil_write_all(fd, text, strlen(text)) < 0 ||
	    close(fd) < 0) {
		int saved = errno;

		close(fd);
		unlink(tmp);
		errno = saved;
		return -1;
	}
	if (rename(tmp, path) < 0) {
		int saved = errno;

		unlink(tmp);
		errno = saved;
		return -1;
	}
	snprintf(last, sizeof(last), "%s", text);
	snprintf(last_path, sizeof(last_path), "%s", path);
	return 0;
}

void
room_withdraw(const struct room_entry *e)
{
	char path[PATH_MAX];

	entry_path(e, path, sizeof(path), "");
	unlink(path);
}

void
room_screen_path(char *buf, size_t len, unsigned uid, pid_t pid)
{
	snprintf(buf, len, "%s/%u-%d.screen", room_dir(), uid, (int)pid);
}

void
room_forget(unsigned uid, pid_t pid)
{
	struct room_entry e = { .uid = uid, .pid = pid };
	char path[PATH_MAX];

	room_withdraw(&e);
	room_screen_path(path, sizeof(path), uid, pid);
	unlink(path);
}

static long long
read_number(const char *dir, const char *file)
{
	char path[PATH_MAX], buf[64];

	if (!dir[0] || fsutil_join(path, sizeof(path), dir, file) ||
	    fsutil_read(path, buf, sizeof(buf)) < 0)
		return -1;
	return atoll(buf);
}

/* Whether DIR is session PID's cgroup: ".../boxstep/<pid>", no "..". */
static bool
session_group(const char *dir, int pid)
{
	char tail[64];
	size_t n = strlen(dir), t;

	t = (size_t)snprintf(tail, sizeof(tail), "/boxstep/%d", pid);
	return dir[0] == '/' && n > t && strcmp(dir + n - t, tail) == 0 &&
	       !strstr(dir, "/../") && !strstr(dir, "/./");
}

/* NAME as "<uid>-<pid>", owned by that uid, of a boxstep that runs. */
static bool
take(const char *dir, const char *name, room_alive_fn alive,
     struct room_entry *e)
{
	char path[PATH_MAX], *text;
	struct passwd *pw;
	unsigned uid;
	struct stat st;
	int pid, end = 0;

	if (sscanf(name, "%u-%d%n", &uid, &pid, &end) != 2 || name[end] ||
	    fsutil_join(path, sizeof(path), dir, name) ||
	    lstat(path, &st) < 0 || !S_ISREG(st.st_mode) || st.st_uid != uid ||
	    !alive((pid_t)pid, uid) ||
	    !(text = fsutil_slurp(path, NULL)))
		return false;
	if (room_parse(text, e) < 0 || e->uid != uid || e->pid != pid) {
		free(text);
		return false;
	}
	free(text);
	/* What the file cannot be trusted to say: the user's name is the
	 * owner's, and the cgroup figures come from this session's group
	 * only (a learner could point them at the host's). */
	if ((pw = getpwuid(uid)) != NULL)
		snprintf(e->user, sizeof(e->user), "%s", pw->pw_name);
	else
		snprintf(e->user, sizeof(e->user), "%u", uid);
	if (!session_group(e->pids_dir, pid))
		e->pids_dir[0] = '\0';
	if (!session_group(e->memory_dir, pid))
		e->memory_dir[0] = '\0';
	e->pids = (long)read_number(e->pids_dir, "pids.current");
	e->memory = read_number(e->memory_dir, "memory.current");
	if (e->memory < 0)
		e->memory = read_number(e->memory_dir, "memory.usage_in_bytes");
	return true;
}

int
room_read(const char *dir, room_alive_fn alive, struct room_entry **out,
	  size_t *n, char *err, size_t errlen)
{
	struct room_entry *all = NULL, e;
	struct dirent *d;
	size_t cap = 0;
	DIR *dp;

	*out = NULL;
	*n = 0;
	if (!(dp = opendir(dir)))
		return msg_fail(err, errlen, "cannot list %s: %s", dir,
				strerror(errno));
	while ((d = readdir(dp)) != NULL) {
		if (!take(dir, d->d_name, alive, &e))
			continue;
		if (*n == cap) {
			struct room_entry *more;

			cap = cap ? cap * 2 : 16;
			if (!(more = realloc(all, cap * sizeof(*all)))) {
				free(all);
				closedir(dp);
				return msg_fail(err, errlen, "out of memory");
			}
			all = more;
		}
		all[(*n)++] = e;
	}
	closedir(dp);
	*out = all;
	return 0;
}
