/* step: what a layer does, one call at a time.
 *
 * A layer (struct layer) is its name, its texts, the clone(2) flag it
 * adds, if any, and a list of steps.  A step is one call that `show`
 * prints (for the cgroups, a few), the function that makes it, and what
 * to say when that fails.  The engine makes the steps of the layers that
 * are on, phase by phase, and plan_describe() prints the same steps in
 * the same order, so `show` and what runs cannot disagree.
 *
 * Within a phase, steps go in the order of their AT, whichever layer
 * they belong to: the proc layer's mount "before the pivot" (AT 82) goes
 * between the pivot layer's bind (80, 81) and its pivot_root (83 to 86).
 * What is not a learner's layer (the hold pipe, the clone, the release,
 * the session's writable layer...) is a layer too, one that is always on
 * (layers/core.c, layers/rootfs.c) or on with any cgroup layer
 * (layers/cgroups.c).
 */
#ifndef BOXSTEP_STEP_H
#define BOXSTEP_STEP_H

#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <termios.h>

#include "base/msg.h"
#include "host/cgroup.h"
#include "host/mounts.h"
#include "host/orphans.h"
#include "layers/plan.h"

enum step_phase {
	/* boxstep, before the container exists: checks, and what the
	 * session keeps (its writable layer); a failure leaves nothing of
	 * the container to undo */
	STEP_PREPARE,
	/* boxstep, on the host, for the container; undone by teardown */
	STEP_BEFORE_CLONE,
	/* boxstep: the clone(2) alone; the child goes on to STEP_CHILD */
	STEP_CLONE,
	/* boxstep, the child made and held */
	STEP_HOLDING,
	/* the child: held, released, set up, its command exec'd */
	STEP_CHILD,
	/* boxstep, while the command runs */
	STEP_WAIT,
	/* boxstep, once the container has exited (or failed to start) */
	STEP_TEARDOWN,
	STEP_NPHASES
};

struct step_ctx;
struct step_out;
struct rootfs_session;
struct oci_doc;

struct step {
	enum step_phase phase;
	int at;          /* its place in the phase: lower goes first */
	const char *tag; /* why `show` says it is made: "[uts]" */
	bool off;        /* made when its layer is off, not when it is on */
	/* ...and only when this holds too; NULL: always */
	bool (*when)(const struct plan *p);
	/* Its lines in `show` (step_say); NULL: it prints none. */
	void (*show)(struct step_out *o, const struct plan *p);
	/* Makes it.  Returns 0, or the exit code of the failure (125 for
	 * set-up, 126 and 127 for an exec) with errno set, or with a
	 * message in ERR when FAIL is NULL; NULL: `show` only (the line
	 * says what another step or the engine does). */
	int (*run)(struct step_ctx *x, char *err, size_t errlen);
	/* The learner's message when RUN failed with errno E.  A step the
	 * child makes needs one (its ERR stays in the child); without one
	 * the child ends without a report. */
	void (*fail)(const struct step_ctx *x, int e, char *err, size_t errlen);
	/* The child reports this step and waits for boxstep to look at it
	 * before it goes on (the engine's second hold). */
	bool hold;
	/* The child needs a copy of boxstep's memory for this step: it
	 * calls the C library's allocator (libcap's and libseccomp's calls
	 * do), or it puts the child under a memory limit before its exec
	 * (an OOM kill of a child sharing boxstep's memory kills boxstep
	 * too).  A plan with such a step is cloned the way fork does;
	 * every other child shares boxstep's memory until its exec
	 * (layers/core.c says how), and makes only system calls. */
	bool own_memory;
};

struct layer {
	struct plan_layer_info info; /* name, summary, kernel, explain */
	int id;                      /* enum plan_layer, or -1 */
	unsigned long clone_flag;    /* added to clone(2) when on; or 0 */
	const char *clone_name;      /* "CLONE_NEWUTS" */
	/* For what is not a learner's layer (ID -1): whether it is on. */
	bool (*on)(const struct plan *p);
	const struct step *steps;
	size_t nsteps;
	/* Its part of an OCI config.json (layers/oci.h); NULL: none. */
	void (*oci)(const struct plan *p, struct oci_doc *d);
};

