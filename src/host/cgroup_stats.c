/* cgroup_stats: read a group's pids, memory and cpu figures. */
#define _GNU_SOURCE
#include "host/cgroup.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/fsutil.h"

/* Reads the number after "KEY " in the key-value file DIR/FILE. */
static long long
read_key(const char *dir, const char *file, const char *key)
{
	char path[PATH_MAX], buf[2048];
	size_t n = strlen(key);

	if (fsutil_join(path, sizeof(path), dir, file) ||
	    fsutil_read(path, buf, sizeof(buf)) < 0)
		return -1;
	for (const char *p = buf; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (strncmp(p, key, n) == 0 && p[n] == ' ')
			return strtoll(p + n + 1, NULL, 10);
	return -1;
}

/* Reads a number from DIR/FILE, "max" giving MAXVAL.  -1 when unreadable. */
static long long
read_number(const char *dir, const char *file, long long maxval)
{
	char path[PATH_MAX], buf[64], *end;
	long long v;

	if (fsutil_join(path, sizeof(path), dir, file) ||
	    fsutil_read(path, buf, sizeof(buf)) < 0)
		return -1;
	if (strncmp(buf, "max", 3) == 0)
		return maxval;
	v = strtoll(buf, &end, 10);
	return end == buf ? -1 : v;
}

static void
read_memory(const char *dir, bool v2, struct cgroup_stats *st)
{
	/* v1 says "no limit" with a huge page-aligned number */
	const long long v1_unlimited = 1LL << 60;

	if (v2) {
		st->memory_current = read_number(dir, "memory.current", -1);
		st->memory_max = read_number(dir, "memory.max", -2);
		st->memory_peak = read_number(dir, "memory.peak", -1);
		st->oom_kills = (long)read_key(dir, "memory.events", "oom_kill");
		return;
	}
	st->memory_current = read_number(dir, "memory.usage_in_bytes", -1);
	st->memory_max = read_number(dir, "memory.limit_in_bytes", -1);
	if (st->memory_max >= v1_unlimited)
		st->memory_max = -2;
	st->memory_peak = read_number(dir, "memory.max_usage_in_bytes", -1);
	st->oom_kills = (long)read_key(dir, "memory.oom_control", "oom_kill");
}

static void
read_cpu(const char *dir, bool v2, struct cgroup_stats *st)
{
	char path[PATH_MAX], buf[64];
	long long quota = -1, period = 0;

	if (v2) {
		if (fsutil_join(path, sizeof(path), dir, "cpu.max") == 0 &&
		    fsutil_read(path, buf, sizeof(buf)) >= 0) {
			if (strncmp(buf, "max", 3) == 0)
				st->cpu_percent = -2;
			else if (sscanf(buf, "%lld %lld", &quota, &period) == 2 &&
				 period > 0)
				st->cpu_percent = (long)(quota * 100 / period);
		}
		st->cpu_usage_usec = read_key(dir, "cpu.stat", "usage_usec");
		st->cpu_periods = (long)read_key(dir, "cpu.stat", "nr_periods");
		st->cpu_throttled = (long)read_key(dir, "cpu.stat",
						   "nr_throttled");
		st->cpu_throttled_usec = read_key(dir, "cpu.stat",
						  "throttled_usec");
		return;
	}
	quota = read_number(dir, "cpu.cfs_quota_us", -1);
	period = read_number(dir, "cpu.cfs_period_us", -1);
	if (quota == -1 && period > 0)
		st->cpu_percent = -2;
	else if (quota > 0 && period > 0)
		st->cpu_percent = (long)(quota * 100 / period);
	/* cpuacct sits beside cpu on v1 (cpu,cpuacct), in nanoseconds */
	st->cpu_usage_usec = read_number(dir, "cpuacct.usage", -1);
	if (st->cpu_usage_usec > 0)
		st->cpu_usage_usec /= 1000;
	st->cpu_periods = (long)read_key(dir, "cpu.stat", "nr_periods");
	st->cpu_throttled = (long)read_key(dir, "cpu.stat", "nr_throttled");
	st->cpu_throttled_usec = read_key(dir, "cpu.stat", "throttled_time");
	if (st->cpu_throttled_usec > 0)
		st->cpu_throttled_usec /= 1000;
}

int
cgroup_stats_read(const struct cgroup_group *g, struct cgroup_stats *st)
{
	const char *main_dir = cgroup_main_dir(g), *dir;
	char path[PATH_MAX];
	int rc = 0;

	st->current = st->max = st->events_max = st->nprocs = -1;
	st->memory_current = st->memory_max = st->memory_peak = -1;
	st->oom_kills = st->cpu_percent = st->cpu_periods = -1;
	st->cpu_throttled = -1;
	st->cpu_usage_usec = st->cpu_throttled_usec = -1;
	if (!main_dir[0])
		return -1;
	if (fsutil_join(path, sizeof(path), main_dir, "cgroup.procs") ||
	    access(path, F_OK) < 0)
		rc = -1;
	st->nprocs = cgroup_procs(main_dir, NULL, 0);
	if ((dir = g->dir[CGROUP_PIDS])[0]) {
		st->current = (long)read_number(dir, "pids.current", -1);
		if (st->current < 0)
			rc = -1;
		/* -1 for "max", -2 unreadable */
		st->max = (long)read_number(dir, "pids.max", -3);
		st->max = st->max == -3 ? -1 : st->max == -1 ? -2 : st->max;
		st->events_max = (long)read_key(dir, "pids.events", "max");
	}
	if ((dir = g->dir[CGROUP_MEMORY])[0])
		read_memory(dir, g->version[CGROUP_MEMORY] == CGROUP_V2, st);
	if ((dir = g->dir[CGROUP_CPU])[0])
		read_cpu(dir, g->version[CGROUP_CPU] == CGROUP_V2, st);
	return rc;
}
