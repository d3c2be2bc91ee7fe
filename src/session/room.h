/* room: what each session tells the instructor, and how `boxstep class`
 * reads it back.
 *
 * A session writes its state to ROOM_DIR/<uid>-<pid> after every line the
 * learner types, and removes it when it ends.  The directory is made by
 * root (`boxstep class`, or the package) as root:<instructors> with mode
 * 3773: anyone may create a file there, no one but its owner may replace
 * or remove it (sticky), only root and the instructors group may list it,
 * and files take the instructors group (setgid) with mode 0640.  A learner
 * can therefore read neither the list nor another learner's file.  A
 * session does not make the directory: without it, nothing is published.
 * $BOXSTEP_ROOM_DIR names another directory (the tests use it).
 *
 * A file is KEY=VALUE lines.  The reader trusts the owner of the file,
 * not its text: an entry whose owner is not the uid of its name is
 * skipped, and so is one whose boxstep has ended.
 */
#ifndef BOXSTEP_ROOM_H
#define BOXSTEP_ROOM_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define ROOM_DIR "/run/boxstep-room"
#define ROOM_MODE 03773

/* One session, as it told the room. */
struct room_entry {
	unsigned uid;
	pid_t pid;
	char user[64];
	char from[128];       /* "ssh 10.0.0.5", "pts/3", or "-" */
	char lesson[64];      /* the lesson's id, or "" */
	int step, steps;      /* 1-based; 0 0 without a lesson */
	int checks_ok, checks;
	int hints;            /* hints taken on the step */
	long long step_since; /* when the step began, in epoch seconds */
	char last_error[256]; /* the latest command that failed, or "" */
	int containers;       /* running now */
	char pids_dir[PATH_MAX];   /* the session's cgroup, pids */
	char memory_dir[PATH_MAX]; /* and memory; "" without */
	/* Filled by room_read() from the cgroup: -1 where unknown. */
	long pids;
	long long memory;
};

/* The room's directory: $BOXSTEP_ROOM_DIR, else ROOM_DIR. */
const char *room_dir(void);

/* E as the text of its file, into BUF. */
void room_format(const struct room_entry *e, char *buf, size_t len);

/* Reads the text of a file into E (what is missing stays 0 or "").
 * Returns 0, or -1 when it is no room entry. */
int room_parse(const char *text, struct room_entry *e);

/* Writes E to its file, replacing it whole.  Returns 0; 1 when there is
 * no room directory (nothing to do); -1 with errno. */
int room_publish(const struct room_entry *e);

/* Removes E's file. */
void room_withdraw(const struct room_entry *e);

/* The socket of session PID of user UID (ui/mirror.h), into BUF:
 * ROOM_DIR/<uid>-<pid>.screen, a name room_read() passes over. */
void room_screen_path(char *buf, size_t len, unsigned uid, pid_t pid);

/* Removes what session PID of user UID left in the room, if anything:
 * its file and its socket (the session's supervisor, after it). */
void room_forget(unsigned uid, pid_t pid);

/* Says whether the session PID still runs, as user UID (a file may name
 * only its own user's session). */
typedef bool (*room_alive_fn)(pid_t pid, unsigned uid);

/* The sessions in DIR that ALIVE says run, each with its pids and memory
 * read from its cgroup, into a malloc'd array *OUT of *N.  Returns 0, or
 * -1 with the reason in ERR (the directory cannot be read: it is not
 * there, or the caller may not list it). */
int room_read(const char *dir, room_alive_fn alive, struct room_entry **out,
	      size_t *n, char *err, size_t errlen);

#endif
