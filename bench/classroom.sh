#!/usr/bin/env bash
# A full room: LEARNERS (30) ordinary users at once, each with the TUI
# in tmux at the default refresh (200 ms), a container running and the
# pane live.  Each uid is its own (61001 up; no account is made: boxstep
# names an unknown uid by its number).  Measured, each against a
# reference in the same run:
#
#   CPU of every boxstep process together over SECS, against one
#   `watch -n 0.2` per learner showing the files the pane reads, for the
#   same container (goal: boxstep at most 10% of one core in all);
#   memory per session, the proportional set size (Pss) of its boxstep
#   processes, against one such watch (goal: 12 MB or less);
#   a key's echo in a learner's pane, p95 of SAMPLES keys spread over the
#   room, against the same key typed to a bare `cat` in the same tmux
#   (the method's own floor) (goal: 50 ms);
#   the same echo while one more learner runs a fork bomb with every
#   layer off (a root session, held by class.conf's session.pids.max
#   256: on a cgroup v1 host a learner without root has no cgroup).
#
# Usage: classroom.sh [BOXSTEP]
set -eu
BOX=$(realpath "${1:-./boxstep}")
ROOTFS=$(realpath "${BOXSTEP_ROOTFS:-$(dirname "$BOX")/rootfs/busybox}")
N=${LEARNERS:-30}
SECS=${SECS:-20}
SAMPLES=${SAMPLES:-60}
[ "$(id -u)" = 0 ] || { echo "bench: needs root (setpriv to each uid)"; exit 1; }
command -v watch >/dev/null || { echo "bench: watch(1) is missing (procps)"; exit 1; }
work=$(mktemp -d /tmp/boxstep-classroom.XXXXXX)
chmod 755 "$work"
T="tmux -L boxstep-classroom-$$"
hz=$(getconf CLK_TCK)
cleanup() {
	$T kill-server 2>/dev/null || true
	for _ in $(seq 300); do pgrep -x boxstep >/dev/null || break; sleep 0.1; done
	rm -rf "$work"
}
trap cleanup EXIT
if pgrep -x boxstep >/dev/null; then
	echo "bench: another boxstep runs; the room's figures would count it"; exit 1
fi

uid_of() { echo $((61000 + $1)); }

# learner I: a tmux session of its own, the TUI as uid 61000+I.
learner() {
	local i=$1 u
	u=$(uid_of "$i")
	install -d -m 700 -o "$u" -g "$u" "$work/home$i" "$work/run$i"
	$T new-session -d -x 100 -y 30 -s "l$i" "setpriv --reuid=$u --regid=$u \
		--clear-groups env -i PATH=/usr/bin:/bin TERM=xterm-256color \
		LANG=C.UTF-8 HOME=$work/home$i XDG_STATE_HOME=$work/home$i \
		XDG_RUNTIME_DIR=$work/run$i BOXSTEP_ROOTFS=$ROOTFS $BOX"
}
screen_of() { $T capture-pane -p -t "$1"; }
wait_screen() { # SESSION REGEX SECONDS
	local deadline=$((SECONDS + $3))
	until screen_of "$1" | grep -Eq -- "$2"; do
		[ $SECONDS -lt $deadline ] || { echo "bench: $1 never showed /$2/:" >&2
			screen_of "$1" | tail -5 >&2; return 1; }
		sleep 0.1
	done
}

echo "starting $N learners..."
for i in $(seq "$N"); do
	learner "$i"
	wait_screen "l$i" 'boxstep> ?$' 20
	$T send-keys -t "l$i" "enable uts pid mnt chroot proc; start sleep 1000" Enter
done
for i in $(seq "$N"); do wait_screen "l$i" "pid [0-9]+ running" 30; done
sleep 2

# Ticks (user + system, threads included) of every boxstep process.
ticks() {
	local t=0 p
	for p in $(pgrep -x boxstep); do
		t=$((t + $(awk '{print $14 + $15}' "/proc/$p/stat" 2>/dev/null || echo 0)))
	done
	echo "$t"
}
# The Pss, in kB, of the processes named PATTERN (pgrep -x).
pss() {
	local t=0 p
	for p in $(pgrep -x "$1"); do
		t=$((t + $(awk '/^Pss:/ {print $2}' "/proc/$p/smaps_rollup" 2>/dev/null || echo 0)))
	done
	echo "$t"
}
a=$(ticks); sleep "$SECS"; b=$(ticks)
box_ticks=$((b - a))
box_pss=$(pss boxstep)
sessions=$(pgrep -x boxstep | wc -l)

