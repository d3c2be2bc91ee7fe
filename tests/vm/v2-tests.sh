#!/bin/sh
# boxstep's pids tests on a cgroup2-only host (run inside the VM by
# tests/vm/run.sh, with busybox sh).  Usage: v2-tests.sh BOXSTEP
BOX=$1
# root's home, where lesson 18 writes its bundle
export HOME=/tmp/root-home
mkdir -p $HOME
passed=0
failed=0

state() {
	hostname
	awk '{print $5}' /proc/self/mountinfo | sort
	find /sys/fs/cgroup -name 'boxstep*' -type d | sort
	ps -o pid,args | grep '[s]leep 31' | awk '{print $1}'
}

# judge NAME EXPECTED-REGEX [LEFT]: reports one test from $out, the host
# state $before and $after it, and LEFT (what it must not leave behind).
judge() {
	name=$1 want=$2 left=${3:-}
	if ! echo "$out" | grep -Eq -- "$want"; then
		failed=$((failed + 1))
		echo "not ok - $name"
		echo "    expected output matching: $want"
		echo "$out" | grep -v "can't fork" | head -20 | sed 's/^/    | /'
	elif [ "$before" != "$after" ] || [ -n "$left" ]; then
		failed=$((failed + 1))
		echo "not ok - $name"
		echo "    the host changed:"
		echo "    before: $(echo $before)"
		echo "    after:  $(echo $after)"
		[ -n "$left" ] && echo "    left:   $(echo $left)"
	else
		passed=$((passed + 1))
		echo "ok - $name"
	fi
}

# t NAME EXPECTED-REGEX BOXSTEP-SCRIPT: runs the script with -c, checks
# the output against the regex and the host's state before and after.
t() {
	before=$(state)
	out=$("$BOX" -c "$3" 2>&1)
	after=$(state)
	judge "$1" "$2"
}

figures='d=/sys/fs/cgroup$(sed -n "s/^0:://p" /proc/$BOXPID/cgroup); echo "group=$d current=$(cat $d/pids.current) max=$(cat $d/pids.max) $(grep max $d/pids.events)"'

t "v2: detected, and named in show" 'pids: cgroup v2 at /sys/fs/cgroup' \
	'enable pids; show'
t "v2: the container is in boxstep/<session>" 'group=/sys/fs/cgroup/boxstep/[0-9]+/1 current=1 max=20' \
	"enable pids; start sleep 3101
host $figures
stop"
t "v2: pids.max 5 refuses the sixth process" 'current=4 max=5 max [1-9]' \
	"enable pid mnt chroot proc pids; set pids.max 5; start sh -c \"sleep 3102 | sh -c 'sleep 3102 | sleep 3102 | sleep 3102 | sleep 3102 | sleep 3102'\"
host sleep 1; $figures
stop"
t "v2: a fork bomb stops at pids.max 20" 'current=(19|20) max=20 max [1-9]' \
	"enable pid mnt chroot proc pids; start sh -c 'sh -c \"bomb() { while :; do bomb | bomb; done; }; bomb\" | sleep 3103'
host for i in 1 2 3 4 5 6 7 8 9 10; do sleep 0.5; $figures; done
stop"
t "v2: a fork bomb without a pid namespace is killed with cgroup.kill" 'current=(19|20) max=20 max [1-9]' \
	"enable chroot pids; start sh -c 'sh -c \"bomb() { while :; do bomb | bomb; done; }; bomb\" | sleep 3104'
host for i in 1 2 3 4 5 6 7 8 9 10; do sleep 0.5; $figures; done
stop"
t "v2: the session's group hands its containers' groups every controller" '^cpu memory pids$' \
	"enable pids; start sleep 3105
host cat /sys/fs/cgroup/boxstep/\$PPID/cgroup.subtree_control
stop"
t "v2: pids.max max" 'current=1 max=max' \
	"enable pids; set pids.max max; start sleep 3106
host $figures
stop"
mem='d=/sys/fs/cgroup$(sed -n "s/^0:://p" /proc/$BOXPID/cgroup); echo "memory.max=$(cat $d/memory.max) swap=$(cat $d/memory.swap.max 2>/dev/null) cpu.max=$(cat $d/cpu.max) subtree=$(cat /sys/fs/cgroup/boxstep/cgroup.subtree_control)"'
t "v2: memory.max, no swap and cpu.max in one group" 'memory.max=16777216 swap=(0|) cpu.max=20000 100000 subtree=.*cpu.*memory' \
	"enable memory cpu; set memory.max 16M; set cpu.max 20; start sleep 3107
