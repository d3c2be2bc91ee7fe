/* hostname: the hostname inside a UTS namespace, one read at a time or
 * through a helper kept there. */
#define _GNU_SOURCE
#include "host/hostname.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

static char *
ns_path(char *buf, size_t len, const char *root, pid_t pid, const char *f)
{
	snprintf(buf, len, "%s/%d/%s", root, (int)pid, f);
	return buf;
}

struct uts_job {
	int fd;
	char name[65];
	int rc;
	int err; /* setns's errno when it failed */
};

/* Runs in a helper thread: setns(2) changes the UTS namespace of the
 * calling thread only, so the rest of boxstep stays where it is. */
static void *
uts_thread(void *arg)
{
	struct uts_job *job = arg;

	job->rc = -1;
	if (setns(job->fd, CLONE_NEWUTS) < 0)
		job->err = errno;
	else if (gethostname(job->name, sizeof(job->name) - 1) == 0)
		job->rc = 0;
	return NULL;
}

/* Rootless, entering the container's UTS namespace takes a capability
 * that only its user namespace gives: a child process joins that first
 * (a threaded process may not), then the UTS namespace, and reports. */
static int
uts_via_userns(const char *proc_root, pid_t pid, int uts_fd, char *name,
	       size_t len)
{
	char path[PATH_MAX];
	int user_fd, fds[2], status;
	ssize_t n = -1;
	pid_t child;

	user_fd = open(ns_path(path, sizeof(path), proc_root, pid, "ns/user"),
		       O_RDONLY | O_CLOEXEC);
	if (user_fd < 0)
		return -1;
	if (pipe2(fds, O_CLOEXEC) < 0) {
		close(user_fd);
		return -1;
	}
	child = fork();
	if (child == 0) {
		char got[65] = "";

		if (setns(user_fd, CLONE_NEWUSER) == 0 &&
		    setns(uts_fd, CLONE_NEWUTS) == 0 &&
		    gethostname(got, sizeof(got) - 1) == 0 &&
		    write(fds[1], got, strlen(got)) > 0)
			_exit(0);
		_exit(1);
	}
	close(user_fd);
	close(fds[1]);
	if (child > 0) {
		n = read(fds[0], name, len - 1);
		while (waitpid(child, &status, 0) < 0 && errno == EINTR)
			;
	}
	close(fds[0]);
	if (n <= 0)
		return -1;
	name[n] = '\0';
	return 0;
}

int
hostview_uts_hostname(const char *proc_root, pid_t pid, char *buf, size_t len)
{
	struct uts_job job = { .fd = -1, .rc = -1 };
	char path[PATH_MAX];
	pthread_t t;

	job.fd = open(ns_path(path, sizeof(path), proc_root, pid, "ns/uts"),
		      O_RDONLY | O_CLOEXEC);
	if (job.fd < 0)
		return -1;
	if (pthread_create(&t, NULL, uts_thread, &job) == 0)
		pthread_join(t, NULL);
	/* Only a namespace of a user namespace not ours refuses us so. */
	if (job.rc < 0 && job.err == EPERM)
		job.rc = uts_via_userns(proc_root, pid, job.fd, job.name,
					sizeof(job.name));
	close(job.fd);
	if (job.rc == 0)
		snprintf(buf, len, "%s", job.name);
	else
		errno = job.err ? job.err : EIO;
	return job.rc;
}

/* --- a helper kept in the namespace ------------------------------------ */

/* The helper: joins the namespaces, then answers each byte read on SOCK
 * with the hostname, NUL-terminated, until SOCK closes. */
static void __attribute__((noreturn))
helper_main(int user_fd, int uts_fd, int sock, pid_t parent)
{
	char name[65], c;

	prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	if (getppid() != parent)
		_exit(1);
	if (setns(uts_fd, CLONE_NEWUTS) < 0 &&
	    (errno != EPERM || user_fd < 0 || setns(user_fd, CLONE_NEWUSER) < 0 ||
	     setns(uts_fd, CLONE_NEWUTS) < 0))
		_exit(1);
	close(uts_fd);
	if (user_fd >= 0)
		close(user_fd);
	while (read(sock, &c, 1) == 1) {
		memset(name, 0, sizeof(name));
		if (gethostname(name, sizeof(name) - 1) < 0)
			name[0] = '\0';
		if (send(sock, name, strlen(name) + 1, MSG_NOSIGNAL) < 0)
			break;
	}
	_exit(0);
}

static int
helper_start(struct uts_helper *h, const char *proc_root, pid_t pid,
	     unsigned long ns)
{
	char path[PATH_MAX];
	int uts_fd, user_fd, sv[2] = { -1, -1 };
	pid_t parent = getpid(), child = -1;

	uts_fd = open(ns_path(path, sizeof(path), proc_root, pid, "ns/uts"),
		      O_RDONLY | O_CLOEXEC);
	if (uts_fd < 0)
		return -1;
	user_fd = open(ns_path(path, sizeof(path), proc_root, pid, "ns/user"),
		       O_RDONLY | O_CLOEXEC);
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == 0 &&
	    (child = fork()) == 0) {
		/* Nothing of the TUI's (its pty, its event socket) may stay
		 * open in here: the REPL would not see its terminal close.
		 * The three it needs go to 3..5 (by way of 10..12, so that
		 * none is overwritten), and everything above goes. */
		int keep[3] = { uts_fd, user_fd, sv[1] };

		for (int k = 0; k < 3; k++)
			if (keep[k] >= 0 &&
			    (keep[k] = fcntl(keep[k], F_DUPFD, 10 + k)) < 0)
				_exit(1);
		for (int k = 0; k < 3; k++)
			if (keep[k] >= 0 && dup2(keep[k], 3 + k) < 0)
				_exit(1);
		close_range(6, ~0U, 0);
		helper_main(keep[1] >= 0 ? 4 : -1, 3, 5, parent);
	}
	close(uts_fd);
	if (user_fd >= 0)
		close(user_fd);
	if (sv[1] >= 0)
		close(sv[1]);
	if (child < 0) {
		if (sv[0] >= 0)
			close(sv[0]);
		return -1;
	}
	*h = (struct uts_helper){ .pid = child, .sock = sv[0], .ns = ns };
	return 0;
}

/* One request: the name, within half a second.  Returns 0 or -1. */
static int
helper_ask(struct uts_helper *h, char *buf, size_t len)
{
	struct pollfd p = { .fd = h->sock, .events = POLLIN };
	char name[66];
	ssize_t n;

	if (send(h->sock, "?", 1, MSG_NOSIGNAL) != 1 || poll(&p, 1, 500) != 1 ||
	    (n = read(h->sock, name, sizeof(name) - 1)) <= 0)
		return -1;
	name[n] = '\0';
	if (!name[0])
		return -1;
	snprintf(buf, len, "%s", name);
	return 0;
}

void
uts_helper_stop(struct uts_helper *h)
{
	if (!h->pid)
		return;
	close(h->sock);
	kill(h->pid, SIGKILL);
	while (waitpid(h->pid, NULL, 0) < 0 && errno == EINTR)
		;
	*h = (struct uts_helper){ 0 };
}

int
uts_helper_hostname(struct uts_helper *h, const char *proc_root, pid_t pid,
		    unsigned long ns, char *buf, size_t len)
{
	if (h->pid && h->ns != ns)
		uts_helper_stop(h);
	if ((h->pid || helper_start(h, proc_root, pid, ns) == 0) &&
	    helper_ask(h, buf, len) == 0)
		return 0;
	uts_helper_stop(h);
	return hostview_uts_hostname(proc_root, pid, buf, len);
}
