/* tui_mirror: the TUI's screen for the instructors who watch it
 * (ui/mirror.h has the socket and the text), and the note the status line
 * shows the learner while they do and for MIRROR_NOTE_SECONDS after. */
#ifndef BOXSTEP_TUI_MIRROR_H
#define BOXSTEP_TUI_MIRROR_H

#include <poll.h>
#include <stddef.h>
#include <sys/types.h>

#define MIRROR_NOTE_SECONDS 10.0

struct tui;

/* Listens for watchers of session PID of user UID, when there is a room;
 * on a failure it goes on without (the watcher is told there is no
 * screen to mirror). */
void tui_mirror_start(struct tui *t, unsigned uid, pid_t pid);

/* Puts the socket and the watchers into FDS (room for 1 + MIRROR_PEERS);
 * returns how many. */
int tui_mirror_fds(const struct tui *t, struct pollfd *fds);

/* Takes what poll found on the N entries tui_mirror_fds() filled. */
void tui_mirror_events(struct tui *t, const struct pollfd *fds, int n);

/* After the screen was drawn: sends it to the watchers if it changed,
 * at most MIRROR_HZ times a second (a held-back one later). */
void tui_mirror_send(struct tui *t);

/* TIMEOUT (ms, -1 none) shortened to when a held-back screen or the
 * note's end is due. */
int tui_mirror_timeout(const struct tui *t, int timeout);

/* "watched by NAME" (or "NAME watched"), or "" when no one watches. */
void tui_mirror_note(const struct tui *t, char *buf, size_t len);

/* The watchers closed, the socket removed. */
void tui_mirror_stop(struct tui *t);

#endif
