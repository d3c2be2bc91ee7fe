#!/usr/bin/env bash
# The course, taken by a learner at a terminal: every lesson in --plain,
# and some in the TUI, played in tmux key by key from the lesson file's own
# ```boxstep blocks, each line typed once the prompt is back; every step
# must be reported done before `next`.  Then a learner's own answers from
# tests/learner/answers, typed at the start of their step in a fresh
# session: right answers put differently must finish the step, near
# misses must not.  Usage: learner.sh [BOXSTEP]
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
. "$here/../lib.sh"
suite_start learner.sh "${1:-}"
command -v tmux >/dev/null || { echo "tmux is missing: make deps"; exit 1; }
sock=boxstep-learner-$$
. "$here/../tmux.sh"
# Lesson 07 starts a fork bomb: should its limit not hold, the host stays
# usable.  Lesson 13 imports an image, into the scratch directory, and
# builds its archive in ~/demo*, which a lesson stopped early leaves
# behind (in the suite's home, under $work).
pids_guard_start
export BOXSTEP_IMAGES=$work/images
trap 'tm_stop; rm -rf "$work" $course_tmp; pids_guard_end' EXIT
echo "boxstep as a learner takes it: $BOX"

# LEARNER_LESSONS="02 05", when set, plays only those lessons (and their
# answers).
picked() { [ -z "${LEARNER_LESSONS:-}" ] || [[ " $LEARNER_LESSONS " == *" $1 "* ]]; }

# A line typed must bring the prompt back within this many seconds.
line_timeout=30

lesson_file() { ls "$top"/lessons/"$1"-*.md 2>/dev/null | head -1; }
nsteps() { grep -c '^## ' "$1"; }

# step_lines FILE N: the lines of step N's ```boxstep block, comments out.
step_lines() {
	awk -v n="$2" '
		/^## / { step++ }
		step == n && /^```boxstep$/ { b = 1; next }
		b && /^```$/ { b = 0 }
		b && !/^#/ && NF { print }' "$1"
}

# --- one line per step, counted as t counts ---------------------------------

# verdict NAME [ERROR [SCREEN]]: reports a step played inside a session
# that t compares the host around (a step alone leaves containers running
# on purpose, so the host is compared per session, not per step).
verdict() {
	local name=$1 err=${2:-} scr=${3:-} text=""
	if [ -n "$err" ]; then
		text="    $err"$'\n'
		[ -n "$scr" ] && text+="    the screen:"$'\n'$(printf '%s\n' "$scr" |
			sed 's/^/      | /')$'\n'
	fi
	record "$name" "$text" || true
}

# --- sessions ----------------------------------------------------------------

session=0
log=""
box_pid=""

# open_session MODE LESSON: a fresh terminal of 160x50 and a fresh state
# directory; boxstep (--plain or the TUI) in the lesson; waits for the
# prompt.  In --plain the raw stream is logged to $log.
open_session() {
	local mode=$1 ll=$2 flag=""
	session=$((session + 1))
	log=$work/session-$session.log
	: >"$log"
	tm_start 160 50 "XDG_STATE_HOME=$work/state-$session" "BOXSTEP_IMAGES=$BOXSTEP_IMAGES"
	[ "$mode" = plain ] && flag=--plain
	$T pipe-pane -t t -o "cat >>'$log'"
	tm_line "$BOX $flag lesson $ll"
	tm_prompt_wait "$line_timeout" || return 1
	box_pid=$(pgrep -P "$($T display -p -t t '#{pane_pid}')" | head -1)
}

# close_session: Ctrl-D, as a learner leaves; then the shell's prompt.
# If boxstep does not go, it is ended with the terminal, and waited for.
close_session() {
	local ok=0 i
	tm_keys C-d
	if ! tm_wait 'host\$ ?$' 30; then
		ok=1
		tm_keys C-c
		tm_keys C-d
		tm_wait 'host\$ ?$' 10
	fi
	tm_stop
	for i in $(seq 100); do
		[ -n "$box_pid" ] && [ -d "/proc/$box_pid" ] || break
		sleep 0.1
	done
	return $ok
}

# The raw stream since byte OFFSET, without escapes and carriage returns.
log_since() {
	tail -c +"$(($1 + 1))" "$log" | sed 's/\x1b\[[0-9;?]*[A-Za-z]//g; s/\r//g'
}
log_size() { stat -c %s "$log"; }

