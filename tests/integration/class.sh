#!/usr/bin/env bash
# The instructor's view of the room: two learners take lessons at the same
# time, one as root and one as nobody (rootless); `boxstep class` shows
# both, as a table and as JSON, to root and to a member of the class
# file's instructors group; a learner is refused the view and cannot read
# the room's files.  The host's state is compared before and after every
# test.  Usage: class.sh [BOXSTEP]
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib.sh"
suite_start class.sh "${1:-./boxstep}"
trap 'rm -rf "$work"' EXIT
chmod 755 "$work"
mkdir -m 700 "$work/state" && chown nobody "$work/state"
LESSONS=$(cd "$here/../../lessons" && pwd)
# The instructors: adm, a group nobody is not in.
printf 'instructors = adm\n' >"$work/class.conf"
export BOXSTEP_CLASS_CONF=$work/class.conf BOXSTEP_ROOM_DIR=$work/room
room=$work/room

# nobody, with GROUPS (--clear-groups, or --groups=adm): runs ARGS.
as_nobody() {
	local groups=$1
	shift
	timeout -k 5 60 setpriv --reuid=nobody --regid=nogroup "$groups" \
		env -i PATH=/usr/bin:/bin HOME=/nonexistent \
		BOXSTEP_ROOTFS="$ROOTFS" BOXSTEP_LESSONS="$LESSONS" \
		XDG_STATE_HOME="$work/state" BOXSTEP_CLASS_CONF="$BOXSTEP_CLASS_CONF" \
		BOXSTEP_ROOM_DIR="$room" \
		${ASAN_OPTIONS:+ASAN_OPTIONS=$ASAN_OPTIONS} \
		${UBSAN_OPTIONS:+UBSAN_OPTIONS=$UBSAN_OPTIONS} "$@"
}

# learner WHO LINES SECONDS: a plain REPL typing LINES, then idle for
# SECONDS, in the background (root, or nobody).
learner() {
	local who=$1 lines=$2 secs=$3
	if [ "$who" = root ]; then
		{ printf '%s\n' "$lines"; sleep "$secs"; } |
			timeout 60 "$BOX" --plain >"$work/$who.out" 2>&1 &
	else
		{ printf '%s\n' "$lines"; sleep "$secs"; } |
			as_nobody --clear-groups "$BOX" --plain >"$work/$who.out" 2>&1 &
	fi
}

wait_for() { for _ in $(seq 100); do eval "$1" && return 0; sleep 0.1; done; return 1; }

test_room_made_by_root() {
	box class
	check "root may watch an empty room" contains "$out" "(no boxstep session is running on this host)"
	check "with the table's header" matches "$out" "^USER +PID +FROM +LESSON +STEP +CHECKS +ON STEP"
	check "the room is root's and the instructors', mode 3773" \
		equals "$(stat -c '%U %G %a' "$room")" "root adm 3773"
	box class --json
	check "--json: an empty array" equals "$out" "[]"
	box class --jsn
	check "a wrong word: the usage" equals "$out" "boxstep: usage: boxstep class [--json]"
	check "status 2" equals "$rc" 2
}

test_two_learners() {
	local json table root_file nobody_file
	learner root $'lesson 02\nrun false' 6
	sleep 1.5
	learner nobody $'lesson 03\nrun hostname' 5
	wait_for '[ "$(ls "$room" | grep -c "^[0-9]*-[0-9]*$")" = 2 ] &&
		grep -q "lesson=03-pid" "$room"/65534-* 2>/dev/null &&
		grep -q "last_error=exit" "$room"/0-* 2>/dev/null'
	box class --json
	json=$out
	check "both learners, as JSON" equals "$(jq length <<<"$json" 2>&1)" 2
	check "root, in lesson 02 step 1" \
		equals "$(jq -c '.[] | select(.user == "root") | [.lesson, .step, .containers]' <<<"$json")" '["02-uts",1,0]'
	check "with its steps and checks" \
		equals "$(jq -c '.[] | select(.user == "root") | [(.steps > 1), .checks_ok <= .checks, (.checks > 0)]' <<<"$json")" '[true,true,true]'
	check "and its last error" \
		matches "$(jq -r '.[] | select(.user == "root") | .last_error' <<<"$json")" "^exit 1"
	check "nobody, rootless, in lesson 03" \
		equals "$(jq -c '.[] | select(.user == "nobody") | [.uid, .lesson, .step, .last_error]' <<<"$json")" '[65534,"03-pid",1,""]'
	check "every key the room promises" \
		equals "$(jq -c '.[0] | [has("user","pid","lesson","step","steps","checks_ok","checks","seconds_on_step","hints","containers")] | all' <<<"$json")" true
	check "the longest on their step first" equals "$(jq -r '.[0].user' <<<"$json")" root
	check "root's pids in use, from its session's cgroup" \
		test "$(jq '.[] | select(.user == "root") | .pids' <<<"$json")" -ge 0
	box class
	table=$out
	check "the table names both" \
		has_line "$table" "^root +[0-9]+ +- +02-uts +1/[0-9]+ +[0-9]+/[0-9]+ +[0-9]+m[0-9]+s +0 +0 "
	check "nobody's row too" has_line "$table" "^nobody +[0-9]+ +- +03-pid +1/"
	root_file=$(ls "$room"/0-* | head -1)
	nobody_file=$(ls "$room"/65534-* | head -1)
	check "nobody's file is nobody's, the instructors' to read" \
		equals "$(stat -c '%U %G %a' "$nobody_file")" "nobody adm 640"
	# An instructor who is not root.
	check "a member of the instructors group may watch" \
		equals "$(as_nobody --groups=adm "$BOX" class --json 2>&1 | jq length)" 2
	# A learner may not.
	out=$(as_nobody --clear-groups "$BOX" class 2>&1)
	check "a learner is refused, with the reason" contains "$out" \
		"boxstep: class: only root and the instructors group, adm, may watch the room, and you, nobody (uid 65534), are not in it"
	out=$(as_nobody --clear-groups ls "$room" 2>&1)
	check "a learner cannot list the room" contains "$out" "Permission denied"
	out=$(as_nobody --clear-groups cat "$root_file" 2>&1)
	check "nor read another learner's state" contains "$out" "Permission denied"
	wait
	check "their files go when their sessions end" equals "$(ls -A "$room")" ""
}

test_no_instructors() {
	printf '# no instructors\n' >"$work/none.conf"
	out=$(as_nobody --groups=adm env BOXSTEP_CLASS_CONF="$work/none.conf" "$BOX" class 2>&1)
	check "without an instructors group only root may watch" contains "$out" \
		"only root may watch the room: $work/none.conf names no instructors group (instructors = GROUP)"
}

t "class: root makes the room and watches it" test_room_made_by_root
t "class: two learners at once, root and nobody, seen by root and an instructor" test_two_learners
t "class: a class file without instructors" test_no_instructors
summary "class"
