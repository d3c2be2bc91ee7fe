#!/usr/bin/env bash
# Runs boxstep as the unprivileged user nobody, as a learner without sudo
# would: rootless, boxstep makes nobody root of a session's host of its
# own (a user namespace with its own mount, UTS and IPC namespaces) and
# makes every container there; every layer that can work that way does,
# and the others say exactly why they cannot.  Where the kernel refuses user namespaces to
# ordinary users, boxstep says which setting to check.  The host's state
# is compared before and after every test.  Usage: rootless.sh [BOXSTEP]
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib.sh"
suite_start rootless.sh "${1:-./boxstep}"
trap 'rm -rf "$work"' EXIT
chmod 755 "$work"
# nobody's own state: lesson progress, history, images.
mkdir -m 700 "$work/state" && chown nobody "$work/state"
# and home, where lessons 13 and 18 build their files.
mkdir -m 700 "$work/nbhome" && chown nobody "$work/nbhome"
gcc -Wall -Wextra -o "$work/nouserns" "$here/../helpers/nouserns.c" ||
	{ echo "rootless: cannot build tests/helpers/nouserns.c"; exit 1; }
NOBODY=$(id -u nobody)
LESSONS=$(cd "$here/../../lessons" && pwd)

# as_learner USER GROUP HOME STATE COMMAND...: COMMAND as USER, with
# that home and state directory; its output in $out, its status in $rc.
as_learner() {
	local user=$1 group=$2 home=$3 state=$4
	shift 4
	out=$(timeout -k 5 120 setpriv --reuid="$user" --regid="$group" \
		--clear-groups env -i PATH=/usr/bin:/bin HOME="$home" \
		BOXSTEP_ROOTFS="$ROOTFS" BOXSTEP_LESSONS="$LESSONS" \
		XDG_STATE_HOME="$state" \
		${XDG:+XDG_RUNTIME_DIR=$XDG} ${CLASS:+BOXSTEP_CLASS_CONF=$CLASS} \
		${ASAN_OPTIONS:+ASAN_OPTIONS=$ASAN_OPTIONS} \
		${UBSAN_OPTIONS:+UBSAN_OPTIONS=$UBSAN_OPTIONS} "$@" 2>&1 </dev/null)
	rc=$?
}
as_nobody() { as_learner nobody nogroup "$work/nbhome" "$work/state" "$@"; }

# Nothing of nobody's session may be left: no session directory.
no_session_left() {
	check "no session directory is left in /tmp" \
		equals "$(ls -d /tmp/boxstep-"$NOBODY" 2>/dev/null)" ""
}

test_starts_rootless() {
	as_nobody "$BOX" -c 'show
host id -u; cat /proc/self/uid_map /proc/self/gid_map
enable user
show'
	check "starts with no layer on, as root does" matches "$out" \
		$'(^|\n)layers on: [(]none'
	check "host commands run as root of the session's host" matches "$out" $'(^|\n)0\n'
	check "which maps uid 0 to nobody alone" matches "$out" "(^|"$'\n'") +0 +$NOBODY +1"$'\n'
	check "and gid 0 to nogroup alone" matches "$out" \
		"(^|"$'\n'") +0 +$(getent group nogroup | cut -d: -f3) +1"$'(\n|$)'
	check "the user layer maps that host's one uid" contains "$out" \
		'write("/proc/<child>/uid_map", "0 0 1")'
	check "setgroups is denied first" contains "$out" \
		'write("/proc/<child>/setgroups", "deny")'
	check "exit status 0" equals "$rc" 0
}

