#!/usr/bin/env bash
# boxstep's error paths, found with strace's fault injection.
#
# Syscall faults: each plan below runs once under strace to count, per
# process, the calls of every syscall of container set-up and teardown
# (strace numbers the calls of each process on its own, so `when=N` fails
# the Nth call in every process that makes one).  Then the plan runs again
# once for every N, with that call failing.  For openat and write, N runs
# over the calls that touch a cgroup, /run/boxstep, /dev/null, a
# container's /proc files or a pipe (not the loader's, nor stdout and
# stderr), sampled evenly down to $cap of them.  A fault that bites (the
# exit status or the output, pids aside, differs from the fault-free run)
# must be named on the output (the call or the operation, and the error),
# end in a non-zero status, and crash nothing; every fault, biting or not,
# must leave the host as it was.  A fault that bit only a program boxstep
# ran (the container's command, a `host` shell) is not boxstep's to name.
# One that also failed a call of the supervisor's clean-up after the
# session (the same N in another process) may leave the host to the next
# start, which must then clean it.
#
# Kills: boxstep is stopped (strace's delay_enter) at points of a container
# start, then the session alone, or the whole process group with its
# supervisor, is sent SIGKILL.  The supervisor must clean up after a
# session killed alone; after the group, the next start must, saying
# nothing but what it removed, and run its container.
# Usage: faults.sh [BOXSTEP]
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib.sh"
suite_start faults.sh "${1:-}"
trap 'rm -rf "$work"' EXIT
command -v strace >/dev/null ||
	{ echo "SKIP: tests/integration/faults.sh needs strace (make deps)"; exit 77; }
echo "boxstep fault injection tests: $BOX"
began=$(date +%s)
cap=12

# The plans, and what each one exposes.  pivot runs without the writable
# layer, so that the session mounts nothing and each of the container's
# own mounts can fail alone; bg's foreground container is the session's
# third clone, after the background one and a `host` command's fork, so
# that its clone can fail alone (the first clone of every process is also
# the supervisor's fork).  watch, the host view, is the one to call setns,
# and is played for setns alone: its own reads are not set-up.
declare -A plan
plan[root]='enable uts pid mnt chroot proc pids memory cpu ipc net cgroupns user
run /bin/true'
plan[pivot]='set rootfs.layer off
enable uts pid mnt pivot proc
run /bin/true'
plan[shared]='enable uts pid mnt chroot proc
set propagation shared
run /bin/true'
plan[bg]='enable uts pid mnt chroot proc pids
start sleep 3160
host test -d /proc/$BOXPID
run /bin/true
stop'
plan[watch]='enable uts pid mnt chroot proc pids
start sleep 3161
host $BOXSTEP watch $BOXPID
stop'
# docker has the layers that mount under the root (dev, masks), make
# nodes and links, move the clocks, and take privileges (caps, seccomp,
# nonewprivs); their own calls are played in it alone.
plan[docker]='enable uts pid mnt chroot proc dev masks time caps seccomp nonewprivs
run /bin/true'
declare -A plans_of=([setns]=watch [mknodat]=docker [symlink]=docker
	[capset]=docker [seccomp]=docker)
plans="root pivot shared bg watch docker"

syscalls="mount umount2 chroot pivot_root sethostname clone mkdir rmdir openat write pipe2 unshare setns mknodat symlink capset seccomp"
trace_set=$(tr ' ' , <<<"$syscalls")
syscalls=${FAULTS_ONLY-$syscalls} # FAULTS_ONLY="mount rmdir": a few
declare -A errno_of=([mount]=EPERM [umount2]=EBUSY [chroot]=EACCES
	[pivot_root]=EINVAL [sethostname]=EPERM [clone]=ENOSPC [mkdir]=ENOSPC
	[rmdir]=EACCES [openat]=EACCES [write]=EIO [pipe2]=EMFILE
	[unshare]=ENOSPC [setns]=EPERM [mknodat]=EPERM [symlink]=ENOSPC
	[capset]=EPERM [seccomp]=EINVAL)
