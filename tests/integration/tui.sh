#!/usr/bin/env bash
# The TUI, driven through tmux as a learner would: layers on, a container
# started, the pane's figures against lsns and /proc, a resize in the
# middle, sh and ps inside, a fork bomb filling pids.max, pause, an exited
# container, NO_COLOR, `watch PID`, and a sane shell after quitting; at
# 80x24 a lesson's checks and the pane in turns, a resize drawn at once,
# the REPL's screen back after top, the status line and long pane lines
# cut whole, the frozen pane of a quick command, F3 heard by the REPL,
# a rootfs whose path has a space shown whole, and the session ended
# cleanly when the terminal goes away.
# Usage: tui.sh [BOXSTEP]
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib.sh"
suite_start tui.sh "${1:-}"
command -v tmux >/dev/null || { echo "tmux is missing: make deps"; exit 1; }
sock=boxstep-tui-$$
trap 'tm_stop; rm -rf "$work"' EXIT
echo "boxstep TUI tests: $BOX"

. "$here/../tmux.sh"

# The host pid the pane shows.
pane_pid() { screen | sed -n 's/.*HOST VIEW of pid \([0-9]*\).*/\1/p' | head -1; }

# Checks the pane's namespace lines against lsns for PID.
pane_matches_lsns() {
	local pid=$1 ino type s
	s=$(screen)
	while read -r ino type; do
		grep -Eq "^ *$type +(NEW|shared) +$ino " <<<"$(sed 's/.*│ //' <<<"$s")" || {
			out="pane lacks $type $ino"$'\n'"$s"
			return 1
		}
	done < <(lsns -p "$pid" -n -r -o NS,TYPE | grep -E ' (uts|pid|mnt|ipc|net)$')
}

quit_to_shell() {
	check "Ctrl-D at the prompt leaves boxstep" tm_leave
}

test_pane_and_resize() {
	local pid
	tm_start 140 40
	tm_line "$BOX"
	check "the TUI starts with an empty pane" tm_wait 'No container yet'
	check "the status line says no layer is on" tm_wait '^no layers \| host'
	tm_line "enable uts pid mnt chroot proc pids; set hostname kitten; start sh -c 'sleep 3140 | sleep 3141'"
	check "then lists the ones on, and how many are off" \
		tm_wait ' uts +pid +mnt +chroot +proc +pids +\(13 off\) \| host'
	$T resize-window -t t -x 260 -y 40
	check "with room, every layer, on and off" \
		tm_wait ' uts +pid +mnt +chroot +proc +pids +memory +cpu +ipc +net +cgroupns +pivot +user +caps +nonewprivs +seccomp +dev +masks +time +\| host'
	$T resize-window -t t -x 140 -y 40
	check "the pane shows the container" tm_wait 'HOST VIEW of pid [0-9]+'
	pid=$(pane_pid)
	check "the pane shows its hostname" tm_wait 'hostname: kitten'
	check "its proc mount" tm_wait '/proc +proc +proc +private'
	check "its pids figures" tm_wait 'pids.current 3 / pids.max 20'
	check "three processes in its pid namespace" tm_wait 'processes \(3\)'
	check "namespaces as lsns reports them" pane_matches_lsns "$pid"
	$T resize-window -t t -x 90 -y 30
	sleep 0.5
	check "after a resize to 90x30 the pane is below" tm_wait '^─+$'
	check "and still right" pane_matches_lsns "$pid"
	$T resize-window -t t -x 80 -y 24
	check "80x24 still shows the pane" tm_wait 'HOST VIEW of pid'
	$T resize-window -t t -x 140 -y 40
	check "back to side by side" tm_wait '│ HOST VIEW of pid [0-9]+'
	tm_line "stop"
	check "a stopped container is marked exited" tm_wait 'EXITED: killed by SIGKILL'
	check "its last view stays, frozen" tm_wait 'hostname: kitten'
	quit_to_shell
}

