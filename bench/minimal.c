/* minimal: the kernel calls of one boxstep container with the layers
 * uts pid mnt chroot proc, and nothing else, N times over.  bench.sh
 * times it as the floor under `boxstep -f`: what is left over it is
 * boxstep's own work.
 *
 * Each run: clone(2) with the flags boxstep uses, sharing the loop's
 * memory on a stack of its own (CLONE_VM) as boxstep does; in the child,
 * sethostname, / made private, chroot, chdir("/"), a new proc, exec
 * /bin/true; the parent waits for it.  The proc mount lives in the
 * child's mount namespace and goes with it.
 *
 * Usage: minimal N ROOTFS */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

/* boxstep's default hostname (PLAN_DEFAULT_HOSTNAME). */
#define HOSTNAME "boxstep"

static int
child(void *arg)
{
	const char *rootfs = arg;
	char *argv[] = { "/bin/true", NULL };
	char *envp[] = { "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:"
			 "/usr/bin:/sbin:/bin", "HOME=/root", NULL };

	if (sethostname(HOSTNAME, strlen(HOSTNAME)) < 0)
		_exit(120);
	if (mount("none", "/", "none", MS_REC | MS_PRIVATE, NULL) < 0)
		_exit(121);
	if (chroot(rootfs) < 0)
		_exit(122);
	if (chdir("/") < 0)
		_exit(123);
	if (mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC,
		  NULL) < 0)
		_exit(124);
	execve(argv[0], argv, envp);
	_exit(127);
}

static char stack[256 * 1024] __attribute__((aligned(16)));

int
main(int argc, char **argv)
{
	const unsigned long flags = CLONE_NEWUTS | CLONE_NEWPID | CLONE_NEWNS |
				    SIGCHLD;
	char *end;
	long n;

	if (argc != 3 || (n = strtol(argv[1], &end, 10)) <= 0 || *end) {
		fprintf(stderr, "usage: minimal N ROOTFS\n");
		return 2;
	}
	for (long i = 0; i < n; i++) {
		/* As boxstep does: the child in our memory until its exec. */
		pid_t pid = clone(child, stack + sizeof(stack),
				  (int)(flags | CLONE_VM), argv[2]);
		int status;

		if (pid < 0) {
			fprintf(stderr, "minimal: clone: %s\n", strerror(errno));
			return 1;
		}
		while (waitpid(pid, &status, 0) < 0)
			if (errno != EINTR) {
				fprintf(stderr, "minimal: waitpid: %s\n",
					strerror(errno));
				return 1;
			}
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
			fprintf(stderr, "minimal: run %ld failed (status "
				"0x%x; 120-124: sethostname, private, chroot, "
				"chdir, proc; 127: exec)\n", i + 1, status);
			return 1;
		}
	}
	return 0;
}