declare -A text_of=([EPERM]='Operation not permitted' [EBUSY]='Device or resource busy'
	[EACCES]='Permission denied' [EINVAL]='Invalid argument'
	[ENOSPC]='No space left on device' [EIO]='Input/output error'
	[EMFILE]='Too many open files')
# What a message about each may say to name it.
declare -A names_of=([mount]='mount|bind .* onto itself|make .* (private|shared)'
	[umount2]='umount|unmount|detach' [chroot]='chroot\(' [pivot_root]='pivot_root'
	[sethostname]='sethostname' [clone]='clone|fork'
	[mkdir]='mkdir|make the session directory' [rmdir]='rmdir|remove'
	[pipe2]='pipe' [unshare]='unshare' [setns]='setns'
	[mknodat]='device nodes' [symlink]='links' [capset]='capset'
	[seccomp]='seccomp')
# The calls of openat and write that set up or tear down.
selected='/sys/fs/cgroup|/run/boxstep|/dev/null|/proc/[0-9]+/(setgroups|uid_map|gid_map|autogroup|ns/)|/proc/self/(mountinfo|autogroup|timens_offsets)|<pipe:'

# LeakSanitizer cannot work under ptrace: off for the traced runs (under
# `make asan`); the runs that are not traced keep it.
notrace_leaks="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"

plain() { sed -E 's/[0-9]+/N/g; s/ +/ /g' <<<"$1"; }

# news PLAN: the lines of $out that the fault-free run did not print.
news() {
	diff <(plain "${base_out[$1]}") <(plain "$out") | sed -n 's/^> //p' |
		head -4 | tr '\n' '|' | cut -c1-300
}

# The fault-free runs, traced: the output, status and log of each plan.
declare -A base_out base_rc
for p in $plans; do
	base_out[$p]=$(ASAN_OPTIONS=$notrace_leaks timeout -k 5 30 strace -f -y -o "$work/base-$p.log" \
		-e trace="$trace_set" "$BOX" -e -c "${plan[$p]}" 2>&1 </dev/null)
	base_rc[$p]=$?
done