#define STEP_COUNT(array) (sizeof(array) / sizeof((array)[0]))

/* The steps of one plan, of every phase, in order. */
#define STEP_MAX 96
struct step_list {
	const struct step *step[STEP_MAX];
	size_t n;
};

/* What a step works on: the container being made and what the session
 * lends it.  The engine fills it; the child works on its own copy. */
struct step_ctx {
	/* the container */
	struct plan *plan;      /* its own copy: the rootfs may become its
				 * writable layer */
	char *const *argv;
	bool background;
	pid_t pid;              /* the child's, once cloned; 0 in the child */
	int sync[2];            /* the hold: boxstep writes [1], the child
				 * reads [0] */
	int report[2];          /* the child's report (struct step_report);
				 * O_CLOEXEC, so EOF means exec'd */
	int stdin_fd;           /* the child's stdin; -1 keeps boxstep's */
	size_t index;           /* the child: the step it is at */
	const struct step_list *list;
	struct cgroup_group *group; /* its cgroup, once made */
	long *oom_kills;
	char *bind;             /* [PATH_MAX] the shared bind on the host */
	struct mounts_noted *mounts; /* the host's mounts under its root
				      * before it started */
	/* the session */
	const struct cgroup_ctx *cg;
	const struct cgroup_session *session_cg; /* the session's group */
	unsigned *seq;          /* containers started so far */
	int tty;                /* boxstep's terminal, or -1 */
	struct termios *tty_mode; /* its mode before the container ran */
	bool *tty_saved;
	int *null_fd;           /* /dev/null, opened once; -1 until then */
	bool rootless;
	const char *run_dir;    /* where the session's directory goes */
	struct rootfs_session *rootfs;
	char *host_hostname;    /* [PLAN_HOSTNAME_MAX + 1] */
	const int *signals;     /* what the child sets back to SIG_DFL */
	size_t nsignals;
	sigset_t child_mask;    /* boxstep's signal mask, which the child
				 * takes back once those are at SIG_DFL;
				 * boxstep blocks every signal from the
				 * clone until the exec */
	/* What the child runs (the engine's child_main), when it starts
	 * on a stack of its own rather than returning from the clone. */
	void (*child)(struct step_ctx *x);
	struct orphans_spare spare; /* the session's other live containers */
	bool *failed;           /* set when something a step should have
				 * undone stayed (the step said what) */
};

/* What the child writes to x->report: the step that failed, or the one
 * it holds at, and errno. */
struct step_report {
	int index;
	int err;
};

/* `show`'s list of calls, as steps write it. */
struct step_out {
	struct msg_text *text;
	const struct step *step;
	const struct plan_cgroups *cg; /* where the cgroups are; may be NULL */
};

/* One line of the call list, tagged with the step's tag. */
void step_say(struct step_out *o, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* The same with another tag (the cgroup step names each controller). */
void step_say_as(struct step_out *o, const char *tag, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Prints the calls of every step in LIST, in order. */
void step_describe(const struct step_list *list, const struct plan *plan,
		   const struct plan_cgroups *cg, struct msg_text *t);

/* Who makes the steps of PHASE: "boxstep" or "child". */
const char *step_who(enum step_phase phase);

/* The container's root as `show` names it: the rootfs, or its session
 * layer's placeholder; and that layer's directory. */
const char *step_show_root(const struct plan *p);
const char *step_show_layer_dir(const struct plan *p);

/* A PREPARE step's answer to whether the kernel has what LAYER needs:
 * 0, or 125 with HAS's reason and how to go on in ERR. */
int step_kernel_has(int (*has)(char *err, size_t errlen), const char *layer,
		    char *err, size_t errlen);

/* Whether the plan roots the container in the session's writable
 * layer. */
bool step_uses_layer(const struct plan *p);

#endif
