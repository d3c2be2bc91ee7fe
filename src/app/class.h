/* class: `boxstep class`, for root and the instructors group.
 *
 *     boxstep class [--json]     every boxstep session on the host (user,
 *                                where from, lesson and step, checks
 *                                holding, time on the step, hints, the
 *                                last error, containers, pids and memory
 *                                in use), the longest stuck first
 *     boxstep class watch WHO    a learner's screen, read-only (WHO a pid,
 *                                or a user with one session)
 *
 * On a terminal both are live (ui/tui_class.h); off one, the table is
 * printed as text or as a JSON array, and the screen once.  Root makes the
 * room's directory (session/room.h) with the class file's instructors
 * group.
 */
#ifndef BOXSTEP_CLASS_H
#define BOXSTEP_CLASS_H

/* ARGV: the words after `class`.  Returns the exit status. */
int class_main(int argc, char **argv);

#endif
