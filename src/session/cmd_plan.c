/* cmd_plan: the commands that shape and show the plan: layers, enable,
 * disable, reset, set, show, explain. */
#define _GNU_SOURCE
#include "session/builtin.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/image.h"
#include "layers/layers.h"
#include "session/command.h"

const char *
session_layer_name_at(size_t i)
{
	const struct plan_layer_info *l = plan_layer_info((int)i);

	return i < PLAN_NLAYERS && l ? l->name : NULL;
}

const char *
session_key_name_at(size_t i)
{
	const struct plan_key_info *k = plan_keys();
	size_t n = 0;

	while (k[n].name)
		n++;
	return i < n ? k[i].name : i == n ? "refresh" : NULL;
}

int
builtin_layers(struct session *r, int argc, char **argv, const char *rest)
{
	(void)argc, (void)argv, (void)rest;
	for (int i = 0; i < PLAN_NLAYERS; i++) {
		const struct plan_layer_info *l = plan_layer_info(i);

		printf("  %-7s %-4s %s\n", l->name,
		       plan_has(&r->plan, i) ? "ON" : "off", l->summary);
	}
	return 0;
}

/* Says that there is no layer called NAME, and which there are. */
static void
no_layer(const struct session *r, const char *name)
{
	char near[160];

	session_error(r, "no layer called '%s'%s; the layers are: %s", name,
		      session_did_you_mean(name, session_layer_name_at, near,
		      sizeof(near)), plan_layer_names());
}

/* Reads the layer names in ARGV[1..] into a bit set; says which one is
 * unknown. */
static int
parse_layers(const struct session *r, int argc, char **argv, unsigned *set)
{
	*set = 0;
	for (int i = 1; i < argc; i++) {
		int l = plan_layer_lookup(argv[i]);

		if (l < 0) {
			no_layer(r, argv[i]);
			return -1;
		}
		*set |= 1u << l;
	}
	return 0;
}

/* After a change, says what the plan still lacks, so the next `run`
 * holds no surprise. */
static void
note_plan(const struct session *r)
{
	char why[512];

	if (plan_check(&r->plan, why, sizeof(why)) < 0)
		printf("note: as it stands `run` would refuse: %s.\n", why);
}

/* enable and disable: the same walk over the named layers. */
static int
switch_layers(struct session *r, int argc, char **argv, bool on)
{
	unsigned set;

	if (parse_layers(r, argc, argv, &set) < 0)
		return 2;
	if (on && (set & (1u << PLAN_CHROOT)) && (set & (1u << PLAN_PIVOT))) {
		session_error(r, "chroot and pivot are two ways to give the "
			      "container its root: enable one of them");
		return 2;
	}
	for (int i = 0; i < PLAN_NLAYERS; i++) {
		if (!(set & (1u << i)))
			continue;
		if (on)
			plan_enable(&r->plan, i);
		else
			plan_disable(&r->plan, i);
	}
	/* pivot replaces chroot, and chroot pivot */
	for (int k = 0; on && k < 2; k++) {
		enum plan_layer now = k ? PLAN_PIVOT : PLAN_CHROOT;
		enum plan_layer other = k ? PLAN_CHROOT : PLAN_PIVOT;

		if ((set & (1u << now)) && plan_has(&r->plan, other)) {
			plan_disable(&r->plan, other);
			printf("(%s is off now: %s replaces it)\n",
			       plan_layer_info(other)->name,
			       plan_layer_info(now)->name);
		}
	}
	note_plan(r);
	for (int c = 0; on && c < CGROUP_NCTL; c++)
		if ((set & (1u << spawn_cgroup_layer(c))) &&
		    r->spawn.cg.ctl[c].version == CGROUP_NONE)
			printf("note: `run` would refuse: %s.\n",
			       r->spawn.cg.ctl[c].why);
	return 0;
}

int
builtin_enable(struct session *r, int argc, char **argv, const char *rest)
{
	(void)rest;
	return switch_layers(r, argc, argv, true);
}

