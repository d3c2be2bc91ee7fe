#!/usr/bin/env bash
# The live pane's cost: boxstep's TUI refreshing the host view every
# 100 ms for 10 s, counting every boxstep process of the session (the
# supervisor, the TUI with any helper it forks, the REPL), against
# `watch -n 0.1` showing the same files for the same process in the same
# run (watch's CPU counts the shells and cats it starts: that is what
# showing the files costs it).  Target: boxstep at most a tenth of watch.
# Then the latency of a change: how many ticks after a container forks
# the pane shows it (target: two).
# Usage: pane.sh [BOXSTEP]
set -eu
BOX=$(realpath "${1:-./boxstep}")
ROOTFS=$(realpath "${BOXSTEP_ROOTFS:-$(dirname "$BOX")/rootfs/busybox}")
SECS=${SECS:-10}
[ "$(id -u)" = 0 ] || { echo "bench: needs root"; exit 1; }
command -v watch >/dev/null || { echo "bench: watch(1) is missing (procps)"; exit 1; }
sock=boxstep-bench-$$
T="tmux -L $sock"
# A home of its own: the TUI keeps its history there, not in root's.
home=$(mktemp -d /tmp/boxstep-pane.XXXXXX)
trap '$T kill-server 2>/dev/null; rm -rf "$home"' EXIT
hz=$(getconf CLK_TCK)

# cpu PID: user+system ticks of PID and of the children it has waited for.
cpu() { awk '{print $14 + $15 + $16 + $17}' "/proc/$1/stat"; }

# session_cpu PID: the ticks of every boxstep process from PID down (its
# own, threads included), and of what they have waited for, except the
# containers (whose processes are not boxstep's).
session_cpu() {
	local pid=$1 total=0 p
	for p in $(pstree -p "$pid" | grep -o 'boxstep([0-9]*)' | tr -dc '0-9\n'); do
		total=$((total + $(awk '{print $14 + $15}' "/proc/$p/stat")))
	done
	echo "$total"
}

$T new-session -d -x 150 -y 40 -s b "env TERM=xterm-256color LANG=C.UTF-8 HOME=$home XDG_STATE_HOME=$home/state BOXSTEP_ROOTFS=$ROOTFS $BOX"
sleep 1
top=$($T list-panes -t b -F '#{pane_pid}')
$T send-keys -t b "enable uts pid mnt chroot proc pids; set refresh 100" Enter
# The container forks two sleepers once the host creates its /tmp/go; it
# looks for it every 10 ms.  The host writes it through the container's
# own root (the session's writable layer, not the rootfs beneath it).
$T send-keys -t b "start sh -c 'until [ -e /tmp/go ]; do usleep 10000; done; sleep 300 | sleep 301'" Enter
sleep 2
box=$(pgrep -f '^sh -c until \[ -e /tmp/go' | head -1)
[ -n "$box" ] || { echo "bench: the container did not start"; exit 1; }
start=$SECONDS
touch "/proc/$box/root/tmp/go"
mark=$(date +%s.%N)
# Latency: poll the screen until the new processes show.
seen=""
while [ $((SECONDS - start)) -lt 10 ]; do
	if $T capture-pane -p -t b | grep -q 'processes (3)'; then
		seen=$(date +%s.%N)
		break
	fi
	sleep 0.02
done
sleep 1
a=$(session_cpu "$top"); sleep "$SECS"; b=$(session_cpu "$top")
$T send-keys -t b "stop" Enter "quit" Enter
sleep 1

cg=$(grep -E ':pids:|^0::' /proc/self/cgroup | head -1) # any group: the files are what counts
files="/proc/$$/status /proc/$$/mountinfo /proc/$$/cgroup"
$T new-session -d -x 150 -y 40 -s w "watch -n 0.1 'cat $files; ls -l /proc/$$/ns'"
sleep 1
w=$($T list-panes -t w -F '#{pane_pid}')
c=$(cpu "$w"); sleep "$SECS"; d=$(cpu "$w")

awk -v b=$((b - a)) -v w=$((d - c)) -v s="$SECS" -v hz="$hz" -v seen="$seen" -v mark="$mark" 'BEGIN {
	printf "live pane, %d s at a 100 ms refresh\n", s
	printf "  boxstep session %6.2f%% of a core (supervisor, TUI, REPL)\n", 100 * b / hz / s
	printf "  watch -n 0.1    %6.2f%% of a core (with the commands it runs)\n", 100 * w / hz / s
	if (w > 0) printf "  ratio boxstep/watch: %.3f (target: at most 0.100)\n", b / w
	if (seen != "") printf "  a fork showed after %.0f ms: %.1f ticks (target: 2; the container polls every 10 ms)\n", (seen - mark) * 1000, (seen - mark) * 10
	else print "  latency: the change was not seen"
}'
