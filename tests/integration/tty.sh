#!/usr/bin/env bash
# Terminal tests, driven through tmux as a learner would type: Ctrl-C at
# the prompt and in a container, PID 1 ignoring SIGINT, an interactive sh,
# tab completion, history across runs, and a terminal left sane.
# Usage: tty.sh [BOXSTEP]
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib.sh"
suite_start tty.sh "${1:-}"
command -v tmux >/dev/null || { echo "tmux is missing: make deps"; exit 1; }
sock=boxstep-test-$$
trap 'tm_stop; rm -rf "$work"' EXIT
echo "boxstep terminal tests: $BOX"

. "$here/../tmux.sh"

running() { pgrep -f "$1" >/dev/null; }

# Lines of the screen matching PATTERN.
count() { screen | grep -Ec -- "$1"; }

tm_boxstep() {
	tm_type "$BOX --plain"
	tm_keys Enter
	tm_wait 'boxstep>'
}

tm_quit() {
	check "Ctrl-D at the prompt leaves boxstep" tm_leave
}

test_ctrl_c_at_prompt() {
	tm_start 100 30
	tm_boxstep
	tm_type "half a line"
	tm_keys C-c
	check "Ctrl-C drops the line and gives a new prompt" tm_wait '\^C'
	tm_type "layers"
	tm_keys Enter
	check "boxstep is still there" tm_wait 'uts +off'
	tm_quit
	check "Ctrl-D quits to the shell" tm_wait 'host\$ ?$'
}

test_ctrl_c_pid1() {
	tm_start 100 30
	tm_boxstep
	tm_type "enable pid"
	tm_keys Enter
	tm_type "run sleep 3120"
	tm_keys Enter
	tm_wait 'run sleep 3120'
	sleep 0.5
	tm_keys C-c
	check "the first Ctrl-C is explained" tm_wait 'Ctrl-C did nothing: the command is PID 1'
	check "the container still runs" running 'sleep 3120'
	tm_keys C-c
	check "the second Ctrl-C kills it" tm_wait 'killed with SIGKILL'
	check "and the prompt is back" tm_wait 'boxstep\[pid\]>$'
	tm_quit
}

test_ctrl_c_plain_process() {
	tm_start 100 30
	tm_boxstep
	tm_type "run sleep 3121"
	tm_keys Enter
	tm_wait 'run sleep 3121'
	sleep 0.5
	tm_keys C-c
	check "without a pid namespace Ctrl-C ends it at once" tm_wait 'killed by SIGINT'
	check "with no PID 1 story" equals "$(count 'PID 1')" 0
	check "and the prompt is back" tm_wait 'boxstep>$'
	tm_quit
}

test_interactive_sh() {
	tm_start 100 30
	tm_boxstep
	tm_type "enable uts pid mnt chroot proc; set hostname kitten; sh"
	tm_keys Enter
	check "busybox sh shows the container's hostname" tm_wait 'kitten:/#'
	tm_type 'echo "pid=$$"; ps | wc -l'
	tm_keys Enter
	check "the shell is PID 1" tm_wait 'pid=1$'
	tm_type 'sleep 3122'
	tm_keys Enter
	sleep 0.5
	tm_keys C-c
	check "Ctrl-C reaches the job inside sh, sh survives" tm_wait 'kitten:/# ?$'
	tm_type 'exit'
	tm_keys Enter
	check "exit returns to boxstep" tm_wait 'boxstep\[uts pid mnt chroot proc\]>$'
	tm_quit
}

test_completion() {
	tm_start 100 30
	tm_boxstep
	tm_type "ena"
	tm_keys Tab
	tm_type "ut"
	tm_keys Tab
	tm_keys Enter
	check "commands and layers complete" tm_wait 'boxstep\[uts\]>$'
	tm_type "set pids"
	tm_keys Tab
	tm_type "7"
	tm_keys Enter
	tm_type "set chdir of"
	tm_keys Tab
	tm_keys Enter
	tm_type "sh"
	tm_keys BSpace BSpace
	tm_type "show"
	tm_keys Enter
	check "set keys complete" tm_wait 'pids.max +7'
	check "set values complete" tm_wait 'chdir +off'
	tm_quit
}

test_history() {
	tm_start 100 30
	tm_boxstep
	tm_type "explain mnt"
	tm_keys Enter
	tm_quit
	check "history is saved under XDG_STATE_HOME" grep -q 'explain mnt' "$work/state/boxstep/history"
	tm_line clear
	tm_boxstep
	tm_keys Up
	check "Up brings back the last session's command" tm_wait 'boxstep> explain mnt$'
	tm_keys C-u
	tm_quit
}

test_terminal_restored() {
	tm_start 100 30
	tm_boxstep
	tm_type "enable chroot; run sh -c 'stty raw -echo; exit 0'"
	tm_keys Enter
	tm_type "layers"
	tm_keys Enter
	check "the prompt echoes again after a program left the tty raw" tm_wait 'chroot +ON'
	tm_quit
	tm_type "stty -a | tr ' ' '\n' | grep -xE -- '-?(echo|icanon)' | tr '\n' ' '; echo"
	tm_keys Enter
	check "the shell after boxstep has echo and icanon" tm_wait '^(echo icanon|icanon echo) ?$'
}

test_small_terminal_falls_back() {
	tm_start 70 20
	tm_line "$BOX"
	check "a terminal under 80x24 gets the plain REPL, and is told why" \
		tm_wait 'needs a terminal of at least 80x24'
	check "with a working prompt" tm_wait '^boxstep>'
	tm_quit
}

# A script (-c) whose terminal goes while a container runs: the shell
# above boxstep is the one the kernel tells, and boxstep must hear the
# hang-up from the terminal itself.
test_batch_terminal_gone() {
	tm_stop
	# boxstep is the pane's own process, as under ssh or a browser
	# terminal: no interactive shell passes the hang-up on.
	$T new-session -d -x 100 -y 30 -s t "env HOME=$work XDG_STATE_HOME=$work/state \
		BOXSTEP_ROOTFS=$ROOTFS ${ASAN_OPTIONS:+ASAN_OPTIONS=$ASAN_OPTIONS} \
		${UBSAN_OPTIONS:+UBSAN_OPTIONS=$UBSAN_OPTIONS} $BOX -c 'enable pid; run sleep 3107'"
	check "the container runs" wait_for_proc 'sleep 3107'
	tm_stop
	for _ in $(seq 50); do pgrep -f 'sleep 3107' >/dev/null || pgrep -fx "$BOX -c enable pid; run sleep 3107" >/dev/null || break; sleep 0.1; done
	check "with its terminal gone, the container is stopped" not_running 'sleep 3107'
	check "and boxstep ends" not_running "$BOX -c enable pid"
}
wait_for_proc() { for _ in $(seq 50); do running "$1" && return 0; sleep 0.1; done; return 1; }
not_running() { ! running "$1"; }

t "tty: Ctrl-C at the prompt never kills boxstep" test_ctrl_c_at_prompt
t "tty: a script's terminal gone, the session ends" test_batch_terminal_gone
t "tty: a small terminal falls back to the plain REPL" test_small_terminal_falls_back
t "tty: PID 1 ignores Ctrl-C; the second one kills" test_ctrl_c_pid1
t "tty: Ctrl-C ends a plain process" test_ctrl_c_plain_process
t "tty: an interactive busybox sh" test_interactive_sh
t "tty: tab completion" test_completion
t "tty: history across runs" test_history
t "tty: the terminal is restored" test_terminal_restored
summary "tty"