int
builtin_disable(struct session *r, int argc, char **argv, const char *rest)
{
	(void)rest;
	return switch_layers(r, argc, argv, false);
}

int
builtin_reset(struct session *r, int argc, char **argv, const char *rest)
{
	(void)argc, (void)argv, (void)rest;
	session_reset_plan(r);
	printf("all layers off; settings back to their defaults\n");
	return 0;
}

static void
print_settings(const struct session *r)
{
	char value[PATH_MAX];

	for (const struct plan_key_info *k = plan_keys(); k->name; k++) {
		plan_get(&r->plan, k->name, value, sizeof(value));
		printf("  %-12s %-28s %s\n", k->name, value, k->summary);
	}
}

/* set refresh MS: the TUI pane's interval; the plain REPL has no pane. */
static int
set_refresh(struct session *r, int argc, char **argv)
{
	char *end;
	long ms;

	if (argc < 3) {
		session_error(r, "set refresh needs a value: set refresh MS "
			      "(50 to 10000)");
		return 2;
	}
	ms = strtol(argv[2], &end, 10);
	if (*argv[2] == '\0' || *end != '\0' || ms < 50 || ms > 10000) {
		session_error(r, "refresh takes milliseconds from 50 to 10000, "
			      "not '%s'", argv[2]);
		return 2;
	}
	if (r->event_fd < 0)
		printf("note: refresh is the interval of the TUI's host-view "
		       "pane; this plain REPL has none (`boxstep watch PID` "
		       "shows it)\n");
	repl_event(r, &(struct event){ .kind = EVENT_REFRESH, .ms = (int)ms });
	return 0;
}

/* The value `set rootfs` names: a directory, or the imported image a
 * bare name names, as a canonical path in PATH.  Returns it, or NULL
 * with a message. */
static const char *
rootfs_value(const struct session *r, const char *value, char *path,
	     char *image)
{
	char err[512];

	/* A bare name is an imported image, when there is one. */
	if (!strchr(value, '/') && image_path(value, image, PATH_MAX) == 0) {
		printf("(the image %s: %s)\n", value, image);
		value = image;
	}
	if (spawn_check_rootfs(value, err, sizeof(err)) < 0) {
		session_error(r, "%s%s", err, strchr(value, '/') ? "" :
			      " (nor is there an image of that name: "
			      "`boxstep images` lists them)");
		return NULL; /* a bad value, as for every key */
	}
	return realpath(value, path) ? path : value;
}

/* Says that there is no setting called NAME, and which there are. */
static void
no_setting(const struct session *r, const char *name)
{
	char names[256] = "", near[160];

	for (const struct plan_key_info *o = plan_keys(); o->name; o++)
		snprintf(names + strlen(names), sizeof(names) - strlen(names),
			 "%s ", o->name);
	session_error(r, "no setting called '%s'%s; the settings are: "
		      "%srefresh", name, session_did_you_mean(name,
		      session_key_name_at, near, sizeof(near)), names);
}

/* ARGV's ARGC words joined with commas into BUF (cut at LEN); BUF. */
static const char *
join_words(int argc, char **argv, char *buf, size_t len)
{
	struct msg_text t = { buf, len, 0 };

	for (int i = 0; i < argc; i++)
		msg_append(&t, "%s%s", i ? "," : "", argv[i]);
	return buf;
}

