/* hostview_format: the host view as text, one fact a line. */
#include "host/hostview.h"

#include <stdio.h>
#include <string.h>

#include "base/capnames.h"
#include "base/msg.h"

static const char *
propagation(const char *tags)
{
	if (strstr(tags, "shared:"))
		return "shared";
	if (strstr(tags, "master:"))
		return "slave";
	return "private";
}

void
hostview_size(long long bytes, char *buf, size_t len)
{
	static const char units[] = "KMGTP";
	double v = (double)bytes;
	int u = -1;

	if (bytes == -2) {
		snprintf(buf, len, "max");
		return;
	}
	if (bytes < 0) {
		snprintf(buf, len, "?");
		return;
	}
	while (v >= 1024 && u < 4) {
		v /= 1024;
		u++;
	}
	if (u < 0)
		snprintf(buf, len, "%lldB", bytes);
	else
		snprintf(buf, len, v < 10 && v != (long long)v ? "%.1f%c" :
			 "%.0f%c", v, units[u]);
}

bool
hostview_has_memory_limit(const struct hostview *hv)
{
	return hv->group.dir[CGROUP_MEMORY][0] && hv->cg.memory_current >= 0 &&
	       (hv->cg.memory_max >= 0 || hv->cg.oom_kills > 0);
}

bool
hostview_has_cpu_limit(const struct hostview *hv)
{
	return hv->group.dir[CGROUP_CPU][0] && hv->cg.cpu_percent >= 0;
}

/* Its hostname beside the host's, and whose uid it runs as. */
static void
format_names(struct msg_text *t, const struct hostview *hv)
{
	const char *host = hv->session_host ? "your host" : "host";

	if (hv->hostname_err)
		msg_append(t, "hostname: ? (joining its UTS namespace with "
		    "setns failed: %s)   (%s: %s)\n",
		    strerror(hv->hostname_err), host, hv->host_hostname);
	else
		msg_append(t, "hostname: %s   (%s: %s)\n",
		    hv->hostname[0] ? hv->hostname : "?", host,
		    hv->host_hostname);
	if (hostview_ns_is_new(hv, "user") && hv->map_count > 0)
		msg_append(t, "user: uid %ld inside is uid %ld on the %s "
		    "(uid_map %ld %ld %ld)\n", hv->map_inside, hv->map_outside,
		    hv->session_host ? "session's host" : "host",
		    hv->map_inside, hv->map_outside, hv->map_count);
	else if (hv->uid >= 0 && hv->session_host)
		msg_append(t, "user: uid %ld of the session's host, uid %ld "
		    "outside it (no user namespace of its own)\n", hv->uid,
		    hv->outside_uid);
	else if (hv->uid >= 0)
		msg_append(t, "user: uid %ld, the host's own (no user "
		    "namespace)\n", hv->uid);
}

/* Its capabilities, by name when it has lost some, and its seccomp and
 * no_new_privs: what the caps, seccomp and nonewprivs layers change. */
static void
format_privileges(struct msg_text *t, const struct hostview *hv)
{
	static const char *const modes[] = { "off", "strict", "filter" };
	int all = caps_count(), eff = caps_size(hv->cap_eff);
	char names[1024];

	if (!hv->has_caps)
		return;
	msg_append(t, "capabilities: CapEff %d of %d, CapBnd %d", eff, all,
	    caps_size(hv->cap_bnd));
	if (eff > 0 && eff <= all / 2) {
		caps_format(hv->cap_eff, " ", names, sizeof(names));
		msg_append(t, "  (%d dropped)\n  kept: %s\n", all - eff, names);
	} else if (eff > all / 2 && eff < all) {
		caps_format(caps_all() & ~hv->cap_eff, " ", names,
		    sizeof(names));
		msg_append(t, "\n  missing: %s\n", names);
	} else {
		msg_append(t, "%s\n", eff ? "  (root's full set)" : "  (none)");
	}
	if (hv->seccomp >= 0)
		msg_append(t, "seccomp: %s", hv->seccomp <= 2 ?
		    modes[hv->seccomp] : "?");
	if (hv->seccomp == 2 && hv->seccomp_filters >= 0)
		msg_append(t, " (%d filter%s)", hv->seccomp_filters,
		    hv->seccomp_filters == 1 ? "" : "s");
	if (hv->no_new_privs >= 0)
		msg_append(t, "%sno_new_privs: %d", hv->seccomp >= 0 ? "   " : "",
		    hv->no_new_privs);
	msg_append(t, "\n");
}

/* What the dev and masks layers mount, counted from its mounts; and its
 * clocks' offsets. */
static void
format_dev_masks_time(struct msg_text *t, const struct hostview *hv)
{
	int dev = 0, masked = 0;
	bool dev_tmpfs = false;

	for (size_t i = 0; i < hv->n_mounts; i++) {
		const char *m = hv->mounts[i].mountpoint;

		if (strcmp(m, "/dev") == 0)
			dev_tmpfs = strcmp(hv->mounts[i].fstype, "tmpfs") == 0;
		else if (strncmp(m, "/dev/", 5) == 0)
			dev++;
		else if (strncmp(m, "/proc/", 6) == 0 ||
			 strncmp(m, "/sys/", 5) == 0)
			masked++;
	}
	if (dev_tmpfs)
		msg_append(t, "/dev: a tmpfs of its own, %d mount%s in it\n", dev,
		    dev == 1 ? "" : "s");
	if (masked)
		msg_append(t, "masked or read-only: %d path%s under /proc and "
		    "/sys\n", masked, masked == 1 ? "" : "s");
	if (hv->has_time_offsets)
		msg_append(t, "time: its clocks moved from the host's by %+lld s "
		    "(monotonic), %+lld s (boottime)\n", hv->time_monotonic,
		    hv->time_boottime);
}

