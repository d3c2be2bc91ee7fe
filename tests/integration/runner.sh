#!/usr/bin/env bash
# The lesson runner, as a learner takes a lesson: the list with progress,
# checks told after every command (missing before the step's commands,
# holding after), hints, next/prev/goto with the session rebuilt, progress
# saved and resumed, lesson reset, names that do not resolve; then the
# whole course played through the runner; then, in tmux, the plain relay
# (an interactive sh inside a step) and the TUI's lesson panel.
# Usage: runner.sh [BOXSTEP]
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
. "$here/../lib.sh"
suite_start runner.sh "${1:-}"
command -v tmux >/dev/null || { echo "tmux is missing: make deps"; exit 1; }
sock=boxstep-runner-$$
. "$here/../tmux.sh"
pids_guard_start
trap 'tm_stop; rm -rf "$work" $course_tmp; pids_guard_end' EXIT
echo "boxstep lesson runner tests: $BOX"

n=0
# learn ARGS... <<< INPUT: a lesson session fed on stdin, with a fresh
# state directory unless $state is set.  Output in $out, status in $rc.
learn() {
	n=$((n + 1))
	out=$(XDG_STATE_HOME=${state:-$work/state-$n} timeout -k 5 120 "$BOX" "$@" 2>&1)
	rc=$?
}

test_list() {
	state=$work/list
	learn lesson
	check "the list names every lesson" contains "$out" "08-all-together"
	check "nothing started yet" matches "$out" "02-uts +not started"
	check "and says where progress is kept" contains "$out" "$state/boxstep/progress"
	check "status 0" equals "$rc" 0
	# The file is plain text: written by hand, it is read.
	printf '02-uts 3 1,2\n07-cgroups 5 1,2,3,4,5\n' >"$state/boxstep/progress"
	learn lesson
	check "progress read from the file" matches "$out" "02-uts +2/5 done, at step 3"
	check "a finished lesson is done" matches "$out" "07-cgroups +done"
	# Listing needs no root.
	chmod -R a+rX "$work"
	out=$(XDG_STATE_HOME=$state setpriv --reuid=nobody --regid=nogroup --clear-groups "$BOX" lesson 2>&1)
	check "anyone may list" matches "$out" "02-uts +2/5 done"
	unset state
}

test_checks_fail_then_hold() {
	learn lesson 02 <<<$'run hostname\nenable uts'
	check "the step's text is printed" contains "$out" "== 02-uts, step 1 of 5: Turn the layer on =="
	check "what is checked, in words" contains "$out" "  - layer uts is on"
	check "before the step: missing, and why" \
		contains "$out" "✗ missing: layer uts is on (layer uts is off)"
	check "after it: holds" contains "$out" "✓ now: layer uts is on"
	check "and the step is done" contains "$out" "== step 1 done. \`next\` goes on to step 2: Name the container =="
	# The order: missing first, holding after.
	check "missing comes before holds" matches "$out" "missing: layer uts.*now: layer uts"
}

test_output_checks() {
	learn lesson 02 <<<$'enable uts\nnext\nset hostname kitten\nrun echo nothing here\nrun hostname'
	check "an output check is missing before" \
		matches "$out" "✗ missing: a line of the output is \"kitten\" \(the output has no line[[:space:]]+\"kitten\"\)"
	check "a namespace check before any container" \
		matches "$out" "\(no[[:space:]]+container[[:space:]]+has[[:space:]]+run[[:space:]]+yet\)"
	check "the container's output is shown" matches "$out" $'\nkitten\n'
	check "then the output check holds" contains "$out" "✓ now: a line of the output is \"kitten\""
	check "as does the namespace" contains "$out" "✓ now: the container has a uts namespace of its own"
	check "step 2 is done" contains "$out" "== step 2 done"
}

test_hints() {
	learn lesson 02 <<<$'hint\nhint\nhint'
	check "the first hint" contains "$out" "hint 1 of 1: the layer is called uts."
	check "then the commands the step expects" \
		matches "$out" $'No more hints. The commands this step expects:\n  enable uts'
}

test_moving_about() {
	learn lesson 02 <<<$'goto 3\nlayers\nprev\nprev\nlayers\ngoto 9\ngoto x\nnext'
	check "goto 3 replays the steps before" \
		contains "$out" "(the session is set up as after steps 1-2: 2 commands replayed"
	check "so uts is on at step 3" matches "$out" "uts +ON"
	check "step 3's text" contains "$out" "== 02-uts, step 3 of 5: Rename it from inside =="
	check "prev goes to step 2, rebuilt" contains "$out" "(the session is set up as after step 1: 1 command replayed"
	check "prev again to step 1, every layer off" contains "$out" "(the session starts afresh: every layer off)"
	check "uts is off again" matches "$out" "uts +off"
	check "a step beyond the lesson is refused" \
		contains "$out" "goto takes a step number from 1 to 5, not '9'"
	check "as is a word" contains "$out" "not 'x'"
	check "next without doing the step says so" \
		contains "$out" "Step 1 is not done yet; moving on, with the session set up as if it were."
}

