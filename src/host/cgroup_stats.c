/* cgroup_stats: read a group's pids, memory and cpu figures. */
#define _GNU_SOURCE
#include "host/cgroup.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/fsutil.h"

/* How the files are read: RD.FN when given (a cache), else fsutil_read. */
struct reader {
	cgroup_reader fn;
	void *ctx;
};

/* Reads DIR/FILE into BUF as fsutil_read() does. */
static ssize_t
read_file(const struct reader *rd, const char *dir, const char *file,
	  char *buf, size_t len)
{
	char path[PATH_MAX];

	if (fsutil_join(path, sizeof(path), dir, file))
		return -1;
	return rd->fn ? rd->fn(rd->ctx, path, buf, len) :
	       fsutil_read(path, buf, len);
}

/* Reads the number after "KEY " in the key-value file DIR/FILE. */
static long long
read_key(const struct reader *rd, const char *dir, const char *file,
	 const char *key)
{
	char buf[2048];
	size_t n = strlen(key);

	if (read_file(rd, dir, file, buf, sizeof(buf)) < 0)
		return -1;
	for (const char *p = buf; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (strncmp(p, key, n) == 0 && p[n] == ' ')
			return strtoll(p + n + 1, NULL, 10);
	return -1;
}

/* Reads a number from DIR/FILE, "max" giving MAXVAL.  -1 when unreadable. */
static long long
read_number(const struct reader *rd, const char *dir, const char *file,
	    long long maxval)
{
	char buf[64], *end;
	long long v;

	if (read_file(rd, dir, file, buf, sizeof(buf)) < 0)
		return -1;
	if (strncmp(buf, "max", 3) == 0)
		return maxval;
	v = strtoll(buf, &end, 10);
	return end == buf ? -1 : v;
}

static void
read_memory(const struct reader *rd, const char *dir, bool v2,
	    struct cgroup_stats *st)
{
	/* v1 says "no limit" with a huge page-aligned number */
	const long long v1_unlimited = 1LL << 60;

	if (v2) {
		st->memory_current = read_number(rd, dir, "memory.current", -1);
		st->memory_max = read_number(rd, dir, "memory.max", -2);
		st->memory_peak = read_number(rd, dir, "memory.peak", -1);
		st->oom_kills = (long)read_key(rd, dir, "memory.events", "oom_kill");
		return;
	}
	st->memory_current = read_number(rd, dir, "memory.usage_in_bytes", -1);
	st->memory_max = read_number(rd, dir, "memory.limit_in_bytes", -1);
	if (st->memory_max >= v1_unlimited)
		st->memory_max = -2;
	st->memory_peak = read_number(rd, dir, "memory.max_usage_in_bytes", -1);
	st->oom_kills = (long)read_key(rd, dir, "memory.oom_control", "oom_kill");
}

static void
read_cpu(const struct reader *rd, const char *dir, bool v2,
	 struct cgroup_stats *st)
{
	char buf[64];
	long long quota = -1, period = 0;

	if (v2) {
		if (read_file(rd, dir, "cpu.max", buf, sizeof(buf)) >= 0) {
			if (strncmp(buf, "max", 3) == 0)
				st->cpu_percent = -2;
			else if (sscanf(buf, "%lld %lld", &quota, &period) == 2 &&
				 period > 0)
				st->cpu_percent = (long)(quota * 100 / period);
		}
		st->cpu_usage_usec = read_key(rd, dir, "cpu.stat", "usage_usec");
		st->cpu_periods = (long)read_key(rd, dir, "cpu.stat", "nr_periods");
		st->cpu_throttled = (long)read_key(rd, dir, "cpu.stat",
						   "nr_throttled");
		st->cpu_throttled_usec = read_key(rd, dir, "cpu.stat",
						  "throttled_usec");
		return;
	}
	quota = read_number(rd, dir, "cpu.cfs_quota_us", -1);
	period = read_number(rd, dir, "cpu.cfs_period_us", -1);
	if (quota == -1 && period > 0)
		st->cpu_percent = -2;
	else if (quota > 0 && period > 0)
		st->cpu_percent = (long)(quota * 100 / period);
	/* cpuacct sits beside cpu on v1 (cpu,cpuacct), in nanoseconds */
	st->cpu_usage_usec = read_number(rd, dir, "cpuacct.usage", -1);
	if (st->cpu_usage_usec > 0)
		st->cpu_usage_usec /= 1000;
	st->cpu_periods = (long)read_key(rd, dir, "cpu.stat", "nr_periods");
	st->cpu_throttled = (long)read_key(rd, dir, "cpu.stat", "nr_throttled");
	st->cpu_throttled_usec = read_key(rd, dir, "cpu.stat", "throttled_time");
	if (st->cpu_throttled_usec > 0)
		st->cpu_throttled_usec /= 1000;
}

/* cgroup.procs of DIR: how many lines, and a sum of the text that
 * changes when the processes do.  -1 lines when unreadable.  Always
 * opened afresh, never through a cache: on cgroup v1 an open
 * cgroup.procs keeps the list of pids it first read for as long as it
 * is read again within a second, so a file kept open never changes. */
static void
read_procs(const char *dir, struct cgroup_stats *st)
{
	char path[PATH_MAX], buf[16384];
	unsigned long sum = 2166136261u;
	ssize_t n;

	if (fsutil_join(path, sizeof(path), dir, "cgroup.procs") ||
	    (n = fsutil_read(path, buf, sizeof(buf))) < 0)
		return;
	for (ssize_t i = 0; i < n; i++)
		sum = (sum ^ (unsigned char)buf[i]) * 16777619u;
	st->procs_sum = sum;
	if ((size_t)n == sizeof(buf) - 1) {
		/* more than the buffer: count them the long way */
		st->nprocs = cgroup_procs(dir, NULL, 0);
		return;
	}
	st->nprocs = 0;
	for (ssize_t i = 0; i < n; i++)
		st->nprocs += buf[i] == '\n';
}

int
cgroup_stats_read_with(const struct cgroup_group *g, struct cgroup_stats *st,
		       cgroup_reader fn, void *ctx)
{
	const struct reader rd = { fn, ctx };
	const char *main_dir = cgroup_main_dir(g), *dir;
	int rc = 0;

	st->current = st->max = st->events_max = st->nprocs = -1;
	st->procs_sum = 0;
	st->memory_current = st->memory_max = st->memory_peak = -1;
	st->oom_kills = st->cpu_percent = st->cpu_periods = -1;
	st->cpu_throttled = -1;
	st->cpu_usage_usec = st->cpu_throttled_usec = -1;
	if (!main_dir[0])
		return -1;
	read_procs(main_dir, st);
	if (st->nprocs < 0)
		rc = -1;
	if ((dir = g->dir[CGROUP_PIDS])[0]) {
		st->current = (long)read_number(&rd, dir, "pids.current", -1);
		if (st->current < 0)
			rc = -1;
		/* -1 for "max", -2 unreadable */
		st->max = (long)read_number(&rd, dir, "pids.max", -3);
		st->max = st->max == -3 ? -1 : st->max == -1 ? -2 : st->max;
		st->events_max = (long)read_key(&rd, dir, "pids.events", "max");
	}
	if ((dir = g->dir[CGROUP_MEMORY])[0])
		read_memory(&rd, dir, g->version[CGROUP_MEMORY] == CGROUP_V2,
			    st);
	if ((dir = g->dir[CGROUP_CPU])[0])
		read_cpu(&rd, dir, g->version[CGROUP_CPU] == CGROUP_V2, st);
	return rc;
}

int
cgroup_stats_read(const struct cgroup_group *g, struct cgroup_stats *st)
{
	return cgroup_stats_read_with(g, st, NULL, NULL);
}
