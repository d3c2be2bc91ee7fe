/* seccomp: the layer that installs a system-call filter in the spirit
 * of Docker's default profile: the calls that change the kernel or the
 * machine, or that would undo the other layers, fail with EPERM.
 * libseccomp compiles the table below into the BPF program. */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <seccomp.h>
#include <stdio.h>
#include <string.h>

#include "host/kernel.h"
#include "layers/layers.h"
#include "layers/oci.h"

/* What the filter denies, by why.  A name this architecture lacks is
 * skipped. */
static const struct denied {
	const char *why;
	const char *calls;
} denied[] = {
	{ "mounts", "mount umount2 fsopen fsconfig fsmount fspick move_mount "
		    "open_tree mount_setattr pivot_root" },
	{ "namespaces", "unshare setns" },
	{ "the kernel's keyring", "keyctl add_key request_key" },
	{ "kernel code", "bpf perf_event_open kexec_load kexec_file_load "
			 "init_module finit_module delete_module" },
	{ "the host's files", "open_by_handle_at" },
	{ "the machine", "reboot swapon swapoff" },
	{ "the clock", "settimeofday clock_settime clock_adjtime adjtimex" },
	{ "other processes", "ptrace userfaultfd" },
};

/* clone() is denied with any of these flags: a namespace of its own. */
static const unsigned long ns_flags[] = {
	CLONE_NEWNS, CLONE_NEWUTS, CLONE_NEWIPC, CLONE_NEWUSER, CLONE_NEWPID,
	CLONE_NEWNET, CLONE_NEWCGROUP,
};

static const char explain[] =
	"seccomp lets a process give the kernel a filter, a small BPF program\n"
	"that looks at every system call it (and all it starts) makes, and\n"
	"allows it or fails it.  A filter can never be removed, only added to.\n"
	"Root in a container with all its namespaces can still ask the kernel\n"
	"for what no namespace covers: load a module, set the clock, reboot,\n"
	"or undo the isolation with unshare, setns or a new mount.  boxstep's\n"
	"filter fails these with EPERM:\n"
	"  mounts: mount umount2 fsopen fsconfig fsmount fspick move_mount\n"
	"    open_tree mount_setattr pivot_root\n"
	"  namespaces: unshare setns, and clone with a CLONE_NEW* flag\n"
	"  the kernel's keyring: keyctl add_key request_key\n"
	"  kernel code: bpf perf_event_open kexec_load kexec_file_load\n"
	"    init_module finit_module delete_module\n"
	"  the host's files: open_by_handle_at\n"
	"  the machine: reboot swapon swapoff\n"
	"  the clock: settimeofday clock_settime clock_adjtime adjtimex\n"
	"  other processes: ptrace userfaultfd\n"
	"and clone3 with ENOSYS (its flags are behind a pointer a filter cannot\n"
	"read, so libc falls back to clone).  Docker's profile is the other\n"
	"way round: it lists the ~350 calls it allows and fails the rest.\n"
	"Look for: Seccomp (2 = filter) and Seccomp_filters in the host view;\n"
	"`unshare -u sh` inside fails with \"Operation not permitted\".";

/* Every name of TABLE's calls, in order, as `show` prints them. */
static void
show_filter(struct step_out *o, const struct plan *p)
{
	(void)p;
	step_say(o, "seccomp(SECCOMP_SET_MODE_FILTER, 0, filter): EPERM "
		 "for");
	for (size_t i = 0; i < sizeof(denied) / sizeof(denied[0]); i++)
		step_say(o, "  %s (%s)", denied[i].calls, denied[i].why);
	step_say(o, "  clone with CLONE_NEW* flags; ENOSYS for clone3");
}

static int
check_kernel(struct step_ctx *x, char *err, size_t errlen)
{
	(void)x;
	return step_kernel_has(kernel_has_seccomp, "seccomp", err, errlen);
}

