#!/usr/bin/env bash
# Bad input, as a table: every REPL command with missing, extra or wrong
# arguments, every `set` key with a bad value, bad root filesystems,
# `watch` on no process, broken lesson files, bad command lines, not
# root.  For each: the message a learner needs, the exit status, no crash
# (no signal, no sanitizer report), and the host as it was.
# Usage: bad-input.sh [BOXSTEP]
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib.sh"
suite_start bad-input.sh "${1:-}"
trap 'rm -rf "$work"' EXIT
echo "boxstep bad input tests: $BOX"

. "$here/bad-input-cases.sh"
bad_input_files

test_table() {
	local line args want status before after n=0 bad=""
	while IFS= read -r line; do
		[ -n "$line" ] || continue
		bad_input_row "$line"
		before=$(host_state)
		eval "set -- $args"
		out=$(timeout -k 5 60 "$BOX" "$@" 2>&1 </dev/null)
		rc=$?
		after=$(host_state)
		n=$((n + 1))
		[[ "$out" == *"$want"* ]] || bad+=$'\n'"      $args: no \"$want\" in: ${out:0:200}"
		[ "$rc" = "$status" ] || bad+=$'\n'"      $args: status $rc, not $status"
		[ "$rc" != 124 ] && [ "$rc" -lt 128 ] ||
			bad+=$'\n'"      $args: a crash or a hang (status $rc)"
		! ls /tmp/boxstep-sanitizers/* >/dev/null 2>&1 || [ -z "${ASAN_OPTIONS:-}" ] ||
			bad+=$'\n'"      $args: a sanitizer report"
		[ "$before" = "$after" ] || bad+=$'\n'"      $args: the host changed"
	done <<<"$rows"
	echo "    $n bad inputs"
	check "at least 40 bad inputs" test "$n" -ge 40
	check "each with its message and status, no crash, a clean host:${bad:- all did}" equals "$bad" ""
}

# Not root where user namespaces are refused (a seccomp filter, as in a
# Docker container); rootless.sh covers the rootless mode itself.
test_not_root() {
	bad_input_not_root "$here/../helpers" ||
		{ test_errors+="    cannot build tests/helpers/nouserns.c"$'\n'; return; }
	check "not root: the message says why" contains "$out" "not running as root, and rootless mode cannot work here"
	check "not root: and what to do" contains "$out" "run boxstep as root: sudo boxstep"
	check "not root: status 1" equals "$rc" 1
}

# The instructor's class file: each wrong line stops boxstep before the
# session starts, naming the file and the line; nothing is left.
test_class_conf() {
	local text want
	while IFS='|' read -r text want; do
		printf '%b' "$text" >"$work/class.conf"
		before=$(host_state)
		out=$(BOXSTEP_CLASS_CONF=$work/class.conf timeout 60 "$BOX" \
			-c 'enable mnt chroot; run true' 2>&1 </dev/null)
		rc=$?
		check "class.conf '$text': the message" contains "$out" "$want"
		check "class.conf '$text': status 1" equals "$rc" 1
		check "class.conf '$text': the host as it was" equals "$(host_state)" "$before"
	done <<CASES
session.disk.max = lots|$work/class.conf:1: session.disk.max takes a size such as 64M or 1G, not 'lots'
# limits\nsession.disk.max = 100K|$work/class.conf:2: session.disk.max must be between 1M and 1P
session.dsk.max = 64M|unknown key 'session.dsk.max' (did you mean session.disk.max?)
session.disk.max 64M|expected KEY = VALUE
CASES
	out=$(BOXSTEP_CLASS_CONF=$work timeout 60 "$BOX" -c layers 2>&1 </dev/null)
	check "an unreadable class file: the message" contains "$out" "cannot read the class file $work"
}

t "bad input: the table" test_table
t "bad input: the instructor's class file" test_class_conf
t "bad input: not root" test_not_root
summary "bad-input"
