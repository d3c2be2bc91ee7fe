/* hostview: read the host's view of one process through a proc root
 * (the hostname inside through host/hostname.c). */
#define _GNU_SOURCE
#include "host/hostview.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/fsutil.h"
#include "host/hostname.h"
#include "host/mountinfo.h"

/* The namespace types, in the order the pane shows them. */
static const char *const ns_types[] = {
	"uts", "pid", "mnt", "ipc", "net", "user", "cgroup", "time",
};

static char *
proc_path(char *buf, size_t len, const char *root, pid_t pid, const char *f)
{
	if (pid > 0)
		snprintf(buf, len, "%s/%d/%s", root, (int)pid, f);
	else
		snprintf(buf, len, "%s/self/%s", root, f);
	return buf;
}

static int
read_link(const char *path, char *buf, size_t len)
{
	ssize_t n = readlink(path, buf, len - 1);

	if (n < 0) {
		buf[0] = '\0';
		return -1;
	}
	buf[n] = '\0';
	return 0;
}

/* Parses a whole mountinfo text into an array; KEEP (may be NULL) filters
 * by mount point.  TEXT becomes the entries' backing store. */
static struct hostview_mount *
mounts_from(char *text, const char *under, size_t *n)
{
	struct hostview_mount *m = NULL, *bigger;
	struct mountinfo_entry e;
	size_t cap = 0;
	char *cur = text;

	*n = 0;
	while (text && mountinfo_next(&cur, &e)) {
		if (under && (!mountinfo_under(e.mountpoint, under)))
			continue;
		if (*n == cap) {
			cap = cap ? cap * 2 : 16;
			if (!(bigger = realloc(m, cap * sizeof(*m))))
				break;
			m = bigger;
		}
		m[(*n)++] = (struct hostview_mount){
			.id = e.id, .mountpoint = e.mountpoint,
			.fstype = e.fstype, .source = e.source, .tags = e.tags,
			.super = e.super,
		};
	}
	return m;
}

/* Says whether PID's root directory is the reader's own: a pivoted root
 * reads "/" from outside as the host's does, so the two are compared as
 * files. */
static bool
same_root(const char *proc_root, pid_t pid)
{
	char path[PATH_MAX];
	struct stat theirs, ours;

	if (stat(proc_path(path, sizeof(path), proc_root, pid, "root/"),
		 &theirs) < 0 || stat("/", &ours) < 0)
		return false;
	return theirs.st_dev == ours.st_dev && theirs.st_ino == ours.st_ino;
}

/* A root that is an overlay mount (boxstep's writable layer) is not a
 * mount that leaked: take it out of the leaks, and note its lower
 * directory. */
static void
root_layer(struct hostview *hv)
{
	hv->root_lower[0] = '\0';
	for (size_t i = 0; i < hv->n_leaks; i++) {
		struct hostview_mount *m = &hv->leaks[i];
		const char *lower;

		if (strcmp(m->mountpoint, hv->root) != 0 ||
		    strcmp(m->fstype, "overlay") != 0)
			continue;
		lower = m->super ? strstr(m->super, "lowerdir=") : NULL;
		if (lower) {
			lower += strlen("lowerdir=");
			snprintf(hv->root_lower, sizeof(hv->root_lower), "%.*s",
				 (int)strcspn(lower, ",:"), lower);
		} else {
			snprintf(hv->root_lower, sizeof(hv->root_lower), "?");
		}
		memmove(m, m + 1, (hv->n_leaks - i - 1) * sizeof(*m));
		hv->n_leaks--;
		i--;
	}
}

static void
add_proc(struct hostview *hv, size_t *cap, pid_t host, pid_t inner,
	 const char *comm)
{
	struct hostview_proc *bigger;

	if (hv->n_procs == *cap) {
		*cap = *cap ? *cap * 2 : 16;
		if (!(bigger = realloc(hv->procs, *cap * sizeof(*bigger))))
			return;
		hv->procs = bigger;
	}
	hv->procs[hv->n_procs] = (struct hostview_proc){ host, inner, "" };
	snprintf(hv->procs[hv->n_procs].comm,
		 sizeof(hv->procs[hv->n_procs].comm), "%s", comm);
	hv->n_procs++;
}

/* One row of the /proc scan. */
struct row {
	pid_t pid, ppid, inner;
	unsigned long pidns;
	bool member;
	char comm[32];
};

/* Reads every process under PROC_ROOT: pid, parent, innermost pid,
 * command, pid namespace.  Returns the rows (caller frees). */
