#!/usr/bin/env bash
# The course, tested: every lesson autoplays; every step fails when its
# commands are dropped (so its checks test the step, not the weather); a
# malformed lesson and a check that proves nothing are caught with
# file:line.  Usage: lessons.sh [BOXSTEP]
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
. "$here/../lib.sh"
suite_start lessons.sh "${1:-}"
# This script runs lessons with steps removed, which must fail and stop;
# should one run on anyway, its processes stay bounded.
pids_guard_start
# Lesson 13 imports an image: into the scratch directory, not root's
# state directory.  It builds its archive in ~/demo*, which a run with
# its last step dropped leaves behind.
export BOXSTEP_IMAGES=$work/images
trap 'rm -rf "$work" $course_tmp; pids_guard_end' EXIT

# drop_step FILE N OUT: writes FILE with step N's boxstep commands
# replaced by `layers`, which changes nothing.
drop_step() {
	awk -v n="$2" '
		/^## / { step++ }
		/^```boxstep$/ && step == n { print; print "layers"; skip = 1; next }
		skip && /^```$/ { skip = 0 }
		!skip { print }' "$1" >"$3"
}

test_course_passes() {
	out=$(timeout 600 "$BOX" check "$top"/lessons/*.md 2>&1)
	rc=$?
	check "every step of every lesson passes" lacks "$out" "not ok"
	check "check exits 0" equals "$rc" 0
	check "it says how many" matches "$out" "check: [0-9]+ passed, 0 failed"
	check "at least 8 lessons" test "$(ls "$top"/lessons/*.md | wc -l)" -ge 8
}

test_each_step_needs_its_commands() {
	local f n steps name missed=""
	for f in "$top"/lessons/*.md; do
		name=$(basename "$f")
		steps=$(grep -c '^## ' "$f")
		for n in $(seq "$steps"); do
			drop_step "$f" "$n" "$work/$name"
			out=$(timeout 300 "$BOX" --trust check "$work/$name" 2>&1)
			# What lessons 13 and 18 make, their last steps
			# remove: with a step dropped it stays.
			course_tidy
			grep -q "^not ok - $work/$name: step $n " <<<"$out" ||
				missed+="$name step $n; "
		done
	done
	check "every step fails without its commands (missed: ${missed:-none})" \
		equals "$missed" ""
}

test_broken_lesson() {
	out=$(timeout 60 "$BOX" check "$top/tests/lessons/broken.md" 2>&1)
	rc=$?
	check "a malformed lesson fails with its file:line" \
		contains "$out" "not ok - $top/tests/lessons/broken.md:14: unknown check 'hostname is kitten'"
	check "and lists the checks there are" contains "$out" "output contains TEXT"
	check "non-zero status" equals "$rc" 1
}

test_check_that_proves_nothing() {
	out=$(timeout 60 "$BOX" --trust check "$top/tests/lessons/proves-nothing.md" 2>&1)
	check "a check that holds before its step is refused" \
		contains "$out" "\`layer uts off\` (line 15) holds before the step, so it proves nothing"
}

test_missing_file() {
	out=$(timeout 60 "$BOX" check "$work/no-such.md" 2>&1)
	rc=$?
	check "a missing lesson is named" contains "$out" "not ok - $work/no-such.md: cannot read it"
	check "and fails" equals "$rc" 1
}

t "lessons: the whole course autoplays" test_course_passes
t "lessons: every step fails without its commands" test_each_step_needs_its_commands
t "lessons: a malformed lesson" test_broken_lesson
t "lessons: a check that proves nothing" test_check_that_proves_nothing
# Lesson files run commands as root: one from elsewhere is not played
# without a question (or --trust).
test_untrusted_lesson() {
	cp "$top/lessons/02-uts.md" "$work/copied.md"
	echo 'host echo from-the-copy' >"$work/line"
	sed -i '0,/^run hostname$/s//run hostname\nhost echo from-the-copy/' "$work/copied.md"
	out=$(timeout 60 "$BOX" check "$work/copied.md" 2>&1 </dev/null)
	rc=$?
	check "it says where the file is from" contains "$out" "$work/copied.md is not one of boxstep's lessons"
	check "and who owns it" contains "$out" "owner root"
	check "and what it runs on the host" contains "$out" "runs on the host: host echo from-the-copy"
	check "it is not played off a terminal" contains "$out" "not played: it is not one of boxstep's lessons (--trust plays it)"
	check "so nothing ran" lacks "$out" "ok - $work/copied.md: step 1"
	check "status 1" equals "$rc" 1
	out=$(timeout 120 "$BOX" --trust check "$work/copied.md" 2>&1 </dev/null)
	check "--trust plays it" contains "$out" "check: 5 passed, 0 failed"
	out=$(XDG_STATE_HOME=$work/state timeout 60 "$BOX" lesson "$work/copied.md" 2>&1 </dev/null)
	check "lesson refuses it the same way" contains "$out" "to take lessons from elsewhere, add --trust"
	out=$(printf 'lesson %s\n' "$work/copied.md" | XDG_STATE_HOME=$work/state timeout 60 "$BOX" 2>&1)
	check "so does the lesson command at the prompt" contains "$out" "to take lessons from elsewhere, add --trust"
}

# What a learner types: a step's commands and the hints that give them.
test_lines_a_learner_can_type() {
	local long
	long=$(awk 'FNR == 1 { f = 0 }
		/^```boxstep$/ { f = 1; next } /^```$/ { f = 0 }
		(f || /^> hint:/) && length($0) > 72 {
			print FILENAME ":" FNR ": " length($0) " characters" }' \
		"$top"/lessons/*.md)
	check "no typed line or hint over 72 characters (${long:-none})" \
		equals "$long" ""
}

# Near misses: a regex that takes "my pid is 10" for "my pid is 1", and a
# step that is done as well with its layer off.  Each is named, and the
# step after the first still plays.
test_near_misses_caught() {
	local f=$top/tests/lessons/near-misses.md
	out=$(timeout 120 "$BOX" --trust check "$f" 2>&1)
	rc=$?
	check "the loose regex is named, with the near miss it took" \
		contains "$out" "\`output matches \"my pid is 1\"\` (line 18) lets a near miss through: \"my pid is 10\""
	check "the step done without its layer is named" \
		contains "$out" "step 2 (Text a container without the layer prints too): done with every isolation layer off"
	check "neither passes" contains "$out" "check: 0 passed, 2 failed"
	check "status 1" equals "$rc" 1
}

# A machine's first shell (a VM's init, a rescue shell) has HOME=/: the
# replay that keeps a step's writes in memory leaves / alone then, which
# it makes read-only anyway.
test_home_is_root() {
	out=$(HOME=/ timeout 120 "$BOX" check "$top/lessons/02-uts.md" 2>&1)
	rc=$?
	check "with HOME=/ every step still replays (${out##*check: })" \
		contains "$out" "check: 5 passed, 0 failed"
	check "status 0" equals "$rc" 0
}

t "lessons: a missing file" test_missing_file
t "lessons: HOME=/ as a machine's first shell has it" test_home_is_root
t "lessons: near misses are caught and named" test_near_misses_caught
t "lessons: lines a learner can type" test_lines_a_learner_can_type
t "lessons: a lesson from elsewhere is not played without a question" test_untrusted_lesson
summary "lessons"