host $mem
stop"
t "v2: show names the v2 files" 'write\("memory.max", "16777216"\).*' \
	'enable memory cpu; set memory.max 16M; show'
t "v2: past memory.max the OOM killer strikes, and boxstep says so" 'the OOM killer killed 1 process in the container: it reached its memory limit, memory.max 16M \(memory.events oom_kill 1\)' \
	"enable pid mnt chroot proc memory; set memory.max 16M; run awk 'BEGIN { s = \"x\"; while (1) s = s s }'"
t "v2: the host view shows memory and cpu throttling" 'cpu: limit 10% of a CPU  used [0-9.]+ s  throttled [1-9][0-9]* of' \
	"enable pid cpu memory; set cpu.max 10; start sh -c 'while :; do :; done'
host sleep 2; $BOX watch \$BOXPID
stop"
t "v2: with cgroupns the container's group reads as 0::/" '^0::/$' \
	"enable pids cgroupns; run cat /proc/self/cgroup"
t "v2: without it, the full path" '^0::/boxstep/[0-9]+/1$' \
	"enable pids; run cat /proc/self/cgroup"
# A group left by a boxstep that is gone (pid 99999 does not run here).
mkdir -p /sys/fs/cgroup/boxstep/99999/3
out=$("$BOX" -c layers 2>&1)
if echo "$out" | grep -q 'removed stale cgroup /sys/fs/cgroup/boxstep/99999 ' &&
   [ ! -d /sys/fs/cgroup/boxstep ]; then
	passed=$((passed + 1))
	echo "ok - v2: a dead session's group is removed at start"
else
	failed=$((failed + 1))
	echo "not ok - v2: a dead session's group is removed at start"
	echo "$out" | sed 's/^/    | /'
fi
t "v2: the other layers work here too" 'kitten pid=1' \
	'enable uts pid mnt chroot proc; set hostname kitten; run sh -c "echo $(hostname) pid=\$\$"'
# This kernel loads modules (the development host's is built without
# them): with the caps layer root inside cannot, CAP_SYS_MODULE not
# being among Docker's 14; without it the kernel reads the module.
t "v2 kernel: with caps, root inside cannot load a module" "insmod: can't insert '/bin/busybox': Operation not permitted" \
	'enable uts pid mnt chroot proc caps; run insmod /bin/busybox'
t "v2 kernel: control: without caps the kernel reads it, and refuses a program for one" "insmod: can't insert '/bin/busybox': (invalid module format|Invalid argument|Exec format error)" \
	'enable uts pid mnt chroot proc; run insmod /bin/busybox'

# The cgroup lessons, autoplayed on v2: each check fails before its step
# and holds after it.
for lesson in 07-cgroups 09-memory-cpu 18-runc; do
	before=$(state)
	out=$("$BOX" check "$(dirname "$BOX")/lessons/$lesson.md" 2>&1)
	rc=$?
	after=$(state)
	if [ $rc = 0 ] && [ "$before" = "$after" ]; then
		passed=$((passed + 1))
		echo "ok - v2: lesson $lesson passes boxstep check"
	else
		failed=$((failed + 1))
		echo "not ok - v2: lesson $lesson passes boxstep check (status $rc)"
		echo "$out" | grep -v "can't fork" | tail -15 | sed 's/^/    | /'
	fi
done

