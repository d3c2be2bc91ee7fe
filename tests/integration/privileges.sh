#!/usr/bin/env bash
# The layers that take privileges from root inside (caps, seccomp,
# nonewprivs), against the real kernel: each with the command it should
# stop, and the same command with the layer off as the control.
# Usage: privileges.sh [BOXSTEP]
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib.sh"
suite_start privileges.sh "${1:-}"
trap 'rm -rf "$work"' EXIT

base="enable uts pid mnt chroot proc"

# with LAYERS COMMANDS: one batch with the base layers, LAYERS and
# COMMANDS; -e, so that nothing runs with fewer layers than written.
with() { box -e -c "$base $1; $2"; }

test_caps_mount() {
	with "" "run mount -t tmpfs none /tmp; run grep CapEff /proc/self/status"
	check "control: root without the layer mounts" equals "$rc" 0
	check "control: not Docker's set" lacks "$out" "a80425fb"
	with caps "run grep CapEff /proc/self/status; run mount -t tmpfs none /tmp"
	check "CapEff is Docker's 14" contains "$out" $'CapEff:\t00000000a80425fb'
	check "the mount is refused" contains "$out" "mount: permission denied"
	check "as the command's own failure" equals "$rc" 1
	with caps "set caps +SYS_ADMIN; run mount -t tmpfs none /tmp; run grep CapEff /proc/self/status"
	check "+SYS_ADMIN gives mount back" equals "$rc" 0
	check "and one bit more" contains "$out" $'CapEff:\t00000000a82425fb'
}

# What else root loses: the hostname (SYS_ADMIN) and the network
# (NET_ADMIN), each inside namespaces of its own.  (Modules are the
# classic example, but a kernel built without them fails init_module
# with ENOSYS, capabilities or not.)
test_caps_hostname_network() {
	with "net" "run hostname kitten; run ip link set lo down"
	check "control: root renames and reconfigures" equals "$rc" 0
	with "net caps" "run hostname kitten"
	check "no hostname without SYS_ADMIN" contains "$out" "hostname: sethostname: Operation not permitted"
	with "net caps" "run ip link set lo down"
	check "no network change without NET_ADMIN" contains "$out" "Operation not permitted"
	with "net caps" "set caps +NET_ADMIN; run ip link set lo down"
	check "+NET_ADMIN gives it back" equals "$rc" 0
}

test_caps_chroot_escape() {
	with caps "set chdir off; run breakout"
	check "Docker's set keeps SYS_CHROOT: the escape works" lacks "$out" "YOU-ARE-INSIDE"
	check "and lists the host's root" contains "$out" "boot"
	with caps "set chdir off; set caps -SYS_CHROOT; run breakout"
	check "without SYS_CHROOT it is refused" contains "$out" 'chroot("/tmp") (it needs root inside): Operation not permitted'
	check "and lists nothing of the host" lacks "$out" "boot"
}

test_caps_bad_input() {
	box -c "$base; set caps -SYS_CHROOT"
	check "set caps with the layer off is refused" contains "$out" "set caps changes what the caps layer does, and it is off: enable caps first"
	check "status 2" equals "$rc" 2
	box -c "$base caps; set caps -SYS_ADMN; run true"
	check "an unknown name is refused" contains "$out" "no capability called 'SYS_ADMN'"
	check "and the batch stops" contains "$out" "not going on"
	box -c "$base caps; set caps +NET_ADMIN; set caps"
	check "set caps without a value says what it takes" contains "$out" "set caps needs a value: set caps [+-]NAME,... (or default, none, all first)"
}

test_seccomp_unshare() {
	with "" "run unshare -u true; run mount -t tmpfs none /tmp"
	check "control: unshare and mount work" equals "$rc" 0
	with seccomp "run grep Seccomp /proc/self/status; run unshare -u true"
	check "the filter is on" contains "$out" $'Seccomp:\t2'
	check "one filter" contains "$out" $'Seccomp_filters:\t1'
	check "unshare is refused" contains "$out" "unshare: unshare(0x4000000): Operation not permitted"
	with seccomp "run mount -t tmpfs none /tmp"
	check "mount too, with every capability" contains "$out" "mount: permission denied"
	with seccomp "run sh -c 'sleep 0 & wait; echo forked'"
	check "a plain fork still works" contains "$out" "forked"
}