# A rebuilt step says what it could not make again: a replayed command
# that failed for want of what a host command made, or that host and
# export commands are not replayed.
test_rebuild_gaps() {
	learn lesson 13 <<<$'goto 3'
	check "goto 3 of lesson 13: set rootfs demo fails without the import" \
		contains "$out" "(1 of them did not hold: \`set rootfs demo\`, of step 2, needs what a command that is not replayed made; \`goto 2\` and type that step again)"
	learn lesson 18 <<<$'goto 4'
	check "goto 4 of lesson 18: no bundle unless the export ran" \
		contains "$out" "(host and export commands are not replayed: what they made is there only if they ran)"
	learn lesson 02 <<<$'goto 3'
	check "control: lesson 02 has nothing of the kind" lacks "$out" "not replayed"
}

test_progress_and_resume() {
	state=$work/resume
	learn lesson 02 <<<$'enable uts\nnext'
	check "progress saved: on step 2, step 1 done" \
		grep -qx '02-uts 2 1' "$state/boxstep/progress"
	learn lesson uts <<<$'layers\nset hostname kitten\nrun hostname'
	check "a second session resumes" contains "$out" "Welcome back: resuming at step 2 of 5."
	check "with the state of step 1 rebuilt" matches "$out" "uts +ON"
	check "and step 2 can be done" contains "$out" "== step 2 done"
	check "progress: on step 2, steps 1 and 2 done" \
		grep -qx '02-uts 2 1,2' "$state/boxstep/progress"
	learn lesson 02 <<<$'lesson reset'
	check "lesson reset says so" contains "$out" "forgotten; back to step 1"
	check "and starts again at step 1" grep -qx '02-uts 1 -' "$state/boxstep/progress"
	unset state
}

test_names() {
	learn lesson nosuch
	check "an unknown lesson is refused" contains "$out" "no lesson called 'nosuch'; there are: 01-plain-process, 02-uts"
	check "with status 2" equals "$rc" 2
	learn lesson 7 <<<''
	check "a number finds the lesson" contains "$out" "== 07-cgroups, step 1 of 5"
	learn lesson cgroups <<<''
	check "so does its name" contains "$out" "== 07-cgroups, step 1 of 5"
	learn lesson "$top/lessons/05-proc.md" <<<''
	check "so does a path" contains "$out" "== 05-proc, step 1 of 3"
	learn lesson "$top/tests/lessons/broken.md" <<<''
	check "a broken lesson is refused with its file:line" \
		contains "$out" "broken.md:14: unknown check 'hostname is kitten'"
	learn lesson a b
	check "two names are a usage error" contains "$out" "usage: boxstep [--plain] lesson [NAME]"
	out=$(printf 'goto 5\nhint\n' | setpriv --reuid=nobody --regid=nogroup \
		--clear-groups env -i PATH=/usr/bin:/bin BOXSTEP_ROOTFS="$ROOTFS" \
		BOXSTEP_LESSONS="$top/lessons" "$BOX" lesson 12 2>&1)
	check "rootless, a lesson starts without a warning" lacks "$out" "written for root"
	check "and plays a step's rootless version" contains "$out" \
		"== 12-user, step 5 of 6: Without sudo: rootless"
	check "with its own hint" contains "$out" "host id -u; cat /proc/self/uid_map"
	check "not the one for root" lacks "$out" "runuser -u nobody"
}

test_lesson_and_step_in_a_lesson() {
	learn lesson 02 <<<$'enable uts\nnext\nlesson\nstep'
	check "the runner's commands are offered, step among them" \
		contains "$out" "(hint, next, prev, goto N, step, lesson: the lesson's commands)"
	check "lesson in a lesson lists the lessons" contains "$out" "Lessons, in the order of the story:"
	check "marking the one being taken, at its step" matches "$out" $'\n> 02-uts +1/5 done, at step 2 '
	check "the others unmarked" matches "$out" $'\n  03-pid +not started'
	check "the list ends saying step shows the step again" \
		matches "$out" $'You are taking 02-uts \\(>\\), at step 2 of 5: `step` shows the step again.\n'
	check "step prints the step again (once by next, once by step)" \
		equals "$(grep -c '^== 02-uts, step 2 of 5' <<<"$out")" 2
	check "step is no unknown command" lacks "$out" "unknown command"
	learn -c 'step'
	check "step without a lesson" contains "$out" "no lesson is running"
}

