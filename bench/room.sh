#!/usr/bin/env bash
# One learner's excess against another learner's session, on a host with
# the class file's limits (session.pids.max 256, session.memory.max 256M,
# session.cpu.max 50, session.disk.max 64M; on this host's two cores,
# three sessions at half a core each leave the others half a core):
#
#   the reference: a learner's session of 100 `run true` containers
#   (layers uts pid mnt chroot proc), timed alone;
#   the same, timed while three other sessions misbehave with the host's
#   two cores to themselves: a fork bomb with every layer off, a memory
#   hog with every layer off (an ever longer line in tail, killed by the
#   OOM killer, again and again), and a writer filling its layer (mnt
#   chroot) until the disk limit.  Goal: within 2x the time alone.
#
# And nothing outside the offenders' sessions dies: a sleeper started
# before them outlives them, the learner's session ends with status 0,
# and the kernel's log names no OOM kill outside a boxstep session.
#
# Usage: room.sh [BOXSTEP]
set -eu
BOX=$(realpath "${1:-./boxstep}")
ROOTFS=$(realpath "${BOXSTEP_ROOTFS:-$(dirname "$BOX")/rootfs/busybox}")
[ "$(id -u)" = 0 ] || { echo "bench: needs root (cgroups)"; exit 1; }
work=$(mktemp -d /tmp/boxstep-room.XXXXXX)
offenders=()
cleanup() {
	for p in "${offenders[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
	for p in "${offenders[@]}"; do wait "$p" 2>/dev/null || true; done
	rm -rf "$work"
}
trap cleanup EXIT
cat >"$work/class.conf" <<'CONF'
session.pids.max = 256
session.memory.max = 256M
session.cpu.max = 50
session.disk.max = 64M
CONF
export BOXSTEP_CLASS_CONF=$work/class.conf BOXSTEP_ROOTFS=$ROOTFS
export HOME=$work XDG_STATE_HOME=$work/state

{ echo "enable uts pid mnt chroot proc"
  for _ in $(seq 100); do echo "run /bin/true"; done; } >"$work/learner.bx"

# learner: one timed session; prints its seconds.
learner() {
	local s e
	s=$EPOCHREALTIME
	timeout 120 "$BOX" -e -f "$work/learner.bx" >/dev/null 2>"$work/learner.err" ||
		{ echo "bench: the learner's session failed:" >&2
		  tail -3 "$work/learner.err" >&2; return 1; }
	e=$EPOCHREALTIME
	awk -v s="$s" -v e="$e" 'BEGIN { printf "%.3f\n", e - s }'
}
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# offender NAME SCRIPT: a session that misbehaves for 60 s at most.
offender() {
	printf '%s\n' "$2" >"$work/$1.bx"
	timeout 60 "$BOX" -f "$work/$1.bx" >"$work/$1.out" 2>&1 &
	offenders+=($!)
}

learner >/dev/null # warm the caches
alone=$(for _ in 1 2 3 4 5; do learner; done | median)

sleep 3199 &
canary=$!
# The kernel's log from now on: its lines are stamped with the uptime.
since=$(cut -d' ' -f1 /proc/uptime)
# dash gives up where a fork is refused, so the bomb dies down at the
# limit: it is started again at once, and presses on it all along.
offender bomb "run sh -c 'while :; do sh -c \"b() { while :; do b | b; done; }; b\" 2>/dev/null; done'"
offender hog "run sh -c 'while :; do head -c 1G /dev/zero | tail; done 2>/dev/null'"
offender disk "enable mnt chroot
run sh -c 'while :; do yes 0123456789abcdef | dd of=/fill bs=64k 2>/dev/null; rm -f /fill; done'"
sleep 3
# The most pids any session holds, sampled while the learner runs.
( set +e; while :; do cat /sys/fs/cgroup/pids/boxstep/*/pids.current
	sleep 0.05; done ) >"$work/pids" 2>/dev/null &
sampler=$!
busy=$(for _ in 1 2 3 4 5; do learner; done | median)
kill "$sampler" 2>/dev/null || true
wait "$sampler" 2>/dev/null || true
pids_in_use=$(sort -n "$work/pids" | tail -1)
for p in "${offenders[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
for p in "${offenders[@]}"; do wait "$p" 2>/dev/null || true; done
offenders=()
alive=no
kill -0 "$canary" 2>/dev/null && alive=yes
kill "$canary" 2>/dev/null || true
wait "$canary" 2>/dev/null || true
# The kernel's line for each OOM kill names the group whose limit struck.
kills=$(dmesg 2>/dev/null | awk -v t="$since" -F'[][]' '$2 + 0 > t' | grep 'oom-kill:')
inside=$(grep -c 'oom_memcg=/boxstep/[0-9]*,' <<<"$kills" || true)
outside=$(grep -vc 'oom_memcg=/boxstep/[0-9]*,' <<<"$kills" || true)
[ -n "$kills" ] || outside=0

ratio=$(awk -v b="$busy" -v a="$alone" 'BEGIN { printf "%.2f", b / a }')
echo "one learner's 100 containers, alone: ${alone} s; beside a fork bomb, a memory hog and a disk filler: ${busy} s"
echo "  ratio $ratio (goal: at most 2.00); at most ${pids_in_use:-?} pids in a session (session.pids.max 256)"
echo "  a sleeper outside the sessions survived: $alive; OOM kills in the hog's session: $inside, outside any session: $outside"
awk -v r="$ratio" 'BEGIN { exit !(r <= 2) }' || echo "  MISSED: ratio $ratio"
[ "$alive" = yes ] && [ "$outside" = 0 ] ||
	{ echo "  MISSED: something outside the offenders' sessions was killed"; exit 1; }
