#!/usr/bin/env bash
# Root integration tests: every layer against the real kernel, batch mode,
# the errors that teach, and teardown, each with the host's state compared
# before and after.  Usage: run.sh [BOXSTEP]
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib.sh"
suite_start run.sh "${1:-}"
trap 'rm -rf "$work"' EXIT
host_name=$(hostname)
echo "boxstep integration tests: $BOX, rootfs $ROOTFS"

# The pids cgroup of a running container, from the host's side.
cgroup_of() {
	local line
	line=$(grep -E '(:pids:|^0::)' "/proc/$1/cgroup" | head -1)
	line=${line#*::}
	line=${line#*:pids:}
	if [ -d /sys/fs/cgroup/pids ]; then
		echo "/sys/fs/cgroup/pids$line"
	else
		echo "/sys/fs/cgroup$line"
	fi
}

# --- uts ---------------------------------------------------------------

test_uts_hostname() {
	box -c 'enable uts; set hostname kitten; run hostname'
	check "the container's hostname is kitten" equals "$out" kitten
	check "exit 0" equals "$rc" 0
	check "the host's hostname is unchanged" equals "$(hostname)" "$host_name"
}

test_uts_off_shares_hostname() {
	box -c 'set hostname kitten; run hostname'
	check "without uts the container sees the host's name" \
		contains "$out" "$host_name"
	check "set hostname without uts says it waits for the layer" \
		contains "$out" "enable uts"
}

test_uts_rename_inside() {
	box -c 'enable uts; run sh -c "hostname renamed-inside; hostname"'
	check "renamed inside" contains "$out" renamed-inside
	check "the host keeps its name" equals "$(hostname)" "$host_name"
}

test_uts_rename_without_layer_is_undone() {
	box -c 'run sh -c "hostname renamed-by-container; hostname"'
	check "the container did rename the shared UTS namespace" \
		contains "$out" $'renamed-by-container\n'
	check "boxstep says so, and why" contains "$out" "without the uts layer it shares the host's UTS namespace"
	check "and put the host's name back" equals "$(hostname)" "$host_name"
	box -c "host hostname boxstep-host-rename; run true
host hostname $host_name"
	check "a rename by \`host\` is the learner's own: not undone" \
		lacks "$out" "put the host's name back"
}

test_uts_inode_differs() {
	box -c 'enable uts; start sleep 3101
host [ "$(readlink /proc/$BOXPID/ns/uts)" != "$(readlink /proc/self/ns/uts)" ] && echo NEW-UTS
stop'
	check "the container's uts namespace differs from the host's" \
		contains "$out" NEW-UTS
}

# --- pid ---------------------------------------------------------------

test_pid_is_one() {
	box -c 'enable pid; run sh -c "echo pid=\$\$"'
	check "the command is PID 1" contains "$out" "pid=1"
	box -c 'run sh -c "echo pid=\$\$"'
	check "without the pid layer it is not PID 1" lacks "$out" "pid=1"$'\n'
	check "without the pid layer it is not PID 1" matches "$out" "pid=[0-9]{2,}"
}

test_pid_ps_still_shows_host() {
	box -c 'enable pid; run ps -e'
	check "without proc, ps lists the host's processes" \
		matches "$(echo "$out" | wc -l)" '^[0-9]{2,}$'
}

test_pid_nspid_on_host() {
	box -c 'enable pid; start sleep 3102
host grep NSpid /proc/$BOXPID/status
stop'
	check "the host sees both pids in NSpid" matches "$out" $'NSpid:\t[0-9]+\t1'
}

# --- chroot, proc, mnt -----------------------------------------------------

test_chroot_ls_shows_rootfs() {
	box -c 'enable chroot; run ls /'
	check "ls / shows the rootfs marker" contains "$out" YOU-ARE-INSIDE-THE-CONTAINER
	box -c 'run ls /'
	check "without chroot ls / is the host's" lacks "$out" YOU-ARE-INSIDE-THE-CONTAINER
}

test_chroot_ps_only_container() {
	box -c 'enable pid mnt chroot proc; run ps -o pid,comm'
	check "ps shows the container alone: PID 1 is ps" \
		equals "$(echo "$out" | tr -s ' ' | sed 's/^ //')" $'PID COMMAND\n1 ps'
}

test_chroot_without_proc_ps_empty() {
	box -c 'enable pid mnt chroot; run ps'
	check "ps is empty before proc is mounted" \
		equals "$(echo "$out" | sed 1d | wc -l)" 0
}

test_chroot_chdir_off_escapes() {
	mkdir -p "$work/outside"
	touch "$work/outside/HOST-ONLY-FILE"
	out=$(cd "$work/outside" && timeout 60 "$BOX" -c \
		'enable chroot; set chdir off; run sh -c "ls; cd ..; ls"' 2>&1)
	check "with chdir off the cwd is outside the root" contains "$out" HOST-ONLY-FILE
	check "and cd .. walks on in the host's tree" contains "$out" outside
	out=$(cd "$work/outside" && timeout 60 "$BOX" -c \
		'enable chroot; run sh -c "ls; cd ..; ls"' 2>&1)
	check "with chdir on the cwd is the new root" lacks "$out" HOST-ONLY-FILE
	check "and cd .. stays at the root" contains "$out" YOU-ARE-INSIDE-THE-CONTAINER
}

test_chroot_cwd_seen_from_host() {
	mkdir -p "$work/outside"
	out=$(cd "$work/outside" && timeout 60 "$BOX" -c \
		'enable chroot; set chdir off; start sleep 3103
host readlink /proc/$BOXPID/cwd; readlink /proc/$BOXPID/root
stop' 2>&1)
	check "the host sees the cwd outside the root" contains "$out" "$work/outside"
	check "and the root is the session's layer over the rootfs" \
		matches "$out" "/run/boxstep/[0-9]+/busybox"
}

proc_mounts_on_host() {
	grep -Ec " ($ROOTFS|/run/boxstep/[0-9]+/busybox)/proc " /proc/self/mountinfo
}

test_proc_leaks_without_mnt() {
	box -c "enable pid chroot proc; start sleep 3104
host grep -Ec ' /run/boxstep/[0-9]+/busybox/proc ' /proc/self/mountinfo
stop"
	check "without mnt the proc mount shows in the host's table" \
		contains "$out" $'\n1\n'
	check "teardown unmounted it" equals "$(proc_mounts_on_host)" 0
	box -c "set rootfs.layer off; enable pid chroot proc; start sleep 3104
host grep -c ' $ROOTFS/proc ' /proc/self/mountinfo
stop"
	check "in the shared rootfs too, with the layer off" contains "$out" $'\n1\n'
	check "and teardown unmounted that one" equals "$(proc_mounts_on_host)" 0
}

test_proc_private_with_mnt() {
	box -c "enable pid mnt chroot proc; start sleep 3105
host grep -c ' $ROOTFS/proc ' /proc/self/mountinfo; grep -c ' /proc ' /proc/\$BOXPID/mountinfo
stop"
	check "with private mnt the host does not see it, the container does" \
		contains "$out" $'\n0\n1\n'
}

test_proc_shared_propagation_leaks() {
	box -c "enable pid mnt chroot proc; set propagation shared; start sleep 3106
host grep -Ec ' /run/boxstep/[0-9]+/busybox/proc ' /proc/self/mountinfo; grep -E ' /run/boxstep/[0-9]+/busybox ' /proc/self/mountinfo | grep -c shared:
stop"
	check "with shared propagation the proc mount reaches the host" \
		contains "$out" $'\n1\n1\n'
	check "teardown unmounted it and the bind" equals "$(proc_mounts_on_host)" 0
}

test_proc_refused_alone() {
	box -c 'enable proc; run true'
	check "proc alone is refused" contains "$out" "host's own /proc"
	check "with status 125" equals "$rc" 125
	box -c 'enable pid proc mnt; set propagation shared; run true'
	check "shared propagation without chroot is refused" contains "$out" "propagate"
}

# --- pids ----------------------------------------------------------------

# Prints pids.current, pids.max and the pids.events max count of the
# background container $BOXPID, from the host.
pids_figures='g=$(grep -E ":pids:|^0::" /proc/$BOXPID/cgroup | head -1); g=${g#*::}; g=${g#*:pids:}; d=/sys/fs/cgroup/pids$g; [ -d $d ] || d=/sys/fs/cgroup$g; echo "current=$(cat $d/pids.current) max=$(cat $d/pids.max) $(grep max $d/pids.events)"'

test_pids_limit_blocks_forks() {
	# PID 1 forks two (a sleeper first, then an inner sh, so that its
	# own forks are made before the group fills); the inner sh forks
	# sleepers until the sixth process is refused, and dies of it.
	# The host waits (up to 5 s, a slow sanitizer build included) until
	# the refused sh has died, then prints the figures.
	box -c "enable pid mnt chroot proc pids; set pids.max 5; start sh -c \"sleep 3107 | sh -c 'sleep 3107 | sleep 3107 | sleep 3107 | sleep 3107 | sleep 3107'\"
host for i in \$(seq 50); do sleep 0.1; f=\$($pids_figures); case \"\$f\" in 'current=4 '*) break;; esac; done; echo \"\$f\"
stop"
	check "the refused fork is reported" contains "$out" "can't fork"
	check "pids.max is 5; 4 remain once the refused sh died" \
		contains "$out" "current=4 max=5"
	check "pids.events counts the refusal" matches "$out" "max=5 max [1-9]"
	box -c 'enable chroot pids; set pids.max 1; run sh -c "ls; ls"'
	check "at pids.max 1 sh cannot even fork ls" contains "$out" "can't fork"
	box -c 'enable chroot pids; set pids.max 3; run sh -c "ls; ls"'
	check "at pids.max 3 it can" contains "$out" "YOU-ARE-INSIDE-THE-CONTAINER"
}

# A fork bomb for busybox sh.  `&` would need /dev/null, which the
# rootfs's empty /dev lacks, so it forks in pipelines instead.
bomb='bomb() { while :; do bomb | bomb; done; }; bomb'

test_pids_fork_bomb_contained() {
	# busybox sh dies when it cannot fork, so each bomb keeps forking in a
	# loop; PID 1 only waits on the pipeline and must not be one of them.
	# The bomb is on the right: PID 1 forks the sleeper first, which a
	# bomb on the left could leave no slot for (PID 1 then ends).
	box -c "enable pid mnt chroot proc pids; start sh -c 'sleep 3114 | sh -c \"$bomb\"'
host for i in $(seq -s " " 20); do sleep 0.1; $pids_figures; done
stop"
	# It hovers at the limit: a shell refused a fork dies and frees a
	# slot, so a sample can fall between; twenty of them find the top.
	seen=$(grep -ao 'current=[0-9]*' <<<"$out" | sort -u | tr '\n' ' ')
	check "the bomb fills the group to its limit of 20 (seen: $seen)" \
		matches "$out" "current=(19|20) max=20"
	check "and never passes it" test -z "$(grep -E "current=(2[1-9]|[3-9][0-9])" <<<"$seen")"
	check "and keeps being refused" matches "$out" "max=20 max [1-9]"
	check "busybox says it cannot fork" contains "$out" "can't fork"
}

test_pids_fork_bomb_without_pid_ns() {
	box -c "enable chroot pids; start sh -c 'sleep 3115 | sh -c \"$bomb\"'
host for i in 1 2 3 4 5 6 7 8; do sleep 0.25; $pids_figures; done
stop"
	check "the bomb ran into pids.max; the host check proves teardown" \
		matches "$out" "current=(19|20) max=20 max [1-9]"
}

test_pids_cgroup_removed() {
	box -c 'enable pids; start sleep 3108
host cat /proc/$BOXPID/cgroup
stop'
	check "the container ran in a boxstep cgroup" contains "$out" "/boxstep/"
	check "no boxstep group is left" \
		equals "$(find /sys/fs/cgroup -path '*boxstep/*' -type d | wc -l)" 0
}

test_stale_cgroup_removed() {
	local dead hier
	sleep 0 & dead=$!
	wait $dead
	hier=/sys/fs/cgroup/pids
	[ -d "$hier" ] || hier=/sys/fs/cgroup
	mkdir -p "$hier/boxstep/$dead/7" "$hier/boxstep/$dead/shared"
	box -c 'layers'
	check "the start-up reports the stale group" contains "$out" "removed stale cgroup $hier/boxstep/$dead "
	check "naming its dead owner" contains "$out" "pid $dead"
	check "and it is gone, with the groups in it" test ! -d "$hier/boxstep/$dead"
}

test_no_pids_hierarchy() {
	mkdir -p "$work/nocg"
	out=$(BOXSTEP_CGROUP_ROOT=$work/nocg timeout 60 "$BOX" -c 'enable pids; run true' 2>&1)
	rc=$?
	check "says there is no pids controller" contains "$out" "no pids cgroup controller"
	check "names where it looked" contains "$out" "$work/nocg/pids"
	check "fails" equals "$rc" 125
	out=$(BOXSTEP_CGROUP_ROOT=$work/nocg timeout 60 "$BOX" -c 'enable uts; run true' 2>&1)
	check "other layers still work" equals "$out" ""
}

# --- memory and cpu --------------------------------------------------------

# Doubles a string until memory runs out: only ever under memory.max.
hog='awk '"'"'BEGIN { s = "x"; while (1) s = s s }'"'"

test_memory_oom_killed() {
	box -c "enable pid mnt chroot proc memory; set memory.max 16M; run $hog"
	check "the OOM killer is named" contains "$out" "the OOM killer killed 1 process in the container"
	check "with the limit and the counter" matches "$out" "memory.max 16M \(memory\.(events|oom_control) oom_kill 1\)"
	check "the status is SIGKILL's" equals "$rc" 137
	box -c "enable pid mnt chroot proc memory; set memory.max 64M; run awk 'BEGIN { s = \"x\"; for (i = 0; i < 20; i++) s = s s; print length(s) }'"
	check "under the limit 1 MiB of string is fine" equals "$out" 1048576
	check "exit 0" equals "$rc" 0
}

test_memory_figures_from_host() {
	box -c "enable pid mnt chroot proc memory; set memory.max 24M; start sleep 3131
host $BOX watch \$BOXPID | grep -E '^(memory|cgroup):'; g=\$(grep -E ':memory:|^0::' /proc/\$BOXPID/cgroup | head -1); g=\${g#*::}; g=\${g#*:memory:}; d=/sys/fs/cgroup/memory\$g; [ -d \$d ] || d=/sys/fs/cgroup\$g; cat \$d/memory.limit_in_bytes \$d/memory.max 2>/dev/null
stop"
	check "the host view shows usage against the limit" matches "$out" "memory: [0-9.]+[KM]? / memory.max 24M  peak [0-9.]+[KM]?  OOM kills 0"
	check "the limit file holds it" contains "$out" "25165824"
}

test_cpu_throttled() {
	local spin="start sh -c 'while :; do :; done'"
	# ticks of CPU time the container's PID 1 gets in 2 s, from the host
	local ticks='a=$(awk "{print \$14+\$15}" /proc/$BOXPID/stat); sleep 2; b=$(awk "{print \$14+\$15}" /proc/$BOXPID/stat); echo ticks=$((b - a))'
	box -c "enable pid cpu; set cpu.max 10; $spin
host $ticks; $BOX watch \$BOXPID | grep '^cpu:'
stop"
	local limited=${out##*ticks=}
	limited=${limited%%[!0-9]*}
	check "the host view shows the limit and the throttling" matches "$out" "cpu: limit 10% of a CPU.*throttled [1-9][0-9]* of [1-9]"
	check "at 10% a busy loop gets about 20 of 200 ticks in 2 s" test "$limited" -le 40
	box -c "enable pid; $spin
host $ticks
stop"
	local free=${out##*ticks=}
	free=${free%%[!0-9]*}
	check "without the layer it takes far more (the check can fail)" test "$free" -ge 100
}

test_cgroup_layers_missing_controllers() {
	mkdir -p "$work/nocg"
	out=$(BOXSTEP_CGROUP_ROOT=$work/nocg timeout 60 "$BOX" -c 'enable memory; run true' 2>&1)
	rc=$?
	check "memory: says the controller is missing" contains "$out" "no memory cgroup controller"
	check "and fails" equals "$rc" 125
	out=$(BOXSTEP_CGROUP_ROOT=$work/nocg timeout 60 "$BOX" -c 'enable cpu; run true' 2>&1)
	check "cpu: the same" contains "$out" "no cpu cgroup controller"
}

test_cgroup_layers_show() {
	box -c 'enable memory cpu; set memory.max 32M; set cpu.max 25; show'
	check "show names the memory file" matches "$out" 'write\("memory\.(max|limit_in_bytes)", "33554432"\)'
	check "show names the cpu file" matches "$out" 'write\("cpu\.(max|cfs_quota_us)", "25000( 100000)?"\)'
	check "show says where each hierarchy is" matches "$out" '\(memory: cgroup v[12] at /sys/fs/cgroup'
	box -c 'explain memory; explain cpu'
	check "explain memory names the OOM killer" contains "$out" "OOM killer"
	check "explain cpu names the quota" contains "$out" "cpu.cfs_quota_us"
}

# --- ipc, net, cgroupns ------------------------------------------------------

test_net_only_loopback() {
	box -c "enable pid mnt chroot proc net; run sh -c 'ip link; echo count=\$(ip link | grep -c \"^[0-9]\")'; run ping -c 1 127.0.0.1"
	check "only one interface inside" contains "$out" "count=1"
	check "it is lo, and it is up" matches "$out" $'(^|\n)1: lo: <LOOPBACK,UP'
	check "loopback answers" contains "$out" "1 packets received"
	box -c "run sh -c 'echo count=\$(tail -n +3 /proc/self/net/dev | wc -l)'"
	check "without the layer the host's interfaces show (the check can fail)" \
		matches "$out" "count=([2-9]|[1-9][0-9])"
	box -c "enable net; start sleep 3141
host $BOX watch \$BOXPID | grep -E '^network|^  net '
stop"
	check "the host view lists its interfaces" contains "$out" "network (its own): lo"
	check "and marks the namespace new" matches "$out" "net +NEW"
}

test_ipc_own_table() {
	local id
	id=$(ipcmk -Q | awk '{print $NF}')
	box -c "enable ipc; run sh -c 'ipcs -q; ipcmk -Q; echo queues=\$(ipcs -q | grep -c \"^0x\")'"
	check "inside, only its own queue" contains "$out" "queues=1"
	check "the host's queue is not seen" lacks "$out" " $id "
	box -c "run ipcs -q"
	check "without the layer the host's queue shows (the check can fail)" \
		matches "$out" " $id +root"
	ipcrm -q "$id"
	check "the container's queue went with its namespace" \
		equals "$(ipcs -q | grep -c '^0x')" 0
}

test_cgroupns_root() {
	box -c "enable pids cgroupns; run sh -c 'cat /proc/self/cgroup; echo naming=\$(grep -c boxstep /proc/self/cgroup)'"
	check "its groups read as / inside" contains "$out" "naming=0"
	check "the pids group is its root" matches "$out" $'(:pids:|(^|\n)0::)/(\n|$)'
	box -c "enable pids; run sh -c 'echo naming=\$(grep -c boxstep /proc/self/cgroup)'"
	check "without the layer the path shows (the check can fail)" \
		matches "$out" "naming=[1-9]"
	box -c "enable pids cgroupns; start sleep 3142
host ls -l /proc/\$BOXPID/ns/cgroup /proc/self/ns/cgroup | grep -o 'cgroup:\[[0-9]*\]' | sort -u | wc -l; grep boxstep /proc/\$BOXPID/cgroup
stop"
	check "a new cgroup namespace" matches "$out" $'(^|\n)2\n'
	check "the host still sees the full path" contains "$out" "/boxstep/"
}

test_layers_show_new_flags() {
	box -c 'enable ipc net cgroupns; show; explain net; explain ipc; explain cgroupns'
	check "show: the clone flags" contains "$out" "clone(CLONE_NEWIPC|CLONE_NEWNET|SIGCHLD)"
	check "show: cgroupns unshared by the child" contains "$out" "unshare(CLONE_NEWCGROUP)"
	check "show: lo brought up" contains "$out" 'SIOCSIFFLAGS, {"lo", IFF_UP}'
	check "explain net: veth" contains "$out" "veth pair"
	check "explain ipc" contains "$out" "System V"
	check "explain cgroupns" contains "$out" "/proc/self/cgroup"
}

# --- pivot -------------------------------------------------------------------

test_pivot_closes_the_breakout() {
	box -c 'enable pid mnt chroot proc; run breakout'
	check "under chroot, root inside walks out to the host's /" \
		matches "$out" $'(^|\n)(lib|opt|srv|mnt|boot)(\n|$)'
	check "it says what it did" contains "$out" 'chroot("/tmp") without chdir'
	box -c 'enable pid mnt chroot proc; enable pivot; run breakout; show'
	check "enabling pivot turns chroot off, and says so" contains "$out" "(chroot is off now: pivot replaces it)"
	check "under pivot the walk ends at the container's root" contains "$out" "YOU-ARE-INSIDE-THE-CONTAINER"
	check "and never reaches the host's" lacks "$out" $'\nboot\n'
	check "show lists the pivot calls" contains "$out" 'pivot_root(".", ".")'
	check "show lists the detach" contains "$out" 'umount2(".", MNT_DETACH)'
}

test_pivot_mount_table() {
	# Counted from inside its mount namespace: the container's own
	# mountinfo shows only what lies under its root, either way.
	local count="nsenter -t \$BOXPID -m -p sh -c 'echo mounts=\$(wc -l < /proc/self/mountinfo)'; readlink /proc/\$BOXPID/root"
	box -c "enable pid mnt pivot proc; start sleep 3143
host $count
stop"
	check "its mount namespace holds its root and /proc only" matches "$out" $'mounts=2\n'
	check "and its root, seen from the host, is no host path" matches "$out" $'\n/\n'
	box -c "enable pid mnt chroot proc; start sleep 3144
host $count
stop"
	check "under chroot the namespace holds the host's mounts (the check can fail)" \
		matches "$out" 'mounts=([3-9]|[1-9][0-9]+)'$'\n'
	box -c 'enable pid mnt pivot proc; set rootfs.layer off; run ls /'
	check "the shared rootfs works too" contains "$out" "YOU-ARE-INSIDE-THE-CONTAINER"
}

# --- user --------------------------------------------------------------------

test_user_root_inside_only() {
	box -c "enable user; run id; start sleep 3145
host echo host-uid=\$(ps -o uid= -p \$BOXPID | tr -d ' '); cat /proc/\$BOXPID/uid_map; $BOX watch \$BOXPID | grep '^user:'
stop"
	check "root inside" contains "$out" "uid=0(root) gid=0(root)"
	check "uid 100000 on the host" contains "$out" "host-uid=100000"
	check "the map boxstep wrote" matches "$out" $'\n +0 +100000 +65536\n'
	check "the host view says so" contains "$out" "user: uid 0 inside is uid 100000 on the host (uid_map 0 100000 65536)"
	box -c "start sleep 3146
host echo host-uid=\$(ps -o uid= -p \$BOXPID | tr -d ' ')
stop"
	check "without the layer it is the host's root (the check can fail)" contains "$out" "host-uid=0"
}

test_user_with_every_layer() {
	box -c "enable user uts pid mnt chroot proc pids net; set hostname kitten; run sh -c 'hostname; echo pid=\$\$; ps | wc -l; touch /made-by-root 2>&1; echo hi > /tmp/ok && cat /tmp/ok; ls -ln /bin/busybox'"
	check "its own hostname" contains "$out" "kitten"
	check "PID 1 with its own proc" contains "$out" "pid=1"
	check "root inside cannot write the host root's files" contains "$out" "Permission denied"
	check "but /tmp (1777) is writable" matches "$out" $'(^|\n)hi\n'
	check "the host's root owns the files: nobody inside" matches "$out" "65534 +65534 .* /bin/busybox"
	box -c 'enable user proc chroot; run true'
	check "proc in a user namespace needs mnt" contains "$out" "refusing proc with user but without mnt"
}

# --- processes and teardown ------------------------------------------------

test_orphans_killed_without_pid_ns() {
	box -c 'run sh -c "sleep 3109 & echo started"'
	check "the command ran" contains "$out" started
	check "its orphan is gone" equals "$(pgrep -f 'sleep 3109' | wc -l)" 0
}

test_background_start_stop() {
	box -c 'enable pid mnt chroot proc; start sleep 3110; start sleep 3111
host cat /proc/$BOXPID/cmdline | tr "\0" " "; echo
stop; stop'
	check "start reports the host pid" matches "$out" "background container [0-9]+: sleep"
	check "a second start is refused" contains "$out" "already running"
	check "BOXPID is the background container" contains "$out" "sleep 3110"
	check "stop reports the teardown" contains "$out" "stopped: killed by SIGKILL"
	check "a second stop has nothing to stop" contains "$out" "no background container is running"
}

test_background_exit_reported() {
	box -c 'start sh -c "exit 3"
host sleep 0.3
layers'
	check "the next command reports the exit" contains "$out" "exited with status 3"
}

test_quit_stops_background() {
	box -c 'enable pid; start sleep 3112; quit; run echo never'
	check "quit ends the session" lacks "$out" never
}

# signal_rc SIGNAL SLEEPER COMMANDS: runs boxstep -c COMMANDS, waits until
# the process "sleep SLEEPER" exists, sends SIGNAL to boxstep, and sets
# $rc to boxstep's exit status.
signal_rc() {
	local pid
	"$BOX" -c "$3" >/dev/null 2>&1 </dev/null &
	pid=$!
	for _ in $(seq 50); do pgrep -f "^sleep $2" >/dev/null && break; sleep 0.1; done
	kill "-$1" $pid
	wait $pid
	rc=$?
}

test_sigterm_cleans_up() {
	signal_rc TERM 3113 'enable pid mnt chroot proc pids; run sleep 3113'
	check "boxstep exits 143 on SIGTERM" equals "$rc" 143
}

test_sigint_batch_cleans_up() {
	signal_rc INT 3117 'enable pid pids; start sleep 3116
host sleep 3117'
	check "boxstep exits 130 on SIGINT between commands" equals "$rc" 130
}

# --- batch mode --------------------------------------------------------------

test_batch_status_first_failure() {
	box -c 'run true; run sh -c "exit 3"; run sh -c "exit 4"; run true'
	check "the first failing status" equals "$rc" 3
	box -e -c 'run sh -c "exit 3"; run echo after'
	check "-e stops at the first failure" lacks "$out" after
	check "-e keeps its status" equals "$rc" 3
	box -c 'run sh -c "exit 3"; run echo after'
	check "without -e the rest runs" contains "$out" after
	box -c 'layers; show'
	check "all good is 0" equals "$rc" 0
}

# A script whose enable or set failed must not go on to run its next
# command with fewer layers than it was written for: it stops there.
test_batch_plan_failure_stops() {
	local bad
	for bad in 'enable pid mnt chroot prco' 'enabel pid' \
		'set pids.max lots' "set rootfs $work/no-root" 'disable uts pdi'; do
		box -c "enable uts; $bad; run echo AFTER; run echo AND-THEN"
		check "after \`$bad\` the batch stops" lacks "$out" AFTER
		check "and says why (\`$bad\`)" contains "$out" \
			"not going on: the commands after "
		check "with the command's own status" equals "$rc" 2
	done
	contains "$out" "a failed \`disable\`" ||
		test_errors+="    expected: the message to name the command"$'\n'
	printf 'enable uts\nset hostname "a b"\nrun echo AFTER\n' >"$work/script"
	box -f "$work/script"
	check "-f names where it stopped" contains "$out" "$work/script:2: not going on"
	check "and ran nothing after it" lacks "$out" AFTER
	box -c 'enable uts; set hostname'
	check "nothing after it: no word of stopping" lacks "$out" "not going on"
	box -c 'enable uts; run false; run echo AFTER'
	check "a container's own failure goes on" contains "$out" AFTER
	check "and says nothing of stopping" lacks "$out" "not going on"
}

test_batch_quoting() {
	box -c "run echo 'a;b' \"c d\" e\\ f; run echo two"
	check "quotes keep ; and blanks" contains "$out" $'a;b c d e f\ntwo'
}

test_batch_file_and_stdin() {
	printf 'enable uts\n# a comment\nset hostname fromfile\nrun hostname\nbogus\n' >"$work/script"
	box -f "$work/script"
	check "-f runs the file" contains "$out" fromfile
	check "errors carry file:line" contains "$out" "$work/script:5: unknown command: bogus"
	check "status 2 for the unknown command" equals "$rc" 2
	out=$(printf 'run echo piped\n' | timeout 60 "$BOX" -f - 2>&1)
	check "-f - reads stdin" equals "$out" piped
	box -f "$work/missing"
	check "a missing file is named" contains "$out" "cannot read $work/missing"
	box -c "run echo 'unclosed"
	check "an unclosed quote is reported" contains "$out" "never closed"
}

test_host_boxpid() {
	box -c 'host echo "[$BOXPID]"'
	check "no container yet: BOXPID is empty" contains "$out" "[]"
	box -c 'enable pid; run true
host test -n "$BOXPID" && test ! -d /proc/$BOXPID && echo LAST-CONTAINER'
	check "BOXPID names the last container" contains "$out" LAST-CONTAINER
	box -c 'host'
	check "host needs a command line" contains "$out" "host needs a command line"
}

test_host_boxcg() {
	box -e -c 'enable pids; set pids.max 17; start sleep 3100
host cat $BOXCG/pids.max
host echo "[$BOXCG_PIDS]" "[$BOXCG_MEMORY]"
stop
host cat /proc/$BOXPID/mountinfo; host echo after'
	check "BOXCG is the pids group: its pids.max" matches "$out" $'\n17\n'
	check "BOXCG_PIDS names it too, BOXCG_MEMORY is unset" \
		matches "$out" "\[/sys/fs/cgroup/[^]]*boxstep/[0-9]+/[0-9]+\] \[\]"
	check "after stop, a note that BOXPID's container has exited" \
		matches "$out" 'note: \$BOXPID is [0-9]+, the latest container, which has exited; `start COMMAND` starts one'
	box -c 'enable pids; run true; host ls $BOXCG'
	check "and that BOXCG's cgroup went with it" \
		matches "$out" 'note: \$BOXCG is /sys/fs/cgroup/[^ ]+, the cgroup of container [0-9]+, which has exited'
	box -c 'run true; host echo "[$BOXCG]"'
	check "a container without a cgroup: BOXCG is empty, and said so" \
		contains "$out" $'note: $BOXCG is empty: container'
	check "and the variable is empty" contains "$out" "[]"
	box -c 'host echo $BOXPID'
	check "before any container, a note too" contains "$out" "note: no container has run yet, so \$BOXPID is empty"
	box -c 'host env'
	check "a line that names neither gets no note" lacks "$out" "note:"
}

# --- errors that teach ----------------------------------------------------------

test_errors_missing_program() {
	box -c 'enable chroot; run /bin/bash'
	check "bash is not in busybox: try /bin/sh" contains "$out" "no /bin/bash in this root filesystem (it is busybox"
	check "suggests /bin/sh" contains "$out" "try /bin/sh"
	check "status 127" equals "$rc" 127
	box -c 'run /no/such/program'
	check "missing on the host" contains "$out" "no such program on the host"
}

test_errors_commands() {
	box -c 'frobnicate'
	check "unknown command points to help" contains "$out" "unknown command: frobnicate. Type \`help\`"
	check "status 2" equals "$rc" 2
	box -c 'e'
	check "ambiguous prefix lists the candidates" contains "$out" "ambiguous command: e, could be: enable, export, explain, exit"
	box -c 'en uts; lay'
	check "unambiguous prefixes work" contains "$out" "uts     ON"
	box -c 'enable'
	check "enable without a layer" contains "$out" "enable is missing a layer name"
	box -c 'enable wifi'
	check "unknown layer" contains "$out" "no layer called 'wifi'"
	box -c 'run'
	check "run without a command" contains "$out" "run is missing its COMMAND"
	box -c 'stop now'
	check "extra arguments" contains "$out" "stop takes no arguments"
	box -c 'explain cgroups'
	check "explain an unknown layer" contains "$out" "no layer called 'cgroups'"
	box -c 'help bogus'
	check "help on an unknown command" contains "$out" "unknown command: bogus"
	check "with nothing close, no guess" lacks "$out" "did you mean"
	box -c 'rnu hostname'
	check "a mistyped command gets a suggestion" \
		contains "$out" "unknown command: rnu (did you mean run?). Type \`help\`"
	box -c 'enable pdi'
	check "so does a mistyped layer" contains "$out" "no layer called 'pdi' (did you mean pid?); the layers are:"
	box -c 'disable pidd'
	check "every name as close is offered" contains "$out" "(did you mean pid or pids?)"
	box -c 'explain ust'
	check "explain suggests too" contains "$out" "no layer called 'ust' (did you mean uts?)"
}

# box_each CMDS...: each its own batch (a failed set stops a batch), the
# outputs together.
box_each() {
	local all="" c
	for c in "$@"; do
		box -c "$c"
		all+="$out"$'\n'
	done
	out=$all
}

test_errors_set_values() {
	local long
	long=$(printf 'h%.0s' $(seq 70))
	box -c 'set pids.max -1'
	check "negative pids.max" contains "$out" "out of range"
	box -c 'set pids.max lots'
	check "non-numeric pids.max" contains "$out" "whole number or 'max'"
	box -c "set hostname $long"
	check "hostname over 64 bytes" contains "$out" "70 bytes long; the kernel takes at most 64"
	box -c 'set rootfs /nonexistent/root'
	check "missing rootfs" contains "$out" "does not exist"
	box -c 'set rootfs /etc/hostname'
	check "rootfs not a directory" contains "$out" "is not a directory"
	mkdir -p "$work/empty-root"
	box -c "set rootfs $work/empty-root"
	check "rootfs without /bin/sh" contains "$out" "has no /bin/sh"
	box -c 'set rootfs /'
	check "the host's / as rootfs" contains "$out" "host's own root directory"
	box_each 'set chdir sometimes' 'set propagation slave' 'set colour red' \
		'set hostname'
	check "chdir on|off" contains "$out" "chdir takes 'on' or 'off'"
	check "propagation private|shared" contains "$out" "propagation takes 'private' or 'shared'"
	check "unknown key" contains "$out" "no setting called 'colour'; the settings are"
	check "missing value" contains "$out" "set hostname needs a value"
	box_each 'set hostnmae x' 'set refersh 100'
	check "a mistyped key gets a suggestion" contains "$out" "no setting called 'hostnmae' (did you mean hostname?)"
	check "refresh is among the keys" contains "$out" "(did you mean refresh?)"
	box -c 'show'
	check "nothing was changed by the bad values" contains "$out" "pids.max     20"
	box_each 'set memory.max 32X' 'set memory.max 512K' 'set cpu.max 0' \
		'set cpu.max half'
	check "a memory size it cannot read" contains "$out" "memory.max takes a size such as 32M"
	check "a memory limit too small to start sh" contains "$out" "below 1M not even a shell"
	check "cpu.max 0" contains "$out" "cpu.max must be between 1"
	check "cpu.max not a number" contains "$out" "cpu.max takes a whole percentage"
}

test_missing_default_rootfs() {
	out=$(BOXSTEP_ROOTFS=$work/not-built timeout 60 "$BOX" -c 'enable chroot; run ls' 2>&1)
	check "a missing rootfs is explained" contains "$out" "$work/not-built does not exist"
}

test_help_and_show() {
	box -c 'help'
	check "help lists every command" contains "$out" "explain LAYER"
	box -c 'help host'
	check "help COMMAND details one" contains "$out" '$BOXPID'
	box -c 'explain pid'
	check "explain teaches" contains "$out" "PID 1"
	box -c 'enable uts pid mnt; show'
	check "show prints the clone flags" contains "$out" "clone(CLONE_NEWUTS|CLONE_NEWPID|CLONE_NEWNS|SIGCHLD)"
	check "show prints the propagation call" contains "$out" 'mount(NULL, "/", NULL, MS_REC|MS_PRIVATE, NULL)'
	box -c 'enable uts pid; reset; layers'
	check "reset turns layers off" lacks "$out" " ON "
	box --version
	check "version" matches "$out" '^boxstep [0-9]'
	box --help
	check "usage" contains "$out" "usage: boxstep"
	box extra-arg
	check "a stray argument is explained" contains "$out" "boxstep -c extra-arg"
	box "it's layers"
	check "and offered quoted, to paste" contains "$out" \
		"boxstep -c 'it'\\''s layers'"
}

t "uts: the container has its own hostname" test_uts_hostname
t "uts: off, the host's hostname is shared" test_uts_off_shares_hostname
t "uts: renaming inside leaves the host alone" test_uts_rename_inside
t "uts: a new uts namespace inode" test_uts_inode_differs
t "uts: a rename of the host through a container is undone" test_uts_rename_without_layer_is_undone
t "pid: the command is PID 1" test_pid_is_one
t "pid: ps still shows the host without proc" test_pid_ps_still_shows_host
t "pid: the host sees NSpid" test_pid_nspid_on_host
t "chroot: ls / shows the rootfs" test_chroot_ls_shows_rootfs
t "chroot+proc: ps shows only the container" test_chroot_ps_only_container
t "chroot: ps is empty before proc is mounted" test_chroot_without_proc_ps_empty
t "chroot: chdir off leaves the cwd outside" test_chroot_chdir_off_escapes
t "chroot: the host sees cwd and root" test_chroot_cwd_seen_from_host
t "proc: leaks into the host's table without mnt" test_proc_leaks_without_mnt
t "proc: private mnt keeps it in the container" test_proc_private_with_mnt
t "proc: shared propagation leaks it back" test_proc_shared_propagation_leaks
t "proc: refused where it would cover the host's /proc" test_proc_refused_alone
t "pids: pids.max blocks forks" test_pids_limit_blocks_forks
t "pids: a fork bomb under pids.max 20 is contained" test_pids_fork_bomb_contained
t "pids: a fork bomb without a pid namespace is cleaned up" test_pids_fork_bomb_without_pid_ns
t "pids: the session's cgroup is removed" test_pids_cgroup_removed
t "pids: stale groups of dead sessions are removed" test_stale_cgroup_removed
t "pids: no pids hierarchy is explained" test_no_pids_hierarchy
t "memory: past memory.max the OOM killer strikes, and is named" test_memory_oom_killed
t "memory: the host sees usage against the limit" test_memory_figures_from_host
t "cpu: cpu.max throttles a busy loop" test_cpu_throttled
t "memory, cpu: a missing controller is explained" test_cgroup_layers_missing_controllers
t "memory, cpu: show and explain" test_cgroup_layers_show
t "net: only loopback, up, and the host view lists it" test_net_only_loopback
t "ipc: its own table of System V objects" test_ipc_own_table
t "cgroupns: its group is / inside" test_cgroupns_root
t "ipc, net, cgroupns: show and explain" test_layers_show_new_flags
t "pivot: the chroot breakout works, and pivot_root closes it" test_pivot_closes_the_breakout
t "pivot: nothing of the host's mount table is left" test_pivot_mount_table
t "user: root inside is uid 100000 outside" test_user_root_inside_only
t "user: with every other layer, and what root inside cannot do" test_user_with_every_layer
t "teardown: orphans die without a pid namespace" test_orphans_killed_without_pid_ns
t "background: start, BOXPID, stop" test_background_start_stop
t "background: an exit is reported" test_background_exit_reported
t "background: quit stops it" test_quit_stops_background
t "signals: SIGTERM tears the container down" test_sigterm_cleans_up
t "signals: SIGINT in batch mode stops everything" test_sigint_batch_cleans_up
t "batch: exit status and -e" test_batch_status_first_failure
t "batch: a failed enable or set stops it" test_batch_plan_failure_stops
t "batch: quoting and ;" test_batch_quoting
t "batch: -f FILE and -f -" test_batch_file_and_stdin
t "host: BOXPID" test_host_boxpid
t "host: BOXCG, and notes on a container that has exited" test_host_boxcg
t "errors: a program missing in the rootfs" test_errors_missing_program
t "errors: commands" test_errors_commands
t "errors: bad values for every set key" test_errors_set_values
t "errors: the default rootfs not built" test_missing_default_rootfs
t "help, explain, show, reset, --version" test_help_and_show
summary "integration"