# occurrences LOG SYSCALL: the N worth failing, one a line.
occurrences() {
	local re=""
	[ "$2" = openat ] || [ "$2" = write ] && re=$selected
	awk -v s="$2" -v re="$re" '
		$0 ~ "^[0-9]+ +" s "\\(" {
			n = ++count[$1]
			if (n > max) max = n
			if (re == "" || ($0 ~ re && $0 !~ /^[0-9]+ +write\([12]</))
				want[n] = 1
		}
		END { for (i = 1; i <= max; i++) if (want[i]) print i }' "$1" |
	awk -v cap=$([ -n "$re" ] && echo $cap || echo 1000) '{ a[NR] = $0 }
		END { for (i = 0; i < NR && i < cap; i++)
			print a[NR <= cap ? i + 1 : 1 + int(i * (NR - 1) / (cap - 1))] }'
}

# The reports the sanitizers wrote so far (under `make asan`).
reports() { ls /tmp/boxstep-sanitizers 2>/dev/null | wc -l; }

# A crash: a process of boxstep killed by a signal it did not ask for, a
# sanitizer's report, or a hang.
crashed() {
	grep -Eq '^[0-9]+ +\+\+\+ killed by SIG(SEGV|ABRT|BUS|FPE|ILL|SYS|TRAP)' "$log" ||
		[[ "$out" == *Sanitizer* || "$out" == *"runtime error"* ]] ||
		[ "$rc" = 124 ] || [ "$(reports)" != "$reports_before" ]
}

# attribute LOG: each injected call, after the process that made it: boxstep
# ("box"), its supervisor ("supervisor"), or a program it ran ("other").
attribute() {
	awk -v box="$BOX" '
		{ pid = $1 }
		NR == 1 { main = pid }
		/^[0-9]+ +execve\("/ {
			path = $0
			sub(/^[0-9]+ +execve\("/, "", path)
			sub(/".*/, "", path)
			pending[pid] = path
		}
		/^[0-9]+ +(<\.\.\. )?execve.* = 0$/ { prog[pid] = pending[pid] }
		/^[0-9]+ +(<\.\.\. )?(clone|clone3|fork|vfork)[ (].* = [0-9]+$/ {
			prog[$NF] = pid in prog ? prog[pid] : box
		}
		/\(INJECTED\)$/ {
			p = pid in prog ? prog[pid] : box
			print (p != box ? "other" : pid == main ? "supervisor" : "box"), $0
		}' "$1"
}

# names SYSCALL CALLS: what a message about one of CALLS (attributed
# lines) may say to name it: the syscall's own words, or for openat and
# write the file (for a pipe, what it is for).
names() {
	local line file alt=""
	case $1 in
	openat|write) ;;
	*) echo "${names_of[$1]}"; return ;;
	esac
	while read -r _ line; do
		file=$(sed -nE 's/^[0-9]+ +openat\([^,]*, "([^"]*)".*/\1/p;
			s/^[0-9]+ +write\([0-9]+<([^>]*)>.*/\1/p' <<<"$line")
		case $file in
		pipe:*) file='pipe|release|set up' ;;
		*) file=${file##*/} file=${file//./[.]} ;;
		esac
		alt+="${alt:+|}$file"
	done <<<"$2"
	echo "$alt"
}

# The host as the tests compare it, and the session directories too.
fault_state() {
	host_state
	[ -e /run/boxstep ] && find /run/boxstep | sed 's/^/run dir: /'
	true
}

# What a start that cleans up after a dead session may say, and no more.
cleanup_said='^(boxstep: cleaning up after an earlier session:|removed stale cgroup .*|removed stale session directory .*|unmounted [0-9]+ stale mounts? under .*)$'

# next_start: the next boxstep, which must clean up what a dead session
# left, say nothing else, and run a container.
next_start() {
	local said
	said=$(timeout -k 5 20 "$BOX" -e -c 'enable pid mnt chroot proc pids
run /bin/true' 2>&1 </dev/null)
	next_rc=$?
	next_alarm=$(grep -Ev "$cleanup_said" <<<"$said")
}

# fault PLAN SYSCALL N: runs PLAN with the Nth call of SYSCALL failing and
# judges it; counts in $tried, $bit and $foreign, problems in $bad.
fault() {
	local p=$1 sc=$2 n=$3 e=${errno_of[$2]} calls mine now what
	log=$work/fault.log
	reports_before=$(reports)
	out=$(ASAN_OPTIONS=$notrace_leaks timeout -k 5 20 strace -f -y -o "$log" \
		-e trace="$sc,execve,clone,clone3,fork,vfork" \
		-e inject="$sc:error=$e:when=$n" "$BOX" -e -c "${plan[$p]}" \
		2>&1 </dev/null)
	rc=$?
	calls=$(attribute "$log")
	mine=$(grep -E '^(box|supervisor) ' <<<"$calls")
	tried=$((tried + 1))
	what="$p $sc#$n ($e)"
	crashed && bad+="      $what: a crash or a hang (status $rc): ${out:0:300}"$'\n'
	if [ "$rc" != "${base_rc[$p]}" ] ||
	   [ "$(plain "$out")" != "$(plain "${base_out[$p]}")" ]; then
		bit=$((bit + 1))
		[ -z "${verbose:-}" ] || printf '    %s -> %s: %s\n' "$what" "$rc" "$(news "$p")"
		if [ -z "$mine" ]; then
			foreign=$((foreign + 1))
		else
			judge_message "$(names "$sc" "$mine")" "${text_of[$e]}"
		fi
	fi
	now=$(fault_state)
	[ "$now" = "$ref" ] && return
	if grep -q '^supervisor ' <<<"$calls"; then
		# The supervisor's clean-up failed too (strace counts the
		# calls of each process apart): the next start cleans up.
		next_start
		now=$(fault_state)
		if [ "$next_rc" = 0 ] && [ -z "$next_alarm" ] && [ "$now" = "$ref" ]; then
			deferred=$((deferred + 1))
			return
		fi
		bad+="      $what: the next start (status $next_rc) said: $next_alarm"$'\n'
	fi
	bad+="      $what: the host changed:"$'\n'
	bad+=$(diff <(echo "$ref") <(echo "$now") | sed 's/^/        /')$'\n'
	restore_host
}

# judge_message NAMES ERROR: a fault that bit is named, with its error,
# and fails.
judge_message() {
	local said
	said=$(news "$p")
	[ "$rc" != 0 ] || bad+="      $what: bit, but the status is 0: $said"$'\n'
	grep -Eq "$1" <<<"$out" || bad+="      $what: no /$1/ in: $said"$'\n'
	[[ "$out" == *"$2"* ]] || bad+="      $what: no \"$2\" in: $said"$'\n'
}

# restore_host: after a failure, the host as it was, so that one failure
# is reported once: a start cleans up stale groups and directories; the
# boxstep parents of cgroups are not stale by name.
restore_host() {
	"$BOX" -c layers >/dev/null 2>&1 </dev/null
	rmdir /sys/fs/cgroup/*/boxstep /sys/fs/cgroup/boxstep 2>/dev/null
	ref=$(fault_state)
}

# test_syscall SYSCALL: every occurrence worth failing, in every plan.
test_syscall() {
	local sc=$1 p n all_tried=0 all_bit=0 all_foreign=0 counts=""
	bad="" deferred=0
	ref=$(fault_state)
	for p in ${plans_of[$sc]:-root pivot shared bg docker}; do
		tried=0 bit=0 foreign=0
		for n in $(occurrences "$work/base-$p.log" "$sc"); do
			fault "$p" "$sc" "$n"
		done
		all_tried=$((all_tried + tried)) all_bit=$((all_bit + bit))
		all_foreign=$((all_foreign + foreign))
		counts+=" $p $bit/$tried"
	done
	printf '    %-11s %3d faults tried, %3d bit (bit/tried:%s)\n' "$sc" \
		"$all_tried" "$all_bit" "$counts"
	[ "$all_foreign" = 0 ] || echo "      $all_foreign bit only programs that boxstep ran"
	[ "$deferred" = 0 ] ||
		echo "      $deferred failed the supervisor's clean-up too, and the next start cleaned up"
	faults_tried=$((faults_tried + all_tried)) faults_bit=$((faults_bit + all_bit))
	out=""
	check "each fault of $sc that bites is named, fails, crashes nothing; none changes the host:"$'\n'"${bad:-      all did}" equals "$bad" ""
}

# --- kills ------------------------------------------------------------

# Points of a container start: PLAN SYSCALL K REGEX: the session's Kth
# call of SYSCALL whose traced line matches REGEX; then what it is.
kill_points=(
	'root mount 1 "overlay"|the mount of the writable layer'
	'root clone 1 CLONE_NEW|the clone of the container'
	'root mkdir 1 boxstep/[0-9]+/shared"|the mkdir of the shared leaf of the session group'
	'root mkdir 1 boxstep/[0-9]+/1"|the mkdir of its cgroup'
	'root write 1 pids/boxstep/[0-9]+/1/cgroup.procs>|the write of its pid to cgroup.procs'
	'root write 1 uid_map>|the write of its uid_map'
	'root write 1 <pipe:[^>]*>, "g"|its first release from the hold pipe'
	'root write 2 <pipe:[^>]*>, "g"|its second release, set up'
	'shared umount2 1 /proc"|the unmount of the proc that leaked to the host'
	'bg write 1 <pipe:[^>]*>, "g"|the release of the background container'
)

# session_call LOG SYSCALL K REGEX: N such that the session's Nth call of
# SYSCALL is its Kth one matching REGEX.
session_call() {
	awk -v s="$2" -v k="$3" -v re="$4" '
		NR == 1 { main = $1 }
		!session && $1 == main && /^[0-9]+ +clone\(.* = [0-9]+$/ { session = $NF }
		$1 == session && $0 ~ "^[0-9]+ +" s "\\(" {
			n++
			if ($0 ~ re && ++found == k) { print n; exit }
		}' "$1"
}

# stop_at PLAN SYSCALL N: starts PLAN under strace in a process group of
# its own, the Nth call of SYSCALL of each process held for a second, and waits
# until the session is held there.  Sets $tracer and $session.
stop_at() {
	local nr line last="" main
	nr=$(printf '#include <sys/syscall.h>\nSYS_%s\n' "$2" | cpp -P - | tail -1)
	ASAN_OPTIONS=$notrace_leaks setsid strace -f -o "$work/kill.log" -e trace="$2" \
		-e inject="$2:delay_enter=1s:when=$3" "$BOX" -e -c "${plan[$1]}" \
		>"$work/kill.out" 2>&1 </dev/null &
	tracer=$!
	session=""
	for _ in $(seq 200); do
		main=$(pgrep -P "$tracer" | head -1)
		[ -n "$main" ] && session=$(pgrep -P "$main" | head -1)
		line=$(cat "/proc/${session:-0}/syscall" 2>/dev/null)
		[ "${line%% *}" = "$nr" ] && [ "$line" = "$last" ] && return 0
		last=$line
		sleep 0.05
	done
	return 1
}

# kill_test POINT WHOM: SIGKILL to the session alone, or to its whole
# process group with the supervisor, at POINT.
kill_test() {
	local p sc k re what n said now
	read -r p sc k re <<<"${1%%|*}"
	what="${1#*|} ($p), $2"
	n=$(session_call "$work/base-$p.log" "$sc" "$k" "$re")
	[ -n "$n" ] || { bad+="      $what: no such call in the fault-free run"$'\n'; return; }
	if ! stop_at "$p" "$sc" "$n"; then
		bad+="      $what: the session never reached it"$'\n'
		kill -KILL -- "-$tracer" 2>/dev/null
		{ wait "$tracer"; } 2>/dev/null
		restore_host
		return
	fi
	kills=$((kills + 1))
	if [ "$2" = session ]; then
		kill -KILL "$session"
	else
		kill -KILL -- "-$tracer"
	fi
	{ wait "$tracer"; } 2>/dev/null
	said=$(cat "$work/kill.out")
	now=$(fault_state)
	[ "$now" = "$ref" ] || left=$((left + 1))
	if [ "$2" = session ]; then
		[[ "$said" == *"was killed by signal 9"* ]] && [[ "$said" != *"could not"* ]] ||
			bad+="      $what: the supervisor said: ${said:0:300}"$'\n'
		[ "$now" = "$ref" ] || bad+="      $what: the supervisor left the host changed:"$'\n'"$(
			diff <(echo "$ref") <(echo "$now") | sed 's/^/        /')"$'\n'
	fi
	next_start
	now=$(fault_state)
	[ "$next_rc" = 0 ] && [ -z "$next_alarm" ] ||
		bad+="      $what: the next start (status $next_rc) said: $next_alarm"$'\n'
	if [ "$now" != "$ref" ]; then
		bad+="      $what: the host is still changed after the next start:"$'\n'
		bad+=$(diff <(echo "$ref") <(echo "$now") | sed 's/^/        /')$'\n'
		restore_host
	fi
}

# test_kills WHOM: every kill point.
test_kills() {
	local point
	bad="" kills=0 left=0
	ref=$(fault_state)
	for point in "${kill_points[@]}"; do
		kill_test "$point" "$1"
	done
	echo "    $kills of ${#kill_points[@]} kill points reached; $left left the host changed for the next start"
	out=""
	check "after each kill the host is clean (the session alone: at once), and the next start says nothing alarming:"$'\n'"${bad:-      all were}" equals "$bad" ""
}
test_kill_session() { test_kills session; }
test_kill_group() { test_kills group; }

test_baseline() {
	local p
	for p in $plans; do
		check "the fault-free $p plan succeeds: ${base_out[$p]:0:300}" equals "${base_rc[$p]}" 0
	done
}

faults_tried=0 faults_bit=0
t "faults: the plans run without faults" test_baseline
[ "$failed" = 0 ] || { summary "faults"; exit 1; }
for sc in $syscalls; do
	eval "test_fault_$sc() { test_syscall $sc; }"
	t "faults: $sc fails in turn at each occurrence" "test_fault_$sc"
done
echo "    in all: $faults_tried faults tried, $faults_bit bit"
t "kills: the session, at each point of a start" test_kill_session
t "kills: the whole process group with its supervisor, at each point" test_kill_group

echo "    faults.sh ran for $(( $(date +%s) - began )) s"
summary "faults"
