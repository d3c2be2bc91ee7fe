/* core: the steps of every container, whatever layers are on: the hold
 * pipe, the clone, the release, the child's hold and exec, the wait, and
 * the orphans reaped at the end. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <termios.h>
#include <unistd.h>

#include "layers/layers.h"

static bool
always(const struct plan *p)
{
	(void)p;
	return true;
}

/* --- boxstep, before the clone -------------------------------------- */

static void
show_pipe(struct step_out *o, const struct plan *p)
{
	(void)p;
	step_say(o, "pipe2(sync, O_CLOEXEC)");
}

static int
make_pipes(struct step_ctx *x, char *err, size_t errlen)
{
	(void)err, (void)errlen;
	return pipe2(x->sync, O_CLOEXEC) < 0 ||
	       pipe2(x->report, O_CLOEXEC) < 0 ? 125 : 0;
}

static void
pipe_failed(const struct step_ctx *x, int e, char *err, size_t errlen)
{
	(void)x;
	msg_fail(err, errlen, "pipe: %s", strerror(e));
}

/* A container without the terminal reads from /dev/null, which the
 * session opens once. */
static int
null_stdin(struct step_ctx *x, char *err, size_t errlen)
{
	if (!x->background && x->tty >= 0)
		return 0;
	if (*x->null_fd < 0)
		*x->null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (*x->null_fd < 0) {
		msg_fail(err, errlen, "open /dev/null: %s", strerror(errno));
		return 125;
	}
	x->stdin_fd = *x->null_fd;
	return 0;
}

/* Whatever mode the command leaves the terminal in, the prompt gets it
 * back as it was. */
static int
save_tty(struct step_ctx *x, char *err, size_t errlen)
{
	(void)err, (void)errlen;
	if (!x->background && x->tty >= 0)
		*x->tty_saved = tcgetattr(x->tty, x->tty_mode) == 0;
	return 0;
}

static void
show_clone(struct step_out *o, const struct plan *p)
{
	char flags[128];

	plan_format_clone_flags(plan_clone_flags(p), flags, sizeof(flags));
	step_say(o, "clone(%s)", flags);
}

/* A child that shares boxstep's memory (CLONE_VM) costs the kernel no
 * copy of it: no page tables to copy at the clone and tear down at the
 * exec, which is most of what a container costs boxstep beyond the
 * kernel's own work (docs/benchmarks.md).  Until its exec the child then
 * runs in boxstep's memory, on a stack of its own, and the engine keeps
 * what makes that safe:
 *  - it works on a copy of its context, made before the clone and not
 *    touched by boxstep after it;
 *  - the two never work on the same memory at once: before its
 *    release the child only asks to die with boxstep and takes its own
 *    group, system calls that cannot fail there (and so leave errno,
 *    which the two share, alone), then waits; boxstep, once it has
 *    released it, waits for its report (held, failed, or exec'd);
 *  - boxstep blocks every signal from the clone until the exec, so that
 *    no handler of boxstep's runs in either while the other works (the
 *    child takes the mask back once its signals are at SIG_DFL);
 *  - the child makes system calls only: no allocation, no change to a
 *    global (its environment goes to execve, not to environ), no
 *    exit() (_exit), and its credentials change by system call, not by
 *    glibc's wrappers, which would signal boxstep's threads (the
 *    change marks the memory not dumpable, which spawn.c undoes);
 *  - a plan with a step that needs the child to have its own memory
 *    (`own_memory`: it allocates, or it puts the child under a memory
 *    limit, where an OOM kill would take boxstep along) is cloned the
 *    way fork does.
 * AddressSanitizer cannot follow a child on a stack of its own, so a
 * sanitized build clones the way fork does, every step the same. */
#ifdef __SANITIZE_ADDRESS__
#define CORE_SHARED_CLONE 0
#else
#define CORE_SHARED_CLONE 1
#endif

/* The child's stack, with the copy of its context at its top: one for
 * the process, since boxstep makes one container at a time, and each
 * child has left it (exec'd, or exited and been waited for) before
 * spawn_start() returns. */
#define CHILD_STACK_SIZE (512 * 1024)

static struct step_ctx *
child_area(const struct step_ctx *x)
{
	static char *stack;

	if (!CORE_SHARED_CLONE || !x->child)
		return NULL;
	for (size_t i = 0; i < x->list->n; i++)
		if (x->list->step[i]->own_memory)
			return NULL;
	if (!stack) {
		void *m = mmap(NULL, CHILD_STACK_SIZE, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);

		if (m == MAP_FAILED)
			return NULL; /* then as fork does */
		/* an overflow faults in its lowest page */
		mprotect(m, (size_t)sysconf(_SC_PAGESIZE), PROT_NONE);
		stack = m;
	}
	return (struct step_ctx *)(void *)(stack + CHILD_STACK_SIZE) - 1;
}