# twin NAME RUNTIME DIR LAYERS [AS [PIDS]]: the plan exported to DIR and
# run there by RUNTIME (runc or crun) with `host`, then by boxstep, in one
# session (AS: sh code that runs boxstep, given the script as $1): the two
# containers' capabilities, filter, bit, namespaces and hostname are the
# same, and so is pids.max (PIDS: what the runtime's is instead).
twin() {
	rt="$2 --root $3/state"
	fig='grep -E "^(CapEff|CapBnd|Seccomp|NoNewPrivs):" /proc/$p/status; for t in uts pid mnt ipc net user cgroup time; do [ "$(readlink /proc/$p/ns/$t)" != "$(readlink /proc/self/ns/$t)" ] && printf "%s " $t; done; echo; echo pids.max $(cat /sys/fs/cgroup$(sed -n "s/^0:://p" /proc/$p/cgroup)/pids.max)'
	script="enable uts pid mnt chroot proc dev masks pids caps seccomp nonewprivs $4
set hostname twin
set pids.max 30
set caps -NET_RAW
export $3 sleep 3181
host $rt run -d -b $3 --pid-file $3/pid twin </dev/null >/dev/null
host p=\$(cat $3/pid); ($fig; $rt exec twin hostname) | sed 's/^/rt: /'; $rt delete -f twin
start sleep 3182
host p=\$BOXPID; ($fig) | sed 's/^/boxstep: /'
run hostname
stop"
	before=$(state)
	out=$(sh -c "${5:-exec \"\$0\" -e -c \"\$1\"}" "$BOX" "$script" 2>&1)
	rc=$?
	sleep 0.2
	after=$(state)
	rt_lines=$(echo "$out" | sed -n 's/^rt: //p')
	box_lines=$(echo "$out" | sed -n 's/^boxstep: //p')
	if [ $rc = 0 ] && [ -n "$box_lines" ] &&
	   [ "$(echo "$rt_lines" | grep -v '^twin$' | grep -v '^pids.max ')" = \
	     "$(echo "$box_lines" | grep -v '^pids.max ')" ] &&
	   echo "$rt_lines" | grep -qx "pids.max ${6:-30}" &&
	   echo "$box_lines" | grep -qx 'pids.max 30' &&
	   echo "$rt_lines" | grep -q '^twin$' &&
	   echo "$box_lines" | grep -q 'CapEff:.*00000000a80405fb'; then
		out="same"
	fi
	rm -rf "$3"
	judge "$1" '^same$'
}
twin "v2: crun runs the exported bundle, the container boxstep makes" crun /tmp/crun-twin ""

# --- rootless: a user with a cgroup v2 group delegated to it ------------
# As systemd does for user@UID.service: the group and the files that
# move processes and hand controllers down belong to the user.
deleg=/sys/fs/cgroup/learner
echo "+pids +memory +cpu" > /sys/fs/cgroup/cgroup.subtree_control
mkdir -p $deleg
chown 1000:1000 $deleg $deleg/cgroup.procs $deleg/cgroup.subtree_control \
	$deleg/cgroup.threads

# class doctor on a cgroup v2 host, as the learner, and with user
# namespaces turned off: each line as this host makes it.
doc() {
	before=$(state)
	out=$("$BOX" class doctor --as learner 2>&1)
	after=$(state)
	judge "$1" "$2"
}
doc "v2: class doctor finds cgroup v2 with the controllers handed down" \
	'^  ok    cgroup v2, with pids, memory and cpu handed down$'
doc "v2: and a learner who makes the session's host and its overlay" \
	'^  ok    overlayfs in a user namespace: the session.s writable layer mounts$'
max=$(cat /proc/sys/user/max_user_namespaces)
echo 0 > /proc/sys/user/max_user_namespaces
doc "v2: class doctor: user namespaces turned off, a fix with the setting" \
	'^  FIX   user.max_user_namespaces is low$'
doc "v2: and the learner's refusal, with what to check" \
	'As learner: this system does not let an'
echo "$max" > /proc/sys/user/max_user_namespaces

