/* hostname: the hostname a process sees, read in its UTS namespace.
 *
 * setns(2) into a UTS namespace changes the calling thread only, so a
 * one-off read joins it from a helper thread.  Rootless, joining it takes
 * a capability that only the container's user namespace gives, and a
 * threaded process may not join a user namespace: a child process joins
 * that first, then the UTS namespace.  A pane that reads the name once a
 * second keeps one helper process in the namespace instead (struct
 * uts_helper), which answers each request with the name there.
 */
#ifndef BOXSTEP_HOSTNAME_H
#define BOXSTEP_HOSTNAME_H

#include <stddef.h>
#include <sys/types.h>

/* Reads the hostname of PID's UTS namespace (PID under PROC_ROOT).
 * Returns 0, or -1 with errno set. */
int hostview_uts_hostname(const char *proc_root, pid_t pid, char *buf,
			  size_t len);

/* A helper process kept in one UTS namespace.  Zeroed: none. */
struct uts_helper {
	pid_t pid;          /* 0: none running */
	int sock;           /* a request in, the name back */
	unsigned long ns;   /* the inode of the namespace it is in */
};

/* As hostview_uts_hostname(), for PID whose UTS namespace is NS (its
 * inode): through H, started (or started again, when NS has changed)
 * as needed; a helper that does not answer is stopped and the name read
 * the one-off way. */
int uts_helper_hostname(struct uts_helper *h, const char *proc_root,
			pid_t pid, unsigned long ns, char *buf, size_t len);

/* Ends H's helper, if any, and waits for it. */
void uts_helper_stop(struct uts_helper *h);

#endif
