#!/usr/bin/env bash
# Runs boxstep as the unprivileged user nobody, as a learner without sudo
# would: rootless mode puts every container in a user namespace of
# nobody's own, runs every layer that can work that way, and says exactly
# why the others cannot.  Where the kernel refuses user namespaces to
# ordinary users, boxstep says which setting to check.  The host's state
# is compared before and after every test.  Usage: rootless.sh [BOXSTEP]
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib.sh"
suite_start rootless.sh "${1:-./boxstep}"
trap 'rm -rf "$work"' EXIT
chmod 755 "$work"
gcc -Wall -Wextra -o "$work/nouserns" "$here/../helpers/nouserns.c" ||
	{ echo "rootless: cannot build tests/helpers/nouserns.c"; exit 1; }
NOBODY=$(id -u nobody)

as_nobody() {
	out=$(timeout -k 5 60 setpriv --reuid=nobody --regid=nogroup \
		--clear-groups env -i PATH=/usr/bin:/bin HOME=/nonexistent \
		BOXSTEP_ROOTFS="$ROOTFS" \
		${XDG:+XDG_RUNTIME_DIR=$XDG} \
		${ASAN_OPTIONS:+ASAN_OPTIONS=$ASAN_OPTIONS} \
		${UBSAN_OPTIONS:+UBSAN_OPTIONS=$UBSAN_OPTIONS} "$@" 2>&1 </dev/null)
	rc=$?
}

# Nothing of nobody's session may be left: no session directory.
no_session_left() {
	check "no session directory is left in /tmp" \
		equals "$(ls -d /tmp/boxstep-"$NOBODY" 2>/dev/null)" ""
}

test_starts_rootless() {
	as_nobody "$BOX" -c 'layers
show'
	check "starts, with the user layer on" matches "$out" $'(^|\n)  user +ON '
	check "and only that layer" matches "$out" $'(^|\n)layers on: user \n'
	check "maps uid 0 to nobody alone" contains "$out" \
		"write(\"/proc/<child>/uid_map\", \"0 $NOBODY 1\")"
	check "and gid 0 to nogroup alone" contains "$out" \
		"write(\"/proc/<child>/gid_map\", \"0 $(getent group nogroup | cut -d: -f3) 1\")"
	check "setgroups is denied first" contains "$out" \
		'write("/proc/<child>/setgroups", "deny")'
	check "exit status 0" equals "$rc" 0
}

test_root_inside_nobody_outside() {
	as_nobody "$BOX" -c 'start sleep 3151
run id -u
host echo "outside: $(stat -c %u /proc/$BOXPID) $(cat /proc/$BOXPID/uid_map)"
stop'
	check "root inside" matches "$out" $'(^|\n)0(\n|$)'
	check "nobody outside, with the map" matches "$out" \
		"outside: $NOBODY +0 +$NOBODY +1"
	no_session_left
}

test_every_namespace_layer() {
	as_nobody "$BOX" -c 'enable uts pid mnt chroot proc ipc net cgroupns
set hostname kitten
run sh -c "echo name=$(hostname) pid=$$ procs=$(ls -d /proc/[0-9]* | wc -l) cg=$(sed -n s/^0:://p /proc/self/cgroup) if=$(sed 1,2d /proc/net/dev | cut -d: -f1 | tr -d \" \" | tr \"\n\" ,)"'
	check "uts pid mnt chroot proc ipc net cgroupns all work" matches "$out" \
		'name=kitten pid=1 procs=[1-4] cg=/ if=lo,'
	check "and the host keeps its name" equals "$(hostname)" "$(hostname)"
	check "exit status 0" equals "$rc" 0
	no_session_left
}

test_ipc_is_private() {
	local id
	id=$(ipcmk -Q | grep -o '[0-9]*$')
	as_nobody "$BOX" -c "enable ipc
run sh -c 'ipcs -q | grep -c \"^0x\" || true'"
	ipcrm -q "$id"
	check "the host's queue is not seen inside" matches "$out" $'(^|\n)0(\n|$)'
}

test_ipc_control() {
	local id
	id=$(ipcmk -Q | grep -o '[0-9]*$')
	as_nobody "$BOX" -c "run sh -c 'ipcs -q | grep -c \"^0x\" || true'"
	ipcrm -q "$id"
	check "without ipc it is (the check can fail)" lacks "$out" $'\n0\n'
}

test_writable_layer() {
	as_nobody "$BOX" -c 'enable mnt chroot
run sh -c "echo hi > /tmp/note && cat /tmp/note"
run cat /tmp/note
run sh -c "touch /etc/nope"
host ls -ld /tmp/boxstep-*/*/upper/tmp/note'
	check "/tmp is writable, in the session's layer" matches "$out" $'(^|\n)hi\nhi\n'
	check "the host's root's files stay read-only" contains "$out" \
		"touch: /etc/nope: Permission denied"
	check "the file is nobody's on the host, in the upper layer" \
		matches "$out" "nobody +nogroup .*/tmp/boxstep-$NOBODY/[0-9]+/upper/tmp/note"
	no_session_left
}