test_sh_ps_renders() {
	tm_start 140 40
	tm_line "$BOX"
	tm_wait 'No container yet'
	tm_line "enable uts pid mnt chroot proc; set hostname kitten; sh"
	check "busybox sh's prompt in the left pane" tm_wait 'kitten:/# '
	tm_line "ps"
	check "ps renders its table" tm_wait 'PID +USER +COMMAND'
	check "with the shell as PID 1" tm_wait '^ +1 root +/bin/sh'
	tm_line "exit"
	check "back at boxstep's prompt" tm_wait 'boxstep\[uts pid mnt chroot proc\]> '
	quit_to_shell
}

test_fork_bomb_fills_limit() {
	tm_start 140 40
	tm_line "$BOX"
	tm_wait 'No container yet'
	tm_line "enable pid mnt chroot proc pids; set refresh 100"
	tm_line "start sh -c 'sh -c \"bomb() { while :; do bomb | bomb; done; }; bomb\" 2>&- | sleep 3142'"
	check "the bar reaches the limit" tm_wait '20/20 AT LIMIT' 15
	out=$($T capture-pane -e -p -t t)
	check "what changed is highlighted (yellow background)" contains "$out" "43m"
	check "the sparkline climbs to the top" tm_wait 'last +[0-9]+s .*█' 10
	tm_line "stop"
	check "the bomb is gone" tm_wait 'EXITED'
	quit_to_shell
}

test_pause() {
	tm_start 140 40
	tm_line "$BOX"
	tm_wait 'No container yet'
	tm_line "start sleep 3143"
	tm_wait 'HOST VIEW of pid'
	tm_keys F2
	check "F2 pauses the pane, visibly" tm_wait 'PAUSED'
	tm_keys F2
	sleep 0.3
	check "F2 again resumes" equals "$(screen | grep -c PAUSED)" 0
	tm_line "stop"
	quit_to_shell
}

test_no_color() {
	tm_start 140 40 NO_COLOR=1
	tm_line "$BOX"
	tm_wait 'No container yet'
	tm_line "enable uts pids; start sleep 3144"
	tm_wait 'HOST VIEW of pid'
	out=$($T capture-pane -e -p -t t)
	check "NO_COLOR: no colour escapes, only attributes" \
		test "$(grep -cE $'\e\\[[0-9;]*(3[0-7]|4[0-7]|38;5;[0-9]+|48;5;[0-9]+)m' <<<"$out")" -eq 0
	tm_line "stop"
	quit_to_shell
}

# Rootless, the pane is the session's host's view, and says who the
# learner is outside it; it must enter the container's user namespace
# before its UTS namespace to read the hostname.
test_rootless_pane() {
	local nobody
	nobody=$(id -u nobody)
	tm_start 140 40
	tm_line "setpriv --reuid=nobody --regid=nogroup --clear-groups $BOX"
	check "starts rootless, no layer on" tm_wait 'boxstep>'
	tm_line "enable user uts pid mnt chroot proc; set hostname kitten; start sh -c 'sleep 3142 | sleep 3143'"
	check "the pane is the session's host's view" tm_wait "YOUR SESSION'S HOST, pid [0-9]+ \\(uid $nobody outside\\)"
	check "the pane reads the container's hostname" tm_wait 'hostname: kitten'
	check "and shows the session host's one-uid map" tm_wait "user: uid 0 inside is uid 0 on the session's host"
	check "three processes in its pid namespace" tm_wait 'processes \(3\)'
	tm_line "stop"
	quit_to_shell
}

test_quit_leaves_sane_shell() {
	tm_start 140 40
	tm_line "$BOX"
	tm_wait 'No container yet'
	tm_line "quit"
	check "quit returns to the shell" tm_wait 'host\$ ?$'
	check "no alternate screen left" equals "$($T display -p -t t '#{alternate_on}')" 0
	check "the cursor is visible" equals "$($T display -p -t t '#{cursor_flag}')" 1
	tm_line "stty -a | tr ' ' '\n' | grep -xE -- '-?(echo|icanon)' | tr '\n' ' '; echo"
	check "echo and icanon are on" tm_wait '^(echo icanon|icanon echo) ?$'
}