static struct row *
scan_procs(const char *proc_root, size_t *n)
{
	struct row *rows = NULL, *bigger;
	size_t cap = 0;
	struct dirent *d;
	DIR *dir;

	*n = 0;
	if (!(dir = opendir(proc_root)))
		return NULL;
	while ((d = readdir(dir)) != NULL) {
		char path[PATH_MAX], text[2048], link[64];
		struct hostview p = { 0 };
		pid_t pid = (pid_t)atoi(d->d_name);

		if (pid <= 0 ||
		    fsutil_read(proc_path(path, sizeof(path), proc_root, pid,
					  "status"), text, sizeof(text)) < 0 ||
		    hostview_parse_status(text, &p) < 0)
			continue;
		read_link(proc_path(path, sizeof(path), proc_root, pid,
				    "ns/pid"), link, sizeof(link));
		if (*n == cap) {
			cap = cap ? cap * 2 : 256;
			if (!(bigger = realloc(rows, cap * sizeof(*rows))))
				break;
			rows = bigger;
		}
		rows[*n] = (struct row){
			.pid = pid, .ppid = p.ppid,
			.inner = p.n_nspid ? p.nspid[p.n_nspid - 1] : pid,
			.pidns = hostview_parse_ns_link(link),
		};
		memcpy(rows[*n].comm, p.name, sizeof(rows[*n].comm));
		(*n)++;
	}
	closedir(dir);
	return rows;
}

/* The pids in the CHILDREN text of one thread, pushed on STACK (N of
 * CAP), each mixed into *HASH. */
static void
push_children(const char *text, pid_t *stack, size_t *n, size_t cap,
	      unsigned long *hash)
{
	for (const char *p = text; *p;) {
		char *end;
		long pid = strtol(p, &end, 10);

		if (end == p)
			break;
		*hash = (*hash ^ (unsigned long)pid) * 1099511628211UL;
		if (*n < cap)
			stack[(*n)++] = (pid_t)pid;
		p = end;
	}
}

unsigned long
hostview_tree_mark(const char *proc_root, pid_t pid)
{
	enum { CAP = 4096 };
	pid_t *stack = malloc(CAP * sizeof(*stack));
	unsigned long hash = 1469598103934665603UL;
	size_t n = 0, seen = 0;

	if (!stack)
		return 0;
	stack[n++] = pid;
	while (n && seen++ < CAP) {
		pid_t p = stack[--n];
		char path[PATH_MAX], text[8192];
		struct dirent *d;
		DIR *tasks;

		hash = (hash ^ (unsigned long)p) * 1099511628211UL;
		if (!(tasks = opendir(proc_path(path, sizeof(path), proc_root,
						p, "task")))) {
			if (p != pid)
				continue; /* it has just ended */
			free(stack);
			return 0;
		}
		while ((d = readdir(tasks)) != NULL) {
			char file[PATH_MAX + 64];

			if (d->d_name[0] == '.')
				continue;
			snprintf(file, sizeof(file), "%s/%s/children", path,
				 d->d_name);
			if (fsutil_read(file, text, sizeof(text)) >= 0)
				push_children(text, stack, &n, CAP, &hash);
		}
		closedir(tasks);
	}
	free(stack);
	return hash;
}

/* Lists the processes of HV's container: everyone in its PID namespace
 * when it has one of its own, else the process and its descendants. */
static void
collect_procs(struct hostview *hv, const char *proc_root)
{
	unsigned long pidns = 0;
	size_t n, cap = 0;
	struct row *rows = scan_procs(proc_root, &n);
	bool own_ns = hostview_ns_is_new(hv, "pid"), grew = true;

	for (int i = 0; i < hv->n_ns; i++)
		if (strcmp(hv->ns[i].type, "pid") == 0)
			pidns = hv->ns[i].ino;
	for (size_t i = 0; i < n; i++)
		rows[i].member = own_ns ? rows[i].pidns == pidns :
				 rows[i].pid == hv->pid;
	/* Without a namespace of its own: grow the tree until no process
	 * has a parent in it that is not in it too. */
	while (!own_ns && grew) {
		grew = false;
		for (size_t i = 0; i < n; i++)
			for (size_t j = 0; !rows[i].member && j < n; j++)
				if (rows[j].member && rows[j].pid == rows[i].ppid)
					rows[i].member = grew = true;
	}
	for (size_t i = 0; i < n; i++)
		if (rows[i].member)
			add_proc(hv, &cap, rows[i].pid, rows[i].inner,
				 rows[i].comm);
	free(rows);
}

