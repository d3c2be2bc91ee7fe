#!/usr/bin/env bash
# The host view (`boxstep watch PID`) of real containers, figure by figure
# against util-linux (lsns, findmnt, nsenter) and /proc, for several
# combinations of layers.  Usage: hostview.sh [BOXSTEP]
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib.sh"
suite_start hostview.sh "${1:-}"
trap 'rm -rf "$work"' EXIT
compare=$here/hostview-compare.sh

# compare_layers LAYERS [SETTINGS]: starts a container with the layers and
# compares its view; at least 20 figures must agree and none differ.
compare_layers() {
	box -c "enable $1; ${2:-} start sh -c 'sleep 3130 | sleep 3131'
host bash $compare $BOX \$BOXPID; $BOX watch \$BOXPID
stop"
	check "no figure differs" lacks "$out" DIFFERENT
	check "20 figures or more agree" test "$(grep -c '^same:' <<<"$out")" -ge 20
}

test_all_layers() {
	compare_layers "uts pid mnt chroot proc pids" "set hostname kitten;"
	check "the processes are listed inside-out" matches "$out" "[0-9]+ +1 +sh"
	check "the hostname inside" contains "$out" "hostname: kitten"
}

test_plain_process() {
	box -c "start sleep 3132
host $BOX watch \$BOXPID
stop"
	check "a plain process shares every namespace" lacks "$out" " NEW "
	check "its root is the host's" contains "$out" $'root: /\n'
}

test_leak_and_escape() {
	mkdir -p "$work/out"
	out=$(cd "$work/out" && timeout 60 "$BOX" -c "enable pid chroot proc; set chdir off; start sh -c 'sleep 3133 | sleep 3134'
host bash $compare $BOX \$BOXPID; $BOX watch \$BOXPID
stop" 2>&1)
	check "no figure differs" lacks "$out" DIFFERENT
	check "the cwd is shown outside the root" contains "$out" "OUTSIDE THE ROOT"
	check "the proc mount is shown leaked" contains "$out" "LEAKED to the host"
	check "at its place, in the session's layer" matches "$out" "/run/boxstep/[0-9]+/busybox/proc"
	check "the root is shown as the session's layer, not as a leak" \
		contains "$out" "(overlay: this session's writable layer over $ROOTFS)"
}

test_uts_pid() {
	compare_layers "uts pid"
}

test_watch_errors() {
	box watch abc
	check "a non-number" contains "$out" "watch takes a process id, not 'abc'"
	check "status 2" equals "$rc" 2
	box watch 2147483000
	check "no such process" contains "$out" "there is no process 2147483000"
	check "status 1" equals "$rc" 1
	box watch
	check "no pid at all" contains "$out" "usage: boxstep watch PID"
}

test_compare_can_fail() {
	# A fake boxstep that reports a wrong uts inode must be caught.
	printf '#!/bin/sh\necho "  uts     NEW    1 2"\n' >"$work/fake"
	chmod +x "$work/fake"
	out=$(bash "$compare" "$work/fake" $$ 2>&1)
	check "the comparison reports the wrong figure" contains "$out" "DIFFERENT: namespace uts inode"
}

t "hostview: every layer, against lsns/findmnt/nsenter" test_all_layers
t "hostview: a plain process" test_plain_process
t "hostview: the proc leak and the chroot escape" test_leak_and_escape
t "hostview: uts and pid" test_uts_pid
t "hostview: watch's errors" test_watch_errors
t "hostview: the comparison itself can fail" test_compare_can_fail
summary "hostview"
