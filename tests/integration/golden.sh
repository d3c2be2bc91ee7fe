#!/usr/bin/env bash
# The golden texts: what boxstep prints for the show of every lesson's
# steps and of other plans (as root and rootless), explain, help, the
# command line's help and every bad input, recorded by
# tests/golden/record.sh into a scratch directory and compared, file by
# file and byte for byte, with tests/golden/.  A difference fails with a
# unified diff.  When a change of text is meant, record anew:
#   tests/golden/record.sh ./boxstep tests/golden
# and commit the texts with the change.  Usage: golden.sh [BOXSTEP]
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib.sh"
suite_start golden.sh "${1:-}"
trap 'rm -rf "$work"' EXIT
began=$(date +%s%N)
golden=$(cd "$here/../golden" && pwd)
got=$work/got
echo "boxstep golden texts: $BOX, against $golden"

# The real user's state directory, which nothing here may write.
real_state=$(getent passwd "$(id -u)" | cut -d: -f6)/.local/state
: >"$work/before"

test_record() {
	local log rc
	log=$(bash "$golden/record.sh" "$BOX" "$got" 2>&1)
	rc=$?
	check "the recorder ends well (status $rc)" equals "$rc" 0
	check "the recorder says nothing (it said: ${log:0:300})" equals "$log" ""
	check "nobody's session directory is gone" \
		equals "$(ls -d /tmp/boxstep-"$(id -u nobody)" 2>/dev/null)" ""
	check "nothing is written to $real_state" equals \
		"$(find "$real_state" -newer "$work/before" 2>/dev/null | head -5)" ""
}

# The golden files and the recorded ones, as paths under their top.
texts() { (cd "$1" && find . -name '*.txt' -type f | sed 's|^\./||' | sort); }

test_same_files() {
	local missing extra
	missing=$(comm -23 <(texts "$golden") <(texts "$got"))
	extra=$(comm -13 <(texts "$golden") <(texts "$got"))
	check "no golden text goes unrecorded:${missing:+ }$(echo $missing)" equals "$missing" ""
	check "every recorded text has a golden one (new: record anew):${extra:+ }$(echo $extra)" \
		equals "$extra" ""
}

t "golden: the recorder runs, and leaves the host as it was" test_record
t "golden: the same files are recorded" test_same_files
n=0
while IFS= read -r f; do
	n=$((n + 1))
	errors=""
	if [ ! -f "$got/$f" ]; then
		errors="    not recorded"$'\n'
	elif ! cmp -s "$golden/$f" "$got/$f"; then
		errors="    differs from tests/golden/$f (- golden, + now):"$'\n'
		errors+=$(diff -u -F '^===' --label "golden/$f" --label "now/$f" \
			"$golden/$f" "$got/$f" | head -80 | sed 's/^/      /')$'\n'
	fi
	record "golden: $f" "$errors"
done < <(texts "$golden")
[ "$n" -gt 0 ] || record "golden: there are golden texts" "    none in $golden"$'\n'
echo "golden: $n texts recorded and compared in $(( ($(date +%s%N) - began) / 1000000 )) ms"
summary "golden"