test_sigterm_restores() {
	tm_start 140 40
	tm_line "$BOX"
	tm_wait 'No container yet'
	tm_line "enable pid pids; start sleep 3145"
	tm_wait 'HOST VIEW of pid'
	pkill -TERM -f "^$BOX\$"
	check "SIGTERM returns to the shell" tm_wait 'host\$ ?$'
	check "no alternate screen left" equals "$($T display -p -t t '#{alternate_on}')" 0
	tm_line "stty -a | tr ' ' '\n' | grep -xE -- '-?(echo|icanon)' | tr '\n' ' '; echo"
	check "echo and icanon are on" tm_wait '^(echo icanon|icanon echo) ?$'
}

test_vi_and_top_render() {
	tm_start 140 40
	tm_line "$BOX"
	tm_wait 'No container yet'
	tm_line "enable pid mnt chroot proc; run vi /etc/passwd"
	check "vi draws its screen in the left pane" tm_wait '^root:x:0:0:root:/root:/bin/sh'
	check "with its empty-line markers" tm_wait '^~ '
	tm_keys Escape
	sleep 0.5 # a lone ESC, not the start of an escape sequence
	tm_line ":q!"
	check "and leaves it to boxstep again" tm_wait '^boxstep\[pid mnt chroot proc\]> +│'
	tm_line "run echo printed before top"
	tm_wait '^printed before top'
	tm_line "run top"
	check "top draws its live table" tm_wait 'PID +PPID +USER +STAT'
	tm_keys q
	check "q leaves top, an empty prompt again" tm_wait '^boxstep\[pid mnt chroot proc\]> +│'
	check "the REPL's screen comes back" tm_wait '^printed before top'
	check "without top's table" equals "$(screen | grep -cE 'PID +PPID +USER')" 0
	quit_to_shell
}

test_sighup_restores() {
	tm_start 140 40
	tm_line "$BOX"
	tm_wait 'No container yet'
	tm_line "enable pid pids; start sleep 3147"
	tm_wait 'HOST VIEW of pid'
	pkill -HUP -f "^$BOX\$"
	check "SIGHUP returns to the shell" tm_wait 'host\$ ?$'
	check "no alternate screen left" equals "$($T display -p -t t '#{alternate_on}')" 0
}

test_watch_pid() {
	local pid
	sleep 3146 &
	pid=$!
	tm_start 100 30
	tm_line "$BOX watch $pid"
	check "watch shows the pane alone" tm_wait "HOST VIEW of pid $pid"
	check "with its key legend" tm_wait 'q quits'
	kill $pid
	wait $pid 2>/dev/null
	check "it says so when the process goes away" tm_wait "process $pid has gone"
	check "and returns to the shell" tm_wait 'host\$ ?$'
}

# The row of the line that separates the stacked panes (0 for the top).
separator_row() { screen | grep -n -m1 -E '^─{20,}$' | cut -d: -f1; }

# A lesson whose step has more prose than an 80x24 panel has rows.
long_lesson() {
	local line='One two three four five six seven eight nine ten eleven twelve.'
	printf -- '---\ntitle: A step with much to say\nid: 99-long\n---\n\n'
	printf 'An introduction.\n\n## Read all of this\n\n'
	printf '%s\n%s\n%s\n%s\n\n' "$line" "$line" "$line" "$line"
	printf '%s\n%s\n%s\n\n' "$line" "$line" "$line"
	printf 'THE LAST WORDS OF THE PROSE.\n\n'
	printf '```boxstep\nrun echo the long step\n```\n\n'
	printf '```expect\noutput contains "the long step"\nstatus 0\n```\n'
}

