/* settings: the `set` keys, each with its parser, its formatter, the
 * layer it matters for, and its help. */
#include "layers/plan.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/capnames.h"
#include "base/msg.h"
#include "host/kernel.h"

static int
set_hostname(struct plan *plan, const char *v, char *err, size_t errlen)
{
	size_t n = strlen(v);

	if (n == 0)
		return msg_fail(err, errlen, "hostname cannot be empty");
	if (n > PLAN_HOSTNAME_MAX)
		return msg_fail(err, errlen,
			    "hostname is %zu bytes long; the kernel takes at "
			    "most %d (HOST_NAME_MAX), so sethostname() would "
			    "fail with EINVAL", n, PLAN_HOSTNAME_MAX);
	for (const char *p = v; *p; p++)
		if (*p == '/' || (unsigned char)*p < 0x21 || *p == 0x7f)
			return msg_fail(err, errlen,
				    "hostname '%s' has a space, a control "
				    "character or '/'; use letters, digits, "
				    "'-' and '.'", v);
	memcpy(plan->hostname, v, n + 1);
	return 0;
}

static int
set_rootfs(struct plan *plan, const char *v, char *err, size_t errlen)
{
	if (*v == '\0')
		return msg_fail(err, errlen, "rootfs needs a directory path");
	if (strlen(v) >= sizeof(plan->rootfs))
		return msg_fail(err, errlen, "rootfs path is longer than %zu bytes",
			    sizeof(plan->rootfs) - 1);
	snprintf(plan->rootfs, sizeof(plan->rootfs), "%s", v);
	return 0;
}

static int
set_pids_max(struct plan *plan, const char *v, char *err, size_t errlen)
{
	char *end;
	long n;

	if (strcmp(v, "max") == 0) {
		plan->pids_max = PLAN_PIDS_UNLIMITED;
		return 0;
	}
	errno = 0;
	n = strtol(v, &end, 10);
	if (*v == '\0' || *end != '\0' || errno == ERANGE ||
	    (*v != '-' && (*v < '0' || *v > '9')))
		return msg_fail(err, errlen,
			    "pids.max takes a whole number or 'max', not '%s'",
			    v);
	if (n < 1 || n > PLAN_PIDS_LIMIT)
		return msg_fail(err, errlen,
			    "pids.max must be between 1 and %ld, or 'max' for "
			    "no limit; '%s' is out of range (1 is the command "
			    "itself and nothing else)", PLAN_PIDS_LIMIT, v);
	plan->pids_max = n;
	return 0;
}

int
plan_parse_size(const char *v, long long *bytes)
{
	static const char units[] = "KMGTP";
	const char *unit = NULL;
	char *end;
	long long n;

	errno = 0;
	n = strtoll(v, &end, 10);
	if (*end)
		unit = strchr(units, toupper((unsigned char)*end));
	if (*v < '0' || *v > '9' || errno == ERANGE || (*end && !unit) ||
	    (unit && end[1] && strcmp(end + 1, "B") != 0 &&
	     strcmp(end + 1, "iB") != 0))
		return -1;
	/* K is 1024: the kernel's own suffixes in memory.max */
	for (long k = unit ? unit - units + 1 : 0; k > 0 &&
	     n <= PLAN_MEMORY_LIMIT; k--)
		n *= 1024;
	*bytes = n > PLAN_MEMORY_LIMIT ? PLAN_MEMORY_LIMIT + 1 : n;
	return 0;
}

static int
set_memory_max(struct plan *plan, const char *v, char *err, size_t errlen)
{
	long long n;

	if (strcmp(v, "max") == 0) {
		plan->memory_max = PLAN_MEMORY_UNLIMITED;
		return 0;
	}
	if (plan_parse_size(v, &n) < 0)
		return msg_fail(err, errlen,
			    "memory.max takes a size such as 32M, 512K or 1G "
			    "(or 'max'), not '%s'", v);
	if (n < PLAN_MEMORY_MIN || n > PLAN_MEMORY_LIMIT)
		return msg_fail(err, errlen,
			    "memory.max must be between 1M and 1P, or 'max'; "
			    "'%s' is out of range (below 1M not even a shell "
			    "can start)", v);
	plan->memory_max = n;
	return 0;
}

