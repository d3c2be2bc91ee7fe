/* roomview: the room as rows of text, sorted, for `boxstep class`'s
 * table, plain and live (session/room.h has the sessions). */
#ifndef BOXSTEP_ROOMVIEW_H
#define BOXSTEP_ROOMVIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>
#include <time.h>

#include "session/room.h"

/* The orders the table takes, the first the default. */
enum roomview_order {
	ROOMVIEW_STUCK,       /* the longest on their step first */
	ROOMVIEW_BEHIND,      /* the fewest steps done first */
	ROOMVIEW_HINTS,       /* the most hints taken first */
	ROOMVIEW_MEMORY,      /* the most memory first */
	ROOMVIEW_USER,        /* by user name */
	ROOMVIEW_NORDERS,
};

/* room_read()'s test of a session: boxstep runs as PID, and the process
 * is UID's. */
bool roomview_alive(pid_t pid, unsigned uid);

/* What the order is called ("time on step"). */
const char *roomview_order_name(enum roomview_order o);

/* Seconds E has been on its step at NOW (0 without a lesson). */
long long roomview_on_step(const struct room_entry *e, time_t now);

/* Sorts the N entries in E by O at NOW; ties by pid. */
void roomview_sort(struct room_entry *e, size_t n, enum roomview_order o,
		   time_t now);

/* The table's header, and E's row at NOW, into BUF. */
void roomview_header(char *buf, size_t len);
void roomview_row(const struct room_entry *e, time_t now, char *buf,
		  size_t len);

/* The whole table, header first, to F; a line when the room is empty. */
void roomview_print(FILE *f, const struct room_entry *e, size_t n, time_t now);

#endif
