/* net: the layer that gives the container a network stack of its own,
 * with nothing in it but loopback. */
#define _GNU_SOURCE
#include <errno.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "layers/layers.h"
#include "layers/oci.h"

static const char explain[] =
	"A new network namespace has its own interfaces, addresses, routes,\n"
	"firewall and ports, and starts with nothing but a loopback device,\n"
	"down.  boxstep brings lo up, so 127.0.0.1 works inside.  Reaching\n"
	"the outside needs more than a namespace: a veth pair with one end\n"
	"moved in, addresses, a route, and NAT on the host, which is what\n"
	"Docker's bridge network sets up.\n"
	"Look for: `ip addr` inside vs `host ip addr`; the interfaces the\n"
	"host view lists from /proc/$BOXPID/net/dev.";

static void
show_loopback(struct step_out *o, const struct plan *p)
{
	(void)p;
	step_say(o, "ioctl(socket, SIOCSIFFLAGS, {\"lo\", IFF_UP})");
}

/* Brings the new network namespace's loopback device up, as `ip link
 * set lo up` does. */
static int
loopback_up(struct step_ctx *x, char *err, size_t errlen)
{
	struct ifreq ifr;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), rc = -1;

	(void)x, (void)err, (void)errlen;
	if (fd < 0)
		return 125;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "lo");
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) == 0) {
		ifr.ifr_flags |= IFF_UP;
		rc = ioctl(fd, SIOCSIFFLAGS, &ifr);
	}
	if (rc < 0) {
		int e = errno;

		close(fd);
		errno = e;
		return 125;
	}
	close(fd);
	return 0;
}

static void
loopback_failed(const struct step_ctx *x, int e, char *err, size_t errlen)
{
	(void)x;
	msg_fail(err, errlen, "bring up lo in the new network namespace: %s",
		 strerror(e));
}

static const struct step steps[] = {
	{ STEP_CHILD, 40, "[net]", .show = show_loopback, .run = loopback_up,
	  .fail = loopback_failed },
};

/* Its part of config.json. */
static void
oci(const struct plan *p, struct oci_doc *d)
{
	(void)p;
	oci_namespace(d, "network");
}

const struct layer layer_net = {
	.info = {
		.name = "net",
		.summary = "its own network stack: only loopback",
		.kernel = "clone(CLONE_NEWNET)",
		.explain = explain,
	},
	.id = PLAN_NET,
	.clone_flag = CLONE_NEWNET,
	.clone_name = "CLONE_NEWNET",
	.steps = steps,
	.nsteps = STEP_COUNT(steps),
	.oci = oci,
};