static int
child_start(void *arg)
{
	struct step_ctx *x = arg;

	x->child(x);
	return 125;
}

/* clone(2) sharing boxstep's memory where the plan allows (above), or
 * the way fork does it: no new stack, the child goes on in its own copy
 * of ours and returns from the call (the engine then runs child_main). */
static int
clone_child(struct step_ctx *x, char *err, size_t errlen)
{
	unsigned long flags = plan_clone_flags(x->plan);
	struct step_ctx *copy = child_area(x);
	long pid;

	(void)err, (void)errlen;
	if (copy) {
		*copy = *x;
		pid = clone(child_start,
			    (void *)((uintptr_t)copy & ~(uintptr_t)15),
			    (int)(flags | CLONE_VM), copy);
	} else
		pid = syscall(SYS_clone, flags, NULL, NULL, NULL, NULL);
	if (pid < 0)
		return 125;
	x->pid = (pid_t)pid;
	return 0;
}

static void
clone_failed(const struct step_ctx *x, int e, char *err, size_t errlen)
{
	if (plan_has(x->plan, PLAN_USER) && (e == ENOSPC || e == EPERM ||
					     e == EACCES))
		msg_fail(err, errlen, "clone(CLONE_NEWUSER): %s: this host "
			 "refuses new user namespaces; check `sysctl "
			 "user.max_user_namespaces` (0 turns them off), `sysctl "
			 "kernel.unprivileged_userns_clone` on Debian, and on "
			 "Ubuntu `sysctl kernel.apparmor_restrict_unprivileged_"
			 "userns`", strerror(e));
	else
		msg_fail(err, errlen, "clone: %s%s", strerror(e), e == EPERM ?
			 ": creating namespaces needs root (CAP_SYS_ADMIN); run "
			 "boxstep with sudo" : "");
}

/* --- boxstep, the child held ---------------------------------------- */

static int
hand_tty(struct step_ctx *x, char *err, size_t errlen)
{
	(void)err, (void)errlen;
	if (!x->background && x->tty >= 0) {
		setpgid(x->pid, x->pid);
		tcsetpgrp(x->tty, x->pid);
	}
	return 0;
}

static void
show_release(struct step_out *o, const struct plan *p)
{
	(void)p;
	step_say(o, "write(sync, ...)");
}

int
core_release(struct step_ctx *x, char *err, size_t errlen)
{
	if (write(x->sync[1], "g", 1) == 1)
		return 0;
	msg_fail(err, errlen, "release the child: %s", strerror(errno));
	return 125;
}

/* --- the child ------------------------------------------------------ */

/* SIG_DFL for SIG by system call, which glibc's signal() refuses for
 * the two it keeps for itself; the kernel's struct sigaction. */
static void
default_signal(int sig)
{
	struct {                       /* the generic layout (not MIPS's) */
		void (*handler)(int);
		unsigned long flags;
		void (*restorer)(void);
		unsigned long mask[64 / (8 * sizeof(long))]; /* 64 signals */
	} dfl = { SIG_DFL, 0, NULL, { 0 } };

	syscall(SYS_rt_sigaction, sig, &dfl, NULL, sizeof(dfl.mask));
}

/* Signals boxstep ignores would stay ignored across exec, and its
 * handlers must not run in the child before it; then the signals
 * boxstep blocked for the clone are the child's again. */
static int
reset_signals(struct step_ctx *x, char *err, size_t errlen)
{
	(void)err, (void)errlen;
	for (size_t i = 0; i < x->nsignals; i++)
		if (signal(x->signals[i], SIG_DFL) == SIG_ERR)
			default_signal(x->signals[i]);
	sigprocmask(SIG_SETMASK, &x->child_mask, NULL);
	return 0;
}

static int
die_with_boxstep(struct step_ctx *x, char *err, size_t errlen)
{
	(void)x, (void)err, (void)errlen;
	prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	return 0;
}

/* In the background, a session of its own, and so (with the kernel's
 * autogroup scheduling) a scheduling group of its own.  In the
 * foreground on a terminal, a process group of its own, which boxstep
 * gives the terminal.  Made at once, before the release: no signal of
 * boxstep's terminal or group is then queued for the child while it is
 * held.  (Neither call can fail here, so neither writes the errno the
 * child may share with boxstep.) */
static int
own_group(struct step_ctx *x, char *err, size_t errlen)
{
	(void)err, (void)errlen;
	if (x->background)
		setsid();
	else if (x->tty >= 0)
		setpgid(0, 0);
	return 0;
}

/* In the background, at nice 10: a background container, a fork bomb
 * say, yields the CPU to the session and the rest of the host. */
