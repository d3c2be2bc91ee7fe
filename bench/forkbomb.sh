#!/usr/bin/env bash
# A fork bomb's effect on the host, against the host's own baseline:
#
#   latency: the host's fork+exec time (a shell starting /bin/true, 50
#   times a sample) measured alone, then while a fork bomb runs for 5 s in a
#   container under pids.max 64, once with the pids layer alone and once
#   with the cpu layer too (cpu.max 50).  Target: under 2x the baseline.
#   clean-up: the time from `stop` to a host with no process of the bomb
#   and no cgroup of it left.  Target: under 1 s.
#
# Usage: forkbomb.sh [BOXSTEP]
set -eu
BOX=$(realpath "${1:-./boxstep}")
ROOTFS=$(realpath "${BOXSTEP_ROOTFS:-$(dirname "$BOX")/rootfs/busybox}")
[ "$(id -u)" = 0 ] || { echo "bench: needs root (namespaces, cgroups)"; exit 1; }
work=$(mktemp -d /tmp/boxstep-forkbomb.XXXXXX)
trap 'rm -rf "$work"' EXIT

# The mean microseconds of one fork+exec of /bin/true from a shell.
cat >"$work/lat.sh" <<'LAT'
s=$EPOCHREALTIME
for ((i = 0; i < 50; i++)); do /bin/true; done
e=$EPOCHREALTIME
awk -v s="$s" -v e="$e" 'BEGIN { printf "%.1f\n", (e - s) * 1e6 / 50 }'
LAT
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

for _ in 1 2 3 4 5; do bash "$work/lat.sh"; done | median >"$work/base"

# bomb LAYERS SETTINGS: one run; prints its report and returns non-zero
# when something was left behind.  busybox sh gives up when a fork is
# refused, so the container's first process is a sleeper on the left of
# a pipe (forked first, while the group is empty) and the bomb is on the
# right, as in lesson 07; a bomb that ended early is said to have.
bomb() {
	local layers=$1 settings=$2
	cat >"$work/session.bx" <<SESSION
enable $layers
set pids.max 64
$settings
start sh -c 'bomb() { while :; do bomb | bomb; done; }; sleep 1000 | bomb 2>&-'
host sleep 0.5; t=\$(date +%s.%N); while awk -v t=\$t -v n=\$(date +%s.%N) 'BEGIN { exit !(n - t < 4.5) }'; do bash $work/lat.sh; done >$work/under
host cat /proc/\$BOXPID/cgroup >$work/cgroup; echo \$EPOCHREALTIME >$work/stop-at
stop
host echo \$EPOCHREALTIME >$work/clean-at
SESSION
	# The `host` lines run in sh; EPOCHREALTIME needs bash.
	sed -i 's/^host \(.*EPOCHREALTIME.*\)$/host bash -c '"'"'\1'"'"'/' "$work/session.bx"
	if ! BOXSTEP_ROOTFS=$ROOTFS "$BOX" -f "$work/session.bx" >"$work/out" 2>&1; then
		echo "bench: the fork bomb session failed:"
		grep -v "can't fork" "$work/out" | tail -5
		return 1
	fi

	local base under samples group left clean_ms ratio
	base=$(cat "$work/base")
	under=$(median <"$work/under")
	samples=$(wc -l <"$work/under")
	# `stop` returns once the group is empty and removed: check the host.
	group=$(grep -E ':pids:|^0::' "$work/cgroup" | head -1 | sed 's/^[^/]*//')
	left=0
	[ -e "/sys/fs/cgroup/pids$group" ] || [ -e "/sys/fs/cgroup$group" ] && left=1
	pgrep -f '^sh -c bomb\(\)' >/dev/null && left=1
	clean_ms=$(awk -v a="$(cat "$work/stop-at")" -v b="$(cat "$work/clean-at")" 'BEGIN { printf "%.0f", (b - a) * 1000 }')
	ratio=$(awk -v u="$under" -v b="$base" 'BEGIN { printf "%.2f", u / b }')

	echo "fork bomb under pids.max 64, 5 s, layers: $layers${settings:+; $settings}"
	echo "  host fork+exec latency: baseline $base us, under the bomb $under us ($samples samples): ratio $ratio (target < 2)"
	echo "  stop to a clean host: $clean_ms ms (target < 1000); left behind: $([ $left = 0 ] && echo nothing || echo SOMETHING)"
	awk -v r="$ratio" 'BEGIN { exit !(r < 2) }' || echo "  MISSED: latency ratio $ratio"
	[ "$clean_ms" -lt 1000 ] || echo "  MISSED: clean-up took $clean_ms ms"
	[ $left = 0 ]
}

# The pids layer alone holds the number of processes; the cpu layer also
# bounds the CPU time the bomb's failing forks burn in the kernel.
bomb "pid mnt chroot proc pids" ""
bomb "pid mnt chroot proc pids cpu" "set cpu.max 50"
