/* oci: the plan as an OCI runtime-spec config.json. */
#include "layers/oci.h"

#include <stdio.h>
#include <string.h>

#include "base/capnames.h"
#include "base/jsonw.h"
#include "layers/layers.h"

void
oci_namespace(struct oci_doc *d, const char *type)
{
	if (d->nns < OCI_MAX)
		d->ns[d->nns++] = type;
}

void
oci_mount(struct oci_doc *d, const char *dest, const char *type,
	  const char *source, const char *options)
{
	if (d->nmounts < OCI_MAX)
		d->mounts[d->nmounts++] = (struct oci_mount){ dest, type,
							      source, options };
}

void
oci_paths(const char **list, size_t *count, const char *const *paths,
	  size_t n)
{
	for (size_t i = 0; i < n && *count < OCI_MAX; i++)
		list[(*count)++] = paths[i];
}

/* WORDS (split on SEP) as a JSON array called KEY. */
static void
words(struct jsonw *w, const char *key, const char *text, char sep)
{
	char word[256];

	jsonw_array(w, key);
	for (const char *p = text; *p;) {
		size_t n = strcspn(p, (char[]){ sep, '\0' });

		snprintf(word, sizeof(word), "%.*s", (int)n, p);
		if (n)
			jsonw_string(w, NULL, word);
		p += n + (p[n] == sep);
	}
	jsonw_end(w, ']');
}

static void
cap_list(struct jsonw *w, const char *key, unsigned long long set)
{
	char name[48], full[56];

	jsonw_array(w, key);
	for (int c = 0; c < 64; c++)
		if (set & CAPS_BIT(c)) {
			snprintf(full, sizeof(full), "CAP_%s",
				 caps_name(c, name, sizeof(name)));
			jsonw_string(w, NULL, full);
		}
	jsonw_end(w, ']');
}

static void
process(struct jsonw *w, const struct oci_doc *d, char *const *argv)
{
	jsonw_object(w, "process");
	jsonw_bool(w, "terminal", false);
	jsonw_object(w, "user");
	jsonw_number(w, "uid", 0);
	jsonw_number(w, "gid", 0);
	jsonw_end(w, '}');
	jsonw_array(w, "args");
	for (char *const *a = argv; *a; a++)
		jsonw_string(w, NULL, *a);
	jsonw_end(w, ']');
	words(w, "env", "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:"
	      "/usr/bin:/sbin:/bin HOME=/root TERM=xterm", ' ');
	jsonw_string(w, "cwd", "/");
	jsonw_object(w, "capabilities");
	cap_list(w, "bounding", d->caps);
	cap_list(w, "effective", d->caps);
	cap_list(w, "permitted", d->caps);
	cap_list(w, "inheritable", 0);
	cap_list(w, "ambient", 0);
	jsonw_end(w, '}');
	jsonw_bool(w, "noNewPrivileges", d->no_new_privs);
	jsonw_end(w, '}');
}

static void
mounts(struct jsonw *w, const struct oci_doc *d)
{
	jsonw_array(w, "mounts");
	for (size_t i = 0; i < d->nmounts; i++) {
		jsonw_object(w, NULL);
		jsonw_string(w, "destination", d->mounts[i].dest);
		jsonw_string(w, "type", d->mounts[i].type);
		jsonw_string(w, "source", d->mounts[i].source);
		words(w, "options", d->mounts[i].options, ',');
		jsonw_end(w, '}');
	}
	jsonw_end(w, ']');
}

static void
id_map(struct jsonw *w, const char *key, const struct oci_doc *d)
{
	jsonw_array(w, key);
	jsonw_object(w, NULL);
	jsonw_number(w, "containerID", 0);
	jsonw_number(w, "hostID", d->map_outside);
	jsonw_number(w, "size", d->map_count);
	jsonw_end(w, '}');
	jsonw_end(w, ']');
}

static void
resources(struct jsonw *w, const struct oci_doc *d)
{
	jsonw_object(w, "resources");
	if (d->pids_limit) {
		jsonw_object(w, "pids");
		jsonw_number(w, "limit", d->pids_limit);
		jsonw_end(w, '}');
	}
	if (d->memory_limit) {
		jsonw_object(w, "memory");
		jsonw_number(w, "limit", d->memory_limit);
		jsonw_end(w, '}');
	}
	if (d->cpu_quota) {
		jsonw_object(w, "cpu");
		jsonw_number(w, "quota", d->cpu_quota);
		jsonw_number(w, "period", 100000);
		jsonw_end(w, '}');
	}
	jsonw_end(w, '}');
}

