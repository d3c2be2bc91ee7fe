/* course: checks against real state: the session's snapshot and the
 * host. */
#define _GNU_SOURCE
#include "lessons/course.h"

#include <limits.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/capnames.h"
#include "base/fsutil.h"
#include "base/output.h"
#include "host/cgroup.h"
#include "host/hostview.h"
#include "layers/layers.h"
#include "session/command.h"

bool
course_known_command(const char *word)
{
	const struct session_cmd *c = session_command(word);

	/* The runner's own commands steer the lesson; a lesson cannot. */
	return c && !(c->flags & SESSION_CMD_LESSON);
}

void
course_ctx_init(struct course_ctx *ctx, struct session *s)
{
	memset(ctx, 0, sizeof(*ctx));
	ctx->s = s;
	ctx->snap = session_snapshot(s);
	gethostname(ctx->host_hostname, sizeof(ctx->host_hostname) - 1);
}

static bool
regex_search(const char *re, const char *text)
{
	regex_t rx;
	bool hit;

	if (regcomp(&rx, re, REG_EXTENDED | REG_NOSUB | REG_NEWLINE) != 0)
		return false;
	hit = regexec(&rx, text, 0, NULL, 0) == 0;
	regfree(&rx);
	return hit;
}

/* Writes ARG into BUF with each {KEY} replaced by the value of the
 * setting KEY (an unknown key stays as written); in a regex (REGEX), the
 * value's special characters are escaped. */
static const char *
expand(const struct session_snapshot *snap, const char *arg, bool regex,
       char *buf, size_t len)
{
	size_t o = 0;

	for (const char *a = arg ? arg : ""; *a && o + 1 < len; ) {
		const char *close = *a == '{' ? strchr(a, '}') : NULL;
		char key[64], val[PATH_MAX];

		if (close && (size_t)(close - a) < sizeof(key) &&
		    (snprintf(key, sizeof(key), "%.*s", (int)(close - a - 1),
			      a + 1), plan_get(snap->plan, key, val,
					       sizeof(val)) == 0)) {
			for (const char *v = val; *v && o + 2 < len; v++) {
				if (regex && strchr("\\.[]()*+?{}|^$", *v))
					buf[o++] = '\\';
				buf[o++] = *v;
			}
			a = close + 1;
			continue;
		}
		buf[o++] = *a++;
	}
	buf[o] = '\0';
	return buf;
}

/* The latest container as the checks see it: the background one read
 * now while it runs, else the one read just before its command ran.
 * Returns NULL when none has run; *OWNED is then a view to free. */
static const struct hostview *
container_view(const struct session_snapshot *snap, struct hostview *live)
{
	if (snap->bg->running) {
		memset(live, 0, sizeof(*live));
		if (hostview_update(live, "/proc", snap->bg->pid, NULL,
				    HOSTVIEW_STATUS | HOSTVIEW_NS |
				    HOSTVIEW_LINKS | HOSTVIEW_MOUNTS) == 0 &&
		    !live->gone)
			return live;
		hostview_free(live);
	}
	memset(live, 0, sizeof(*live));
	return snap->last.n_ns ? &snap->last : NULL;
}

/* A line of HV's mount table, as `container mount` matches it. */
static bool
container_mount(const struct hostview *hv, const char *re, char *why,
		size_t len)
{
	char line[PATH_MAX * 2 + 64];

	for (size_t i = 0; i < hv->n_mounts; i++) {
		const struct hostview_mount *m = &hv->mounts[i];

		snprintf(line, sizeof(line), "%s %s %s", m->mountpoint,
			 m->fstype, m->source);
		if (regex_search(re, line)) {
			snprintf(why, len, "its mount table has %s", line);
			return true;
		}
	}
	snprintf(why, len, "none of its %zu mounts matches /%s/", hv->n_mounts,
		 re);
	return false;
}