int
hostview_format(const struct hostview *hv, char *buf, size_t len)
{
	struct msg_text t = { buf, len, 0 };
	char cg[64];

	if (len)
		buf[0] = '\0';
	msg_append(&t, "process %d (%s)%s  state %c  ppid %d\n", (int)hv->pid,
	    hv->name, hv->gone ? " GONE" : "", hv->state ? hv->state : '?',
	    (int)hv->ppid);
	msg_append(&t, "NSpid:");
	for (int i = 0; i < hv->n_nspid; i++)
		msg_append(&t, "%s%d", i ? " -> " : " ", (int)hv->nspid[i]);
	msg_append(&t, "%s\n", hv->n_nspid > 1 ? "   (host -> inside)" : "");
	msg_append(&t, "cmdline: %s\n", hv->cmdline);
	msg_append(&t, "namespaces:       its own      the host's\n");
	for (int i = 0; i < hv->n_ns; i++)
		msg_append(&t, "  %-7s %-6s %-12lu %lu\n", hv->ns[i].type,
		    hv->ns[i].ino != hv->ns[i].host_ino ? "NEW" : "shared",
		    hv->ns[i].ino, hv->ns[i].host_ino);
	format_names(&t, hv);
	format_privileges(&t, hv);
	if (hv->ifaces[0])
		msg_append(&t, "network (%s): %s\n", hostview_ns_is_new(hv, "net") ?
		    "its own" : "the host's", hv->ifaces);
	if (hv->root_lower[0])
		msg_append(&t, "root: %s\n  (overlay: this session's writable "
		    "layer over %s)\n", hv->root, hv->root_lower);
	else
		msg_append(&t, "root: %s\n", hv->root);
	msg_append(&t, "cwd:  %s%s\n", hv->cwd, hv->cwd_outside_root ?
	    "   OUTSIDE THE ROOT: `cd ..` walks out" : "");
	format_dev_masks_time(&t, hv);
	msg_append(&t, "mounts it sees (%zu):\n", hv->n_mounts);
	for (size_t i = 0; i < hv->n_mounts; i++)
		msg_append(&t, "  %-24s %-8s %-12s %s\n", hv->mounts[i].mountpoint,
		    hv->mounts[i].fstype, hv->mounts[i].source,
		    propagation(hv->mounts[i].tags));
	if (hv->root[0] && strcmp(hv->root, "/") != 0) {
		msg_append(&t, "host mounts under its root (%zu)%s\n", hv->n_leaks,
		    hv->n_leaks ? ": LEAKED to the host" : "");
		for (size_t i = 0; i < hv->n_leaks; i++)
			msg_append(&t, "  %-24s %-8s %s\n", hv->leaks[i].mountpoint,
			    hv->leaks[i].fstype,
			    propagation(hv->leaks[i].tags));
	}
	if (hv->cgroup_dir[0]) {
		if (hv->cg.max == -1)
			snprintf(cg, sizeof(cg), "max");
		else
			snprintf(cg, sizeof(cg), "%ld", hv->cg.max);
		msg_append(&t, "cgroup: %s  pids.current %ld / pids.max %s  refused "
		    "forks %ld  procs %ld\n", hv->cgroup, hv->cg.current, cg,
		    hv->cg.events_max, hv->cg.nprocs);
	} else {
		msg_append(&t, "cgroup: %s\n", hv->cgroup[0] ? hv->cgroup : "?");
	}
	if (hostview_has_memory_limit(hv)) {
		char cur[32], max[32], peak[32];

		hostview_size(hv->cg.memory_current, cur, sizeof(cur));
		hostview_size(hv->cg.memory_max, max, sizeof(max));
		hostview_size(hv->cg.memory_peak, peak, sizeof(peak));
		msg_append(&t, "memory: %s / memory.max %s  peak %s  OOM kills "
		    "%ld\n", cur, max, peak, hv->cg.oom_kills);
	}
	if (hostview_has_cpu_limit(hv)) {
		msg_append(&t, "cpu: limit %ld%% of a CPU", hv->cg.cpu_percent);
		if (hv->cg.cpu_usage_usec >= 0)
			msg_append(&t, "  used %.2f s",
			    hv->cg.cpu_usage_usec / 1e6);
		msg_append(&t, "  throttled %ld of %ld periods (%.2f s)\n",
		    hv->cg.cpu_throttled, hv->cg.cpu_periods,
		    hv->cg.cpu_throttled_usec / 1e6);
	}
	msg_append(&t, "processes (%zu):\n  host pid  inside  command\n",
	    hv->n_procs);
	for (size_t i = 0; i < hv->n_procs; i++)
		msg_append(&t, "  %-9d %-7d %s\n", (int)hv->procs[i].host,
		    (int)hv->procs[i].inner, hv->procs[i].comm);
	return t.used;
}
