/* foreground: boxstep's signals, and waiting in the foreground. */
#define _GNU_SOURCE
#include "engine/foreground.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "base/fsutil.h"

volatile sig_atomic_t spawn_quit_signal;

/* Self-pipe that the SIGCHLD and quit handlers write to, so that the wait
 * loops can poll() without losing a signal. */
static int wake_pipe[2] = { -1, -1 };

/* The next pipe the Ctrl-C watcher reports on. */
static int watcher_pipe[2] = { -1, -1 };

/* While a wait blocks in waitid(2): the process a quit kills at once
 * (and its process group, for a host command), since no poll() would
 * wake for it. */
static volatile sig_atomic_t quit_victim, quit_group;

static void
on_sigchld(int sig)
{
	int saved = errno;

	(void)sig;
	if (wake_pipe[1] >= 0 && write(wake_pipe[1], "c", 1) < 0) {
		/* full pipe: a wake-up is already pending */
	}
	errno = saved;
}

static void
on_quit(int sig)
{
	pid_t victim = quit_victim;

	spawn_quit_signal = sig;
	if (victim > 0) {
		if (quit_group)
			kill(-victim, SIGKILL);
		kill(victim, SIGKILL);
	}
	on_sigchld(sig);
}

/* What readline and the REPL may catch later, beside what is caught or
 * ignored now. */
static const int caught_later[] = {
	SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGALRM, SIGTSTP, SIGTTIN, SIGTTOU,
	SIGWINCH, SIGCHLD, SIGPIPE,
};

/* Notes the signals that are not at their default: a child that runs
 * boxstep's code until its exec sets them back, since ignored ones stay
 * ignored across exec and boxstep's handlers must not run in it. */
static void
note_signals(struct spawn_session *s)
{
	s->nsignals = 0;
	for (int sig = 1; sig < NSIG; sig++) {
		struct sigaction sa;
		bool note = false;

		if (sig == SIGKILL || sig == SIGSTOP)
			continue;
		/* glibc keeps two (32 and 33) for itself and refuses to
		 * show them, but a parent may have left them ignored (GNU
		 * make does): always noted */
		if (sigaction(sig, NULL, &sa) < 0) {
			if (sig < SIGRTMIN)
				s->signals[s->nsignals++] = sig;
			continue;
		}
		for (size_t i = 0; i < sizeof(caught_later) /
		     sizeof(caught_later[0]); i++)
			note |= caught_later[i] == sig;
		if (note || sa.sa_handler != SIG_DFL)
			s->signals[s->nsignals++] = sig;
	}
}

