/* class: `boxstep class [--json]`, for root and the instructors group:
 * every boxstep session on the host (user, where from, lesson and step,
 * checks holding, time on the step, hints, the last error, containers,
 * pids and memory in use), the longest stuck first; as a table, or as a
 * JSON array.  Root makes the room's directory (session/room.h) with the
 * class file's instructors group.
 */
#ifndef BOXSTEP_CLASS_H
#define BOXSTEP_CLASS_H

/* ARGV: the words after `class`.  Returns the exit status. */
int class_main(int argc, char **argv);

#endif