static int
lower_priority(struct step_ctx *x, char *err, size_t errlen)
{
	int fd;

	(void)err, (void)errlen;
	if (!x->background)
		return 0;
	fd = open("/proc/self/autogroup", O_WRONLY | O_CLOEXEC);
	if (fd >= 0) {
		if (write(fd, "10", 2) < 0) {
			/* no autogroup scheduling: nothing to lower */
		}
		close(fd);
	}
	return 0;
}

/* Held here until boxstep has placed the child in its cgroup: nothing
 * the command does may escape the limit. */
static int
wait_release(struct step_ctx *x, char *err, size_t errlen)
{
	char go;

	(void)err, (void)errlen;
	return read(x->sync[0], &go, 1) == 1 ? 0 : 125;
}

static int
take_stdin(struct step_ctx *x, char *err, size_t errlen)
{
	(void)err, (void)errlen;
	return x->stdin_fd >= 0 && dup2(x->stdin_fd, STDIN_FILENO) < 0 ?
	       125 : 0;
}

static void
setup_failed(const struct step_ctx *x, int e, char *err, size_t errlen)
{
	(void)x;
	msg_fail(err, errlen, "container setup: %s", strerror(e));
}

static void
show_held(struct step_out *o, const struct plan *p)
{
	(void)p;
	step_say(o, "read(sync): boxstep reads /proc/<child> as it is now");
}

/* Set up: held once more, so that boxstep can read the container as it
 * is made (its hostname, root, mounts, namespaces) before the command
 * replaces this copy of boxstep. */
static int
hold(struct step_ctx *x, char *err, size_t errlen)
{
	struct step_report held = { (int)x->index, 0 };
	char go;

	(void)err, (void)errlen;
	if (write(x->report[1], &held, sizeof(held)) != sizeof(held) ||
	    read(x->sync[0], &go, 1) != 1)
		return 125;
	close(x->sync[0]);
	return 0;
}

/* The container's PATH, as its environment says it and as the exec
 * searches it. */
#define CHILD_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:" \
		   "/sbin:/bin"
static const char *const path_dirs[] = {
	"/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin",
	"/bin",
};

/* The container's environment: small and fixed, as a container runtime
 * gives it.  busybox sh understands \h in PS1 and keeps the prompt's
 * hostname current; other shells (dash on the host) get the name the
 * container starts with. */
static char **
child_env(const struct plan *p)
{
	static char term[256], ps1[PLAN_HOSTNAME_MAX + 64];
	static char *env[] = {
		"PATH=" CHILD_PATH,
		"HOME=/root",
		ps1,
		term,
		NULL,
	};
	const char *t = getenv("TERM");
	char name[PLAN_HOSTNAME_MAX + 1] = "container";

	snprintf(term, sizeof(term), "TERM=%s", t && *t ? t : "linux");
	if (plan_new_root(p))
		snprintf(ps1, sizeof(ps1), "PS1=\\h:\\w\\$ ");
	else {
		if (plan_has(p, PLAN_UTS))
			snprintf(name, sizeof(name), "%s", p->hostname);
		else
			gethostname(name, sizeof(name) - 1);
		snprintf(ps1, sizeof(ps1), "PS1=%s# ", name);
	}
	return env;
}

static void
show_exec(struct step_out *o, const struct plan *p)
{
	(void)p;
	step_say(o, "execvp(CMD, ARGS)");
}

/* execve(PATH), and as execvp does, a file the kernel cannot run (a
 * script without #!) run by /bin/sh instead. */
static void
exec_file(const char *path, char *const argv[], char *const envp[])
{
	size_t n = 1;

	execve(path, argv, envp);
	if (errno != ENOEXEC)
		return;
	while (argv[n - 1])
		n++;
	{
		char *sh[n + 1];

		sh[0] = "/bin/sh";
		sh[1] = (char *)path;
		for (size_t i = 1; i < n; i++)
			sh[i + 1] = argv[i];
		execve("/bin/sh", sh, envp);
	}
}

/* execvp's search in the container's own PATH: execvp() itself would
 * search boxstep's, from environ, which the child must leave alone.
 * Returns with errno set as execvp sets it. */
static void
exec_searched(char *const argv[], char *const envp[])
{
	char path[PATH_MAX];
	bool denied = false;

	if (!argv[0][0]) {
		errno = ENOENT;
		return;
	}
	if (strchr(argv[0], '/')) {
		exec_file(argv[0], argv, envp);
		return;
	}
	for (size_t i = 0; i < STEP_COUNT(path_dirs); i++) {
		if ((size_t)snprintf(path, sizeof(path), "%s/%s", path_dirs[i],
				     argv[0]) >= sizeof(path)) {
			errno = ENAMETOOLONG;
			return;
		}
		exec_file(path, argv, envp);
		if (errno == EACCES)
			denied = true;
		else if (errno != ENOENT && errno != ENOTDIR && errno != ESTALE &&
			 errno != ENODEV && errno != ETIMEDOUT)
			return;
	}
	errno = denied ? EACCES : ENOENT;
}