void
foreground_handlers(struct spawn_session *s)
{
	struct sigaction sa;

	if (wake_pipe[0] >= 0) {
		close(wake_pipe[0]);
		close(wake_pipe[1]);
	}
	if (pipe2(wake_pipe, O_CLOEXEC | O_NONBLOCK) < 0)
		wake_pipe[0] = wake_pipe[1] = -1;
	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_sigchld;
	sa.sa_flags = SA_RESTART;
	sigaction(SIGCHLD, &sa, NULL);
	/* No SA_RESTART: a quit must interrupt a blocking read.  Batch
	 * mode ends on Ctrl-C between commands, cleanly; the interactive
	 * prompt replaces SIGINT's handler with its own. */
	sa.sa_handler = on_quit;
	sa.sa_flags = 0;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	/* Like a shell: boxstep may write to and take back the terminal
	 * while a container owns it. */
	signal(SIGTTOU, SIG_IGN);
	signal(SIGTTIN, SIG_IGN);
	signal(SIGTSTP, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
	signal(SIGWINCH, SIG_DFL);
	note_signals(s);
}

static void
on_watcher_sigint(int sig)
{
	(void)sig;
	if (write(watcher_pipe[1], "i", 1) < 0) {
		/* nothing to do */
	}
}

/* Forks a process that joins the container's process group only to hear
 * the terminal's SIGINT: PID 1 of a PID namespace drops it silently, and
 * boxstep, outside the foreground group, would not hear it either. */
static pid_t
start_watcher(pid_t pgrp)
{
	struct sigaction sa;
	pid_t w;

	if (watcher_pipe[0] < 0 &&
	    pipe2(watcher_pipe, O_CLOEXEC | O_NONBLOCK) < 0)
		return 0;
	w = fork();
	if (w < 0)
		return 0;
	if (w == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
		setpgid(0, pgrp);
		memset(&sa, 0, sizeof(sa));
		sigemptyset(&sa.sa_mask);
		sa.sa_handler = on_watcher_sigint;
		sigaction(SIGINT, &sa, NULL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGHUP, SIG_DFL);
		signal(SIGCHLD, SIG_DFL);
		signal(SIGQUIT, SIG_IGN);
		for (;;)
			pause();
	}
	setpgid(w, pgrp);
	return w;
}

/* True when process PID has a handler installed for SIG. */
static bool
catches(pid_t pid, int sig)
{
	char path[64], buf[4096], *p;
	unsigned long long mask;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	if (fsutil_read(path, buf, sizeof(buf)) < 0)
		return false;
	p = strstr(buf, "\nSigCgt:");
	if (!p || sscanf(p + 8, "%llx", &mask) != 1)
		return false;
	return (mask >> (sig - 1)) & 1;
}

static void
on_ctrl_c(struct spawn_container *c, int *presses)
{
	if (catches(c->pid, SIGINT) || c->killed_by_us)
		return;
	if (++*presses == 1) {
		fprintf(stderr, "\r\nboxstep: Ctrl-C did nothing: the command "
			"is PID 1 of its PID namespace, and the kernel drops "
			"signals that PID 1 has no handler for, SIGINT "
			"included.\r\nboxstep: press Ctrl-C again to kill the "
			"container with SIGKILL (from outside its namespace, "
			"PID 1 cannot refuse that).\r\n");
		return;
	}
	fputs("\r\n", stderr);
	kill(c->pid, SIGKILL);
	c->killed_by_us = true;
}

static void
drain(int fd)
{
	char buf[64];

	while (fd >= 0 && read(fd, buf, sizeof(buf)) > 0)
		;
}

/* A stopped command (Ctrl-Z?) goes on: boxstep keeps no job table. */
static void
go_on(struct spawn_session *s, pid_t pid)
{
	if (s->tty >= 0)
		tcsetpgrp(s->tty, getpgrp());
	fprintf(stderr, "\nboxstep: the command was stopped (Ctrl-Z?). boxstep "
		"has no job control, so it lets it go on; `start` runs a "
		"container in the background.\n");
	if (s->tty >= 0)
		tcsetpgrp(s->tty, pid);
	kill(-pid, SIGCONT);
	kill(pid, SIGCONT);
}

/* On a quit: a container's teardown finds the rest of it; a host
 * command is killed with its whole process group. */
static void
quit(pid_t pid, struct spawn_container *c)
{
	if (c)
		c->killed_by_us = true;
	else
		kill(-pid, SIGKILL);
	kill(pid, SIGKILL);
}

/* With a terminal: waits in poll() on the wake-up pipe, the terminal
 * (a hang-up ends the wait as SIGHUP would: the shell above, not boxstep,
 * may be the one the kernel tells) and the watcher's pipe. */
static int
wait_polling(struct spawn_session *s, pid_t pid, struct spawn_container *c,
	     pid_t watcher)
{
	struct pollfd fds[3] = {
		{ .fd = wake_pipe[0], .events = POLLIN },
		{ .fd = s->tty, .events = 0 },
		{ .fd = watcher_pipe[0], .events = POLLIN },
	};
	int status = 0, presses = 0;
	bool quit_sent = false;

	for (;;) {
		pid_t r = waitpid(pid, &status, WNOHANG | WUNTRACED);

		if (r == pid && WIFSTOPPED(status)) {
			go_on(s, pid);
			continue;
		}
		if (r == pid || (r < 0 && errno == ECHILD))
			break;
		if (spawn_quit_signal && !quit_sent) {
			quit(pid, c);
			quit_sent = true;
		}
		if (poll(fds, watcher ? 3 : 2, -1) < 0 && errno != EINTR)
			break;
		drain(wake_pipe[0]);
		if ((fds[1].revents & (POLLHUP | POLLERR | POLLNVAL)) &&
		    !spawn_quit_signal)
			spawn_quit_signal = SIGHUP;
		if (watcher && (fds[2].revents & POLLIN)) {
			drain(watcher_pipe[0]);
			on_ctrl_c(c, &presses);
		}
	}
	return status;
}

/* Without a terminal nothing but the end or a quit can come: waits in
 * waitid(2) itself, and the quit handler kills what it waits for.  The
 * exit is seen first without reaping, so that the handler never kills a
 * pid that has been reaped (and may be reused). */
static int
wait_blocking(struct spawn_session *s, pid_t pid, struct spawn_container *c)
{
	int status = 0;
	bool quit_sent = false;

	quit_group = c == NULL;
	quit_victim = pid;
	for (;;) {
		siginfo_t si;

		if (spawn_quit_signal && !quit_sent) {
			quit(pid, c);
			quit_sent = true;
		}
		memset(&si, 0, sizeof(si));
		if (waitid(P_PID, pid, &si, WEXITED | WSTOPPED | WNOWAIT) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (si.si_code == CLD_STOPPED) {
			waitpid(pid, &status, WUNTRACED | WNOHANG);
			go_on(s, pid);
			continue;
		}
		quit_victim = 0;
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
		break;
	}
	quit_victim = 0;
	if (spawn_quit_signal && c)
		c->killed_by_us = true;
	return status;
}

int
foreground_wait(struct spawn_session *s, pid_t pid, struct spawn_container *c)
{
	bool watch = c && s->tty >= 0 && plan_has(&c->plan, PLAN_PID);
	pid_t watcher = watch ? start_watcher(pid) : 0;
	int status;

	if (s->tty < 0)
		status = wait_blocking(s, pid, c);
	else
		status = wait_polling(s, pid, c, watcher);
	if (watcher) {
		kill(watcher, SIGKILL);
		waitpid(watcher, NULL, 0);
		drain(watcher_pipe[0]);
	}
	if (s->tty >= 0) {
		tcsetpgrp(s->tty, getpgrp());
		/* Whatever mode the program left the terminal in (raw, no
		 * echo), the prompt gets it back as it was. */
		if (s->tty_saved)
			tcsetattr(s->tty, TCSADRAIN, &s->tty_mode);
	}
	return status;
}

void
foreground_report_end(const struct spawn_container *c)
{
	char what[64], oom[256];

	if (spawn_quit_signal)
		return;
	if (c->killed_by_us)
		fprintf(stderr, "boxstep: the container was killed with "
			"SIGKILL; teardown removed what was left of it\n");
	else if (spawn_describe_oom(c, oom, sizeof(oom)))
		fprintf(stderr, "boxstep: %s\n", oom);
	else if (WIFSIGNALED(c->status))
		fprintf(stderr, "boxstep: the container was %s\n",
			spawn_describe_status(c->status, what, sizeof(what)));
}

bool
spawn_describe_oom(const struct spawn_container *c, char *buf, size_t len)
{
	char size[32];

	if (c->oom_kills <= 0)
		return false;
	plan_format_size(c->plan.memory_max, size, sizeof(size));
	snprintf(buf, len, "the OOM killer killed %ld process%s in the "
		 "container: it reached its memory limit, memory.max %s "
		 "(%s oom_kill %ld); the host was not touched",
		 c->oom_kills, c->oom_kills == 1 ? "" : "es", size,
		 c->group.version[CGROUP_MEMORY] == CGROUP_V2 ?
		 "memory.events" : "memory.oom_control", c->oom_kills);
	return true;
}

int
spawn_host(struct spawn_session *s, const char *cmdline, pid_t boxpid,
	   const char *rootfs)
{
	char value[32], exe[PATH_MAX] = "";
	pid_t pid;
	int status;

	if (s->group_error[0]) {
		fprintf(stderr, "boxstep: %s\n", s->group_error);
		return 125;
	}
	if (s->tty >= 0)
		s->tty_saved = tcgetattr(s->tty, &s->tty_mode) == 0;
	pid = fork();
	if (pid < 0) {
		fprintf(stderr, "boxstep: fork: %s\n", strerror(errno));
		return 125;
	}
	if (pid == 0) {
		for (size_t i = 0; i < s->nsignals; i++)
			signal(s->signals[i], SIG_DFL);
		setpgid(0, 0);
		if (boxpid > 0) {
			snprintf(value, sizeof(value), "%d", (int)boxpid);
			setenv("BOXPID", value, 1);
		} else {
			unsetenv("BOXPID");
		}
		/* boxstep itself, and the root filesystem the plan names, so
		 * that host commands can call on them. */
		if (readlink("/proc/self/exe", exe, sizeof(exe) - 1) > 0)
			setenv("BOXSTEP", exe, 1);
		if (rootfs && rootfs[0])
			setenv("BOXSTEP_ROOTFS", rootfs, 1);
		execl("/bin/sh", "sh", "-c", cmdline, (char *)NULL);
		fprintf(stderr, "boxstep: exec /bin/sh: %s\n", strerror(errno));
		_exit(127);
	}
	setpgid(pid, pid);
	if (s->tty >= 0)
		tcsetpgrp(s->tty, pid);
	status = foreground_wait(s, pid, NULL);
	/* A rename on the host, by the host, is the learner's to keep. */
	gethostname(s->host_hostname, sizeof(s->host_hostname) - 1);
	return spawn_exit_code(status);
}


int
spawn_exit_code(int status)
{
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return 125;
}

const char *
spawn_describe_status(int status, char *buf, size_t len)
{
	if (WIFSIGNALED(status)) {
		const char *name = sigabbrev_np(WTERMSIG(status));

		snprintf(buf, len, "killed by SIG%s", name ? name : "?");
	} else {
		snprintf(buf, len, "exited with status %d",
			 spawn_exit_code(status));
	}
	return buf;
}
