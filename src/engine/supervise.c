/* supervise: wait for the session; if it is killed, clean up after it. */
#define _GNU_SOURCE
#include "engine/supervise.h"

#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "base/fsutil.h"
#include "engine/spawn.h"

static volatile pid_t session;

/* Passes on what was sent with kill(1); what the terminal sends reaches
 * the session's process group itself. */
static void
forward(int sig, siginfo_t *si, void *ctx)
{
	(void)ctx;
	if (si->si_code == SI_KERNEL)
		return;
	if (session > 0)
		kill(session, sig);
}

/* Kills every process whose parent is this one, except the session if
 * it still runs.  Returns how many it signalled. */
static int
kill_children(void)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	int n = 0;

	if (!d)
		return 0;
	while ((de = readdir(d)) != NULL) {
		char path[64], buf[512], *p;
		long pid, ppid;
		char *end;

		pid = strtol(de->d_name, &end, 10);
		if (*end || pid <= 0)
			continue;
		snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
		if (fsutil_read(path, buf, sizeof(buf)) < 0 ||
		    !(p = strrchr(buf, ')')) ||
		    sscanf(p + 1, " %*c %ld", &ppid) != 1)
			continue;
		if (ppid == getpid() && kill((pid_t)pid, SIGKILL) == 0)
			n++;
	}
	closedir(d);
	return n;
}

/* After the session died: its orphans came back here; kill them until
 * none is left (a fork bomb keeps making more for a while). */
static int
reap_orphans(void)
{
	struct timespec start, t;
	int killed = 0;

	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		int n = kill_children();

		killed += n;
		while (waitpid(-1, NULL, WNOHANG) > 0)
			;
		if (n == 0 && waitpid(-1, NULL, WNOHANG) < 0 && errno == ECHILD)
			break;
		clock_gettime(CLOCK_MONOTONIC, &t);
		if (t.tv_sec - start.tv_sec > 10)
			break;
		usleep(10000);
	}
	return killed;
}

int
supervise(const char *cgroup_root, const char *rootfs,
	  supervise_forget_fn forget)
{
	struct termios tio;
	bool have_tio = isatty(STDIN_FILENO) &&
			tcgetattr(STDIN_FILENO, &tio) == 0;
	pid_t parent = getpid(), pid;
	struct sigaction sa;
	int status = 0;

	prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		/* The session ends cleanly if the supervisor is killed. */
		prctl(PR_SET_PDEATHSIG, SIGTERM, 0, 0, 0);
		if (getppid() != parent)
			raise(SIGTERM);
		return 0;
	}
	session = pid;
	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_sigaction = forward;
	sa.sa_flags = SA_SIGINFO | SA_RESTART;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGQUIT, &sa, NULL);
	signal(SIGTSTP, SIG_IGN);
	signal(SIGTTOU, SIG_IGN);
	signal(SIGTTIN, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);

	/* Orphans of containers may come back here while the session
	 * runs (if it was not their subreaper): reap them as they come. */
	for (;;) {
		pid_t w = waitpid(-1, &status, 0);

		if (w == pid)
			break;
		if (w < 0 && errno != EINTR)
			break;
	}
	session = 0;
	if (forget)
		forget(pid);
	if (WIFSIGNALED(status)) {
		char report[8192] = "";
		int sig = WTERMSIG(status), killed;

		if (have_tio) {
			/* A TUI killed outright leaves the screen raw and
			 * alternate: give the shell its terminal back. */
			tcsetattr(STDIN_FILENO, TCSAFLUSH, &tio);
			if (isatty(STDOUT_FILENO))
				fputs("\033[?1049l\033[?25h\033[0m\r\n", stdout);
			fflush(stdout);
		}
		killed = reap_orphans();
		spawn_clean_stale(cgroup_root, rootfs, report, sizeof(report));
		fprintf(stderr, "boxstep: the session (pid %d) was killed by "
			"signal %d (%s); cleaned up after it:\n", (int)pid, sig,
			strsignal(sig));
		if (killed)
			fprintf(stderr, "killed %d process%s it left behind\n",
				killed, killed == 1 ? "" : "es");
		fputs(report, stderr);
		if (!killed && !report[0])
			fputs("nothing was left behind\n", stderr);
		exit(128 + sig);
	}
	reap_orphans();
	/* What the session's own teardown failed to remove (it said so) is
	 * stale now that it is gone: remove it here, rather than leave it
	 * to the next start, and fail. */
	{
		char report[8192] = "";

		spawn_clean_stale(cgroup_root, rootfs, report, sizeof(report));
		if (report[0]) {
			fprintf(stderr, "boxstep: the session's teardown left "
				"something behind; cleaned up after it:\n%s",
				report);
			if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
				exit(1);
		}
	}
	exit(WIFEXITED(status) ? WEXITSTATUS(status) : 1);
}