/* The checks on the latest container itself. */
static bool
check_container(const struct course_ctx *ctx, const struct lesson_check *c,
		const char *arg, char *why, size_t len)
{
	struct hostview live;
	const struct hostview *hv = container_view(ctx->snap, &live);
	bool ok = false;
	long pid;

	if (!hv) {
		snprintf(why, len, "no container has run yet");
		return false;
	}
	switch (c->kind) {
	case LESSON_CONTAINER_HOSTNAME:
		snprintf(why, len, "its hostname is %s%s", hv->hostname[0] ?
			 hv->hostname : "unknown", hv->hostname[0] &&
			 strcmp(hv->hostname, hv->host_hostname) == 0 ?
			 ", the host's" : "");
		ok = strcmp(hv->hostname, arg) == 0;
		break;
	case LESSON_CONTAINER_PID:
		pid = hv->n_nspid ? hv->nspid[hv->n_nspid - 1] : 0;
		snprintf(why, len, "its first process is PID %ld inside%s", pid,
			 hv->n_nspid > 1 ? "" : ", as on the host");
		ok = pid == c->n;
		break;
	case LESSON_CONTAINER_ROOT:
		snprintf(why, len, "its root is %s", hv->root_is_host ?
			 "the host's /" : hv->root[0] ? hv->root : "unknown");
		ok = hv->root[0] && hv->root_is_host == (c->n == 0);
		break;
	case LESSON_CONTAINER_CWD:
		snprintf(why, len, "its cwd %s is %s its root", hv->cwd,
			 hv->cwd_outside_root ? "outside" : "inside");
		ok = hv->cwd[0] && hv->cwd_outside_root == (c->n == 1);
		break;
	case LESSON_CONTAINER_CAPS:
		pid = caps_size(hv->cap_eff);
		snprintf(why, len, "its CapEff holds %ld of %d capabilities",
			 pid, caps_count());
		ok = hv->has_caps && pid == c->n;
		break;
	default:
		ok = container_mount(hv, arg, why, len);
		break;
	}
	if (hv == &live)
		hostview_free(&live);
	return ok;
}

/* The running container that checks look at: the background one, else
 * none (a foreground one has ended by the time checks run). */
static const struct spawn_container *
running(const struct session_snapshot *snap)
{
	return snap->bg->running ? snap->bg : NULL;
}

static bool
check_mounts_gained(const struct course_ctx *ctx, const char *re, char *why,
		    size_t len)
{
	char *now = fsutil_slurp("/proc/self/mountinfo", NULL), *line, *save;
	bool hit = false;

	if (!now)
		return false;
	for (line = strtok_r(now, "\n", &save); line && !hit;
	     line = strtok_r(NULL, "\n", &save)) {
		if (!regex_search(re, line))
			continue;
		/* New since the step began? */
		if (!ctx->mounts_before || !strstr(ctx->mounts_before, line)) {
			snprintf(why, len, "the host's mount table gained: %s",
				 line);
			hit = true;
		}
	}
	if (!hit)
		snprintf(why, len, "no new line in the host's mount table "
			 "matches /%s/", re);
	free(now);
	return hit;
}

static bool
check_pids(const struct course_ctx *ctx, const struct lesson_check *c,
	   char *why, size_t len)
{
	const struct spawn_container *ct = running(ctx->snap);
	struct cgroup_stats st;

	if (!ct || !ct->group.dir[CGROUP_PIDS][0]) {
		snprintf(why, len, "no running container with a pids cgroup "
			 "(start one with the pids layer on)");
		return false;
	}
	cgroup_stats_read(&ct->group, &st);
	snprintf(why, len, "pids.current %ld, pids.max %ld, refused forks %ld",
		 st.current, st.max, st.events_max);
	if (c->kind == LESSON_PIDS_CURRENT_MAX)
		return st.current >= 0 && st.current <= c->n;
	if (c->kind == LESSON_PIDS_CURRENT_MIN)
		return st.current >= c->n;
	return st.events_max >= c->n;
}

static bool
check_processes(const struct course_ctx *ctx, long n, char *why, size_t len)
{
	const struct spawn_container *ct = running(ctx->snap);
	struct hostview hv = { 0 };
	bool ok;

	if (!ct) {
		snprintf(why, len, "no container is running");
		return false;
	}
	hostview_update(&hv, "/proc", ct->pid, NULL,
			HOSTVIEW_STATUS | HOSTVIEW_NS | HOSTVIEW_PROCS);
	ok = (long)hv.n_procs == n;
	snprintf(why, len, "%zu process%s in the container", hv.n_procs,
		 hv.n_procs == 1 ? "" : "es");
	hostview_free(&hv);
	return ok;
}

static enum output_match output_kind(enum lesson_check_kind k);

bool
course_near_miss(const struct course_ctx *ctx, const struct lesson_check *c,
		 const char *output, size_t n, char *buf, size_t len)
{
	char arg[PATH_MAX];

	if (c->kind != LESSON_OUTPUT_CONTAINS && c->kind != LESSON_OUTPUT_LINE &&
	    c->kind != LESSON_OUTPUT_MATCHES)
		return false;
	expand(ctx->snap, c->arg, c->kind == LESSON_OUTPUT_MATCHES, arg,
	       sizeof(arg));
	return output_near_miss(output_kind(c->kind), output, arg, n, buf, len);
}