static int
set_cpu_max(struct plan *plan, const char *v, char *err, size_t errlen)
{
	char *end;
	long n;

	if (strcmp(v, "max") == 0) {
		plan->cpu_max = PLAN_CPU_UNLIMITED;
		return 0;
	}
	errno = 0;
	n = strtol(v, &end, 10);
	if (*v < '0' || *v > '9' || errno == ERANGE ||
	    (*end && strcmp(end, "%") != 0))
		return msg_fail(err, errlen,
			    "cpu.max takes a whole percentage of one CPU, such "
			    "as 50 or 200 (two CPUs), or 'max'; not '%s'", v);
	if (n < 1 || n > PLAN_CPU_LIMIT)
		return msg_fail(err, errlen,
			    "cpu.max must be between 1 (1%% of one CPU) and %ld, "
			    "or 'max'; '%s' is out of range", PLAN_CPU_LIMIT, v);
	plan->cpu_max = n;
	return 0;
}

void
plan_format_size(long long bytes, char *buf, size_t len)
{
	static const char units[] = "KMGTP";
	int u = -1;

	while (bytes >= 1024 && bytes % 1024 == 0 && u < 4) {
		bytes /= 1024;
		u++;
	}
	if (u < 0)
		snprintf(buf, len, "%lld", bytes);
	else
		snprintf(buf, len, "%lld%c", bytes, units[u]);
}

/* Reads "on" or "off" into *FLAG for setting KEY. */
static int
set_onoff(bool *flag, const char *key, const char *v, char *err, size_t errlen)
{
	if (strcmp(v, "on") == 0)
		*flag = true;
	else if (strcmp(v, "off") == 0)
		*flag = false;
	else
		return msg_fail(err, errlen, "%s takes 'on' or 'off', not '%s'",
			    key, v);
	return 0;
}

static int
set_chdir(struct plan *plan, const char *v, char *err, size_t errlen)
{
	return set_onoff(&plan->chdir, "chdir", v, err, errlen);
}

static int
set_layer(struct plan *plan, const char *v, char *err, size_t errlen)
{
	return set_onoff(&plan->rootfs_layer, "rootfs.layer", v, err, errlen);
}

static int
set_propagation(struct plan *plan, const char *v, char *err, size_t errlen)
{
	if (strcmp(v, "private") == 0)
		plan->propagation = PLAN_PROP_PRIVATE;
	else if (strcmp(v, "shared") == 0)
		plan->propagation = PLAN_PROP_SHARED;
	else
		return msg_fail(err, errlen,
			    "propagation takes 'private' or 'shared', not '%s'",
			    v);
	return 0;
}

static void
get_hostname(const struct plan *plan, char *buf, size_t len)
{
	snprintf(buf, len, "%s", plan->hostname);
}

static void
get_rootfs(const struct plan *plan, char *buf, size_t len)
{
	snprintf(buf, len, "%s", plan->rootfs[0] ? plan->rootfs : "(none)");
}

static void
get_layer(const struct plan *plan, char *buf, size_t len)
{
	snprintf(buf, len, "%s", plan->rootfs_layer ? "on" : "off");
}

static void
get_pids_max(const struct plan *plan, char *buf, size_t len)
{
	if (plan->pids_max == PLAN_PIDS_UNLIMITED)
		snprintf(buf, len, "max");
	else
		snprintf(buf, len, "%ld", plan->pids_max);
}

static void
get_memory_max(const struct plan *plan, char *buf, size_t len)
{
	if (plan->memory_max == PLAN_MEMORY_UNLIMITED)
		snprintf(buf, len, "max");
	else
		plan_format_size(plan->memory_max, buf, len);
}

static void
get_cpu_max(const struct plan *plan, char *buf, size_t len)
{
	if (plan->cpu_max == PLAN_CPU_UNLIMITED)
		snprintf(buf, len, "max");
	else
		snprintf(buf, len, "%ld", plan->cpu_max);
}

