/* ignoreall: runs a command with every signal that can be ignored set to
 * SIG_IGN, glibc's own two (32 and 33) included, as GNU make leaves
 * those: what a parent may hand boxstep.  By system call, since glibc's
 * sigaction() refuses its own two.  Usage: ignoreall COMMAND [ARG...] */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

/* The kernel's struct sigaction (the generic layout: not MIPS's). */
struct kernel_sigaction {
	void (*handler)(int);
	unsigned long flags;
	void (*restorer)(void);
	unsigned long mask[64 / (8 * sizeof(long))]; /* 64 signals */
};

int
main(int argc, char **argv)
{
	struct kernel_sigaction ign = { SIG_IGN, 0, NULL, { 0 } };

	if (argc < 2) {
		fprintf(stderr, "usage: ignoreall COMMAND [ARG...]\n");
		return 2;
	}
	for (int sig = 1; sig <= 64; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			syscall(SYS_rt_sigaction, sig, &ign, NULL,
				sizeof(ign.mask));
	execvp(argv[1], argv + 1);
	perror(argv[1]);
	return 127;
}
