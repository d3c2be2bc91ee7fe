#!/usr/bin/env bash
# What a runtime adds to the namespaces besides privileges: the dev layer
# (a /dev of its own), masks (hidden and read-only kernel files, a
# read-only /sys) and time (clocks of its own), against the real kernel,
# each beside the same command with the layer off.
# Usage: runtime.sh [BOXSTEP]
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib.sh"
suite_start runtime.sh "${1:-}"
trap 'rm -rf "$work"' EXIT

base="enable uts pid mnt chroot proc"

# with LAYERS COMMANDS: one batch with the base layers and LAYERS, -e.
with() { box -e -c "$base $1; $2"; }

test_dev_null() {
	with "" "run sh -c 'sleep 0 & wait; echo waited'"
	check "control: the notes' error" contains "$out" "sh: can't open '/dev/null': No such file or directory"
	with dev "run sh -c 'sleep 0 & wait; echo waited'"
	check "with dev a job starts" lacks "$out" "can't open"
	check "and is waited for" contains "$out" "waited"
}

test_dev_contents() {
	with dev "run ls /dev; run sh -c 'head -c 5 /dev/zero | wc -c; ls -l /dev/null; grep -E \" /dev(/pts|/shm)? \" /proc/self/mountinfo'"
	for n in null zero full random urandom tty pts shm fd stdin stdout stderr ptmx; do
		check "/dev/$n is there" has_line "$out" "^$n\$"
	done
	check "nothing else of the host's" lacks "$out" "sda"
	check "zero reads zeros" has_line "$out" "^5\$"
	check "null is the 1,3 node" matches "$out" "crw-rw-rw- +1 root +root +1, +3 .*/dev/null"
	check "a tmpfs, a devpts and a shm" matches "$out" " /dev rw,[^ ]* - tmpfs "
	check "devpts of its own" matches "$out" " /dev/pts [^ ]* - devpts devpts .*ptmxmode=666"
	with "" "run ls /dev"
	check "control: the root's /dev is empty" lacks "$out" "null"
}

test_dev_bad_plans() {
	box -c "enable chroot dev; run true"
	check "dev without mnt is refused" contains "$out" "refusing dev without mnt and a root of its own"
	box -c "enable mnt dev; run true"
	check "dev without a root of its own is refused" contains "$out" "refusing dev without mnt and a root of its own"
	box -c "$base dev; set propagation shared; run true"
	check "dev with shared propagation is refused" contains "$out" "refusing dev or masks with shared propagation"
	check "status 125" equals "$rc" 125
}

test_masks() {
	with "dev" "run sh -c 'wc -c </proc/timer_list; echo box2 >/proc/sys/kernel/hostname; hostname; touch /sys/x; grep -c . /proc/keys'"
	check "control: timer_list has text" matches "$out" $'(^|\n)[1-9][0-9]*\n'
	check "control: a namespaced sysctl is written" has_line "$out" "^box2\$"
	check "control: /sys is the root's own directory, writable" lacks "$out" "Read-only"
	with "dev masks" "run sh -c 'wc -c </proc/timer_list; grep -c . /proc/keys; echo box2 >/proc/sys/kernel/hostname; hostname; touch /sys/x; ls /sys/firmware | wc -l'"
	check "timer_list is empty" has_line "$out" "^0\$"
	check "/proc/sys is read-only" contains "$out" "can't create /proc/sys/kernel/hostname: Read-only file system"
	check "so the name stays" has_line "$out" "^boxstep\$"
	check "/sys is there, read-only" contains "$out" "touch: /sys/x: Read-only file system"
	box -c "$base masks; run true"
	check "masks needs dev" contains "$out" "refusing masks without dev and proc"
}

test_masks_pivot_user() {
	with "dev masks net user" "disable chroot; enable pivot; run sh -c 'wc -c </proc/timer_list; touch /sys/x'"
	check "pivot and a user namespace: masked" has_line "$out" "^0\$"
	check "and /sys read-only" contains "$out" "Read-only file system"
	box -c "$base dev masks user; run true"
	check "user without net is refused, with the reason" contains "$out" "refusing masks without net in a user namespace"
}

