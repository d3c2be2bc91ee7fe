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
trap 'rm -rf "$work"; pids_guard_end' EXIT

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
			out=$(timeout 300 "$BOX" check "$work/$name" 2>&1)
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
	out=$(timeout 60 "$BOX" check "$top/tests/lessons/proves-nothing.md" 2>&1)
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
t "lessons: a missing file" test_missing_file
summary "lessons"
