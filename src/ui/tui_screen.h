/* tui_screen: the curses screen that the TUI, `boxstep watch` and
 * `boxstep class` share: curses up in a theme's colours and down again
 * (at exit too), the signals that end or resize it, and the terminal's
 * bytes.  A signal writes to a pipe, so that one that comes between a
 * look at the flags and poll() still wakes poll(). */
#ifndef BOXSTEP_TUI_SCREEN_H
#define BOXSTEP_TUI_SCREEN_H

#include <poll.h>
#include <stdbool.h>
#include <sys/types.h>

struct tui;

/* What poll says of a terminal that has something to read, or is gone. */
#define TUI_TERMINAL_EVENTS (POLLIN | POLLHUP | POLLERR | POLLNVAL)

/* Curses up, raw, in T->theme's colours (T->color and T->utf8 say what
 * it found); SIGWINCH, SIGTERM, SIGHUP and SIGINT caught. */
void tui_screen_start(struct tui *t);

/* Curses down, the terminal as it was; also run at exit. */
void tui_screen_stop(void);

/* The pipe the signals write to, for poll(), and its emptying. */
int tui_screen_wake_fd(void);
void tui_screen_drain(void);

/* Whether the terminal has a new size since the last call; curses has
 * taken it (and cleared the screen). */
bool tui_screen_winch(void);

/* The signal that asks to end (SIGHUP once the terminal is gone), or 0. */
int tui_screen_quit(void);

/* Reads what the terminal sent into BUF (LEN bytes).  Returns how much,
 * 0 when nothing came, or -1 when the terminal is gone (end of file, or
 * EIO once it hung up): tui_screen_quit() then says SIGHUP. */
ssize_t tui_screen_read(char *buf, size_t len);

#endif