int
builtin_set(struct session *r, int argc, char **argv, const char *rest)
{
	const struct plan_key_info *k;
	char err[512], path[PATH_MAX], image[PATH_MAX], words[512];
	const char *value;
	bool rootfs;

	(void)rest;
	if (argc == 1) {
		print_settings(r);
		return 0;
	}
	if (strcmp(argv[1], "refresh") == 0)
		return set_refresh(r, argc, argv);
	if (!(k = plan_key_lookup(argv[1]))) {
		no_setting(r, argv[1]);
		return 2;
	}
	rootfs = strcmp(k->name, "rootfs") == 0;
	if (argc < 3) {
		session_error(r, "set %s needs a value: set %s %s", k->name,
			      k->name, k->values);
		return 2;
	}
	if (argc > 3 && !k->words) {
		session_error(r, "set %s takes one value: set %s %s (quote "
			      "it if it has spaces)", k->name, k->name,
			      k->values);
		return 2;
	}
	if (k->kernel_has && k->kernel_has(err, sizeof(err)) < 0) {
		session_error(r, "set %s: %s", k->name, err);
		return 2;
	}
	if (k->needs_on && !plan_has(&r->plan, k->needs)) {
		session_error(r, "set %s changes what the %s layer does, and "
			      "it is off: enable %s first", k->name,
			      plan_layer_info(k->needs)->name,
			      plan_layer_info(k->needs)->name);
		return 2;
	}
	value = argv[2];
	if (k->words && argc > 3)
		value = join_words(argc - 2, argv + 2, words, sizeof(words));
	if (rootfs && !(value = rootfs_value(r, value, path, image)))
		return 2;
	if (plan_set(&r->plan, k->name, value, err, sizeof(err)) < 0) {
		session_error(r, "%s", err);
		return 2;
	}
	/* the rootfs is pivot's root as much as chroot's */
	if (rootfs && !plan_new_root(&r->plan))
		printf("note: rootfs matters once the chroot or the pivot layer "
		       "is on (enable chroot, or pivot)\n");
	else if (!rootfs && k->needs >= 0 && !plan_has(&r->plan, k->needs))
		printf("note: %s matters once the %s layer is on (enable %s)\n",
		       k->name, plan_layer_info(k->needs)->name,
		       plan_layer_info(k->needs)->name);
	return 0;
}

void
builtin_set_help(void)
{
	char left[64];

	for (const struct plan_key_info *k = plan_keys(); k->name; k++) {
		/* "NAME (1-64 bytes)": the help shows the first word. */
		snprintf(left, sizeof(left), "%s %.*s", k->name,
			 (int)strcspn(k->values, " "), k->values);
		printf("  set %-26s %s\n", left, k->help);
	}
	printf("  set %-26s %s\n", "refresh MS",
	       "the host-view pane's interval (default 200)");
}

int
builtin_show(struct session *r, int argc, char **argv, const char *rest)
{
	const struct cgroup_ctx *ctx = &r->spawn.cg;
	const struct cgroup_hier *h = ctx->ctl;
	struct plan_cgroups cg = {
		h[CGROUP_PIDS].version ? h[CGROUP_PIDS].dir : NULL,
		h[CGROUP_MEMORY].version ? h[CGROUP_MEMORY].dir : NULL,
		h[CGROUP_CPU].version ? h[CGROUP_CPU].dir : NULL,
		h[CGROUP_MEMORY].version == CGROUP_V2,
		h[CGROUP_CPU].version == CGROUP_V2,
	};
	int shown = 0;
	char *text;
	int n;

	(void)rest;
	if (argc > 1)
		return builtin_show_bridge(r, argv[1]);
	n = plan_describe(&r->plan, &cg, NULL, 0);
	text = malloc((size_t)n + 1);
	if (!text)
		return 1;
	plan_describe(&r->plan, &cg, text, (size_t)n + 1);
	fputs(text, stdout);
	for (int c = 0; c < CGROUP_NCTL; c++)
		if (plan_has(&r->plan, spawn_cgroup_layer(c)) &&
		    ctx->ctl[c].version != CGROUP_NONE)
			printf("%s(%s: cgroup v%d at %s)\n", shown++ ? "" : "\n",
			       cgroup_controller_name(c),
			       (int)ctx->ctl[c].version, ctx->ctl[c].hier);
	free(text);
	return 0;
}

int
builtin_explain(struct session *r, int argc, char **argv, const char *rest)
{
	const struct plan_layer_info *l;
	int i;

	(void)argc, (void)rest;
	if ((i = plan_layer_lookup(argv[1])) < 0) {
		no_layer(r, argv[1]);
		return 2;
	}
	l = plan_layer_info(i);
	printf("%s — %s\nkernel: %s\n\n%s\n", l->name, l->summary, l->kernel,
	       l->explain);
	return 0;
}