test_80x24_lesson() {
	long_lesson >"$work/long.md"
	tm_start 80 24
	tm_line "$BOX --trust lesson $work/long.md"
	check "at 80x24 the lesson panel shows its checks" \
		tm_wait '^ · the output shows "the long step"'
	check "and the exit status check" tm_wait '^ · the command exits with status 0'
	check "the prose gives way, saying where the rest is" \
		tm_wait 'more: `lesson` prints the step'
	check "its end is what went" equals "$(screen | grep -c 'THE LAST WORDS')" 0
	check "the REPL keeps at least half the rows" \
		test "$(separator_row)" -gt 12
	check "the status line offers the host view" tm_wait '\| F3 host view$'
	tm_keys F3
	check "F3 shows the host view in its place" tm_wait '^ HOST VIEW'
	check "and offers the lesson back" tm_wait '\| F3 lesson$'
	tm_keys F3
	check "F3 again, the lesson" tm_wait '^ · the output shows "the long step"'
	quit_to_shell
}

# Nothing runs, so nothing else redraws: the resize alone must.
test_resize_drawn_at_once() {
	tm_start 140 40
	tm_line "$BOX"
	check "side by side at 140 columns" tm_wait '│ HOST VIEW'
	$T resize-window -t t -x 90 -y 30
	check "a resize is drawn without a key or a command" tm_wait '^─+$' 3
	$T resize-window -t t -x 140 -y 40
	check "and back" tm_wait '│ HOST VIEW' 3
	quit_to_shell
}

test_status_line_cut_whole() {
	tm_start 80 24
	tm_line "$BOX"
	tm_wait 'No container yet'
	tm_line "enable uts pid mnt chroot proc pids"
	check "at 80 columns the status line drops whole items, F2 kept" \
		tm_wait '^ uts +pid +mnt +chroot +proc +pids +\(13 off\) .*\| F2 pause ?$'
	check "outside a lesson F3 is not offered" equals "$(screen | grep -c 'F3')" 0
	tm_line "start sleep 3148"
	$T resize-window -t t -x 140 -y 40
	check "a pane line too long for the pane ends with a mark" \
		tm_wait '│ cgroup: .*…$'
	tm_line "stop"
	quit_to_shell
}

test_frozen_pane_of_quick_command() {
	tm_start 140 40
	tm_line "$BOX"
	tm_wait 'No container yet'
	tm_line "run hostname"
	check "the frozen pane names the command it was about to run" \
		tm_wait '│ about to run: hostname'
	check "not boxstep's own command line" \
		equals "$(screen | grep -c '│ cmdline: .*boxstep')" 0
	check "and marks it exited" tm_wait 'EXITED: exited with status 0'
	quit_to_shell
}

# Needs spawn to hold the container after its setup, just before exec.
test_frozen_pane_after_setup() {
	tm_start 140 40
	tm_line "$BOX"
	tm_wait 'No container yet'
	tm_line "enable uts mnt chroot proc; set hostname kitten; run hostname"
	tm_wait 'EXITED'
	check "the frozen pane has the container's hostname" \
		tm_wait '│ hostname: kitten'
	check "and its root" tm_wait '│ root: .*busybox'
	quit_to_shell
}

# boxstep's processes: the supervisor, the TUI, the REPL.
box_pids() { pgrep -f "^$BOX\$"; }

# The terminal goes away under the TUI (its tmux server is killed): the
# session must end as on quitting.  boxstep is tmux's command itself, as
# nothing passes it a SIGHUP then (a shell would): the kernel sends one
# to the session leader only, the supervisor, which leaves it to the
# terminal.
test_terminal_gone() {
	local deadline
	tm_stop
	$T new-session -d -x 140 -y 40 -s t \
		"env -i PATH=$PATH TERM=xterm-256color LANG=C.UTF-8 HOME=$work XDG_STATE_HOME=$work/state BOXSTEP_ROOTFS=$ROOTFS ${ASAN_OPTIONS:+ASAN_OPTIONS=$ASAN_OPTIONS} ${UBSAN_OPTIONS:+UBSAN_OPTIONS=$UBSAN_OPTIONS} $BOX"
	check "the TUI starts as tmux's command" tm_wait 'No container yet'
	tm_line "enable uts pid mnt chroot proc pids; start sleep 3149"
	check "a container runs" tm_wait 'HOST VIEW of pid [0-9]+'
	check "boxstep runs" eval 'box_pids >/dev/null'
	$T kill-server
	deadline=$((SECONDS + 5))
	while box_pids >/dev/null && [ $SECONDS -lt $deadline ]; do
		sleep 0.1
	done
	if box_pids >/dev/null; then
		out=$(ps -o pid,pcpu,stat,args -p "$(box_pids | paste -sd, -)")
		check "with its terminal gone, boxstep ends within 5 s" false
		# Ended here, so that the host check says what else stayed.
		pkill -TERM -f "^$BOX\$"
		sleep 2
	fi
}

