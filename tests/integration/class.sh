#!/usr/bin/env bash
# The instructor's view of the room: two learners take lessons at the same
# time, one as root and one as nobody (rootless); `boxstep class` shows
# both, as a table and as JSON, to root and to a member of the class
# file's instructors group; a learner is refused the view and cannot read
# the room's files.  Learners in the two-pane screen (tmux): their screen
# mirrored once and live, from the live table, with their status line
# saying so; a learner refused it, by boxstep and by the socket itself.
# The host's state is compared before and after every test.
# Usage: class.sh [BOXSTEP]
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib.sh"
suite_start class.sh "${1:-./boxstep}"
tx="tmux -L boxstep-class-$$"
trap '$tx kill-server 2>/dev/null; rm -f "${TMUX_TMPDIR:-/tmp}/tmux-$(id -u)/boxstep-class-$$"; rmdir "${TMUX_TMPDIR:-/tmp}/tmux-$(id -u)" 2>/dev/null; rm -rf "$work"' EXIT
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

# On a private tmux server: tstart NAME COLS ROWS COMMAND... (as root, or
# after setpriv), the screen of NAME, and waiting for a line on it.
tstart() {
	local name=$1 cols=$2 rows=$3
	shift 3
	$tx new-session -d -s "$name" -x "$cols" -y "$rows" "env TERM=xterm-256color \
		LANG=C.UTF-8 HOME=$work XDG_STATE_HOME=$work/state BOXSTEP_ROOTFS=$ROOTFS \
		BOXSTEP_LESSONS=$LESSONS BOXSTEP_CLASS_CONF=$BOXSTEP_CLASS_CONF \
		BOXSTEP_ROOM_DIR=$room ${ASAN_OPTIONS:+ASAN_OPTIONS=$ASAN_OPTIONS} \
		${UBSAN_OPTIONS:+UBSAN_OPTIONS=$UBSAN_OPTIONS} $*; sleep 60"
}
tcap() { $tx capture-pane -p -t "$1"; }
twait() {
	tw_name=$1 tw_re=$2
	wait_for 'tcap "$tw_name" | grep -Eq -- "$tw_re"' ||
		{ out=$(tcap "$1"); return 1; }
}
# The learner's status line, the screen's last.
tstatus() { tcap "$1" | tail -1; }

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
	check "a wrong word: the usage" equals "$out" "boxstep: usage: boxstep class [--json]
       boxstep class watch USER|PID
       boxstep class doctor [--as USER]"
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