/* The inode of HV's namespace TYPE, or 0. */
static unsigned long
ns_ino(const struct hostview *hv, const char *type)
{
	for (int i = 0; i < hv->n_ns; i++)
		if (strcmp(hv->ns[i].type, type) == 0)
			return hv->ns[i].ino;
	return 0;
}

static void
update_ns(struct hostview *hv, const char *proc_root, pid_t pid, bool keep)
{
	char path[PATH_MAX], link[64], mine[64], *text;

	hv->n_ns = 0;
	for (size_t i = 0; i < sizeof(ns_types) / sizeof(ns_types[0]); i++) {
		char rel[32];
		struct hostview_ns *ns = &hv->ns[hv->n_ns];

		snprintf(rel, sizeof(rel), "ns/%s", ns_types[i]);
		if (read_link(proc_path(path, sizeof(path), proc_root, pid, rel),
			      link, sizeof(link)) < 0)
			continue;
		read_link(proc_path(path, sizeof(path), proc_root, 0, rel), mine,
			  sizeof(mine));
		snprintf(ns->type, sizeof(ns->type), "%s", ns_types[i]);
		ns->ino = hostview_parse_ns_link(link);
		ns->host_ino = hostview_parse_ns_link(mine);
		hv->n_ns++;
	}
	hv->map_count = -1;
	if ((text = fsutil_slurp(proc_path(path, sizeof(path), proc_root, pid,
					   "uid_map"), NULL))) {
		if (hostview_parse_id_map(text, &hv->map_inside,
					  &hv->map_outside, &hv->map_count) < 0)
			hv->map_count = -1;
		free(text);
	}
	hv->has_time_offsets = false;
	if (hostview_ns_is_new(hv, "time") &&
	    (text = fsutil_slurp(proc_path(path, sizeof(path), proc_root, pid,
					   "timens_offsets"), NULL))) {
		hv->has_time_offsets = hostview_parse_time_offsets(text, hv) == 0;
		free(text);
	}
	hv->ifaces[0] = '\0';
	if ((text = fsutil_slurp(proc_path(path, sizeof(path), proc_root, pid,
					   "net/dev"), NULL))) {
		hostview_parse_net_dev(text, hv->ifaces, sizeof(hv->ifaces));
		free(text);
	}
	gethostname(hv->host_hostname, sizeof(hv->host_hostname) - 1);
	hv->hostname[0] = '\0';
	hv->hostname_err = 0;
	if (!hostview_ns_is_new(hv, "uts"))
		snprintf(hv->hostname, sizeof(hv->hostname), "%s",
			 hv->host_hostname);
	else if ((keep ? uts_helper_hostname(&hv->uts, proc_root, pid,
					     ns_ino(hv, "uts"), hv->hostname,
					     sizeof(hv->hostname)) :
		  hostview_uts_hostname(proc_root, pid, hv->hostname,
					sizeof(hv->hostname))) < 0)
		hv->hostname_err = errno;
}

static void
update_mounts(struct hostview *hv, const char *proc_root, pid_t pid)
{
	char path[PATH_MAX];

	free(hv->mounts);
	free(hv->leaks);
	free(hv->mount_text);
	free(hv->leak_text);
	hv->mounts = hv->leaks = NULL;
	hv->mount_text = hv->leak_text = NULL;
	hv->n_mounts = hv->n_leaks = 0;
	hv->mount_text = fsutil_slurp(proc_path(path, sizeof(path), proc_root,
						pid, "mountinfo"), NULL);
	hv->mounts = mounts_from(hv->mount_text, NULL, &hv->n_mounts);
	if (hv->root[0] && strcmp(hv->root, "/") != 0) {
		hv->leak_text = fsutil_slurp(proc_path(path, sizeof(path),
					     proc_root, 0, "mountinfo"), NULL);
		hv->leaks = mounts_from(hv->leak_text, hv->root, &hv->n_leaks);
		root_layer(hv);
	}
}

static ssize_t
cached(void *files, const char *path, char *buf, size_t len)
{
	return filecache_read(files, path, buf, len);
}

