#!/usr/bin/env bash
# The shape of src/, as docs/architecture.md states it:
#
#   - src/ has one folder per stage, in the order data flows; a file may
#     include a header of its own folder or of a folder before it, never
#     one after it (so there can be no circle between folders);
#   - no circle within a folder either: a module (NAME.c with NAME.h)
#     never reaches itself through the headers it and they include;
#   - no source file over 600 lines;
#   - no function over 100 lines (a data table is not a function).
#
# Usage: tests/structure.sh [SRC]; prints each breach and exits 1 on any.
#        tests/structure.sh --self-test: proves it finds each kind of
#        breach in tests/fixtures/structure.
set -u
here=$(cd "$(dirname "$0")" && pwd)
if [ "${1:-}" = --self-test ]; then
	out=$(bash "$0" "$here/fixtures/structure")
	rc=$?
	want="not a stage|may not include ui/high.h|\"plain.h\" without its folder|long_one has 101 lines|circle: base/ring_[ab] -> base/ring_[ab] -> "
	if [ "$rc" -ne 0 ] && [ "$(grep -cE "$want" <<<"$out")" = 5 ] &&
	   [ "$(wc -l <<<"$out")" = 5 ]; then
		echo "structure: the self-test finds all 5 breaches"
		exit 0
	fi
	printf 'structure: the self-test expected 5 breaches, got:\n%s\n' "$out"
	exit 1
fi
src=${1:-$here/../src}
order=(base host layers engine session lessons ui app)
max_file=600
max_func=100
bad=0

rank() {
	local i
	for i in "${!order[@]}"; do
		[ "${order[$i]}" = "$1" ] && { echo "$i"; return; }
	done
	echo -1
}

for dir in "$src"/*/; do
	folder=$(basename "$dir")
	if [ "$(rank "$folder")" -lt 0 ]; then
		echo "structure: $folder/ is not a stage (${order[*]})"
		bad=1
	fi
done
for file in "$src"/*.[ch]; do
	[ -e "$file" ] || continue
	echo "structure: ${file#"$src"/} is outside every folder"
	bad=1
done

for file in "$src"/*/*.[ch]; do
	rel=${file#"$src"/}
	folder=${rel%%/*}
	mine=$(rank "$folder")
	while IFS=: read -r line inc; do
		other=${inc%%/*}
		if [ "$other" = "$inc" ]; then
			echo "structure: $rel:$line includes \"$inc\" without its folder"
			bad=1
			continue
		fi
		theirs=$(rank "$other")
		if [ "$theirs" -lt 0 ] || [ "$theirs" -gt "$mine" ]; then
			echo "structure: $rel:$line: $folder/ may not include $inc (a later stage)"
			bad=1
		fi
	done < <(grep -n '^#include "' "$file" | sed 's/^\([0-9]*\):#include "\([^"]*\)".*/\1:\2/')
	lines=$(wc -l <"$file")
	if [ "$lines" -gt "$max_file" ]; then
		echo "structure: $rel has $lines lines (at most $max_file)"
		bad=1
	fi
	# A function starts at a line "{" after its signature and ends at
	# the next "}" in column 0; tables end in "};" and start with "= {".
	awk -v file="$rel" -v max="$max_func" '
		/^[a-zA-Z_].*\(/ && !/;$/ { name = $0; sub(/\(.*/, "", name) }
		/^\{$/ { start = NR; fn = name }
		/^\}$/ && start { if (NR - start - 1 > max)
			printf "structure: %s: %s has %d lines (at most %d)\n",
			       file, fn, NR - start - 1, max
			start = 0 }' "$file" | grep . && bad=1
done
# Circles: an edge from each file's module (folder/NAME) to the module of
# each header it includes; tsort(1) names the members of every loop.
loops=$(for file in "$src"/*/*.[ch]; do
	rel=${file#"$src"/}
	from=${rel%.[ch]}
	grep '^#include "[a-z_]*/' "$file" |
		sed 's/^#include "\([^"]*\)\.h".*/\1/' |
		while read -r to; do
			[ "$to" != "$from" ] && echo "$from $to"
		done
done | tsort 2>&1 >/dev/null)
if [ -n "$loops" ]; then
	# "tsort: -: input contains a loop:" then "tsort: MEMBER" each
	awk '/input contains a loop/ { if (n) print line " -> " first; n = 0; next }
	     { sub(/^tsort: /, ""); if (!n) { first = $0; line = "structure: include circle: " $0 }
	       else line = line " -> " $0; n++ }
	     END { if (n) print line " -> " first }' <<<"$loops"
	bad=1
fi
[ "$bad" = 0 ] && echo "structure: every include follows the stages, with no circle; no file over $max_file lines, no function over $max_func"
exit "$bad"