test_time() {
	with "time" "set time.offset 86400; run cat /proc/uptime; host cat /proc/uptime"
	inside=$(sed -n 1p <<<"$out" | cut -d. -f1)
	host=$(sed -n 2p <<<"$out" | cut -d. -f1)
	check "uptime inside is a day ahead (inside $inside, host $host)" test "$((inside - host))" -ge 86399 -a "$((inside - host))" -le 86401
	with "" "run cat /proc/uptime; host cat /proc/uptime"
	inside=$(sed -n 1p <<<"$out" | cut -d. -f1)
	host=$(sed -n 2p <<<"$out" | cut -d. -f1)
	check "control: the host's own uptime" test "$((inside - host))" -ge -1 -a "$((inside - host))" -le 1
	with time "start sleep 3160
host $BOX watch \$BOXPID
stop"
	check "the host view names the offset" contains "$out" "time: its clocks moved from the host's by +31536000 s (monotonic)"
	check "and the namespace" matches "$out" "time +NEW"
}

test_time_bad_input() {
	box -c "set time.offset soon"
	check "not a number" contains "$out" "time.offset takes a whole number of seconds"
	box -c "set time.offset 999999999999"
	check "out of range" contains "$out" "time.offset must be within 315360000 seconds"
	with time "set time.offset -315360000; run true"
	check "a clock below zero is explained" contains "$out" "a clock would go below zero"
	check "as a set-up failure" equals "$rc" 125
	without_kernel /proc/self/ns/time -c "set time.offset 60"
	check "set on a kernel without them" contains "$out" "set time.offset: this kernel has no time namespaces (there is no /proc/self/ns/time"
	check "is refused" equals "$rc" 2
	without_kernel /proc/self/ns/time -c "$base time; run true"
	check "enabled, it says why at run" contains "$out" "they came with Linux 5.6, built with CONFIG_TIME_NS); disable time"
	check "a set-up failure" equals "$rc" 125
	box -e -c "set time.offset 60"
	check "control: on this kernel as it is, the set holds" equals "$rc" 0
}

# status_of PID: its capability, seccomp and no_new_privs lines.
status_of() { grep -E '^(CapEff|CapBnd|Seccomp|NoNewPrivs):' "/proc/$1/status"; }

# new_ns PID: the namespaces PID has of its own, by type.
new_ns() {
	local t
	for t in uts pid mnt ipc net user cgroup time; do
		[ "$(readlink "/proc/$1/ns/$t")" != "$(readlink "/proc/self/ns/$t")" ] && printf '%s ' "$t"
	done
}

