#!/usr/bin/env bash
# The man page: groff renders it without a warning, and it covers every
# option, mode, REPL command and environment variable that boxstep itself
# lists (so a new command without a man entry fails here).
# Usage: docs.sh [BOXSTEP]
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
. "$here/../lib.sh"
suite_start docs.sh "${1:-}"
trap 'rm -rf "$work"' EXIT
man=$top/docs/boxstep.1
command -v groff >/dev/null || { echo "groff is missing: make deps"; exit 1; }

test_renders_clean() {
	out=$(groff -ww -man -z "$man" 2>&1)
	check "groff -ww -man -z says nothing (said: $out)" equals "$out" ""
	out=$(MANWIDTH=80 man -l "$man" 2>&1 >/dev/null)
	check "man -l renders it without a message" equals "$out" ""
}

test_covers_everything() {
	local missing="" w
	# Options, from --help.
	for w in $("$BOX" --help | grep -o -- '--[a-z]\+' | sort -u); do
		grep -q -- "${w//-/\\\\-}" "$man" || missing+=" option $w"
	done
	# Modes.
	for w in lesson present check watch; do
		grep -q "^\.B.* $w\b\|^\.B $w\b\|boxstep $w" "$man" || missing+=" mode $w"
	done
	# REPL commands, from help.
	for w in $("$BOX" -c help | awk '/^  [a-z]/ { print $1 }'); do
		grep -Eq "^\.(B|BI|BR) (.*[ \"])?$w\b" "$man" || missing+=" command $w"
	done
	# set keys, from help set.
	for w in $("$BOX" -c 'help set' | awk '/^  set [a-z]/ { print $2 }'); do
		grep -q "set $w" "$man" || missing+=" key $w"
	done
	# Environment variables, from --help.
	for w in $("$BOX" --help | grep -o '\b[A-Z][A-Z_]\{2,\}\b' | grep -v '^PID$\|^FILE$\|^COMMANDS$\|^NAME$\|^LESSON$\|^THEME$\|^REPL$\|^TUI$\|^UTS$\|^IPC$\|^CAP_SYS_ADMIN$\|^OPTIONS$\|^OCI$\|^USER$\|^WHO$\|^TAG$' | sort -u); do
		grep -q "^\.B $w$" "$man" || missing+=" env $w"
	done
	check "the man page covers it all (missing:${missing:- nothing})" equals "$missing" ""
	# And the check itself can fail: a page without `goto` is caught.
	grep -v '^\.BI goto' "$man" >"$work/cut.1"
	grep -Eq '^\.(B|BI|BR) (.*[ "])?goto\b' "$work/cut.1"
	check "a missing command would be caught" equals "$?" 1
}

t "docs: the man page renders without warnings" test_renders_clean
t "docs: the man page covers every option, mode, command and variable" test_covers_everything
summary "docs"