# A learner's file is the learner's: what it says of its user, its
# terminal and its cgroup is not believed, and escapes do not reach the
# instructor's terminal.
test_forged_file() {
	local file pid rpid
	learner nobody $'lesson 03' 6
	wait_for 'ls "$room" | grep -q "^65534-[0-9]*$"'
	file=$(ls "$room"/65534-* | grep -v screen | head -1)
	pid=${file##*-}
	as_nobody --clear-groups sh -c "printf 'uid=65534\npid=$pid\nuser=root\nfrom=\033]0;PWNED\007pts/9\nmemory_dir=/sys/fs/cgroup/memory\nlesson=03-pid\n' >$file"
	box class --json
	check "the user is the file's owner, whatever it says" \
		equals "$(jq -r '.[0].user' <<<"$out")" nobody
	check "its escapes are question marks" \
		equals "$(jq -r '.[0].from' <<<"$out")" "?]0;PWNED?pts/9"
	check "and a cgroup not its session's is not read" \
		equals "$(jq -r '.[0].memory' <<<"$out")" -1
	box class
	check "the table has no escape in it" lacks "$out" $'\033'
	learner root $'layers' 5
	wait_for 'ls "$room" | grep -q "^0-[0-9]*$"'
	rpid=$(ls "$room" | sed -n 's/^0-\([0-9]*\)$/\1/p')
	as_nobody --clear-groups sh -c "printf 'uid=65534\npid=$rpid\n' >$room/65534-$rpid"
	box class --json
	check "a file may not name another user's session" \
		equals "$(jq -c '[.[] | select(.pid == '"$rpid"') | .user]' <<<"$out")" '["root"]'
	rm -f "$room/65534-$rpid"
	wait
}

test_no_instructors() {
	printf '# no instructors\n' >"$work/none.conf"
	out=$(as_nobody --groups=adm env BOXSTEP_CLASS_CONF="$work/none.conf" "$BOX" class 2>&1)
	check "without an instructors group only root may watch" contains "$out" \
		"only root may watch the room: $work/none.conf names no instructors group (instructors = GROUP)"
}

# A learner's socket, reached around boxstep: the kernel's answer.
peek() {
	perl -MIO::Socket::UNIX -MSocket -e '
		my $s = IO::Socket::UNIX->new(Type => SOCK_SEQPACKET, Peer => $ARGV[0])
			or die "connect: $!\n";
		print $s "watch peek\n"; my $b; $s->recv($b, 300000); print $b' "$1"
}

test_mirror() {
	local pid sock sup
	tstart l 120 35 "$BOX"
	wait_for 'ls "$room" | grep -q "^0-[0-9]*\.screen$"'
	sock=$(ls "$room" | grep '^0-[0-9]*\.screen$')
	pid=${sock#0-}
	pid=${pid%.screen}
	check "the learner's socket: the instructors group's, 0660" \
		equals "$(stat -c '%U %G %a %F' "$room/$sock")" "root adm 660 socket"
	twait l 'boxstep> ?$'
	$tx send-keys -t l -l "run sh -c 'echo \$((6 * 7))x'"
	$tx send-keys -t l Enter
	twait l '^42x'
	check "before anyone watches, the status line says nothing of it" \
		lacks "$(tstatus l)" "watched"
	box class watch root
	check "class watch prints the learner's screen once" has_line "$out" "^42x *│"
	check "its status line too, which says who watches" \
		has_line "$out" "\| watched by root *$"
	check "status 0" equals "$rc" 0
	twait l 'root watched *$'
	check "the learner's status line says they were watched" \
		contains "$(tstatus l)" "| root watched"
	out=$(as_nobody --groups=adm "$BOX" class watch "$pid" 2>&1)
	check "an instructor who is not root may watch, by pid" has_line "$out" "^42x"
	check "and is named" has_line "$out" "watched by nobody *$"
	out=$(as_nobody --clear-groups "$BOX" class watch root 2>&1)
	check "a learner is refused, with the reason" contains "$out" \
		"only root and the instructors group, adm, may watch the room"
	out=$(as_nobody --clear-groups bash -c "$(declare -f peek); peek $room/$sock" 2>&1)
	check "and the socket refuses them too" equals "$out" "connect: Permission denied"
	out=$(as_nobody --groups=adm bash -c "$(declare -f peek); peek $room/$sock" 2>&1)
	check "which an instructor may reach" matches "$out" "^screen 35 120 "
	box class watch nobody-here
	check "a user without a session" equals "$out" \
		"boxstep: class watch: no session of nobody-here is running (\`boxstep class\` lists them)"
	# The live table, and Enter on the row.
	tstart i 150 40 "$BOX" class
	if ! twait i "^ ?root +$pid +pts/"; then
		check "the live table lists the learner" equals "$out" "(a row for root)"
		return
	fi
	check "the live table, sorted" contains "$(tcap i | head -1)" "1 session, sorted by time on step"
	$tx send-keys -t i Enter
	twait i "watching root \(pid $pid, pts/[0-9]+\), read-only"
	check "Enter mirrors the learner's screen" has_line "$(tcap i)" "^42x *│"
	twait l 'watched by root *$'
	check "while the learner's status line says so" \
		contains "$(tstatus l)" "| watched by root"
	$tx send-keys -t l -l "run sh -c 'echo \$((7 * 8))y'"
	$tx send-keys -t l Enter
	twait i '^56y'
	check "live: what the learner runs next shows" has_line "$(tcap i)" "^56y *│"
	$tx send-keys -t i q
	twait i "sorted by time on step"
	check "q goes back to the table" has_line "$(tcap i)" "^ ?root +$pid "
	$tx send-keys -t i s
	twait i "sorted by steps done"
	check "s sorts another way" contains "$(tcap i | head -1)" "sorted by steps done"
	$tx send-keys -t i q
	sup=$(ps -o ppid= -p "$pid")
	$tx send-keys -t l C-d
	wait_for '! kill -0 "$pid" 2>/dev/null && ! kill -0 $sup 2>/dev/null'
	check "the socket goes when the session ends" equals "$(ls -A "$room")" ""
	$tx kill-server
}

test_killed_session_forgotten() {
	local pid
	tstart l 120 35 "$BOX"
	wait_for 'ls "$room" | grep -q "^0-[0-9]*\.screen$"'
	pid=$(ls "$room" | sed -n 's/^0-\([0-9]*\)$/\1/p')
	check "the session's file and socket are there first" \
		equals "$(ls "$room" | tr '\n' ' ')" "0-$pid 0-$pid.screen "
	kill -KILL "$pid"
	twait l "was killed by signal 9"
	check "a session killed outright: its supervisor removes its file and socket" \
		equals "$(ls -A "$room")" ""
	$tx kill-server
}

test_doctor() {
	local busybox
	box class doctor
	check "doctor tries as nobody" contains "$out" "(what a learner meets is tried as nobody, uid 65534)"
	check "a learner makes the session's host" \
		has_line "$out" "^  ok    user namespaces: a learner makes the session's host and is root in it$"
	check "and mounts the overlay there" \
		has_line "$out" "^  ok    overlayfs in a user namespace: the session's writable layer mounts$"
	check "the rootfs and the lessons are readable" \
		equals "$(grep -cE '^  ok    the (rootfs|lessons) (is|are) readable by all$' <<<"$out")" 2
	check "cgroup v1 here: a fix, with the boot option" has_line "$out" \
		"^  FIX   cgroup v1: no cgroups for learners without root$"
	check "the room as class made it" has_line "$out" "^  ok    the room directory$"
	check "a fix means status 1" equals "$rc" 1
	# Near misses, each caught.
	busybox=$work/private/rootfs/bin
	mkdir -p "$busybox" && cp "$ROOTFS/bin/busybox" "$busybox/" && chmod 700 "$work/private"
	out=$(BOXSTEP_ROOTFS=$work/private/rootfs timeout 60 "$BOX" class doctor 2>&1)
	check "a rootfs under a private directory" has_line "$out" "^  FIX   a learner cannot use the rootfs$"
	check "says what nobody was refused" contains "$(tr -s ' \n' ' ' <<<"$out")" \
		"As nobody: $work/private/rootfs: Permission denied"
	check "and does not blame the overlay for it" lacks "$out" "overlayfs"
	mkdir -m 755 "$work/lessons" && cp "$LESSONS/02-uts.md" "$work/lessons/" && chmod 600 "$work/lessons/02-uts.md"
	out=$(BOXSTEP_LESSONS=$work/lessons timeout 60 "$BOX" class doctor 2>&1)
	check "a lesson only root can read" has_line "$out" "^  FIX   a learner cannot read the lessons$"
	chmod 755 "$room"
	box class doctor
	check "a room directory of the wrong mode" has_line "$out" "^  FIX   the room directory is not as sessions need$"
	box class
	box class doctor
	check "which class sets right" has_line "$out" "^  ok    the room directory$"
	printf 'instructors = adm\nsession.pids.max = 256\n' >"$work/limits.conf"
	out=$(BOXSTEP_CLASS_CONF=$work/limits.conf timeout 60 "$BOX" class doctor 2>&1)
	check "session limits a learner's session cannot hold on cgroup v1" \
		has_line "$out" "^  FIX   class.conf's session limits stop every learner without root here$"
	box class doctor
	check "which the class file without them does not say" lacks "$out" "session limits stop"
	box class doctor --as root
	check "not as root" equals "$out" "boxstep: class doctor: try as a learner, not root: --as USER"
	box class doctor --as no-such-user
	check "nor as no one" equals "$out" "boxstep: class doctor: there is no user no-such-user"
	out=$(as_nobody --clear-groups "$BOX" class doctor --as daemon 2>&1)
	check "a user tries as themselves only" equals "$out" "boxstep: class doctor: only root may try as another user"
	out=$(as_nobody --clear-groups "$BOX" class doctor 2>&1)
	check "a learner may run it as themselves" contains "$out" "(what a learner meets is tried as nobody, uid 65534)"
	check "with the same finding" has_line "$out" "^  ok    overlayfs in a user namespace"
}

t "class: root makes the room and watches it" test_room_made_by_root
t "class: two learners at once, root and nobody, seen by root and an instructor" test_two_learners
t "class: a class file without instructors" test_no_instructors
t "class: a learner's own file forged: not believed" test_forged_file
t "class: doctor, and each near miss it catches" test_doctor
t "class: a learner's screen, mirrored once and live, refused to a learner" test_mirror
t "class: a session killed outright leaves nothing in the room" test_killed_session_forgotten
summary "class"