static void
seccomp(struct jsonw *w, const struct oci_doc *d)
{
	jsonw_object(w, "seccomp");
	jsonw_string(w, "defaultAction", "SCMP_ACT_ALLOW");
	words(w, "architectures", "SCMP_ARCH_X86_64 SCMP_ARCH_X86 "
	      "SCMP_ARCH_X32", ' ');
	jsonw_array(w, "syscalls");
	for (size_t i = 0; i < d->ndeny; i++) {
		jsonw_object(w, NULL);
		words(w, "names", d->deny[i], ' ');
		jsonw_string(w, "action", "SCMP_ACT_ERRNO");
		jsonw_number(w, "errnoRet", 1); /* EPERM */
		jsonw_end(w, '}');
	}
	for (size_t i = 0; i < d->nclone_flags; i++) {
		jsonw_object(w, NULL);
		words(w, "names", "clone", ' ');
		jsonw_string(w, "action", "SCMP_ACT_ERRNO");
		jsonw_number(w, "errnoRet", 1);
		jsonw_array(w, "args");
		jsonw_object(w, NULL);
		jsonw_number(w, "index", 0);
		jsonw_number(w, "value", (long long)d->clone_flags[i]);
		jsonw_number(w, "valueTwo", (long long)d->clone_flags[i]);
		jsonw_string(w, "op", "SCMP_CMP_MASKED_EQ");
		jsonw_end(w, '}');
		jsonw_end(w, ']');
		jsonw_end(w, '}');
	}
	jsonw_object(w, NULL);
	words(w, "names", "clone3", ' ');
	jsonw_string(w, "action", "SCMP_ACT_ERRNO");
	jsonw_number(w, "errnoRet", 38); /* ENOSYS */
	jsonw_end(w, '}');
	jsonw_end(w, ']');
	jsonw_end(w, '}');
}

static void
linux_(struct jsonw *w, const struct oci_doc *d)
{
	jsonw_object(w, "linux");
	jsonw_array(w, "namespaces");
	for (size_t i = 0; i < d->nns; i++) {
		jsonw_object(w, NULL);
		jsonw_string(w, "type", d->ns[i]);
		jsonw_end(w, '}');
	}
	jsonw_end(w, ']');
	if (d->map_count) {
		id_map(w, "uidMappings", d);
		id_map(w, "gidMappings", d);
	}
	if (d->time) {
		jsonw_object(w, "timeOffsets");
		jsonw_object(w, "monotonic");
		jsonw_number(w, "secs", d->time_offset);
		jsonw_end(w, '}');
		jsonw_object(w, "boottime");
		jsonw_number(w, "secs", d->time_offset);
		jsonw_end(w, '}');
		jsonw_end(w, '}');
	}
	resources(w, d);
	jsonw_array(w, "maskedPaths");
	for (size_t i = 0; i < d->nmasked; i++)
		jsonw_string(w, NULL, d->masked[i]);
	jsonw_end(w, ']');
	jsonw_array(w, "readonlyPaths");
	for (size_t i = 0; i < d->nreadonly; i++)
		jsonw_string(w, NULL, d->readonly[i]);
	jsonw_end(w, ']');
	if (d->seccomp)
		seccomp(w, d);
	jsonw_end(w, '}');
}

int
plan_oci(const struct plan *plan, char *const *argv, const char *root,
	 char *buf, size_t len)
{
	struct msg_text t = { buf, len, 0 };
	struct oci_doc d = { .caps = caps_all() };
	struct jsonw w;
	const struct layer *l;

	if (len)
		buf[0] = '\0';
	for (size_t i = 0; (l = layer_at(i)) != NULL; i++)
		if (l->oci && layer_on(l, plan))
			l->oci(plan, &d);
	jsonw_start(&w, &t);
	jsonw_object(&w, NULL);
	jsonw_string(&w, "ociVersion", "1.0.2");
	process(&w, &d, argv);
	jsonw_object(&w, "root");
	jsonw_string(&w, "path", root);
	jsonw_bool(&w, "readonly", true);
	jsonw_end(&w, '}');
	if (d.hostname)
		jsonw_string(&w, "hostname", d.hostname);
	mounts(&w, &d);
	linux_(&w, &d);
	jsonw_end(&w, '}');
	return t.used;
}