test_seccomp_no_kernel() {
	local marker=$work/ran-anyway
	without_kernel /proc/sys/kernel/seccomp/actions_avail \
		-c "$base seccomp; run echo the container ran; host touch $marker"
	check "it says why" contains "$out" "this kernel has no seccomp filters (there is no /proc/sys/kernel/seccomp/actions_avail"
	check "and what to do" contains "$out" "; disable seccomp"
	check "as a set-up failure" equals "$rc" 125
	check "no container ran" lacks "$out" "the container ran"
	check "control: the next line still ran" test -e "$marker"
	without_kernel /proc/sys/kernel/seccomp/actions_avail -e -c "$base; run true"
	check "control: without the layer it runs" equals "$rc" 0
}

test_seccomp_clone_flags() {
	# A static program that clones with CLONE_NEWUTS, in the container's
	# root (the seccomp layer does not stop a plain clone).
	cat >"$work/clonens.c" <<'EOF'
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
static char stack[65536];
static int child(void *a) { (void)a; return 0; }
int main(void) {
	int p = clone(child, stack + sizeof stack, CLONE_NEWUTS | SIGCHLD, 0);
	if (p < 0) { printf("clone(CLONE_NEWUTS): %s\n", strerror(errno)); return 1; }
	waitpid(p, 0, 0);
	printf("clone(CLONE_NEWUTS): made\n");
	return 0;
}
EOF
	cc -static -o "$work/clonens" "$work/clonens.c" || { check "cc builds the helper" false; return; }
	mkdir -p "$work/root"
	cp -a "$ROOTFS/." "$work/root/"
	cp "$work/clonens" "$work/root/usr/local/bin/"
	with "" "set rootfs $work/root; run clonens"
	check "control: the clone is made" contains "$out" "clone(CLONE_NEWUTS): made"
	with seccomp "set rootfs $work/root; run clonens"
	check "with the filter it is refused" contains "$out" "clone(CLONE_NEWUTS): Operation not permitted"
}

test_nonewprivs() {
	with "" "run su -s /bin/sh nobody -c suidroot"
	check "control: the setuid bit makes root" contains "$out" "running as euid 0: the setuid bit made me root"
	with nonewprivs "run su -s /bin/sh nobody -c suidroot; run grep NoNewPrivs /proc/self/status"
	check "no_new_privs: it gives nothing" contains "$out" "started by uid 65534, running as euid 65534"
	check "the bit is set" contains "$out" $'NoNewPrivs:\t1'
}

test_host_view() {
	with "caps seccomp nonewprivs" "start sleep 3140
host $BOX watch \$BOXPID
stop"
	check "CapEff counted" contains "$out" "capabilities: CapEff 14 of"
	check "and named" contains "$out" "  kept: CHOWN DAC_OVERRIDE FOWNER FSETID KILL SETGID SETUID SETPCAP"
	check "the filter and the bit" contains "$out" "seccomp: filter (1 filter)   no_new_privs: 1"
	with "" "start sleep 3141
host $BOX watch \$BOXPID
stop"
	check "control: no filter, no bit" contains "$out" "seccomp: off   no_new_privs: 0"
	check "control: not Docker's 14" lacks "$out" "CapEff 14 of"
}

test_explain() {
	box -c "explain seccomp; explain caps; explain nonewprivs"
	check "seccomp lists what it denies" contains "$out" "the clock: settimeofday clock_settime"
	check "caps names Docker's 14" contains "$out" "Docker keeps 14: CHOWN DAC_OVERRIDE"
	check "nonewprivs says what setuid does" contains "$out" "execve() then ignores the setuid"
}

t "caps: root cannot mount, +SYS_ADMIN can" test_caps_mount
t "caps: no hostname, no network change" test_caps_hostname_network
t "caps: the chroot escape, closed by -SYS_CHROOT" test_caps_chroot_escape
t "caps: bad input" test_caps_bad_input
t "seccomp: unshare and mount refused, fork not" test_seccomp_unshare
t "seccomp: clone with a namespace flag refused" test_seccomp_clone_flags
t "seccomp: a kernel without it" test_seccomp_no_kernel
t "nonewprivs: a setuid program gains nothing" test_nonewprivs
t "privileges in the host view" test_host_view
t "privileges: explain" test_explain
summary "privileges"
