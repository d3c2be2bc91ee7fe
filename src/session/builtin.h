/* builtin: the session's own commands, the first table of the registry
 * (command.c): the plan's (cmd_plan.c) and the containers' (cmd_box.c).
 */
#ifndef BOXSTEP_BUILTIN_H
#define BOXSTEP_BUILTIN_H

#include <stddef.h>

#include "session/session.h"

int builtin_help(struct session *r, int argc, char **argv, const char *rest);
int builtin_layers(struct session *r, int argc, char **argv, const char *rest);
int builtin_enable(struct session *r, int argc, char **argv, const char *rest);
int builtin_disable(struct session *r, int argc, char **argv,
		    const char *rest);
int builtin_reset(struct session *r, int argc, char **argv, const char *rest);
int builtin_set(struct session *r, int argc, char **argv, const char *rest);
/* `help set`: a line per key, from the settings table, and refresh. */
void builtin_set_help(void);
int builtin_show(struct session *r, int argc, char **argv, const char *rest);
/* `show oci`, `show unshare`, `show docker` (cmd_oci.c). */
int builtin_show_bridge(struct session *r, const char *what);
int builtin_export(struct session *r, int argc, char **argv,
		   const char *rest);
int builtin_explain(struct session *r, int argc, char **argv,
		    const char *rest);
int builtin_run(struct session *r, int argc, char **argv, const char *rest);
int builtin_sh(struct session *r, int argc, char **argv, const char *rest);
int builtin_start(struct session *r, int argc, char **argv, const char *rest);
int builtin_stop(struct session *r, int argc, char **argv, const char *rest);
int builtin_host(struct session *r, int argc, char **argv, const char *rest);

/* The names `enable` and `explain` take, one by one: NULL past the
 * last. */
const char *session_layer_name_at(size_t i);

/* The names `set` takes: the plan's keys, then refresh (the TUI's, not
 * the plan's).  NULL past the last. */
const char *session_key_name_at(size_t i);

#endif