# step_done MODE N OFFSET: the runner has said "== step N done": in the
# logged stream since OFFSET (--plain), or on the screen (TUI).
step_done() {
	if [ "$2" = tui ]; then
		screen | grep -q "== step $1 done"
	else
		log_since "$3" | grep -q "^== step $1 done"
	fi
}

# --- the course, typed ------------------------------------------------------

# play_lesson MODE NN: types every step's lines, then `next`; a step not
# reported done ends the lesson, and the steps after it are not reached.
# Results go to res_name/res_err/res_screen; reported after the session.
play_lesson() {
	local mode=$1 ll=$2 f n s line done from lines
	f=$(lesson_file "$ll")
	n=$(nsteps "$f")
	res_name=() res_err=() res_screen=()
	if ! open_session "$mode" "$ll"; then
		check "boxstep starts the lesson and shows its prompt (screen above)" false
		close_session
		return
	fi
	local failed_at=""
	for s in $(seq "$n"); do
		res_name+=("$ll step $s ($mode, typed)")
		if [ -n "$failed_at" ]; then
			res_err+=("not reached: step $failed_at was not done")
			res_screen+=("")
			continue
		fi
		mapfile -t lines < <(step_lines "$f" "$s")
		from=$(log_size)
		done=no
		local err=""
		for line in "${lines[@]}"; do
			if ! tm_enter_line "$line" "$line_timeout"; then
				err="no prompt within $line_timeout s after typing: $line"
				break
			fi
			[ "$mode" = tui ] && step_done "$s" tui && done=yes
		done
		[ "$mode" = plain ] && step_done "$s" plain "$from" && done=yes
		if [ -z "$err" ] && [ $done = no ]; then
			err="step $s of $(basename "$f") not reported done after typing its ${#lines[@]} line(s)"
		fi
		if [ -z "$err" ] && [ "$s" -lt "$n" ] && ! tm_enter_line next "$line_timeout"; then
			err="no prompt within $line_timeout s after typing: next"
		fi
		if [ -n "$err" ]; then
			failed_at=$s
			res_err+=("$err")
			res_screen+=("$(tm_tail 15)")
		else
			res_err+=("")
			res_screen+=("")
		fi
	done
	check "Ctrl-D leaves boxstep for the shell" close_session
}

# lesson_session MODE NN: the lesson in one session (t compares the host
# around it), then a line per step.
lesson_session() {
	local mode=$1 ll=$2 i
	cur_mode=$mode cur_ll=$ll
	t "$ll ($mode): the lesson typed through, then Ctrl-D; the host as it was" play_current
	for i in "${!res_name[@]}"; do
		verdict "${res_name[$i]}" "${res_err[$i]}" "${res_screen[$i]}"
	done
}
play_current() { unset out; play_lesson "$cur_mode" "$cur_ll"; }

for f in "$top"/lessons/[0-9][0-9]-*.md; do
	ll=$(basename "$f" | cut -c1-2)
	picked "$ll" && lesson_session plain "$ll"
done
for ll in 02 05 07; do
	picked "$ll" && lesson_session tui "$ll"
done

# --- a learner's own answers ------------------------------------------------

# tests/learner/answers: "NN S + LINE" (LINE, typed at the start of step S
# of lesson NN, finishes it) or "NN S - LINE" (it does not).
play_answer() {
	unset out
	local from done=no
	if ! open_session plain "$a_ll"; then
		check "boxstep starts the lesson and shows its prompt" false
		close_session
		return
	fi
	if [ "$a_step" -gt 1 ] && ! tm_enter_line "goto $a_step" 60; then
		check "goto $a_step brings the prompt back" false
		close_session
		return
	fi
	from=$(log_size)
	if tm_enter_line "$a_line" "$line_timeout"; then
		step_done "$a_step" plain "$from" && done=yes
		if [ "$a_sign" = + ]; then
			check "the step is reported done" equals $done yes
		else
			check "the step is not reported done" equals $done no
		fi
	else
		check "the prompt comes back within $line_timeout s" false
	fi
	[ -n "$test_errors" ] && out=$(tm_tail 15)
	check "Ctrl-D leaves boxstep for the shell" close_session
}

while read -r -u 3 a_ll a_step a_sign a_line; do
	case $a_ll in '' | '#'*) continue ;; esac
	picked "$a_ll" || continue
	case $a_sign in
	+) what="finishes it" ;;
	-) what="does not finish it" ;;
	*) verdict "answers: $a_ll $a_step $a_sign" "the sign is + or -"; continue ;;
	esac
	t "$a_ll step $a_step ($what): $a_line" play_answer
done 3<"$top/tests/learner/answers"

summary "learner"