# rl NAME EXPECTED-REGEX BOXSTEP-SCRIPT [EXTRA]: as t, but boxstep runs as
# uid 1000, alone in the delegated group (EXTRA: a process to start there
# first).  Afterwards the group must be as it was: no groups under it,
# nothing handed down, no process in it.
rl() {
	extra=${4:-}
	before=$(state)
	out=$(sh -c 'echo $$ > '$deleg'/cgroup.procs; '"$extra"'
		exec /usr/bin/setpriv --reuid=1000 --regid=1000 --clear-groups \
		env -i PATH=/bin:/usr/bin "$0" -c "$1"' "$BOX" "$3" 2>&1)
	[ -s /tmp/extra.pid ] && kill "$(cat /tmp/extra.pid)" 2>/dev/null
	rm -f /tmp/extra.pid
	sleep 0.2
	after=$(state)
	judge "$1" "$2" "$(find $deleg -mindepth 1 -type d)$(cat $deleg/cgroup.subtree_control $deleg/cgroup.procs)"
}
# uid 0 of the session's host, which is uid 1000 outside it.
rfig='d=/sys/fs/cgroup$(sed -n "s/^0:://p" /proc/$BOXPID/cgroup); echo "group=$d max=$(cat $d/pids.max) uid=$(stat -c %u /proc/$BOXPID) outside=$(awk "{print \$2}" /proc/self/uid_map)"'
rl "rootless v2: pids.max in a group under the delegated one" \
	'group=/sys/fs/cgroup/learner/boxstep/[0-9]+/1 max=5 uid=0 outside=1000' \
	"enable uts pid mnt chroot proc pids; set pids.max 5; start sleep 3108
host $rfig
stop"
rl "rootless v2: a fork bomb stops at pids.max 20" 'current=(19|20) max=20 max [1-9]' \
	"enable pid mnt chroot proc pids; start sh -c 'sh -c \"bomb() { while :; do bomb | bomb; done; }; bomb\" | sleep 3109'
host for i in 1 2 3 4 5 6 7 8 9 10; do sleep 0.5; $figures; done
stop"
rl "rootless v2: past memory.max the OOM killer strikes, and boxstep says so" \
	'the OOM killer killed 1 process in the container: it reached its memory limit, memory.max 16M' \
	"enable pid mnt chroot proc memory; set memory.max 16M; run awk 'BEGIN { s = \"x\"; while (1) s = s s }'"
rl "rootless v2: another process in the group: pids says why" \
	'holds other processes too \(pid [0-9]+\).*systemd-run --user --scope -p Delegate=yes' \
	"enable pids; run true" "sleep 3199 >/dev/null 2>&1 & echo \$! > /tmp/extra.pid"
# The exported plan run by crun in the session's host of the user, in
# the delegated group: the same container but for its pids.max.  The
# bundle names no cgroupsPath; crun then makes /sys/fs/cgroup/twin, which
# the user may not, and rootless it goes on without a group or a limit,
# saying nothing.  (runc puts it by its own group instead: lesson 18.)
twin "rootless v2: crun in the session's host runs the bundle, the container boxstep makes" \
	crun /tmp/learner-twin net 'echo $$ > '$deleg'/cgroup.procs
	exec /usr/bin/setpriv --reuid=1000 --regid=1000 --clear-groups \
	env -i PATH=/bin:/usr/bin "$0" -e -c "$1"' max
# The whole course, autoplayed by the user in its delegated group: the
# cgroup lessons and lesson 18's runc included, every step passes with
# its proofs, and none is left out.
before=$(state)
mkdir -p /tmp/learner-state /tmp/learner-home &&
	chown 1000:1000 /tmp/learner-state /tmp/learner-home
out=$(sh -c 'echo $$ > '$deleg'/cgroup.procs
	exec /usr/bin/setpriv --reuid=1000 --regid=1000 --clear-groups \
	env -i PATH=/usr/bin:/bin XDG_STATE_HOME=/tmp/learner-state HOME=/tmp/learner-home \
	"$0" check' "$BOX" 2>&1)
rc=$?
sleep 0.2
after=$(state)
left=$(ls -A /tmp/learner-home)
rm -rf /tmp/learner-state /tmp/learner-home
if [ $rc = 0 ] && [ "$before" = "$after" ] && [ -z "$left" ] &&
   echo "$out" | grep -Eq '^check: [0-9]+ passed, 0 failed$' &&
   echo "$out" | grep -q "^ok - .*07-cgroups.md: step 5:" &&
   echo "$out" | grep -q "^ok - .*18-runc.md: step 4:"; then
	passed=$((passed + 1))
	echo "ok - rootless v2: the whole course passes boxstep check as a user ($(echo "$out" | tail -1))"
else
	failed=$((failed + 1))
	echo "not ok - rootless v2: the whole course passes boxstep check as a user (status $rc)"
	[ "$before" = "$after" ] || echo "    the host changed: before: $(echo $before) after: $(echo $after)"
	[ -z "$left" ] || echo "    the lessons left in the learner's home: $left"
	echo "$out" | grep -E "07-cgroups.md: step 5|18-runc.md: step 4" | sed 's/^/    | /'
	echo "$out" | grep -v "^ok" | grep -v "can't fork" | tail -25 | sed 's/^/    | /'
fi
# From the root group, which belongs to root.
out=$(/usr/bin/setpriv --reuid=1000 --regid=1000 --clear-groups env -i PATH=/bin:/usr/bin \
	"$BOX" -c "enable pids; run true" 2>&1)
if echo "$out" | grep -q "rootless, the pids layer needs a cgroup v2 group delegated to you: boxstep's cgroup /sys/fs/cgroup belongs to uid 0, not to you (uid 1000)"; then
	passed=$((passed + 1))
	echo "ok - rootless v2: a group that is not the user's: pids says why"
else
	failed=$((failed + 1))
	echo "not ok - rootless v2: a group that is not the user's: pids says why"
	echo "$out" | sed 's/^/    | /'
fi
rmdir $deleg

echo
echo "v2: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