test_report_on_a_line_of_its_own() {
	learn lesson 02 <<<$'host printf 0\nhost printf \'1\\r\'\nhost printf \'2\\033[0m\'\nhost echo 3'
	check "output without a newline: the report starts a line" \
		contains "$out" $'0\n-- step 1: 0 of 1 checks hold'
	check "a trailing carriage return shows nothing" contains "$out" $'1\r\n-- step 1'
	check "nor does an escape sequence" contains "$out" $'2\e[0m\n-- step 1'
	check "a line that ends is not followed by a blank one" contains "$out" $'3\n-- step 1'
	check "nothing runs into the report" eval '! grep -q ".-- step" <<<"$out"'
}

# A step whose prose, item and check are longer than a line.
wrap_lesson() {
	printf -- '---\ntitle: Wrapping\nid: 99-wrap\n---\n\n## A long step\n\n%s\n\n%s\n\n%s\n%s\n%s\n%s\n%s\n%s\n' \
		"This paragraph is written as one long line, longer than any terminal line the tests use, with \`a code span kept whole\` in it." \
		"- an item of a list, long enough that it has to go on to a second line somewhere else" \
		'```boxstep' 'run echo hello' '```' '```expect' \
		'output contains "a string that the output will not have, long enough to make the missing line wrap"' \
		'```' >"$work/wrap.md"
}