/* Adds a rule failing each call of the space-separated NAMES. */
static int
deny_names(scmp_filter_ctx f, const char *names)
{
	char name[32];

	for (const char *p = names; *p;) {
		size_t n = strcspn(p, " ");
		int nr;

		snprintf(name, sizeof(name), "%.*s", (int)n, p);
		p += n + (p[n] == ' ');
		nr = seccomp_syscall_resolve_name(name);
		if (nr != __NR_SCMP_ERROR &&
		    seccomp_rule_add(f, SCMP_ACT_ERRNO(EPERM), nr, 0) < 0)
			return -1;
	}
	return 0;
}

static int
build(scmp_filter_ctx f)
{
	for (size_t i = 0; i < sizeof(denied) / sizeof(denied[0]); i++)
		if (deny_names(f, denied[i].calls) < 0)
			return -1;
	for (size_t i = 0; i < sizeof(ns_flags) / sizeof(ns_flags[0]); i++)
		if (seccomp_rule_add(f, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(clone),
				     1, SCMP_A0(SCMP_CMP_MASKED_EQ,
				     ns_flags[i], ns_flags[i])) < 0)
			return -1;
	/* where the headers know clone3 */
	if (seccomp_syscall_resolve_name("clone3") != __NR_SCMP_ERROR &&
	    seccomp_rule_add(f, SCMP_ACT_ERRNO(ENOSYS),
			     seccomp_syscall_resolve_name("clone3"), 0) < 0)
		return -1;
	/* no_new_privs is the nonewprivs layer's to set, not libseccomp's;
	 * without it loading needs CAP_SYS_ADMIN, so this step comes before
	 * the caps layer's */
	if (seccomp_attr_set(f, SCMP_FLTATR_CTL_NNP, 0) < 0)
		return -1;
	/* the kernel's own errno when loading fails, not ECANCELED */
	return seccomp_attr_set(f, SCMP_FLTATR_API_SYSRAWRC, 1);
}

static int
load_filter(struct step_ctx *x, char *err, size_t errlen)
{
	scmp_filter_ctx f = seccomp_init(SCMP_ACT_ALLOW);
	int r;

	(void)x, (void)err, (void)errlen;
	if (!f) {
		errno = ENOMEM;
		return 125;
	}
	r = build(f) < 0 ? -ENOMEM : seccomp_load(f);
	seccomp_release(f);
	if (r < 0) {
		errno = -r;
		return 125;
	}
	return 0;
}

static void
load_failed(const struct step_ctx *x, int e, char *err, size_t errlen)
{
	(void)x;
	msg_fail(err, errlen, "loading the seccomp filter in the container: "
		 "%s%s", strerror(e), e == EINVAL ? " (a kernel without "
		 "CONFIG_SECCOMP_FILTER refuses filters; disable seccomp)" :
		 e == EACCES || e == EPERM ? " (it needs CAP_SYS_ADMIN or "
		 "no_new_privs)" : "");
}

static const struct step steps[] = {
	{ STEP_PREPARE, 15, NULL, .run = check_kernel },
	{ STEP_CHILD, 105, "[seccomp]", .show = show_filter,
	  .run = load_filter, .fail = load_failed, .own_memory = true },
};

/* Its part of config.json. */
static void
oci(const struct plan *p, struct oci_doc *d)
{
	(void)p;
	d->seccomp = true;
	for (size_t i = 0; i < sizeof(denied) / sizeof(denied[0]) &&
	     d->ndeny < OCI_MAX; i++)
		d->deny[d->ndeny++] = denied[i].calls;
	d->clone_flags = ns_flags;
	d->nclone_flags = sizeof(ns_flags) / sizeof(ns_flags[0]);
}

const struct layer layer_seccomp = {
	.info = {
		.name = "seccomp",
		.summary = "a system-call filter: mount, unshare, reboot... EPERM",
		.kernel = "seccomp(SECCOMP_SET_MODE_FILTER)",
		.explain = explain,
	},
	.id = PLAN_SECCOMP,
	.steps = steps,
	.nsteps = STEP_COUNT(steps),
	.oci = oci,
};
