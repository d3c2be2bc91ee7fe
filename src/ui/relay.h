/* relay: the REPL on a pty of its own, under a parent that copies bytes.
 *
 * The TUI draws that pty with libvterm; in plain mode on a terminal the
 * plain relay copies it to the real terminal as it is.  Either way the
 * parent sees every byte the REPL and its containers print, which is how
 * a lesson checks a command's output (capture.h) while `sh`, `vi` and
 * `top` keep a real terminal.
 */
#ifndef BOXSTEP_RELAY_H
#define BOXSTEP_RELAY_H

#include <stdbool.h>
#include <sys/types.h>

struct repl;
struct termios;
struct winsize;

/* Forks the REPL R onto a new pty of size WS (and modes TIO, may be
 * NULL).  In the child: its own session, events and capture over a
 * socket, repl_interactive(), exit.  In the parent: returns the child's
 * pid with the pty's master in *PTMX and the socket in *EVENTS (both
 * close-on-exec), or -1 with errno set. */
pid_t relay_fork(struct repl *r, const struct winsize *ws,
		 const struct termios *tio, int *ptmx, int *events);

/* The plain relay: the real terminal in raw mode, bytes copied both ways,
 * window size passed on, captures answered.  Returns the REPL's exit
 * status. */
int relay_main(struct repl *r);

/* --record FILE: runs the rest of boxstep on a pty of its own and
 * records what it shows as asciicast v2 (cast.h).  Returns 0 in the
 * child, which goes on to be the session; 1 in the parent once the
 * session has ended, its exit status in *STATUS; -1 with a message when
 * recording cannot start (not on a terminal, FILE not writable). */
int relay_record(const char *path, int *status);

/* Runs FN(ARG, EVENTS) in a child on a new pty of 80x24, the way the
 * REPL runs under the plain relay: what the child prints at that
 * terminal is captured between the markers and sent back over EVENTS,
 * the child's end of the event socket.  The pty's output goes to stdout
 * when SHOW, else nowhere.  Returns FN's return value (the child's exit
 * status), or -1 with errno set when no pty could be made. */
int relay_headless(int (*fn)(void *arg, int events), void *arg, bool show);

#endif
