#!/usr/bin/env bash
# Projector mode and recording, driven in tmux as a presenter would at
# 100x30: the lesson's title first, Space types and Enter runs, Space
# moves on, ← goes back with the session rebuilt, h, p, f and Esc, q
# leaves a sane terminal; then sizes from 80x24 to 200x60, themes, a
# recording validated as asciicast v2 (and played by asciinema), and the
# bad ways to start either.  Usage: present.sh [BOXSTEP]
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib.sh"
suite_start present.sh "${1:-}"
command -v tmux >/dev/null || { echo "tmux is missing: make deps"; exit 1; }
command -v jq >/dev/null || { echo "jq is missing: make deps"; exit 1; }
sock=boxstep-present-$$
. "$here/../tmux.sh"
trap 'tm_stop; rm -rf "$work"' EXIT
echo "boxstep present and record tests: $BOX"

# The REPL's part of the screen: the rows under the narrative.
repl_rows() { screen | sed -n '13,29p'; }
legend() { screen | tail -1; }

sane_terminal() {
	tm_line "stty -a | tr ' ' '\\n' | grep -xE -- '-?(icanon|echo)' | tr '\\n' ' '; echo"
	tm_wait '^icanon echo ?$'
}

test_presenting() {
	tm_start 100 30
	tm_line "$BOX present 02"
	check "it opens on the lesson's title" tm_wait 'UTS namespace: a hostname of its own'
	check "with the first step's narrative" tm_wait '02-uts · step 1 of 5: Turn the layer on'
	check "and a key legend" tm_wait 'Space/→ type +Enter run +← back +h hint +p pause +f free typing +q quit'
	tm_wait 'boxstep> ?$'
	tm_keys Space
	check "Space types the first word" tm_wait 'boxstep> enable +│'
	check "and does not run it" eval '! screen | grep -q "checks hold"'
	tm_keys Space
	check "Space again: the rest" tm_wait 'boxstep> enable uts +│'
	tm_keys Enter
	check "Enter runs it" tm_wait '✓ now: layer uts is on'
	check "the narrative marks the check" tm_wait '^ ✓ layer uts is on'
	tm_keys Space
	check "with the step's commands run, Space moves on" \
		tm_wait '02-uts · step 2 of 5: Name the container'
	check "the legend follows" tm_wait 'step 2/5$'
	tm_keys Enter
	tm_wait 'boxstep\[uts\]> set hostname kitten'
	tm_keys Space
	tm_keys Enter
	check "the container's output shows" tm_wait '^kitten +│'
	check "and the host view its namespace" tm_wait 'uts +NEW'
	tm_keys Left
	check "← goes back a step" tm_wait '02-uts · step 1 of 5: Turn the layer on'
	check "rebuilding the session for it" tm_wait '(the session starts afresh: every layer off)'
	check "the legend says step 1" tm_wait 'step 1/5$'
	tm_keys h
	check "h shows a hint in the narrative" tm_wait 'hint 1: the layer is called uts.'
	tm_keys p
	check "p pauses the pane, with a label" tm_wait 'PAUSED'
	tm_keys p
	tm_keys f
	check "f gives free typing" tm_wait 'FREE TYPING: the keys go to the REPL. Esc returns to the script'
	tm_line "layers"
	check "typed keys reach the REPL" tm_wait 'user +off'
	tm_keys Escape
	check "Esc returns to the script" tm_wait 'Space/→ type'
	tm_keys Space
	check "where it was: step 1's first word" tm_wait 'boxstep> enable +│'
	tm_keys q
	check "q quits" tm_wait 'host\$ ?$'
	check "the terminal is sane" sane_terminal
	tm_stop
}

test_sizes_and_themes() {
	local size theme
	for size in "80 24" "200 60"; do
		for theme in projector light dark; do
			tm_start $size
			tm_line "$BOX --theme $theme present 03"
			check "$size $theme: the title" tm_wait 'PID namespace: PID 1, and why ps still shows the host'
			check "$size $theme: the legend" tm_wait 'Space/→ type'
			tm_wait 'boxstep> ?$'
			tm_keys Space
			tm_keys Enter
			check "$size $theme: a command runs" tm_wait '✗ missing'
			tm_keys q
			check "$size $theme: q quits" tm_wait 'host\$ ?$'
			tm_stop
		done
	done
}