# The status line hears of the rootfs in an event: a space in its path
# must not end it.  A copy of the rootfs, under a directory with a space
# in its name, and named with one so that the line shows all of it.
test_rootfs_with_space() {
	local spaced="$work/course roots/busy box"
	mkdir -p "$work/course roots"
	cp -a "$ROOTFS" "$spaced"
	tm_start 140 40 "BOXSTEP_ROOTFS='$spaced'"
	tm_line "$BOX"
	tm_wait 'No container yet'
	check "the status line shows the rootfs whole" tm_wait '\| root busy box \|'
	tm_line "enable uts mnt chroot proc; run cat /YOU-ARE-INSIDE-THE-CONTAINER"
	check "a container runs in it" tm_wait 'EXITED: exited with status 0'
	check "after the plan's event, still whole" \
		tm_wait ' chroot +proc +\(15 off\) \| host boxstep \| root busy box \|'
	quit_to_shell
	rm -rf "$work/course roots"
}

# step_points_at_panel N: waits until step N's header is followed by the
# note that its text is in the panel.
step_points_at_panel() {
	local deadline=$((SECONDS + 10))
	while [ $SECONDS -lt $deadline ]; do
		screen | grep -A1 "step $1 of " | grep -q 'in the lesson panel' &&
			return 0
		sleep 0.1
	done
	out=$(screen)
	return 1
}

test_f3_heard_by_repl() {
	tm_start 140 40
	tm_line "$BOX lesson 01"
	tm_wait '\(the step.s text is in the lesson panel\)'
	tm_keys F3
	tm_wait '\| F3 show lesson'
	tm_line "goto 2"
	check "with the panel hidden the REPL prints the step's text" \
		tm_wait '^Done when:'
	tm_keys F3
	tm_line "goto 3"
	check "shown again, it points at the panel" step_points_at_panel 3
	quit_to_shell
}

t "tui: the pane agrees with lsns, before and after a resize" test_pane_and_resize
t "tui: sh and ps render in the left pane" test_sh_ps_renders
t "tui: a fork bomb fills the pids bar" test_fork_bomb_fills_limit
t "tui: F2 pauses the pane" test_pause
t "tui: NO_COLOR" test_no_color
t "tui: quit leaves a working shell" test_quit_leaves_sane_shell
t "tui: SIGTERM restores the terminal" test_sigterm_restores
t "tui: vi and top render" test_vi_and_top_render
t "tui: SIGHUP restores the terminal and cleans up" test_sighup_restores
t "tui: watch PID" test_watch_pid
t "tui: rootless, the pane still reads the container" test_rootless_pane
t "tui: 80x24, a lesson's checks and the pane in turns" test_80x24_lesson
t "tui: a resize is drawn at once" test_resize_drawn_at_once
t "tui: the status line and pane lines are cut whole" test_status_line_cut_whole
t "tui: the frozen pane of a quick command" test_frozen_pane_of_quick_command
t "tui: the frozen pane after the container's setup" test_frozen_pane_after_setup
t "tui: F3 is heard by the REPL" test_f3_heard_by_repl
t "tui: a rootfs whose path has a space shows whole" test_rootfs_with_space
t "tui: the terminal gone, the session ends cleanly" test_terminal_gone
summary "tui"