test_xdg_runtime_dir() {
	mkdir -m 700 "$work/xdg" && chown nobody "$work/xdg"
	XDG=$work/xdg as_nobody "$BOX" -c 'enable mnt chroot
run touch /tmp/x
host ls -d $XDG_RUNTIME_DIR/boxstep/*/upper'
	check "the session directory is under \$XDG_RUNTIME_DIR" contains "$out" \
		"$work/xdg/boxstep/"
	check "and gone afterwards" equals "$(ls -A "$work/xdg")" ""
	rmdir "$work/xdg"
}

test_run_dir_taken_by_another() {
	mkdir -m 777 /tmp/boxstep-"$NOBODY"
	as_nobody "$BOX" -c 'enable mnt chroot
run true'
	check "refuses a session directory someone else made" contains "$out" \
		"is not a directory of yours that only you may write (it is a directory of uid 0, mode 0777)"
	check "and says what to do" contains "$out" "set XDG_RUNTIME_DIR"
	check "puts nothing in it" equals "$(ls -A /tmp/boxstep-"$NOBODY")" ""
	rmdir /tmp/boxstep-"$NOBODY"
}

test_pivot_and_escape() {
	as_nobody "$BOX" -c 'enable mnt pid proc pivot
run sh -c "breakout | tail -n +2 | head -1; ls -d /proc/[0-9]* | wc -l"
disable pivot
enable chroot
run sh -c "breakout | tail -n +2 | grep -c YOU-ARE-INSIDE || true"'
	check "pivot: the escape finds the container's own /" matches "$out" \
		$'(^|\n)YOU-ARE-INSIDE-THE-CONTAINER\n[1-3]\n'
	check "chroot: it finds the host's (the check can fail)" matches "$out" $'\n0$'
	no_session_left
}

test_what_cannot_work() {
	as_nobody "$BOX" -c 'disable user'
	check "user stays on, and why" contains "$out" \
		"the user layer stays on: boxstep runs rootless (as uid $NOBODY)"
	as_nobody "$BOX" -c 'enable pids
run true'
	check "pids says exactly why it cannot work" contains "$out" \
		"rootless, the pids layer needs a cgroup v2 group delegated to you"
	check "and what to do" contains "$out" "systemd-run --user --scope -p Delegate=yes boxstep"
	check "when enabled, not only at run" matches "$out" $'(^|\n)note: `run` would refuse: rootless, the pids layer'
	as_nobody "$BOX" -c 'enable mnt
set propagation shared
run true'
	check "shared propagation is refused, with the reason" contains "$out" \
		"receives every host mount as a slave"
	as_nobody "$BOX" -c 'enable chroot
run true'
	check "chroot without mnt needs the layer off" contains "$out" \
		"refusing chroot without mnt rootless"
	as_nobody "$BOX" -c 'enable chroot
set rootfs.layer off
run sh -c "echo ok"'
	check "and with it off it runs" matches "$out" $'(^|\n)ok(\n|$)'
	as_nobody "$BOX" -c 'enable chroot
set rootfs.layer off
run sh -c "echo x > /etc/leak"'
	check "the host's root's files in the rootfs stay read-only" contains "$out" \
		"/etc/leak: Permission denied"
	no_session_left
}

# A system that refuses user namespaces to users.  The sysctls cannot be
# changed here, so a seccomp filter refuses them, as Docker's default
# profile does (tests/helpers/nouserns.c).
test_refused_user_namespaces() {
	as_nobody "$work/nouserns" "$BOX" -c 'run true'
	check "says rootless mode cannot work, and why" contains "$out" \
		"not running as root, and rootless mode cannot work here"
	check "names the sysctls" contains "$out" "user.max_user_namespaces"
	check "and seccomp" contains "$out" "seccomp profile may forbid them"
	check "and the alternative" contains "$out" "sudo boxstep"
	check "exit status 1" equals "$rc" 1
	check "leaves no session directory" equals "$(ls -d /tmp/boxstep-"$NOBODY" 2>/dev/null)" ""
}

test_root_only_modes() {
	as_nobody "$BOX" check
	check "check says it needs root, and how" contains "$out" "sudo boxstep check"
	as_nobody "$BOX" watch 1
	check "watch says it needs root, and how" contains "$out" "sudo boxstep watch 1"
	as_nobody "$BOX" import /nonexistent.tar
	check "import says it needs root, and how" contains "$out" "sudo boxstep import"
}

test_help_works() {
	as_nobody "$BOX" --help
	check "--help works unprivileged" contains "$out" "usage: boxstep"
	check "and exits 0" equals "$rc" 0
	as_nobody "$BOX" --version
	check "--version works unprivileged" matches "$out" '^boxstep [0-9]'
}

if ! setpriv --reuid=nobody --regid=nogroup --clear-groups test -x "$BOX" ||
   ! setpriv --reuid=nobody --regid=nogroup --clear-groups test -x "$ROOTFS/bin/sh"; then
	echo "rootless: nobody cannot reach $BOX or $ROOTFS; put the build where every user can read it"
	exit 1
fi
t "rootless: starts with the user layer, maps only nobody" test_starts_rootless
t "rootless: root inside is nobody outside" test_root_inside_nobody_outside
t "rootless: uts pid mnt chroot proc ipc net cgroupns" test_every_namespace_layer
t "rootless: ipc hides the host's queues" test_ipc_is_private
t "rootless: ipc control" test_ipc_control
t "rootless: a writable layer for /tmp, the rootfs untouched" test_writable_layer
t "rootless: the session directory under XDG_RUNTIME_DIR" test_xdg_runtime_dir
t "rootless: a session directory someone else made is refused" test_run_dir_taken_by_another
t "rootless: pivot closes the chroot escape" test_pivot_and_escape
t "rootless: what cannot work says why" test_what_cannot_work
t "rootless: refused user namespaces name the setting" test_refused_user_namespaces
t "rootless: check, watch and import still need root" test_root_only_modes
t "rootless: --help and --version" test_help_works
summary "rootless"