# The same plan run by boxstep and, exported, by runc: the same
# namespaces, hostname, capabilities, seccomp mode, no_new_privs and
# pids.max.
test_export_runc() {
	local b="$work/my bundle" runc="runc --root $work/runc-state" pid line
	plan="dev masks pids caps seccomp nonewprivs; set hostname boxed; set pids.max 30; set caps -NET_RAW"
	with "$plan" "export '$b' sleep 3171"
	check "the bundle is written" test -s "$b/config.json"
	check "and says how to run it, quoted for a shell" \
		contains "$out" "run it with: runc run -b '$b' NAME"
	check "config.json is JSON" jq_true . "$(cat "$b/config.json")"
	# The line it printed, as a learner would paste it.
	line=$(printf '%s\n' "$out" | sed -n 's/^run it with: runc run //p')
	(cd / && eval "timeout 30 $runc run -d --pid-file \"\$b/pid\" ${line% NAME} boxstep-t1" \
		</dev/null >/dev/null 2>"$work/runc.err")
	check "runc runs it ($(head -c 300 "$work/runc.err"))" test -s "$b/pid"
	pid=$(cat "$b/pid" 2>/dev/null)
	[ -n "$pid" ] || return
	runc_status=$(status_of "$pid")
	runc_ns=$(new_ns "$pid")
	runc_host=$($runc exec boxstep-t1 hostname)
	g=$(grep -E ':pids:' "/proc/$pid/cgroup" | cut -d: -f3)
	runc_pids=$(cat "/sys/fs/cgroup/pids$g/pids.max")
	$runc kill boxstep-t1 KILL
	for _ in 1 2 3 4 5 6 7 8 9 10; do
		$runc delete -f boxstep-t1 2>/dev/null && break
		sleep 0.2
	done
	with "$plan" "start sleep 3172
host grep -E '^(CapEff|CapBnd|Seccomp|NoNewPrivs):' /proc/\$BOXPID/status; cat \$BOXCG_PIDS/pids.max; for t in uts pid mnt ipc net user cgroup time; do [ \"\$(readlink /proc/\$BOXPID/ns/\$t)\" != \"\$(readlink /proc/self/ns/\$t)\" ] && printf '%s ' \$t; done; echo
run hostname
stop"
	check "the same capabilities, seccomp and no_new_privs ($runc_status)" \
		contains "$out" "$runc_status"
	check "CapEff is Docker's 14 less NET_RAW" contains "$runc_status" $'CapEff:\t00000000a80405fb'
	check "the same namespaces ($runc_ns)" has_line "$out" "^$runc_ns\$"
	check "the same hostname" equals "$runc_host" boxed
	check "and in boxstep" has_line "$out" "^boxed\$"
	check "the same pids.max" equals "$runc_pids" 30
	check "and in boxstep" has_line "$out" "^30\$"
}

test_export_bad_input() {
	mkdir -p "$work/full"
	: >"$work/full/x"
	box -c "$base dev; export $work/full"
	check "a non-empty directory is refused" contains "$out" "$work/full is not empty (it has x)"
	check "and left as it was" equals "$(ls "$work/full")" x
	box -c "$base dev; export /sys/boxstep-bundle"
	check "an unwritable place is refused" contains "$out" "cannot make /sys/boxstep-bundle: Operation not permitted"
	box -c "$base; export $work/b2"
	check "without dev it says why" contains "$out" "runc makes its device nodes in the root's own /dev"
	check "and writes nothing" test ! -e "$work/b2"
	box -c "enable pid dev; export $work/b3"
	check "a plan runc cannot follow is refused" contains "$out" "not exported"
	box -c "show oci, please"
	check "show takes one word" contains "$out" "show takes"
	box -c "show nonsense"
	check "and names them" contains "$out" "show takes nothing, or oci, unshare or docker; not 'nonsense'"
}

test_show_bridges() {
	box -e -c "$base net ipc time; set hostname kit; show unshare; show docker"
	check "unshare's flags" contains "$out" "unshare --uts --pid --fork --mount --root=$ROOTFS --mount-proc --ipc --net --time --monotonic=31536000 --boottime=31536000 --propagation=private sh"
	check "what unshare cannot" contains "$out" "# then, inside: hostname kit"
	check "docker's options" contains "$out" "docker run --rm -it --hostname=kit --network=none --cgroupns=host --cap-add=ALL --security-opt=seccomp=unconfined --security-opt=systempaths=unconfined busybox sh"
	check "what docker cannot" contains "$out" "# docker run has no option for: chroot, dev off, time"
	box -e -c "$base caps seccomp; show oci"
	check "show oci is JSON, with the filter" jq_true '.linux.seccomp.syscalls[0].names | index("mount") == 0' "$out"
	check "with the capabilities" jq_true '.process.capabilities.effective | length == 14' "$out"
	check "and the namespaces" jq_true '[.linux.namespaces[].type] == ["uts","pid","mount"]' "$out"
	box -e -c "$base; show oci"
	check "control: all capabilities without caps" jq_true '.process.capabilities.effective | length > 14' "$out"
	check "control: no filter without seccomp" jq_true '.linux.seccomp == null' "$out"
}

t "dev: the notes' /dev/null error, fixed" test_dev_null
t "dev: six nodes, its own devpts, shm and the links" test_dev_contents
t "dev: plans that would cover the host's /dev" test_dev_bad_plans
t "masks: hidden, read-only, and a read-only /sys" test_masks
t "masks: under pivot in a user namespace" test_masks_pivot_user
t "time: its own uptime" test_time
t "time: bad input" test_time_bad_input
t "export: runc runs the same container" test_export_runc
t "export: bad input" test_export_bad_input
t "show unshare, docker and oci" test_show_bridges
summary "runtime"