static void
get_chdir(const struct plan *plan, char *buf, size_t len)
{
	snprintf(buf, len, "%s", plan->chdir ? "on" : "off");
}

static void
get_propagation(const struct plan *plan, char *buf, size_t len)
{
	snprintf(buf, len, "%s", plan->propagation == PLAN_PROP_SHARED ?
		 "shared" : "private");
}

/* caps: "default", "none" or "all", then +NAME (or NAME) to add and
 * -NAME to drop, separated by commas or spaces, as Docker's --cap-add and
 * --cap-drop are relative to its default set.  Without a first word of
 * the three, the changes apply to Docker's default. */
static int
set_caps(struct plan *plan, const char *v, char *err, size_t errlen)
{
	unsigned long long set = CAPS_DOCKER_DEFAULT;
	char word[64];
	int n = 0;

	for (const char *p = v; *p;) {
		size_t len = strcspn(p, ", ");
		const char *name = word;
		int c;

		if (len == 0) {
			p++;
			continue;
		}
		snprintf(word, sizeof(word), "%.*s", (int)len, p);
		p += len;
		if (n++ == 0 && strcasecmp(word, "default") == 0)
			continue;
		if (n == 1 && (strcasecmp(word, "none") == 0 ||
			       strcasecmp(word, "all") == 0)) {
			set = tolower((unsigned char)word[0]) == 'a' ?
			      caps_all() : 0;
			continue;
		}
		if (*name == '+' || *name == '-')
			name++;
		if ((c = caps_lookup(name)) < 0)
			return msg_fail(err, errlen, "no capability called '%s': "
				    "caps takes the names of capabilities(7) "
				    "without CAP_ (SYS_ADMIN, NET_ADMIN, "
				    "SYS_CHROOT...), each with + to add or - to "
				    "drop (`man 7 capabilities` lists them)", name);
		if (word[0] == '-')
			set &= ~CAPS_BIT(c);
		else
			set |= CAPS_BIT(c);
	}
	if (n == 0)
		return msg_fail(err, errlen, "caps needs a value: default, "
			    "none, all, or +NAME and -NAME (set caps "
			    "-SYS_CHROOT)");
	plan->caps = set;
	return 0;
}

/* What set_caps reads back: the changes to Docker's default, or none and
 * what is added to it when that is shorter. */
static void
get_caps(const struct plan *plan, char *buf, size_t len)
{
	struct msg_text t = { buf, len, 0 };
	unsigned long long add = plan->caps & ~CAPS_DOCKER_DEFAULT;
	unsigned long long drop = CAPS_DOCKER_DEFAULT & ~plan->caps;
	char name[48];

	if (len)
		buf[0] = '\0';
	if (plan->caps == caps_all()) {
		msg_append(&t, "all");
		return;
	}
	if (caps_size(drop) > caps_size(plan->caps)) {
		msg_append(&t, "none");
		add = plan->caps, drop = 0;
	} else {
		msg_append(&t, "default");
	}
	for (int c = 0; c < 64; c++)
		if ((add | drop) & CAPS_BIT(c))
			msg_append(&t, ",%c%s", add & CAPS_BIT(c) ? '+' : '-',
				   caps_name(c, name, sizeof(name)));
}

static int
set_time_offset(struct plan *plan, const char *v, char *err, size_t errlen)
{
	char *end;
	long long n;

	errno = 0;
	n = strtoll(v, &end, 10);
	if (*v == '\0' || *end != '\0' || errno == ERANGE)
		return msg_fail(err, errlen, "time.offset takes a whole number "
			    "of seconds, such as 86400 (a day ahead) or -60, "
			    "not '%s'", v);
	if (n < -PLAN_TIME_OFFSET_LIMIT || n > PLAN_TIME_OFFSET_LIMIT)
		return msg_fail(err, errlen, "time.offset must be within %lld "
			    "seconds (ten years) either way; '%s' is out of "
			    "range", PLAN_TIME_OFFSET_LIMIT, v);
	plan->time_offset = n;
	return 0;
}