static int
exec_command(struct step_ctx *x, char *err, size_t errlen)
{
	(void)err, (void)errlen;
	exec_searched(x->argv, child_env(x->plan));
	return errno == ENOENT ? 127 : 126;
}

/* Says whether ROOT has NAME (a path, or a bare name looked up in the
 * child's PATH) as any kind of file. */
static bool
root_has(const char *root, const char *name)
{
	char path[PATH_MAX];
	struct stat st;

	if (strchr(name, '/')) {
		snprintf(path, sizeof(path), "%s/%s", root, name);
		return lstat(path, &st) == 0;
	}
	for (size_t i = 0; i < STEP_COUNT(path_dirs); i++) {
		snprintf(path, sizeof(path), "%s%s/%s", root, path_dirs[i],
			 name);
		if (lstat(path, &st) == 0)
			return true;
	}
	return false;
}

static void
exec_failed(const struct step_ctx *x, int e, char *err, size_t errlen)
{
	const char *root = x->plan->rootfs, *prog = x->argv[0];
	bool chrooted = plan_new_root(x->plan);

	if (e == ENOENT && chrooted && root_has(root, prog))
		msg_fail(err, errlen, "%s is in the root filesystem but cannot "
			 "start: the program loader or a library it needs is "
			 "missing there (a program copied in from the host does "
			 "not bring its libraries along)", prog);
	else if (e == ENOENT && chrooted && root_has(root, "/bin/busybox"))
		msg_fail(err, errlen, "no %s in this root filesystem (it is "
			 "busybox, which has sh but no bash); try /bin/sh, or "
			 "`host ls %s/bin` to see what there is", prog, root);
	else if (e == ENOENT && chrooted)
		msg_fail(err, errlen, "no %s in the root filesystem %s; `host ls "
			 "%s/bin` shows what it has", prog, root, root);
	else if (e == ENOENT)
		msg_fail(err, errlen, "%s: no such program on the host (without "
			 "the chroot layer the container sees the host's files)",
			 prog);
	else if (e == EACCES)
		msg_fail(err, errlen, "%s: permission denied (not executable, or "
			 "on a filesystem mounted noexec)", prog);
	else if (e == ENOEXEC)
		msg_fail(err, errlen, "%s: not a program this kernel can run "
			 "(wrong architecture, or a script without a #! line)",
			 prog);
	else
		msg_fail(err, errlen, "exec %s: %s", prog, strerror(e));
}

/* --- boxstep, after the clone --------------------------------------- */

static void
show_wait(struct step_out *o, const struct plan *p)
{
	(void)p;
	step_say(o, "waitpid(child)");
}

static int
reap(struct step_ctx *x, char *err, size_t errlen)
{
	(void)err, (void)errlen;
	orphans_reap(&x->spare);
	return 0;
}

static const struct step steps[] = {
	{ STEP_BEFORE_CLONE, 20, "[hold the child]", .show = show_pipe,
	  .run = make_pipes, .fail = pipe_failed },
	{ STEP_BEFORE_CLONE, 21, NULL, .run = null_stdin },
	{ STEP_BEFORE_CLONE, 22, NULL, .run = save_tty },
	{ STEP_CLONE, 10, "", .show = show_clone, .run = clone_child,
	  .fail = clone_failed },
	{ STEP_HOLDING, 40, NULL, .run = hand_tty },
	{ STEP_HOLDING, 50, "[release the child]", .show = show_release,
	  .run = core_release },
	{ STEP_CHILD, 1, NULL, .run = die_with_boxstep },
	{ STEP_CHILD, 2, NULL, .run = own_group },
	{ STEP_CHILD, 3, NULL, .run = wait_release },
	{ STEP_CHILD, 4, NULL, .run = reset_signals },
	{ STEP_CHILD, 6, NULL, .run = lower_priority },
	{ STEP_CHILD, 30, NULL, .run = take_stdin, .fail = setup_failed },
	{ STEP_CHILD, 110, "[held, set up]", .show = show_held, .run = hold,
	  .hold = true },
	{ STEP_CHILD, 120, "", .show = show_exec, .run = exec_command,
	  .fail = exec_failed },
	/* spawn_wait(), spawn_poll() or spawn_stop() */
	{ STEP_WAIT, 10, "", .show = show_wait },
	{ STEP_TEARDOWN, 30, NULL, .run = reap },
};

const struct layer layer_core = {
	.info = { .name = "core" },
	.id = -1,
	.on = always,
	.steps = steps,
	.nsteps = STEP_COUNT(steps),
};