/* Returns -1 when the process has gone (its cgroup file with it). */
static int
update_cgroup(struct hostview *hv, const char *proc_root, pid_t pid,
	      const struct cgroup_ctx *cg)
{
	char path[PATH_MAX], rel[PATH_MAX], text[8192];

	hv->cgroup[0] = hv->cgroup_dir[0] = '\0';
	memset(&hv->group, 0, sizeof(hv->group));
	cgroup_stats_read(&hv->group, &hv->cg); /* all unknown */
	if (filecache_read(&hv->files, proc_path(path, sizeof(path), proc_root,
						 pid, "cgroup"),
			   text, sizeof(text)) < 0)
		return errno == ENOENT || errno == ESRCH ? -1 : 0;
	hostview_parse_cgroup(text, hv->cgroup, sizeof(hv->cgroup));
	for (int c = 0; cg && c < CGROUP_NCTL; c++) {
		const struct cgroup_hier *h = &cg->ctl[c];

		if (h->version == CGROUP_NONE ||
		    hostview_parse_cgroup_for(text, cgroup_controller_name(c),
					      h->version == CGROUP_V2, rel,
					      sizeof(rel)) < 0 ||
		    strcmp(rel, "/") == 0)
			continue;
		snprintf(hv->group.dir[c], sizeof(hv->group.dir[c]), "%s%s",
			 h->hier, rel);
		hv->group.version[c] = h->version;
		hv->group.ctls |= CGROUP_BIT(c);
	}
	snprintf(hv->cgroup_dir, sizeof(hv->cgroup_dir), "%s",
		 hv->group.dir[CGROUP_PIDS]);
	if (hv->group.ctls)
		cgroup_stats_read_with(&hv->group, &hv->cg, cached, &hv->files);
	return 0;
}

int
hostview_update(struct hostview *hv, const char *proc_root, pid_t pid,
		const struct cgroup_ctx *cg, unsigned what)
{
	char path[PATH_MAX], status[8192], *text;
	size_t len;

	if (hv->pid != pid) {
		hostview_free(hv);
		what = HOSTVIEW_ALL | (what & HOSTVIEW_KEEP_HELPER);
	}
	hv->pid = pid;
	if (what & HOSTVIEW_STATUS) {
		if (filecache_read(&hv->files, proc_path(path, sizeof(path),
							 proc_root, pid,
							 "status"),
				   status, sizeof(status)) < 0 ||
		    hostview_parse_status(status, hv) < 0) {
			hv->gone = true;
			return -1;
		}
	}
	if ((what & HOSTVIEW_CMDLINE) &&
	    (text = fsutil_slurp(proc_path(path, sizeof(path), proc_root, pid,
					   "cmdline"), &len))) {
		hostview_format_cmdline(text, len, hv->cmdline,
					sizeof(hv->cmdline));
		free(text);
	}
	if (what & HOSTVIEW_NS)
		update_ns(hv, proc_root, pid, what & HOSTVIEW_KEEP_HELPER);
	if (what & HOSTVIEW_LINKS) {
		read_link(proc_path(path, sizeof(path), proc_root, pid, "root"),
			  hv->root, sizeof(hv->root));
		read_link(proc_path(path, sizeof(path), proc_root, pid, "cwd"),
			  hv->cwd, sizeof(hv->cwd));
		hv->root_is_host = same_root(proc_root, pid);
		hv->cwd_outside_root = hv->root[0] && hv->cwd[0] &&
			strcmp(hv->root, "/") != 0 &&
			!mountinfo_under(hv->cwd, hv->root);
	}
	if (what & HOSTVIEW_MOUNTS)
		update_mounts(hv, proc_root, pid);
	if ((what & HOSTVIEW_CGROUP) &&
	    update_cgroup(hv, proc_root, pid, cg) < 0) {
		hv->gone = true;
		return -1;
	}
	if (what & HOSTVIEW_PROCS) {
		free(hv->procs);
		hv->procs = NULL;
		hv->n_procs = 0;
		collect_procs(hv, proc_root);
	}
	/* It may have gone while we looked at more than its status and
	 * its cgroup (which read nothing once it has gone). */
	if ((what & ~(HOSTVIEW_STATUS | HOSTVIEW_CGROUP |
		      HOSTVIEW_KEEP_HELPER)) &&
	    access(proc_path(path, sizeof(path), proc_root, pid, "status"),
		   F_OK) < 0) {
		hv->gone = true;
		return -1;
	}
	return 0;
}

int
hostview_collect(struct hostview *hv, const char *proc_root, pid_t pid,
		 const struct cgroup_ctx *cg)
{
	hostview_free(hv);
	if (hostview_update(hv, proc_root, pid, cg, HOSTVIEW_ALL) < 0 &&
	    !hv->name[0])
		return -1;
	return 0;
}

void
hostview_free(struct hostview *hv)
{
	filecache_close(&hv->files);
	uts_helper_stop(&hv->uts);
	free(hv->mounts);
	free(hv->leaks);
	free(hv->mount_text);
	free(hv->leak_text);
	free(hv->procs);
	memset(hv, 0, sizeof(*hv));
}
