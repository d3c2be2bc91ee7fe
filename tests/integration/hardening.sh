#!/usr/bin/env bash
# A shared classroom host: each session's own writable layer over the
# shared rootfs; 30 sessions at once; boxstep killed outright, and the
# next start cleaning up; SIGTERM and SIGHUP; a soak of 1000 containers
# in one session with its fds, memory and zombies counted.  The host's
# state is compared before and after every test.
# Usage: hardening.sh [BOXSTEP] [SOAK_COUNT]
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib.sh"
suite_start hardening.sh "${1:-}"
soak=${2:-1000}
pids_guard_start
trap 'rm -rf "$work"; pids_guard_end' EXIT
echo "boxstep hardening tests: $BOX"
run_dir=/run/boxstep

# --- the binary ------------------------------------------------------------

# Bound at start: lazily bound, each container's child would resolve the
# libc calls it makes first in its own copy of boxstep, every time; and
# the GOT is read-only (full RELRO).
test_bound_at_start() {
	local dyn
	dyn=$(readelf -d "$BOX" 2>&1)
	check "boxstep is linked with every symbol bound at start" \
		matches "$dyn" "FLAGS_1.* NOW"
	check "and its relocations read-only afterwards" \
		equals "$(readelf -l "$BOX" | grep -c GNU_RELRO)" 1
}

