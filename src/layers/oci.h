/* oci: the plan as an OCI runtime-spec config.json, the file runc and
 * crun run a container from.
 *
 * Each layer adds its part (struct layer's `oci`): a namespace, a mount,
 * the capabilities, the filter...; oci.c writes the whole.  Pure: no
 * I/O.
 */
#ifndef BOXSTEP_OCI_H
#define BOXSTEP_OCI_H

#include <stdbool.h>
#include <stddef.h>

#include "layers/plan.h"

#define OCI_MAX 24

struct oci_mount {
	const char *dest, *type, *source;
	const char *options; /* comma-separated */
};

struct oci_doc {
	const char *ns[OCI_MAX];   /* the spec's names: "pid", "mount"... */
	size_t nns;
	const char *hostname;      /* NULL: the host's */
	struct oci_mount mounts[OCI_MAX];
	size_t nmounts;
	const char *masked[OCI_MAX], *readonly[OCI_MAX];
	size_t nmasked, nreadonly;
	unsigned long long caps;   /* bounding = permitted = effective */
	bool no_new_privs;
	/* seccomp: calls failed with EPERM (space-separated lists), clone
	 * with any of CLONE_FLAGS, clone3 with ENOSYS */
	const char *deny[OCI_MAX];
	size_t ndeny;
	const unsigned long *clone_flags;
	size_t nclone_flags;
	bool seccomp;
	long map_outside, map_count; /* uid and gid 0 inside; count 0: none */
	bool time;
	long long time_offset;
	long pids_limit;           /* 0: none */
	long long memory_limit;    /* 0: none */
	long cpu_quota;            /* 0: none; per period of 100000 us */
};

/* What each layer's hook calls. */
void oci_namespace(struct oci_doc *d, const char *type);
void oci_mount(struct oci_doc *d, const char *dest, const char *type,
	       const char *source, const char *options);
/* Adds the N PATHS to LIST (masked or readonly), counted in *COUNT. */
void oci_paths(const char **list, size_t *count, const char *const *paths,
	       size_t n);

/* Writes config.json for PLAN running ARGV (NULL-terminated) in the root
 * ROOT, into BUF.  Returns the length needed, as snprintf does. */
int plan_oci(const struct plan *plan, char *const *argv, const char *root,
	     char *buf, size_t len);

#endif