# One key at a time to SESSION, the time until the cursor moves (tmux
# asked every few ms): prints milliseconds.
echo_ms() {
	local s=$1 x0 x s0
	x0=$($T display -p -t "$s" '#{cursor_x}')
	s0=$EPOCHREALTIME
	$T send-keys -t "$s" -l a
	for _ in $(seq 2000); do
		x=$($T display -p -t "$s" '#{cursor_x}')
		[ "$x" != "$x0" ] && break
	done
	awk -v s="$s0" -v e="$EPOCHREALTIME" 'BEGIN { printf "%.1f\n", (e - s) * 1000 }'
}
p95() { sort -n | awk '{ v[NR] = $1 } END { i = int(NR * 0.95 + 0.5); if (i < 1) i = 1; print v[i] }'; }
# SAMPLES keys over the learners, the line cleared every 20.
room_echo() {
	local k i
	for k in $(seq "$SAMPLES"); do
		i=$(( (k - 1) % N + 1 ))
		echo_ms "l$i"
		[ $((k % 20)) -ne 0 ] || for j in $(seq "$N"); do $T send-keys -t "l$j" C-u; done
	done
}
room=$(room_echo | p95)
$T new-session -d -x 100 -y 30 -s cat "cat"
sleep 0.5
floor=$(for _ in $(seq "$SAMPLES"); do echo_ms cat; done | p95)

# One more learner's fork bomb, every layer off, in a root session whose
# group class.conf holds at 256 pids.
printf 'session.pids.max = 256\n' >"$work/class.conf"
# dash gives up when its own fork is refused: the bomb is run again, a
# line at a time, so that it presses on the limit all along.
for _ in $(seq 500); do
	echo "run sh -c 'while :; do sh -c \"b() { while :; do b | b; done; }; b\" 2>/dev/null; done'"
done >"$work/bomb.bx"
$T new-session -d -x 100 -y 30 -s bomb "env BOXSTEP_CLASS_CONF=$work/class.conf \
	HOME=$work XDG_STATE_HOME=$work/bomb BOXSTEP_ROOTFS=$ROOTFS $BOX -f $work/bomb.bx; echo the bomb ended: \$?; sleep 600"
sleep 3
# What the bomb holds of its limit, at the start and the end of its run.
held() { cat /sys/fs/cgroup/pids/boxstep/*/pids.current /sys/fs/cgroup/boxstep/*/pids.current 2>/dev/null | sort -n | tail -1; }
held_start=$(held)
bombed=$(room_echo | p95)
c=$(ticks); sleep "$SECS"; d=$(ticks)
bomb_ticks=$((d - c))
held_end=$(held)
screen_of bomb | grep -q "the bomb ended" && { echo "bench: the fork bomb session ended:" >&2; screen_of bomb >&2; exit 1; }
$T kill-session -t bomb
$T kill-session -t cat

# The reference: what the pane shows, by watch(1), for each container.
for i in $(seq "$N"); do
	c=$(pgrep -u "$(uid_of "$i")" -x sleep | head -1)
	$T new-session -d -x 100 -y 30 -s "w$i" "watch -n 0.2 'cat /proc/$c/status \
		/proc/$c/mountinfo /proc/$c/cgroup; ls -l /proc/$c/ns'"
done
sleep 2
wticks() {
	local t=0 s p
	for s in $(seq "$N"); do
		p=$($T list-panes -t "w$s" -F '#{pane_pid}')
		t=$((t + $(awk '{print $14 + $15 + $16 + $17}' "/proc/$p/stat")))
	done
	echo "$t"
}
a=$(wticks); sleep "$SECS"; b=$(wticks)
watch_ticks=$((b - a))
watch_pss=$(pss watch)

awk -v n="$N" -v s="$SECS" -v hz="$hz" -v bt="$box_ticks" -v wt="$watch_ticks" \
    -v bb="$bomb_ticks" -v bp="$box_pss" -v wp="$watch_pss" -v procs="$sessions" \
    -v room="$room" -v floor="$floor" -v bombed="$bombed" -v k="$SAMPLES" \
    -v h0="${held_start:--}" -v h1="${held_end:--}" 'BEGIN {
	printf "a room of %d learners without root, TUI at 200 ms, a container each (%d boxstep processes)\n", n, procs
	printf "  CPU, all boxstep processes  %6.2f%% of a core (%.2f%% a learner; goal: 10%% in all)\n", 100 * bt / hz / s, 100 * bt / hz / s / n
	printf "  CPU, %d x watch -n 0.2      %6.2f%% of a core\n", n, 100 * wt / hz / s
	if (wt > 0) printf "  ratio boxstep/watch: %.3f\n", bt / wt
	printf "  under one fork bomb          %6.2f%% of a core\n", 100 * bb / hz / s
	printf "  memory a session (Pss)       %6.1f MB (goal: 12); one watch %.1f MB\n", bp / 1024 / n, wp / 1024 / n
	printf "  key to echo, p95 of %d       %6.1f ms (goal: 50); a bare cat in tmux %.1f ms\n", k, room, floor
	printf "  the same, beside a fork bomb %6.1f ms (the bomb held %s, then %s, of its 256 pids)\n", bombed, h0, h1
}'