# A container's child shares boxstep's memory until its exec (CLONE_VM,
# layers/core.c), unless a step of its plan needs a copy (caps, seccomp,
# memory) or the build is sanitized; either way its signals start clean, boxstep's
# environment and dumpable memory are untouched, and the command is
# looked for in the container's PATH, not boxstep's.
test_child_shares_memory() {
	local log=$work/clone.log want=CLONE_VM
	[ -z "${ASAN_OPTIONS:-}" ] || want=none # sanitized: as fork does
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" timeout -k 5 60 \
		strace -f -qq -o "$log" -e trace=clone "$BOX" -c 'enable uts pid mnt chroot proc; run true
enable caps; run true
disable caps; enable memory; run true' >/dev/null 2>&1 </dev/null
	local made; made=$(grep -o 'flags=[A-Z_|]*CLONE_NEWPID[A-Z_|]*' "$log")
	check "three containers were cloned" equals "$(wc -l <<<"$made")" 3
	check "the first shares boxstep's memory ($want)" equals \
		"$(head -1 <<<"$made" | grep -q CLONE_VM && echo CLONE_VM || echo none)" "$want"
	check "the one with caps (libcap allocates) has a copy" lacks \
		"$(sed -n 2p <<<"$made")" CLONE_VM
	check "so has the one under a memory limit (an OOM kill would take boxstep)" \
		lacks "$(sed -n 3p <<<"$made")" CLONE_VM
	# the user layer as root changes the child's credentials, which marks
	# the memory it shares with boxstep not dumpable: boxstep's, put back
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" timeout -k 5 60 \
		strace -f -qq -o "$log" -e trace=prctl "$BOX" -c 'enable user uts pid mnt chroot proc
run true; run true' >/dev/null 2>&1 </dev/null
	local lost; lost=$(grep -c 'PR_GET_DUMPABLE) *= 0' "$log")
	[ -n "${ASAN_OPTIONS:-}" ] ||
		check "the user layer's child made boxstep not dumpable, twice" equals "$lost" 2
	check "and boxstep made itself dumpable again each time" equals \
		"$(grep -c 'PR_SET_DUMPABLE, SUID_DUMP_USER) = 0' "$log")" "$lost"
	# started with every signal ignored (tests/helpers/ignoreall.c), as
	# GNU make leaves glibc's own two (32 and 33)
	gcc -Wall -Wextra -o "$work/ignoreall" "$here/../helpers/ignoreall.c"
	local bits='grep -E "^Sig(Blk|Ign):" /proc/self/status'
	out=$(timeout -k 5 60 "$work/ignoreall" "$BOX" -c "enable uts pid mnt chroot proc
run $bits
enable caps; run $bits" 2>&1 </dev/null)
	local none=$'SigBlk:\t0000000000000000\nSigIgn:\t0000000000000000'
	check "no signal blocked or ignored in either container" equals "$out" \
		"$none"$'\n'"$none"
	out=$(timeout -k 5 60 env PATH=/usr/sbin:/usr/bin:/sbin:/bin:/boxstep-probe "$BOX" -c 'enable chroot; run sh -c "echo \$PATH"
host sh -c "echo \$PATH"' 2>&1 </dev/null)
	check "the container's PATH is its own" contains "$out" \
		$'/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\n'
	check "and boxstep's is as it was" contains "$out" "/sbin:/bin:/boxstep-probe"
	out=$(timeout -k 5 60 env PATH=/boxstep-nowhere "$BOX" -c 'enable chroot; run hostname
run no-such-program' 2>&1 </dev/null)
	rc=$?
	check "a command is found in the container's PATH, not boxstep's" \
		equals "$(head -1 <<<"$out")" "$(hostname)"
	check "and a missing one is named as missing" contains "$out" \
		"no no-such-program in this root filesystem"
	check "status 127" equals "$rc" 127
	printf 'echo run-by-sh\n' >"$work/no-shebang"
	chmod +x "$work/no-shebang"
	box -c "run $work/no-shebang"
	check "a script without #! is run by /bin/sh, as execvp does" equals "$out" run-by-sh
}

# --- one learner's root is their own ---------------------------------------

test_layer_per_session() {
	box -c 'enable mnt chroot proc; run sh -c "echo mine >/written-here; cat /written-here"
run cat /written-here
start sleep 3140
host grep " / / " /proc/$BOXPID/mountinfo
stop
show'
	check "a container writes into the root" contains "$out" $'mine\nmine'
	check "the next container of the session sees it" equals "$(grep -c '^mine$' <<<"$out")" 2
	check "the root is an overlay" matches "$out" " / / .* - overlay overlay "
	check "show names the layer" contains "$out" "lowerdir=$ROOTFS,upperdir=/run/boxstep/<session>/upper"
	check "the shared rootfs is untouched" test ! -e "$ROOTFS/written-here"
	box -c 'enable chroot; run cat /written-here'
	check "another session does not see it" contains "$out" "No such file"
	check "the session directory is gone" test ! -e "$run_dir"
}

test_layer_off_shares() {
	box -c 'enable chroot; set rootfs.layer off; run sh -c "echo shared >/tmp/shared-file"'
	check "with the layer off the rootfs itself is written" test -e "$ROOTFS/tmp/shared-file"
	rm -f "$ROOTFS/tmp/shared-file"
	box -c 'set rootfs.layer off; enable chroot; show'
	check "show chroots into the directory itself" contains "$out" "chroot(\"$ROOTFS\")"
}

test_layer_seen_from_host() {
	out=$(timeout 60 "$BOX" -c 'enable mnt chroot proc; start sleep 3120
host boxstep_pid=$PPID; ls -d /run/boxstep/*; readlink /proc/$BOXPID/root
host "'"$BOX"'" watch $BOXPID | grep -E "^root|overlay"
stop' 2>&1)
	check "the session directory is under /run/boxstep" matches "$out" "/run/boxstep/[0-9]+"
	check "the container's root is the layer" matches "$out" "/run/boxstep/[0-9]+/busybox"
	check "the host view says it is a writable layer" contains "$out" "this session's writable layer over $ROOTFS"
}

# What one learner writes is bounded: the layer's directory is a tmpfs
# of the room's session.disk.max.  The same write fits under a larger
# bound (the negative control), and a writer who fills the layer leaves
# the host's /run as it was.
test_layer_bounded() {
	# (The root has an empty /dev: the bytes come from yes.)
	local write='run sh -c "yes 0123456789abcdef | head -c 25165824 | dd of=/big bs=64k 2>&1 | head -1; ls -l /big"'
	printf '# the room\nsession.disk.max = 8M\n' >"$work/class.conf"
	local run_before run_after size
	run_before=$(df -k --output=avail /run | tail -1)
	out=$(BOXSTEP_CLASS_CONF=$work/class.conf timeout 60 "$BOX" -c "enable mnt chroot
$write
host df -k /run/boxstep/\$PPID | tail -1
show
reset
enable mnt chroot
show" 2>&1)
	run_after=$(df -k --output=avail /run | tail -1)
	check "a write beyond session.disk.max fails" contains "$out" "No space left on device"
	size=$(grep -oE ' root +root +[0-9]+ ' <<<"$out" | awk '{ print $3 }' | head -1)
	check "and stops at it (/big: ${size:-?} bytes)" \
		test "${size:-0}" -gt $((4 << 20)) -a "${size:-0}" -le $((8 << 20))
	check "the session's directory is a tmpfs of 8M" matches "$out" "tmpfs +8192 +[0-9]+ +[0-9]+ +[0-9]+% /run/boxstep/[0-9]+"
	check "show says so" contains "$out" 'mount("tmpfs", "/run/boxstep/<session>", "tmpfs", MS_NOSUID|MS_NODEV, "size=8M,mode=0711")'
	check "reset keeps the room's bound" equals "$(grep -c 'size=8M,mode=0711' <<<"$out")" 2
	check "the host's /run kept its room (${run_before}K free, then ${run_after}K)" \
		test $((run_before - run_after)) -lt 1024
	printf 'session.disk.max = 64M\n' >"$work/class.conf"
	out=$(BOXSTEP_CLASS_CONF=$work/class.conf timeout 60 "$BOX" -c "enable mnt chroot
$write" 2>&1)
	check "under 64M the same write fits" matches "$out" " 25165824 "
	box -c 'enable mnt chroot; show'
	check "without a class file the bound is 256M" contains "$out" '"size=256M,mode=0711"'
}

# --- the session's limits, whatever layers are off ---------------------------

# Everything a session runs is in its group: host commands, a container
# with no layer at all, one with the pids layer (its own group inside).
test_session_group() {
	box -e -c 'host grep :pids: /proc/self/cgroup
run grep :pids: /proc/self/cgroup
enable pids
run grep :pids: /proc/self/cgroup
host sleep 3121 &'
	check "a host command is in the session's shared group" \
		has_line "$out" "^[0-9]+:pids:/boxstep/[0-9]+/shared$"
	check "a container without layers too" \
		equals "$(grep -cE '^[0-9]+:pids:/boxstep/[0-9]+/shared$' <<<"$out")" 2
	check "the pids layer's group is inside the session's" \
		has_line "$out" "^[0-9]+:pids:/boxstep/[0-9]+/1$"
	check "what a host command left running went with the session" \
		equals "$(pgrep -fc 'sleep 3121')" 0
}

# session.pids.max holds with every layer off: sixty sleepers forked on
# the host, no namespace, no cgroup layer, and a fork past the limit is
# refused (dash gives up at the first; the kernel counts the refusal in
# the group of the process that forked).  The same without a class file is
# the control.  The sleepers left go with the container's teardown.
test_session_pids_max() {
	local many='run sh -c "for i in \$(seq 60); do sleep 3122 >/dev/null 2>&1 & done 2>&1 | grep -c fork; true"
host cat /sys/fs/cgroup/pids/boxstep/$PPID/pids.max /sys/fs/cgroup/pids/boxstep/$PPID/shared/pids.events'
	box -e -c "$many"
	check "without a class file all sixty start" equals "$out" $'0\nmax\nmax 0'
	printf 'session.pids.max = 40\n' >"$work/class.conf"
	out=$(BOXSTEP_CLASS_CONF=$work/class.conf timeout 60 "$BOX" -e -c "$many" 2>&1)
	check "with session.pids.max 40 the forks past it are refused" \
		matches "$out" $'^[1-9][0-9]*\n40\nmax [1-9][0-9]*$'
}

# session.memory.max holds with every layer off: tail keeps a line of
# 100M of zeroes, and the OOM killer takes it at 48M; without the class
# file it gets through.
test_session_memory_max() {
	local hog='run sh -c "head -c 100M /dev/zero | tail | wc -c"'
	box -e -c "$hog"
	check "without a class file the hog gets its 100M" has_line "$out" "^104857600$"
	printf 'session.memory.max = 48M\n' >"$work/class.conf"
	out=$(BOXSTEP_CLASS_CONF=$work/class.conf timeout 60 "$BOX" -e -c "$hog
host grep -E '^oom_kill ' /sys/fs/cgroup/memory/boxstep/\$PPID/shared/memory.oom_control" 2>&1)
	check "with session.memory.max 48M the OOM killer takes it" has_line "$out" "^oom_kill [1-9]"
	check "and it got no 100M" lacks "$out" "104857600"
}

# A class file whose limits cannot hold here stops the session, and says
# why; nothing is left behind.
test_session_limits_cannot_hold() {
	mkdir -p "$work/nocg"
	printf 'session.pids.max = 40\n' >"$work/class.conf"
	out=$(BOXSTEP_CLASS_CONF=$work/class.conf BOXSTEP_CGROUP_ROOT=$work/nocg \
		timeout 60 "$BOX" -c 'run echo ran' 2>&1)
	rc=$?
	check "refused" equals "$rc" 1
	check "saying why" contains "$out" "the class file's limits for each session cannot hold here: "
	check "naming what is missing" contains "$out" "$work/nocg/pids"
	check "and nothing ran" lacks "$out" "ran"
}

# --- many learners at once -------------------------------------------------

test_thirty_sessions() {
	local i pids=() bad=""
	for i in $(seq 30); do
		timeout 120 "$BOX" -c "enable uts pid mnt chroot proc pids
set hostname learner-$i
set pids.max $((10 + i))
run sh -c 'echo mine-$i >/file-$i; sleep 2; echo host=\$(hostname); ls /; ps -o pid,comm | grep -vc PID; cat /proc/1/cgroup'" \
			>"$work/s$i.out" 2>&1 </dev/null &
		pids+=($!)
	done
	for i in $(seq 30); do
		wait "${pids[$((i - 1))]}" || bad+=" $i:exit"
		f=$work/s$i.out
		grep -qx "host=learner-$i" "$f" || bad+=" $i:hostname"
		grep -qx "file-$i" "$f" || bad+=" $i:own-file"
		[ "$(grep -c '^file-' "$f")" = 1 ] || bad+=" $i:sees-others"
		# Its own processes only: sh, ps, grep (and the pipe's sh).
		[ "$(sed -n '/^file-/,$p' "$f" | grep -xE '[0-9]+' | head -1)" -le 4 ] || bad+=" $i:processes"
		grep -q "learner-$i" "$f" && [ "$(grep -c learner- "$f")" = 1 ] || bad+=" $i:other-hostnames"
	done
	# Thirty different cgroups.
	check "30 distinct cgroups" equals "$(cat "$work"/s*.out | grep -E 'pids:/boxstep/' | sort -u | wc -l)" 30
	check "every session saw only its own (bad:${bad:- none})" equals "$bad" ""
	check "no session directory is left" test ! -e "$run_dir"
}

# --- killed outright ---------------------------------------------------------

wait_for() { for _ in $(seq 100); do eval "$1" && return 0; sleep 0.1; done; return 1; }

test_sigkill_session() {
	local sup session
	"$BOX" -c 'enable chroot; start sh -c "sleep 3131 | sleep 3132"
run sleep 3133' >"$work/k.out" 2>&1 </dev/null &
	sup=$!
	wait_for 'pgrep -f "^sleep 3133" >/dev/null'
	session=$(pgrep -P "$sup" -x boxstep)
	check "the session runs under a supervisor" test -n "$session"
	check "its layer is mounted" test -d "$run_dir/$session"
	kill -KILL "$session"
	wait "$sup"
	rc=$?
	out=$(cat "$work/k.out")
	check "the supervisor exits 137" equals "$rc" 137
	check "it says what happened" contains "$out" "was killed by signal 9 (Killed); cleaned up after it"
	check "the containers' processes are gone" eval '! pgrep -f "^sleep 313[123]"'
	check "it names its session directory" contains "$out" "removed stale session directory $run_dir/$session"
	check "which is gone" test ! -e "$run_dir/$session"
}

test_sigkill_all_then_next_start() {
	local sup session hier
	"$BOX" -c 'enable chroot pids; start sh -c "sleep 3134 | sleep 3135"; host sleep 100' \
		>/dev/null 2>&1 </dev/null &
	sup=$!
	wait_for 'pgrep -f "^sleep 3135" >/dev/null'
	session=$(pgrep -P "$sup" -x boxstep)
	kill -KILL "$sup" "$session"
	wait "$sup" 2>/dev/null
	pkill -KILL -f '^sleep 100$'
	# Its first process had PR_SET_PDEATHSIG; the two sleepers it
	# started were orphaned to init, but stay in the cgroup.
	check "its session directory is left behind" test -d "$run_dir/$session"
	box -c 'layers'
	check "the next start kills what was left in the cgroup" \
		matches "$out" "removed stale cgroup [^ ]*/boxstep/$session \(its boxstep, pid $session, is gone; [1-9][0-9]* process(es)? killed\)"
	check "so nothing of the container is left" eval '! pgrep -f "^sleep 313[45]" >/dev/null'
	check "and the session directory" contains "$out" "removed stale session directory $run_dir/$session"
	check "and the layer's mount" eval '! grep -q "$run_dir/$session" /proc/self/mountinfo'
}

test_sigterm_sighup_clean() {
	local sig sup
	for sig in TERM HUP; do
		"$BOX" -c 'enable pid mnt chroot proc pids; start sleep 3136; run sleep 3137' \
			>"$work/t.out" 2>&1 </dev/null &
		sup=$!
		wait_for 'pgrep -f "^sleep 3137" >/dev/null'
		kill "-$sig" "$sup"
		wait "$sup"
		rc=$?
		check "SIG$sig: exit status 128 + the signal" equals "$rc" "$((128 + $(kill -l $sig)))"
		check "SIG$sig: nothing to clean afterwards" lacks "$(cat "$work/t.out")" "cleaned up after it"
		check "SIG$sig: no session directory left" test ! -e "$run_dir"
	done
}

# --- a long session -----------------------------------------------------------

# One session, $soak containers: layers change every few, background
# containers come and go.  boxstep's fds and memory are read at 100 and
# at the end.
test_soak() {
	local script=$work/soak.box i sets fds100 fdsend rss100 rssend
	sets=("" "enable uts" "enable pid" "enable mnt chroot proc" "enable pids"
	      "disable pid" "enable pid; set pids.max 5" "disable chroot proc"
	      "reset; enable uts pid mnt chroot proc pids")
	: >"$script"
	for i in $(seq "$soak"); do
		if [ $((i % 25)) = 0 ]; then
			echo "${sets[$(( (i / 25) % ${#sets[@]} ))]}" >>"$script"
		fi
		case $((i % 10)) in
		3) echo "start sleep 3150" >>"$script" ;;
		4) echo "stop" >>"$script" ;;
		*) echo "run true" >>"$script" ;;
		esac
		if [ "$i" = 100 ] || [ "$i" = "$soak" ]; then
			echo 'host echo "fds $(ls /proc/$PPID/fd | wc -l) rss $(awk "/VmRSS/ {print \$2}" /proc/$PPID/status) zombies $(ps -o stat= --ppid $PPID | grep -c Z)"' >>"$script"
		fi
	done
	out=$(timeout 1200 "$BOX" -f "$script" 2>&1 </dev/null)
	rc=$?
	check "every container ran (status 0)" equals "$rc" 0
	fds100=$(grep -m1 '^fds ' <<<"$out" | awk '{print $2}')
	fdsend=$(grep '^fds ' <<<"$out" | tail -1 | awk '{print $2}')
	rss100=$(grep -m1 '^fds ' <<<"$out" | awk '{print $4}')
	rssend=$(grep '^fds ' <<<"$out" | tail -1 | awk '{print $4}')
	echo "    soak: $soak containers; fds $fds100 -> $fdsend, VmRSS ${rss100} kB -> ${rssend} kB"
	check "the fds do not grow ($fds100 -> $fdsend)" equals "$fds100" "$fdsend"
	# Under AddressSanitizer freed memory waits in a quarantine and RSS
	# grows by design; there LeakSanitizer's report at exit is the check.
	if [ -z "${ASAN_OPTIONS:-}" ]; then
		check "VmRSS grows by less than 1 MB ($rss100 -> $rssend kB)" \
			test "$((rssend - rss100))" -lt 1024
	fi
	check "no zombies" equals "$(grep '^fds ' <<<"$out" | awk '{print $6}' | sort -u)" 0
	check "no session directory left" test ! -e "$run_dir"
}

t "binary: every symbol bound at start, full RELRO" test_bound_at_start
t "binary: a container's child shares boxstep's memory, safely" test_child_shares_memory
t "layer: each session writes into its own layer" test_layer_per_session
t "layer: rootfs.layer off writes into the shared directory" test_layer_off_shares
t "layer: the host view shows it" test_layer_seen_from_host
t "layer: what a session writes is bounded (session.disk.max)" test_layer_bounded
t "room: all a session runs is in its group" test_session_group
t "room: session.pids.max holds with every layer off" test_session_pids_max
t "room: session.memory.max holds with every layer off" test_session_memory_max
t "room: limits that cannot hold here stop the session" test_session_limits_cannot_hold
t "concurrency: 30 sessions at once, each sees only its own" test_thirty_sessions
t "crash: SIGKILL of the session: the supervisor cleans up" test_sigkill_session
t "crash: SIGKILL of everything: the next start cleans up" test_sigkill_all_then_next_start
t "crash: SIGTERM and SIGHUP clean up fully" test_sigterm_sighup_clean
t "soak: $soak containers in one session" test_soak
summary "hardening"
