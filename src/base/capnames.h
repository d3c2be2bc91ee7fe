/* capnames: capabilities by name, and sets of them.
 *
 * A set is a 64-bit mask, bit N for capability N, as /proc/<pid>/status
 * prints CapEff and CapBnd in hex.  Names are capabilities(7)'s without
 * "CAP_", upper case ("SYS_ADMIN"), as Docker's --cap-add takes them;
 * libcap does the spelling.
 */
#ifndef BOXSTEP_CAPNAMES_H
#define BOXSTEP_CAPNAMES_H

#include <linux/capability.h>
#include <stddef.h>

#define CAPS_BIT(c) (1ULL << (c))
/* Docker's default set: the 14 capabilities a container keeps. */
#define CAPS_DOCKER_DEFAULT                                                  \
	(CAPS_BIT(CAP_CHOWN) | CAPS_BIT(CAP_DAC_OVERRIDE) |                  \
	 CAPS_BIT(CAP_FSETID) | CAPS_BIT(CAP_FOWNER) | CAPS_BIT(CAP_MKNOD) | \
	 CAPS_BIT(CAP_NET_RAW) | CAPS_BIT(CAP_SETGID) |                      \
	 CAPS_BIT(CAP_SETUID) | CAPS_BIT(CAP_SETFCAP) |                      \
	 CAPS_BIT(CAP_SETPCAP) | CAPS_BIT(CAP_NET_BIND_SERVICE) |            \
	 CAPS_BIT(CAP_SYS_CHROOT) | CAPS_BIT(CAP_KILL) |                     \
	 CAPS_BIT(CAP_AUDIT_WRITE))

/* How many capabilities there are: the running kernel's count, or the
 * headers' when the kernel does not say. */
int caps_count(void);

/* Every capability there is, as a set. */
unsigned long long caps_all(void);

/* The capability called NAME ("SYS_ADMIN", "sys_admin", "CAP_SYS_ADMIN"),
 * or -1. */
int caps_lookup(const char *name);

/* Writes capability CAP's name ("SYS_ADMIN") into BUF; returns BUF. */
const char *caps_name(int cap, char *buf, size_t len);

/* Writes the names in SET, separated by SEP, in the kernel's order.
 * Returns the length needed, as snprintf does. */
int caps_format(unsigned long long set, const char *sep, char *buf,
		size_t len);

/* How many capabilities SET holds. */
int caps_size(unsigned long long set);

#endif
