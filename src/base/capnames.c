/* capnames: capabilities by name, and sets of them (libcap spells them). */
#include "base/capnames.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>

#include "base/msg.h"

int
caps_count(void)
{
	int n = (int)cap_max_bits();

	return n > 0 && n <= 64 ? n : CAP_LAST_CAP + 1;
}

unsigned long long
caps_all(void)
{
	int n = caps_count();

	return n == 64 ? ~0ULL : CAPS_BIT(n) - 1;
}

int
caps_lookup(const char *name)
{
	char full[64];
	cap_value_t v;

	if (strncasecmp(name, "cap_", 4) == 0)
		name += 4;
	/* libcap takes numbers too; a learner means a name */
	if (!isalpha((unsigned char)*name) || strlen(name) > 40)
		return -1;
	snprintf(full, sizeof(full), "cap_%s", name);
	for (char *p = full; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	if (cap_from_name(full, &v) < 0 || v < 0 || v >= caps_count())
		return -1;
	return v;
}

const char *
caps_name(int cap, char *buf, size_t len)
{
	char *name = cap_to_name((cap_value_t)cap);
	const char *n = name ? name : "?";

	if (strncmp(n, "cap_", 4) == 0)
		n += 4;
	snprintf(buf, len, "%s", n);
	for (char *p = buf; *p; p++)
		*p = (char)toupper((unsigned char)*p);
	cap_free(name);
	return buf;
}

int
caps_format(unsigned long long set, const char *sep, char *buf, size_t len)
{
	struct msg_text t = { buf, len, 0 };
	char name[48];
	int n = 0;

	if (len)
		buf[0] = '\0';
	for (int c = 0; c < 64; c++)
		if (set & CAPS_BIT(c))
			msg_append(&t, "%s%s", n++ ? sep : "",
				   caps_name(c, name, sizeof(name)));
	return t.used;
}

int
caps_size(unsigned long long set)
{
	return __builtin_popcountll(set);
}
