/* orphans: the processes a container leaves behind. */
#define _GNU_SOURCE
#include "host/orphans.h"

#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/fsutil.h"

static bool
spared(const struct orphans_spare *spare, pid_t pid, pid_t sid)
{
	for (size_t i = 0; i < spare->n; i++)
		if (spare->pid[i] == pid ||
		    (spare->own_session[i] && spare->pid[i] == sid))
			return true;
	return false;
}

void
orphans_reap(const struct orphans_spare *spare)
{
	for (;;) {
		siginfo_t si;

		memset(&si, 0, sizeof(si));
		if (waitid(P_ALL, 0, &si, WEXITED | WNOHANG | WNOWAIT) < 0 ||
		    si.si_pid == 0)
			return;
		if (spared(spare, si.si_pid, 0))
			return; /* its owner collects it */
		waitpid(si.si_pid, NULL, WNOHANG);
	}
}

void
orphans_kill(const struct orphans_spare *spare)
{
	pid_t self = getpid();

	for (int round = 0; round < 100; round++) {
		DIR *proc = opendir("/proc");
		struct dirent *d;
		int found = 0;

		if (!proc)
			return;
		while ((d = readdir(proc)) != NULL) {
			char path[64], stat[512], *p;
			int ppid, pgrp, sid;
			pid_t pid = (pid_t)atoi(d->d_name);

			if (pid <= 0)
				continue;
			snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
			if (fsutil_read(path, stat, sizeof(stat)) < 0)
				continue;
			p = strrchr(stat, ')');
			if (!p || sscanf(p + 1, " %*c %d %d %d", &ppid, &pgrp,
					 &sid) != 3 || ppid != self)
				continue;
			if (spared(spare, pid, sid))
				continue;
			kill(pid, SIGKILL);
			found++;
		}
		closedir(proc);
		if (!found)
			return;
		/* Let them die, then reap, so the next scan sees their
		 * children (now ours) instead. */
		usleep(1000);
		orphans_reap(spare);
	}
}