test_root_inside_nobody_outside() {
	( as_nobody "$BOX" -c 'enable user
start sleep 3151
run id -u
host echo "pid=$BOXPID"
host echo "in the session host: $(stat -c %u /proc/$BOXPID) $(cat /proc/$BOXPID/uid_map)"
host sleep 3
stop'; printf '%s' "$out" >"$work/bg" ) &
	local p="" i owner=""
	for i in $(seq 50); do
		p=$(pgrep -u "$NOBODY" -f '^sleep 3151$' | head -1)
		[ -n "$p" ] && break
		sleep 0.1
	done
	owner=$(stat -c %u "/proc/$p" 2>/dev/null)
	wait
	out=$(cat "$work/bg")
	check "root inside" matches "$out" $'(^|\n)0(\n|$)'
	check "uid 0 of the session's host, with its one-uid map" matches "$out" \
		"in the session host: 0 +0 +0 +1"
	check "and nobody on the real host" equals "$owner" "$NOBODY"
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
host ls -ln $BOXLAYER/upper/tmp/note; df -k $BOXLAYER | tail -1'
	check "/tmp is writable, in the session's layer" matches "$out" $'(^|\n)hi\nhi\n'
	check "the host's root's files stay read-only" contains "$out" \
		"touch: /etc/nope: Permission denied"
	check "the file is the session host's root's (nobody), in the upper layer" \
		matches "$out" " 0 +0 .*/tmp/boxstep-$NOBODY/[0-9]+/upper/tmp/note"
	check "the layer is a tmpfs of 256M, as root's is" \
		matches "$out" "tmpfs +262144 .* /tmp/boxstep-$NOBODY/[0-9]+"
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
		"is not a directory of yours that only you may write (it is a directory of another user, mode 0777)"
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

# What the session's host allows: what root allows in a namespace of its
# own.  What it does not: what needs the machine's root.
test_what_works_and_what_cannot() {
	local mounts_before hostname_before
	mounts_before=$(wc -l </proc/self/mountinfo)
	hostname_before=$(hostname)
	as_nobody "$BOX" -c 'enable user
disable user
enable mnt
set propagation shared
run mount -t tmpfs leak /mnt
host grep -c " /mnt .* leak " /proc/self/mountinfo
host hostname not-the-machine; hostname
host mknod /tmp/null c 1 3
host touch /etc/mine'
	check "the user layer turns off (the session's host holds the rest)" \
		lacks "$out" "stays on"
	check "shared propagation reaches the session's host" matches "$out" $'(^|\n)1\n'
	check "its hostname is its own" matches "$out" $'(^|\n)not-the-machine\n'
	check "a device node needs the machine's root" contains "$out" \
		"mknod: /tmp/null: Operation not permitted"
	check "and so do its root's files" contains "$out" \
		"touch: cannot touch '/etc/mine': Permission denied"
	check "the machine's mounts are as they were" \
		equals "$(wc -l </proc/self/mountinfo)" "$mounts_before"
	check "and so is its hostname" equals "$(hostname)" "$hostname_before"
	as_nobody "$BOX" -c 'enable pids
run true'
	check "pids says exactly why it cannot work" contains "$out" \
		"rootless, the pids layer needs a cgroup v2 group delegated to you"
	check "and what to do" contains "$out" "systemd-run --user --scope -p Delegate=yes boxstep"
	check "when enabled, not only at run" matches "$out" $'(^|\n)note: `run` would refuse: rootless, the pids layer'
	as_nobody "$BOX" -c 'enable chroot
run sh -c "echo ok; echo x > /etc/leak"'
	check "chroot without mnt works" matches "$out" $'(^|\n)ok(\n|$)'
	check "and the rootfs's own files stay read-only" contains "$out" \
		"/etc/leak: Permission denied"
	no_session_left
}

# What a learner writes is bounded rootless too: the room's
# session.disk.max sizes the tmpfs of the layer.
test_layer_bounded() {
	CLASS=$work/class.conf
	printf 'session.disk.max = 8M\n' >"$CLASS"
	chmod 644 "$CLASS"
	CLASS=$CLASS as_nobody "$BOX" -c 'enable mnt chroot
run sh -c "yes 0123456789abcdef | head -c 25165824 | dd of=/tmp/big bs=64k 2>&1 | head -1; ls -l /tmp/big"'
	check "a write beyond session.disk.max fails" contains "$out" "No space left on device"
	local size
	size=$(grep -oE ' root +root +[0-9]+ ' <<<"$out" | awk '{ print $3 }' | head -1)
	check "and stops at it (/tmp/big: ${size:-?} bytes)" \
		test "${size:-0}" -gt $((4 << 20)) -a "${size:-0}" -le $((8 << 20))
	rm -f "$CLASS"
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

# The course, autoplayed as nobody: every step that can run passes with
# its proofs; on cgroup v1 each cgroup step says why it cannot run here.
test_check_as_nobody() {
	as_nobody "$BOX" check
	check "check runs without root, and nothing fails" matches "$out" \
		$'\ncheck: [0-9]+ passed, 0 failed'
	check "lesson 12 plays its rootless steps" contains "$out" \
		"ok - $LESSONS/12-user.md: step 6:"
	check "and lesson 13 imports its image" contains "$out" \
		"ok - $LESSONS/13-image.md: step 2:"
	if grep -q "^[0-9]*:pids:" /proc/self/cgroup; then
		check "on cgroup v1 a cgroup step says why it cannot run" contains "$out" \
			"cannot run here - $LESSONS/07-cgroups.md: step 1 (Too low to run ls): rootless, the pids layer needs a cgroup v2 group"
		check "and the summary counts them" matches "$out" \
			'[0-9]+ cannot run here'
	fi
	check "exit status 0" equals "$rc" 0
	check "not in the host's /tmp, which a room shares" test ! -e /tmp/demo -a ! -e /tmp/demo.tar
	no_session_left
}

# Two learners take lesson 13 at once, each building the same archive:
# in their own homes, neither is in the other's way.
test_two_learners_at_once() {
	mkdir -m 700 "$work/dhome" "$work/dstate" && chown daemon "$work/dhome" "$work/dstate"
	( as_nobody "$BOX" check "$LESSONS/13-image.md"; echo "$out" >"$work/nobody.out" ) &
	as_learner daemon daemon "$work/dhome" "$work/dstate" "$BOX" check -v "$LESSONS/13-image.md"
	wait
	check "daemon's lesson 13 holds ($(grep -v '^ok' <<<"$out" | head -3))" matches "$out" $'(^|\n)check: [0-9]+ passed, 0 failed'
	check "and nobody's, at the same time ($(grep -v '^ok' "$work/nobody.out" | head -3))" \
		matches "$(cat "$work/nobody.out")" $'(^|\n)check: [0-9]+ passed, 0 failed'
	check "daemon imported its image" contains "$out" "ok - $LESSONS/13-image.md: step 2:"
	check "its first layer whole: the root's /root, which it cannot read, left out" \
		lacks "$out" "Cannot open"
	check "control: -v shows the steps' commands" contains "$out" "tar -C \"\$BOXSTEP_ROOTFS\" --exclude=./root"
	check "and so did nobody" contains "$(cat "$work/nobody.out")" "ok - $LESSONS/13-image.md: step 2:"
}

# An image imported by nobody: every file nobody's, device nodes left
# out, in nobody's own store.
test_import_as_nobody() {
	mkdir -p "$work/img/etc" "$work/img/dev"
	echo hello >"$work/img/etc/motd"
	mknod "$work/img/dev/null" c 1 3
	chown 1234:1234 "$work/img/etc/motd"
	tar -C "$work/img" -cf "$work/layer.tar" .
	printf '[{"Config":"c.json","Layers":["layer.tar"]}]' >"$work/manifest.json"
	echo '{}' >"$work/c.json"
	tar -C "$work" -cf "$work/img.tar" manifest.json c.json layer.tar
	chmod 644 "$work/img.tar"
	as_nobody "$BOX" import "$work/img.tar" mine
	check "import works as nobody" contains "$out" "import: done:"
	check "and says what differs" contains "$out" \
		"import: rootless, every file is yours: 1 entries of other owners"
	check "a device node is left out" contains "$out" "1 device nodes are left out"
	check "the files are nobody's" equals \
		"$(stat -c %u "$work/state/boxstep/images/mine/etc/motd" 2>&1)" "$NOBODY"
	check "there is no dev/null" equals "$(ls -A "$work/state/boxstep/images/mine/dev" 2>&1)" ""
	rm -rf "$work/img" "$work/state/boxstep/images/mine"
	as_nobody "$BOX" watch 1
	check "watch says it needs root, and how" contains "$out" "sudo boxstep watch 1"
}

test_help_works() {
	as_nobody "$BOX" --help
	check "--help works unprivileged" contains "$out" "usage: boxstep"
	check "and exits 0" equals "$rc" 0
	as_nobody "$BOX" --version
	check "--version works unprivileged" matches "$out" '^boxstep [0-9]'
	as_nobody "$BOX" lesson
	check "the lesson list says how to start one, without sudo" contains "$out" \
		"Start or resume one:  boxstep lesson 02"
}

if ! setpriv --reuid=nobody --regid=nogroup --clear-groups test -x "$BOX" ||
   ! setpriv --reuid=nobody --regid=nogroup --clear-groups test -x "$ROOTFS/bin/sh"; then
	echo "rootless: nobody cannot reach $BOX or $ROOTFS; put the build where every user can read it"
	exit 1
fi
# caps, seccomp and nonewprivs work in a session's host too: the
# container's root loses what Docker's would, within nobody's namespace.
test_privileges_rootless() {
	as_nobody "$BOX" -e -c 'enable user uts pid mnt chroot proc
run mount -t tmpfs none /tmp
run grep -E "^(CapEff|Seccomp|NoNewPrivs):" /proc/self/status'
	check "control: root of the session's host mounts" equals "$rc" 0
	check "control: no filter" contains "$out" $'Seccomp:\t0'
	as_nobody "$BOX" -c 'enable user uts pid mnt chroot proc caps seccomp nonewprivs
run grep -E "^(CapEff|Seccomp|NoNewPrivs):" /proc/self/status
run mount -t tmpfs none /tmp
run unshare -u true'
	check "Docker's 14" contains "$out" $'CapEff:\t00000000a80425fb'
	check "the filter" contains "$out" $'Seccomp:\t2'
	check "the bit" contains "$out" $'NoNewPrivs:\t1'
	check "no mount" contains "$out" "mount: permission denied"
	check "no unshare" contains "$out" "unshare(0x4000000): Operation not permitted"
}

# dev, masks and time in a session's host: the host's nodes bound, not
# made; sysfs for the session's network namespace; the clocks moved.
test_runtime_layers_rootless() {
	as_nobody "$BOX" -e -c 'enable uts pid mnt chroot proc net dev masks time
run sh -c "sleep 0 & wait; echo waited; ls -l /dev/null; wc -c </proc/timer_list; touch /sys/x; true"
run cat /proc/uptime
host cat /proc/uptime'
	check "a job starts" contains "$out" "waited"
	check "/dev/null is the host's, bound" matches "$out" "crw-rw-rw- +1 nobody +nogroup +1, +3"
	check "timer_list is masked" has_line "$out" "^0\$"
	check "/sys is read-only" contains "$out" "Read-only file system"
	inside=$(grep -E '^[0-9]+\.[0-9]+ ' <<<"$out" | sed -n 1p | cut -d. -f1)
	host=$(grep -E '^[0-9]+\.[0-9]+ ' <<<"$out" | sed -n 2p | cut -d. -f1)
	check "uptime a year ahead ($inside against $host)" test "$((inside - host))" -ge 31535999
	as_nobody "$BOX" -c 'enable uts pid mnt chroot proc dev masks
run true'
	check "masks without net is refused rootless" contains "$out" "refusing masks without net in a user namespace"
}

# The plan exported in a session's host and run there by runc: its ids
# are the session's (uid 0 is nobody), and runc's container is the one
# boxstep makes: namespaces, hostname, capabilities, filter, bit, maps.
test_export_runc_rootless() {
	local b=$work/nb/bundle
	local runc="runc --root $b/state"
	mkdir -m 700 "$work/nb" && chown nobody "$work/nb"
	local fig='grep -E "^(CapEff|CapBnd|Seccomp|NoNewPrivs):" /proc/$p/status; for t in uts pid mnt ipc net user cgroup time; do [ "$(readlink /proc/$p/ns/$t)" != "$(readlink /proc/self/ns/$t)" ] && printf "%s " $t; done; echo; sed "s/  */ /g" /proc/$p/uid_map'
	as_nobody "$BOX" -e -c "enable uts pid mnt chroot proc net dev masks caps seccomp nonewprivs user
set hostname twin
set caps -NET_RAW
export $b sleep 3173
host $runc run -d -b $b --pid-file $b/pid twin </dev/null >/dev/null
host p=\$(cat $b/pid); ($fig; $runc exec twin hostname) | sed 's/^/runc: /'; $runc delete -f twin
start sleep 3174
host p=\$BOXPID; ($fig) | sed 's/^/boxstep: /'
run hostname
stop"
	check "exported and run as nobody (status $rc)" equals "$rc" 0
	check "it says how, in the session's host" contains "$out" \
		"run it in this session's host, whose uid 0 is you: host runc --root $b/state run -b $b NAME"
	check "the bundle is nobody's" equals "$(stat -c %u "$b/config.json")" "$NOBODY"
	check "its maps are the session's host's: 0 is 0, one id" \
		jq_true '.linux.uidMappings == [{"containerID": 0, "hostID": 0, "size": 1}] and .linux.gidMappings == .linux.uidMappings' "$(cat "$b/config.json" 2>/dev/null)"
	runc_lines=$(sed -n 's/^runc: //p' <<<"$out")
	box_lines=$(sed -n 's/^boxstep: //p' <<<"$out")
	check "runc made a container ($runc_lines)" contains "$runc_lines" $'CapEff:\t00000000a80405fb'
	check "with boxstep's capabilities, filter, bit, namespaces and maps" \
		equals "$(grep -v '^twin$' <<<"$runc_lines")" "$box_lines"
	check "in the namespaces of the plan" \
		has_line "$box_lines" "^uts pid mnt net user $"
	check "and uid 0 is the session's 0" has_line "$box_lines" "^ 0 0 1$"
	check "the same hostname" has_line "$runc_lines" "^twin$"
	check "and in boxstep" has_line "$out" "^twin$"
	check "runc left nothing running" equals "$(pgrep -f 'sleep 317[34]')" ""
	# A limit this session cannot set, no runtime in it can either.
	if grep -q "^[0-9]*:pids:" /proc/self/cgroup; then
		as_nobody "$BOX" -c "enable uts pid mnt chroot proc net dev pids; export $work/nb/limited"
		check "on cgroup v1 a bundle with pids.max is refused, with why" contains "$out" \
			"not exported: rootless, the pids layer needs a cgroup v2 group delegated to you"
		check "and what to do" contains "$out" "(a runtime could not set that limit either; disable pids)"
		check "and nothing is written" test ! -e "$work/nb/limited"
	fi
}

t "rootless: a session's host of nobody's own" test_starts_rootless
t "rootless: root inside is nobody outside" test_root_inside_nobody_outside
t "rootless: uts pid mnt chroot proc ipc net cgroupns" test_every_namespace_layer
t "rootless: ipc hides the host's queues" test_ipc_is_private
t "rootless: ipc control" test_ipc_control
t "rootless: a writable layer for /tmp, the rootfs untouched" test_writable_layer
t "rootless: the session directory under XDG_RUNTIME_DIR" test_xdg_runtime_dir
t "rootless: a session directory someone else made is refused" test_run_dir_taken_by_another
t "rootless: pivot closes the chroot escape" test_pivot_and_escape
t "rootless: caps, seccomp and nonewprivs" test_privileges_rootless
t "rootless: dev, masks and time" test_runtime_layers_rootless
t "rootless: what the session's host allows, and what it cannot" test_what_works_and_what_cannot
t "rootless: export, and runc in the session's host" test_export_runc_rootless
t "rootless: the layer is bounded by session.disk.max" test_layer_bounded
t "rootless: refused user namespaces name the setting" test_refused_user_namespaces
t "rootless: the course autoplayed as nobody" test_check_as_nobody
t "rootless: two learners take lesson 13 at once" test_two_learners_at_once
t "rootless: an image imported by nobody" test_import_as_nobody
t "rootless: --help and --version" test_help_works
summary "rootless"