/* The output matcher of an output check. */
static enum output_match
output_kind(enum lesson_check_kind k)
{
	return k == LESSON_OUTPUT_CONTAINS ? OUTPUT_WORDS :
	       k == LESSON_OUTPUT_LINE ? OUTPUT_LINE : OUTPUT_REGEX;
}

/* An output check of C against the last command's output. */
static bool
check_output(const struct session_snapshot *snap,
	     const struct lesson_check *c, char *why, size_t len)
{
	static const char *const verb[][2] = {
		{ "has no line with", "has" },
		{ "has no line", "has the line" },
		{ "has no line matching", "has a line matching" },
	};
	const char *out = snap->output ? snap->output : "";
	char arg[PATH_MAX];
	enum output_match m;
	bool hit;

	if (c->kind == LESSON_OUTPUT_LINES) {
		size_t n = output_count_lines(out);

		snprintf(why, len, "the output has %zu line%s", n,
			 n == 1 ? "" : "s");
		return snap->output && (long)n == c->n;
	}
	m = output_kind(c->kind);
	expand(snap, c->arg, m == OUTPUT_REGEX, arg, sizeof(arg));
	hit = output_test(m, out, arg);
	snprintf(why, len, m == OUTPUT_REGEX ? "the output %s /%s/" :
		 "the output %s \"%s\"", verb[m][hit], arg);
	return hit;
}

bool
course_check(const struct course_ctx *ctx, const struct lesson_check *c,
	     char *why, size_t len)
{
	const struct session_snapshot *snap = ctx->snap;
	char host[65] = "", path[PATH_MAX * 2], arg[PATH_MAX];
	struct stat st;
	int layer;
	bool isnew;

	why[0] = '\0';
	switch (c->kind) {
	case LESSON_OUTPUT_CONTAINS:
	case LESSON_OUTPUT_LINE:
	case LESSON_OUTPUT_MATCHES:
	case LESSON_OUTPUT_LINES:
		return check_output(snap, c, why, len);
	case LESSON_CONTAINER_HOSTNAME:
	case LESSON_CONTAINER_PID:
	case LESSON_CONTAINER_ROOT:
	case LESSON_CONTAINER_CWD:
	case LESSON_CONTAINER_MOUNT:
	case LESSON_CONTAINER_CAPS:
		expand(snap, c->arg, c->kind == LESSON_CONTAINER_MOUNT, arg,
		       sizeof(arg));
		return check_container(ctx, c, arg, why, len);
	case LESSON_STATUS:
		snprintf(why, len, "the last exit status is %d", snap->status);
		return snap->status == c->n;
	case LESSON_LAYER:
		layer = plan_layer_lookup(c->arg);
		snprintf(why, len, "layer %s is %s", c->arg,
			 plan_has(snap->plan, layer) ? "on" : "off");
		return layer >= 0 && plan_has(snap->plan, layer) == (c->n == 1);
	case LESSON_NAMESPACE:
		if (!snap->last.n_ns) {
			snprintf(why, len, "no container has run yet");
			return false;
		}
		isnew = hostview_ns_is_new(&snap->last, c->arg);
		snprintf(why, len, "the latest container's %s namespace is %s",
			 c->arg, isnew ? "new" : "the host's");
		return isnew == (c->n == 1);
	case LESSON_HOSTNAME_UNCHANGED:
		gethostname(host, sizeof(host) - 1);
		snprintf(why, len, "the host's hostname is %s", host);
		return strcmp(host, ctx->host_hostname) == 0;
	case LESSON_MOUNTS_UNCHANGED: {
		char *now = fsutil_slurp("/proc/self/mountinfo", NULL);
		bool same = now && ctx->mounts_before &&
			    strcmp(now, ctx->mounts_before) == 0;

		snprintf(why, len, "the host's mount table %s", same ?
			 "is as it was" : "has changed");
		free(now);
		return same;
	}
	case LESSON_MOUNTS_GAINED:
		return check_mounts_gained(ctx, c->arg, why, len);
	case LESSON_ROOTFS_HAS:
		snprintf(path, sizeof(path), "%s/%s", snap->plan->rootfs, c->arg);
		snprintf(why, len, "%s %s", path,
			 lstat(path, &st) == 0 ? "exists" : "does not exist");
		return lstat(path, &st) == 0;
	case LESSON_PIDS_CURRENT_MAX:
	case LESSON_PIDS_CURRENT_MIN:
	case LESSON_PIDS_REFUSED:
		return check_pids(ctx, c, why, len);
	case LESSON_CGROUP_GONE:
		if (!snap->last_cgroup[0]) {
			snprintf(why, len, "the latest container had no cgroup");
			return false;
		}
		snprintf(why, len, "%s %s", snap->last_cgroup,
			 stat(snap->last_cgroup, &st) == 0 ? "is still there" :
			 "is gone");
		return stat(snap->last_cgroup, &st) < 0;
	case LESSON_PROCESSES:
		return check_processes(ctx, c->n, why, len);
	}
	return false;
}

