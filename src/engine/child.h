/* child: a container's child, from its clone to its command. */
#ifndef BOXSTEP_CHILD_H
#define BOXSTEP_CHILD_H

#include "layers/step.h"

/* Makes, in order, the child's steps of X->list (STEP_CHILD), the last
 * of which execs the command.  A step that fails ends the child with its
 * exit code, after reporting on x->report[1] which step it was and
 * errno, when the step has a failure text to give. */
void child_main(struct step_ctx *x) __attribute__((noreturn));

#endif
