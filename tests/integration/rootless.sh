#!/usr/bin/env bash
# Runs boxstep as the unprivileged user nobody: it must say that it needs
# root and why, exit 1, and leave nothing behind; --help and --version
# still work.  Usage: not-root.sh [BOXSTEP]
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib.sh"
BOX=$(realpath "${1:-./boxstep}")
require_root "tests/integration/not-root.sh (it drops to nobody itself)"

as_nobody() {
	out=$(setpriv --reuid=nobody --regid=nogroup --clear-groups \
		env -i PATH=/usr/bin:/bin HOME=/nonexistent \
		${ASAN_OPTIONS:+ASAN_OPTIONS=$ASAN_OPTIONS} \
		${UBSAN_OPTIONS:+UBSAN_OPTIONS=$UBSAN_OPTIONS} "$@" 2>&1 </dev/null)
	rc=$?
}

test_refuses_politely() {
	as_nobody "$BOX" -c 'enable uts; run hostname'
	check "says it is not running as root" contains "$out" "not running as root"
	check "names the capability" contains "$out" "CAP_SYS_ADMIN"
	check "says what to do" contains "$out" "sudo"
	check "exit status 1" equals "$rc" 1
	as_nobody "$BOX" --plain
	check "interactive mode refuses the same way" contains "$out" "not running as root"
	as_nobody "$BOX" check
	check "check says it needs root, and how" contains "$out" "sudo boxstep check"
	as_nobody "$BOX" watch 1
	check "watch says it needs root, and how" contains "$out" "sudo boxstep watch 1"
}

test_help_works() {
	as_nobody "$BOX" --help
	check "--help works unprivileged" contains "$out" "usage: boxstep"
	check "and exits 0" equals "$rc" 0
	as_nobody "$BOX" --version
	check "--version works unprivileged" matches "$out" '^boxstep [0-9]'
}

if ! setpriv --reuid=nobody --regid=nogroup --clear-groups test -x "$BOX"; then
	echo "not-root: nobody cannot reach $BOX; put the build where every user can read it"
	exit 1
fi
t "not root: a clear message, status 1, nothing left" test_refuses_politely
t "not root: --help and --version" test_help_works
summary "not-root"