void
course_check_describe(const struct course_ctx *ctx,
		      const struct lesson_check *c, char *buf, size_t len)
{
	char arg[PATH_MAX];
	const char *a = c->arg ? expand(ctx->snap, c->arg, false, arg,
					sizeof(arg)) : "";

	switch (c->kind) {
	case LESSON_OUTPUT_CONTAINS:
		snprintf(buf, len, "the output shows \"%s\"", a);
		break;
	case LESSON_OUTPUT_LINE:
		snprintf(buf, len, "a line of the output is \"%s\"", a);
		break;
	case LESSON_OUTPUT_LINES:
		snprintf(buf, len, "the output has %ld line%s", c->n,
			 c->n == 1 ? "" : "s");
		break;
	case LESSON_OUTPUT_MATCHES:
		snprintf(buf, len, "a line of the output matches /%s/", a);
		break;
	case LESSON_CONTAINER_HOSTNAME:
		snprintf(buf, len, "the container's hostname is %s", a);
		break;
	case LESSON_CONTAINER_PID:
		snprintf(buf, len, "the container's command is PID %ld inside "
			 "its PID namespace", c->n);
		break;
	case LESSON_CONTAINER_ROOT:
		snprintf(buf, len, c->n ? "the container's root is the root "
			 "filesystem, not the host's /" : "the container's root "
			 "is the host's /");
		break;
	case LESSON_CONTAINER_CWD:
		snprintf(buf, len, "the container's working directory is %s "
			 "its root", c->n ? "outside" : "inside");
		break;
	case LESSON_CONTAINER_CAPS:
		snprintf(buf, len, "the container's root has %ld capabilities "
			 "(CapEff)", c->n);
		break;
	case LESSON_CONTAINER_MOUNT:
		snprintf(buf, len, "the container's mount table has a line "
			 "matching /%s/", a);
		break;
	case LESSON_STATUS:
		snprintf(buf, len, "the command exits with status %ld", c->n);
		break;
	case LESSON_LAYER:
		snprintf(buf, len, "layer %s is %s", a, c->n ? "on" : "off");
		break;
	case LESSON_NAMESPACE:
		snprintf(buf, len, c->n ? "the container has a %s namespace of "
			 "its own" : "the container shares the host's %s "
			 "namespace", a);
		break;
	case LESSON_HOSTNAME_UNCHANGED:
		snprintf(buf, len, "the host keeps its hostname");
		break;
	case LESSON_MOUNTS_UNCHANGED:
		snprintf(buf, len, "the host's mount table stays as it was");
		break;
	case LESSON_MOUNTS_GAINED:
		snprintf(buf, len, "the host's mount table gains a line "
			 "matching /%s/", a);
		break;
	case LESSON_ROOTFS_HAS:
		snprintf(buf, len, "the root filesystem has %s", a);
		break;
	case LESSON_PIDS_CURRENT_MAX:
		snprintf(buf, len, "the container's pids.current is at most "
			 "%ld", c->n);
		break;
	case LESSON_PIDS_CURRENT_MIN:
		snprintf(buf, len, "the container's pids.current is at least "
			 "%ld", c->n);
		break;
	case LESSON_PIDS_REFUSED:
		snprintf(buf, len, "the cgroup has refused at least %ld "
			 "fork%s (pids.events max)", c->n, c->n == 1 ? "" : "s");
		break;
	case LESSON_CGROUP_GONE:
		snprintf(buf, len, "the container's cgroup is removed");
		break;
	case LESSON_PROCESSES:
		snprintf(buf, len, "the container has %ld process%s", c->n,
			 c->n == 1 ? "" : "es");
		break;
	}
}

void
course_step_begin(struct course_ctx *ctx)
{
	session_forget_output(ctx->s);
	free(ctx->mounts_before);
	ctx->mounts_before = fsutil_slurp("/proc/self/mountinfo", NULL);
}

void
course_ctx_free(struct course_ctx *ctx)
{
	free(ctx->mounts_before);
	ctx->mounts_before = NULL;
}

void
course_update(const struct course_ctx *ctx, const struct lesson_step *s,
	      bool *held)
{
	char why[1024];

	for (size_t i = 0; i < s->nchecks; i++)
		if (!held[i] || s->checks[i].always)
			held[i] = course_check(ctx, &s->checks[i], why,
					       sizeof(why));
}
