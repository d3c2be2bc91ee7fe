/* cmdlines: the plan as the command lines of other tools: unshare(1),
 * for what it can express, and `docker run`, the closest options.  Each
 * says what it cannot express.  Pure: no I/O. */
#ifndef BOXSTEP_CMDLINES_H
#define BOXSTEP_CMDLINES_H

#include <stddef.h>

#include "layers/plan.h"

/* Each writes its text into BUF; returns the length needed, as
 * snprintf does. */
int plan_unshare_line(const struct plan *plan, char *buf, size_t len);
int plan_docker_line(const struct plan *plan, char *buf, size_t len);

#endif