static void
get_time_offset(const struct plan *plan, char *buf, size_t len)
{
	snprintf(buf, len, "%lld", plan->time_offset);
}

static const char *const onoff[] = { "on", "off", NULL };
static const char *const propagations[] = { "private", "shared", NULL };

static const struct plan_key_info keys[] = {
	{ "hostname", "NAME (1-64 bytes)",
	  "hostname set inside the new UTS namespace", NULL,
	  set_hostname, get_hostname, PLAN_UTS,
	  "hostname inside a new UTS namespace", false, false, NULL },
	{ "rootfs", "PATH|IMAGE",
	  "root for chroot or pivot: a directory, or an imported image",
	  NULL, set_rootfs, get_rootfs, PLAN_CHROOT,
	  "root for chroot or pivot (default: the busybox root)", false, false, NULL },
	{ "rootfs.layer", "on|off",
	  "on = a writable layer of this session's own over the rootfs",
	  onoff, set_layer, get_layer, -1,
	  "on: the session writes into a layer of its own", false, false, NULL },
	{ "pids.max", "N|max",
	  "process limit for the pids layer (default 20)", NULL,
	  set_pids_max, get_pids_max, PLAN_PIDS,
	  "limit for the pids layer (default 20)", false, false, NULL },
	{ "memory.max", "SIZE|max",
	  "memory limit for the memory layer: 32M, 1G (default 64M)", NULL,
	  set_memory_max, get_memory_max, PLAN_MEMORY,
	  "limit for the memory layer: 32M, 1G (default 64M)", false, false, NULL },
	{ "cpu.max", "PERCENT|max",
	  "CPU limit for the cpu layer, in % of one CPU (default 50)", NULL,
	  set_cpu_max, get_cpu_max, PLAN_CPU,
	  "limit for the cpu layer, in % of one CPU (default 50)",
	  false, false, NULL },
	{ "chdir", "on|off",
	  "off = chroot without chdir(\"/\"), the escape demo", onoff,
	  set_chdir, get_chdir, PLAN_CHROOT,
	  "off = chroot without chdir(\"/\")", false, false, NULL },
	{ "propagation", "private|shared",
	  "mount propagation in the new mount namespace", propagations,
	  set_propagation, get_propagation, PLAN_MNT,
	  "mount propagation in the new mount namespace", false, false, NULL },
	{ "caps", "[+-]NAME,... (or default, none, all first)",
	  "the capabilities the caps layer keeps (default: Docker's 14)",
	  NULL, set_caps, get_caps, PLAN_CAPS,
	  "+NAME adds, -NAME drops: --cap-add, --cap-drop",
	  .needs_on = true, .words = true },
	{ "time.offset", "SECONDS",
	  "how far the time layer moves the monotonic and boot clocks",
	  NULL, set_time_offset, get_time_offset, PLAN_TIME,
	  "seconds added to the container's clocks (default a year)",
	  false, false, kernel_has_time_ns },
	{ NULL, NULL, NULL, NULL, NULL, NULL, -1, NULL, false, false, NULL },
};

const struct plan_key_info *
plan_keys(void)
{
	return keys;
}

const struct plan_key_info *
plan_key_lookup(const char *name)
{
	for (const struct plan_key_info *k = keys; k->name; k++)
		if (strcmp(k->name, name) == 0)
			return k;
	return NULL;
}

int
plan_set(struct plan *plan, const char *key, const char *value,
	 char *err, size_t errlen)
{
	const struct plan_key_info *k = plan_key_lookup(key);

	if (!k)
		return msg_fail(err, errlen, "no setting called '%s'", key);
	return k->parse(plan, value, err, errlen);
}

int
plan_get(const struct plan *plan, const char *key, char *buf, size_t len)
{
	const struct plan_key_info *k = plan_key_lookup(key);

	if (!k)
		return -1;
	k->format(plan, buf, len);
	return 0;
}