# The longest line of $out, in characters.
longest() {
	local l max=0
	while IFS= read -r l; do
		[ "${#l}" -gt "$max" ] && max=${#l}
	done <<<"$out"
	echo "$max"
}

test_wrapped_to_the_width() {
	wrap_lesson
	LC_ALL=C.UTF-8 learn --trust lesson "$work/wrap.md" <<<'run echo hi'
	check "off a terminal, no line is longer than 80" test "$(LC_ALL=C.UTF-8 longest)" -le 80
	check "the paragraph is broken at a blank" \
		contains "$out" $'This paragraph is written as one long line, longer than any terminal line the\ntests use,'
	check "a code span stays whole" contains "$out" $'tests use, with `a code span kept whole` in it.\n'
	check "a list item's next line is under its text" \
		contains "$out" $'\n- an item of a list, long enough that it has to go on to a second line somewhere\n  else\n'
	check "the missing line hangs under its text" \
		contains "$out" $'   ✗ missing: the output shows "a string that the output will not have, long\n     enough to make the missing line wrap"'
	tm_start 50 40
	tm_line "$BOX --plain --trust lesson $work/wrap.md"
	check "on a terminal, at its width (50)" tm_wait '^This paragraph is written as one long line, longer$'
	check "continuing on the next line" tm_wait '^than any terminal line the tests use, with$'
	tm_leave
	tm_stop
}

test_commands_outside_a_lesson() {
	learn -c 'hint'
	check "hint without a lesson" contains "$out" "no lesson is running; \`lesson\` lists them"
	check "fails" equals "$rc" 1
	learn -c 'goto'
	check "goto without its number" contains "$out" "goto is missing"
	printf -- '---\ntitle: t\nid: 99-t\n---\n## S\n```boxstep\nnext\n```\n```expect\nstatus 0\n```\n' >"$work/steers.md"
	learn check "$work/steers.md"
	check "a lesson file cannot steer the runner" contains "$out" "unknown command 'next'"
	learn lesson 02 <<<$'enable uts; next'
	check "steering shares no line with other commands" \
		contains "$out" "type them on a line of their own"
	check "the rest of the line ran" contains "$out" "✓ now: layer uts is on"
}

test_background_state_rebuilt() {
	# Step 3 of the cgroups lesson needs step 2's background container.
	learn lesson 07 <<<$'goto 3\nstop'
	check "the container of step 2 is started again" \
		matches "$out" "after steps 1-2: [0-9]+ commands replayed"
	check "so stop finds it" contains "$out" "stopped"
	check "and the cgroup check holds" contains "$out" "✓ now: the container's cgroup is removed"
}

# Every step's commands, then `next`, through the runner: each step must
# be reported done, as autoplay says it is.
test_course_through_the_runner() {
	local f steps done_count input missed=""
	for f in "$top"/lessons/*.md; do
		steps=$(grep -c '^## ' "$f")
		input=$(awk '/^## /{ if (n++) print "next" } /^```boxstep$/{ b = 1; next }
			b && /^```$/ { b = 0 } b && !/^#/ { print }' "$f")
		learn lesson "$f" <<<"$input"
		done_count=$(grep -c '^== step [0-9]* done' <<<"$out")
		[ "$done_count" = "$steps" ] || missed+="$(basename "$f"): $done_count of $steps; "
	done
	check "every step reported done (short: ${missed:-none})" equals "$missed" ""
}

# --- on a terminal ---------------------------------------------------------

test_relay_sh_in_a_step() {
	tm_start 100 40
	tm_line "$BOX --plain lesson 02"
	tm_wait 'boxstep> $'
	tm_line "enable uts"
	tm_line "next"
	tm_line "set hostname kitten"
	tm_line "sh"
	check "an interactive sh in the step" tm_wait 'kitten# ?$'
	tm_line "hostname"
	# As a learner would, exit once the name is shown: typed while
	# hostname runs, the terminal echoes "exit" before it ("exitkitten").
	check "hostname answers" tm_wait '^kitten$'
	tm_line "exit"
	check "its output is checked when it ends" tm_wait '✓ now: a line of the output is "kitten"'
	check "and the step is done" tm_wait '== step 2 done'
	check "Ctrl-D leaves" tm_leave
	tm_line "stty -a | tr ' ' '\n' | grep -xE -- '-?(icanon|echo)' | tr '\n' ' '; echo"
	check "the terminal is sane afterwards: icanon and echo on" \
		tm_wait '^icanon echo ?$'
	tm_stop
}

test_tui_panel() {
	tm_start 140 40
	tm_line "$BOX lesson 03"
	check "the panel shows the step" tm_wait '03-pid · step 1 of 4: Become PID 1'
	check "and its checks, not yet held" tm_wait '· a line of the output is "my pid is 1"'
	check "the status line offers F3" tm_wait 'F3 hide lesson'
	tm_line "enable pid"
	tm_line "run sh -c 'echo my pid is \$\$'"
	check "held checks are marked in the panel" tm_wait '│ ✓ a line of the output is "my pid is 1"'
	check "the panel says it is done" tm_wait 'Done! `next` goes on.'
	tm_keys F3
	check "F3 hides the panel" tm_wait 'F3 show lesson'
	check "and its text goes" eval '! screen | grep -q "· step 1 of 4"'
	tm_keys F3
	tm_line "next"
	check "F3 shows it again, on the next step" tm_wait '03-pid · step 2 of 4: ps disagrees'
	check "Ctrl-D leaves the TUI" tm_leave
	tm_stop
}

test_asks_about_a_lesson_from_elsewhere() {
	cp "$top/lessons/03-pid.md" "$work/elsewhere.md"
	tm_start 100 30
	tm_line "$BOX --plain lesson $work/elsewhere.md; echo rc=\$?"
	check "it asks before taking a lesson from elsewhere" tm_wait 'Take it\? \[y/N\] ?$'
	check "naming the file" tm_wait "elsewhere.md is not one of boxstep's lessons"
	tm_line "n"
	check "no means no" tm_wait 'not taken'
	check "with status 1" tm_wait '^rc=1'
	tm_line "$BOX --plain lesson $work/elsewhere.md"
	tm_wait 'Take it\? \[y/N\] ?$'
	tm_line "y"
	check "yes takes it" tm_wait '== 03-pid, step 1 of 4'
	tm_leave
	tm_stop
}

t "runner: the lessons and their progress" test_list
t "runner: checks missing before a step, holding after" test_checks_fail_then_hold
t "runner: output and namespace checks" test_output_checks
t "runner: hints, then the commands" test_hints
t "runner: goto, prev and next rebuild the session" test_moving_about
t "runner: progress is saved and resumed" test_progress_and_resume
t "runner: lesson names" test_names
t "runner: lesson lists the lessons in a lesson, step shows the step" test_lesson_and_step_in_a_lesson
t "runner: the report starts on a line of its own" test_report_on_a_line_of_its_own
t "runner: its text is filled to the terminal's width" test_wrapped_to_the_width
t "runner: its commands outside a lesson, and in lesson files" test_commands_outside_a_lesson
t "runner: a background container is rebuilt" test_background_state_rebuilt
t "runner: a rebuilt step says what it did not make again" test_rebuild_gaps
t "runner: the whole course, played through the runner" test_course_through_the_runner
t "runner: an interactive sh inside a step (plain relay)" test_relay_sh_in_a_step
t "runner: it asks about a lesson from elsewhere" test_asks_about_a_lesson_from_elsewhere
t "runner: the TUI's lesson panel and F3" test_tui_panel
summary "runner"