# The recording: asciicast v2, line by line.
valid_cast() {
	local f=$1
	head -1 "$f" | jq -e '.version == 2 and .width == 100 and .height == 30 and (.timestamp | type) == "number"' >/dev/null &&
	tail -n +2 "$f" | jq -e -s 'all(.[]; type == "array" and length == 3 and (.[0] | type) == "number" and (.[1] == "o" or .[1] == "r") and (.[2] | type) == "string")' >/dev/null &&
	tail -n +2 "$f" | jq -e -s '[.[][0]] as $t | $t == ($t | sort)' >/dev/null
}

test_recording() {
	local cast=$work/session.cast text
	tm_start 100 30
	tm_line "$BOX --record $cast"
	tm_wait 'boxstep> ?$'
	tm_line "run echo recorded-output"
	tm_wait '^recorded-output'
	$T resize-window -t t -x 120 -y 40
	tm_wait 'boxstep> ?$'
	sleep 0.5
	tm_keys C-d
	check "the session ends" tm_wait 'recorded to '
	check "it says how to play it" tm_wait "asciinema play"
	check "the file is asciicast v2 (header, events, times in order)" valid_cast "$cast"
	text=$(tail -n +2 "$cast" | jq -r 'select(.[1] == "o") | .[2]' | tr -d '\n')
	check "it holds what was typed" contains "$text" "run echo recorded-output"
	check "and what was printed" contains "$text" "recorded-output"
	check "the resize is an r event" grep -q '"r", "120x40"' "$cast"
	check "the terminal is sane" sane_terminal
	if command -v asciinema >/dev/null; then
		# asciinema wants a terminal, even to cat.
		tm_line "clear; asciinema cat $cast >$work/replay.txt; echo replayed rc=\$?"
		check "asciinema replays it" tm_wait '^replayed rc=0'
		check "with the output in it" grep -q recorded-output "$work/replay.txt"
	fi
	tm_stop
}

test_recording_present() {
	local cast=$work/present.cast
	tm_start 100 30
	tm_line "$BOX --record $cast present 01"
	tm_wait 'boxstep> ?$'
	tm_keys Enter
	tm_wait 'hello from an ordinary process'
	tm_keys q
	tm_wait 'host\$ ?$'
	check "a presentation records too" valid_cast "$cast"
	check "with the narrative in it" grep -q 'A plain process' "$cast"
	tm_stop
}

test_recording_plain() {
	local cast=$work/plain.cast
	tm_start 100 30
	tm_line "$BOX --plain --record $cast"
	tm_wait 'boxstep> ?$'
	tm_line "run echo plain-and-recorded"
	tm_wait '^plain-and-recorded'
	tm_leave
	check "the plain REPL records too" valid_cast "$cast"
	check "with its output" grep -q 'plain-and-recorded' "$cast"
	check "the terminal is sane" sane_terminal
	tm_stop
}

test_bad_starts() {
	box present
	check "present without a lesson" contains "$out" "usage: boxstep present LESSON"
	check "is a usage error" equals "$rc" 2
	box present nosuch
	check "an unknown lesson" contains "$out" "no lesson called 'nosuch'"
	box --theme purple present 02
	check "an unknown theme" contains "$out" "no theme called 'purple'; there are dark, light and projector"
	check "is a usage error too" equals "$rc" 2
	box present 02
	check "present needs a terminal" contains "$out" "present mode is full screen: it needs a terminal"
	box --record "$work/x.cast" -c 'layers'
	check "recording needs a terminal" contains "$out" "--record records a terminal session"
	check "and leaves no file" test ! -e "$work/x.cast"
	tm_start 100 30
	tm_line "$BOX --record /nonexistent/dir/x.cast; echo rc=\$?"
	check "an unwritable recording is refused" tm_wait "cannot write the recording /nonexistent/dir/x.cast: No such file or directory"
	check "with status 1" tm_wait '^rc=1'
	tm_line "$BOX --plain present 02; echo rc=\$?"
	check "present is never plain" tm_wait 'and not --plain'
	tm_stop
}

t "present: a presenter at 100x30" test_presenting
t "present: 80x24 to 200x60, every theme" test_sizes_and_themes
t "record: a TUI session as asciicast v2" test_recording
t "record: a presentation" test_recording_present
t "record: the plain REPL" test_recording_plain
t "present and record: bad starts" test_bad_starts
summary "present"
