/* session: its life, its events to the TUI and the TUI's answers, and
 * lines run with their output captured. */
#define _GNU_SOURCE
#include "session/session.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "base/capture.h"
#include "base/msg.h"
#include "layers/layers.h"

void
repl_event(const struct session *r, const struct event *e)
{
	size_t len, off = 0;
	char *line;

	if (r->event_fd < 0 || !(line = event_fit(e, EVENT_LINE_MAX, &len)))
		return;
	/* Whole, or the TUI would read the rest as a line of its own. */
	while (off < len) {
		ssize_t n = send(r->event_fd, line + off, len - off,
				 MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break; /* the TUI is gone; the REPL carries on */
		off += (size_t)n;
	}
	free(line);
}

void
session_event_plan(const struct session *r)
{
	char layers[128] = "";

	for (int i = 0; i < PLAN_NLAYERS; i++)
		if (plan_has(&r->plan, i))
			snprintf(layers + strlen(layers),
				 sizeof(layers) - strlen(layers), "%s%s",
				 layers[0] ? "," : "", plan_layer_info(i)->name);
	repl_event(r, &(struct event){ .kind = EVENT_PLAN, .layers = layers,
		   .hostname = r->plan.hostname, .rootfs = r->plan.rootfs });
}

/* What the TUI has said of its lesson panel.  A REPL process has one
 * event socket, so one TUI: the state is the process's. */
static bool tui_panel_hidden;

/* Acts on one line from the TUI.  Returns the pid a `seen PID` names,
 * else 0. */
static pid_t
tui_line(const char *line)
{
	char buf[128];
	size_t n = strlen(line);
	struct event e;

	if (n >= sizeof(buf))
		return 0;
	memcpy(buf, line, n + 1);
	if (event_decode(buf, n, &e) < 0)
		return 0;
	if (e.kind == EVENT_PANEL_VISIBLE)
		tui_panel_hidden = !e.visible;
	else if (e.kind == EVENT_SEEN)
		return e.pid;
	return 0;
}

static void
tui_line_hook(const char *line)
{
	(void)tui_line(line);
}

/* Reads one line the TUI sent to FD into LINE, waiting up to TIMEOUT_MS
 * for it to start.  A capture reply ("output LEN") is left for
 * capture_read_reply().  Returns 0, or -1 when none. */
static int
tui_read_line(int fd, char *line, size_t len, int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	ssize_t n;
	char *nl;

	if (poll(&p, 1, timeout_ms) <= 0)
		return -1;
	n = recv(fd, line, len - 1, MSG_PEEK | MSG_DONTWAIT);
	if (n <= 0)
		return -1;
	line[n] = '\0';
	if (strncmp(line, "output ", (size_t)n < 7 ? (size_t)n : 7) == 0)
		return -1;
	/* The TUI sends each line whole, in one write. */
	if (!(nl = memchr(line, '\n', (size_t)n)))
		return -1;
	n = recv(fd, line, (size_t)(nl - line) + 1, MSG_DONTWAIT);
	if (n <= 0)
		return -1;
	line[n - 1] = '\0';
	return 0;
}

bool
session_panel_visible(const struct session *r)
{
	char line[128];

	if (!r->panel)
		return false;
	while (r->tui && tui_read_line(r->event_fd, line, sizeof(line), 0) == 0)
		(void)tui_line(line);
	return !tui_panel_hidden;
}

/* Waits (at most TIMEOUT_MS) for the TUI to say it has read the held
 * container PID. */
static void
wait_seen(const struct session *r, pid_t pid, int timeout_ms)
{
	struct timespec start, t;
	char line[128];
	int left = timeout_ms;

	clock_gettime(CLOCK_MONOTONIC, &start);
	while (left > 0 &&
	       tui_read_line(r->event_fd, line, sizeof(line), left) == 0) {
		if (tui_line(line) == pid)
			return;
		clock_gettime(CLOCK_MONOTONIC, &t);
		left = timeout_ms - (int)((t.tv_sec - start.tv_sec) * 1000 +
					  (t.tv_nsec - start.tv_nsec) / 1000000);
	}
}

/* For lesson checks: the container as it was set up (namespaces,
 * hostname, root, cwd, mounts), read while spawn holds it just before
 * its command runs (a command like `hostname` is gone by the time `run`
 * returns, and a dead process has no links).  And for the TUI, its pid. */
static void
record_held(pid_t pid, bool set_up, void *arg)
{
	struct session *r = arg;

	/* The TUI hears of it now, while it is held: a command that ends
	 * at once is then still there for the pane to read. */
	repl_event(r, &(struct event){ .kind = EVENT_START, .pid = pid,
		   .text = r->held_command });
	if (r->tui && r->event_fd >= 0)
		wait_seen(r, pid, 1000);
	r->announced = pid;
	if (r->record_last && !set_up) {
		/* Half made, or gone: nothing of it is the container. */
		hostview_free(&r->snap.last);
		memset(&r->snap.last, 0, sizeof(r->snap.last));
	} else if (r->record_last)
		hostview_update(&r->snap.last, "/proc", pid, NULL,
				HOSTVIEW_STATUS | HOSTVIEW_NS | HOSTVIEW_LINKS |
				HOSTVIEW_MOUNTS);
}

void
session_forget_output(struct session *r)
{
	free(r->snap.output);
	r->snap.output = NULL;
	r->snap.status = -1;
}

/* --- the session's life ------------------------------------------------ */

const struct session_snapshot *
session_snapshot(const struct session *r)
{
	return &r->snap;
}

void
session_set_hook(struct session *r, const struct session_hook *h)
{
	r->hook = *h;
}

int
session_begin(struct session *r)
{
	int rc = r->hook.begin ? r->hook.begin(r, r->hook.arg) : 0;

	session_publish(r);
	return rc;
}

void
session_init(struct session *r, const char *default_rootfs,
	     const char *cgroup_root)
{
	char report[4096] = "";

	memset(r, 0, sizeof(*r));
	r->event_fd = -1;
	r->snap.plan = &r->plan;
	r->snap.bg = &r->bg;
	r->snap.held_command = r->held_command;
	r->snap.status = -1;
	snprintf(r->default_rootfs, sizeof(r->default_rootfs), "%s",
		 default_rootfs ? default_rootfs : "");
	classconf_init(&r->room);
	spawn_session_init(&r->spawn, cgroup_root, r->default_rootfs, report,
			   sizeof(report));
	session_reset_plan(r);
	r->spawn.on_hold = record_held;
	r->spawn.on_hold_arg = r;
	capture_set_line_hook(tui_line_hook);
	if (report[0])
		fprintf(stderr, "boxstep: cleaning up after an earlier "
			"session:\n%s", report);
}

int
session_set_room(struct session *r, const struct classconf *c, char *err,
		 size_t errlen)
{
	struct cgroup_limits lim = {
		.pids_max = c->pids_max,
		.memory_max = c->memory_max,
		.cpu_percent = c->cpu_max,
	};
	char why[1536];

	r->room = *c;
	r->plan.layer_max = c->disk_max;
	if (spawn_session_limit(&r->spawn, &lim, why, sizeof(why)) < 0)
		return msg_fail(err, errlen, "the class file's limits for "
				"each session cannot hold here: %s", why);
	return 0;
}

void
session_reset_plan(struct session *r)
{
	plan_init(&r->plan, r->default_rootfs);
	r->plan.layer_max = r->room.disk_max;
	if (r->spawn.rootless)
		plan_make_rootless(&r->plan, spawn_rootless_uid(),
				   spawn_rootless_gid());
}

void
session_done(struct session *r)
{
	if (r->hook.end)
		r->hook.end(r, r->hook.arg);
	memset(&r->hook, 0, sizeof(r->hook));
	if (r->publish)
		room_withdraw(&r->told);
	r->publish = false;
	if (r->bg.running)
		spawn_stop(&r->spawn, &r->bg);
	spawn_session_end(&r->spawn);
	hostview_free(&r->snap.last);
	session_forget_output(r);
}
