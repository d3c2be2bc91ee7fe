/* hostview_parse: the pure parsers of /proc text behind the host view
 * (status, cgroup, uid_map, net/dev, cmdline, namespace links). */
#include "host/hostview.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Finds "\nKEY:" (or KEY: at the start) in TEXT; returns what follows the
 * colon, or NULL. */
static const char *
status_field(const char *text, const char *key)
{
	size_t n = strlen(key);

	for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (strncmp(p, key, n) == 0 && p[n] == ':')
			return p + n + 1;
	return NULL;
}

/* KEY's number in status TEXT, or -1 without the line. */
static int
status_int(const char *text, const char *key)
{
	const char *v = status_field(text, key);

	return v ? (int)strtol(v, NULL, 10) : -1;
}

int
hostview_parse_status(const char *text, struct hostview *hv)
{
	const char *v;
	char *end;

	if (!(v = status_field(text, "Name")) || !status_field(text, "Pid"))
		return -1;
	while (*v == '\t' || *v == ' ')
		v++;
	snprintf(hv->name, sizeof(hv->name), "%.*s", (int)strcspn(v, "\n"), v);
	if ((v = status_field(text, "State"))) {
		while (*v == '\t' || *v == ' ')
			v++;
		hv->state = *v;
	}
	if ((v = status_field(text, "PPid")))
		hv->ppid = (pid_t)strtol(v, NULL, 10);
	hv->n_nspid = 0;
	if ((v = status_field(text, "NSpid")))
		for (;;) {
			long n = strtol(v, &end, 10);

			if (end == v || hv->n_nspid == HOSTVIEW_NSPID_MAX)
				break;
			hv->nspid[hv->n_nspid++] = (pid_t)n;
			v = end;
		}
	if ((v = status_field(text, "SigCgt")))
		hv->sigcgt = strtoull(v, NULL, 16);
	hv->uid = (v = status_field(text, "Uid")) ? strtol(v, NULL, 10) : -1;
	hv->has_caps = (v = status_field(text, "CapEff")) != NULL;
	hv->cap_eff = v ? strtoull(v, NULL, 16) : 0;
	hv->cap_bnd = (v = status_field(text, "CapBnd")) ? strtoull(v, NULL, 16) : 0;
	hv->no_new_privs = status_int(text, "NoNewPrivs");
	hv->seccomp = status_int(text, "Seccomp");
	hv->seccomp_filters = status_int(text, "Seccomp_filters");
	return 0;
}

int
hostview_parse_time_offsets(const char *text, struct hostview *hv)
{
	const char *m = strstr(text, "monotonic"), *b = strstr(text, "boottime");

	if (!m || !b || sscanf(m, "monotonic %lld", &hv->time_monotonic) != 1 ||
	    sscanf(b, "boottime %lld", &hv->time_boottime) != 1)
		return -1;
	return 0;
}

int
hostview_parse_id_map(const char *text, long *inside, long *outside,
		      long *count)
{
	return sscanf(text, "%ld %ld %ld", inside, outside, count) == 3 ? 0 : -1;
}

int
hostview_parse_cgroup_for(const char *text, const char *name, bool v2,
			  char *buf, size_t len)
{
	size_t n = strlen(name);

	for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		const char *c1 = strchr(p, ':'), *c2;
		size_t eol = strcspn(p, "\n");

		if (!c1 || c1 > p + eol || !(c2 = strchr(c1 + 1, ':')) ||
		    c2 > p + eol)
			continue;
		if (v2 && c2 == c1 + 1 && strncmp(p, "0:", 2) == 0) {
			snprintf(buf, len, "%.*s", (int)(p + eol - (c2 + 1)),
				 c2 + 1);
			return 0;
		}
		/* v1: "N:ctl1,ctl2:/path", NAME among the controllers */
		for (const char *q = c1 + 1; !v2 && q < c2;) {
			size_t w = strcspn(q, ",:");

			if (w == n && strncmp(q, name, n) == 0) {
				snprintf(buf, len, "%.*s",
					 (int)(p + eol - (c2 + 1)), c2 + 1);
				return 0;
			}
			q += w + 1;
		}
	}
	return -1;
}

int
hostview_parse_cgroup(const char *text, char *buf, size_t len)
{
	if (hostview_parse_cgroup_for(text, "pids", false, buf, len) == 0)
		return 0;
	return hostview_parse_cgroup_for(text, "pids", true, buf, len);
}

char *
hostview_format_cmdline(const char *raw, size_t len, char *buf, size_t blen)
{
	size_t n = len < blen ? len : blen - 1;

	if (blen == 0)
		return buf;
	memcpy(buf, raw, n);
	buf[n] = '\0';
	while (n > 0 && buf[n - 1] == '\0')
		n--;
	for (size_t i = 0; i < n; i++)
		if (buf[i] == '\0' || buf[i] == '\n')
			buf[i] = ' ';
	buf[n] = '\0';
	return buf;
}

unsigned long
hostview_parse_ns_link(const char *link)
{
	const char *p = strchr(link, '[');

	return p ? strtoul(p + 1, NULL, 10) : 0;
}

bool
hostview_ns_is_new(const struct hostview *hv, const char *type)
{
	for (int i = 0; i < hv->n_ns; i++)
		if (strcmp(hv->ns[i].type, type) == 0)
			return hv->ns[i].ino != hv->ns[i].host_ino;
	return false;
}

int
hostview_parse_net_dev(const char *text, char *buf, size_t len)
{
	size_t used = 0;
	int n = 0;

	if (len)
		buf[0] = '\0';
	/* Two header lines, then "  name: counters" */
	for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		const char *colon = strchr(p, ':'), *eol = strchr(p, '\n');
		const char *name = p;

		if (!colon || (eol && colon > eol))
			continue;
		while (name < colon && *name == ' ')
			name++;
		if (name == colon || memchr(name, '|', (size_t)(colon - name)))
			continue;
		if (used < len)
			used += (size_t)snprintf(buf + used, len - used, "%s%.*s",
						 n ? " " : "",
						 (int)(colon - name), name);
		n++;
	}
	return n;
}
