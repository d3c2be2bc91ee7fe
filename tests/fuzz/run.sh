#!/bin/sh
# Runs one libFuzzer target: first every input that once crashed it
# (tests/fuzz/regress/NAME/), then TIME seconds from the seeds in
# tests/fuzz/corpus/NAME/.  `make fuzz` runs several at once, one per
# core, so each prints its lines whole, when it ends.
# Usage: tests/fuzz/run.sh NAME TIME
set -u
f=$1
time=$2
bin=build/fuzz/fuzz_$f
log=build/fuzz/$f.log
mkdir -p "build/fuzz/corpus-$f" "tests/fuzz/regress/$f"
if ls "tests/fuzz/regress/$f"/* >/dev/null 2>&1; then
	"$bin" "tests/fuzz/regress/$f"/* >"$log.regress" 2>&1 ||
		{ tail -40 "$log.regress"; echo "fuzz: $f fails on a saved input"; exit 1; }
fi
if ! "$bin" -max_total_time="$time" -timeout=10 -rss_limit_mb=2048 \
	-print_final_stats=1 -artifact_prefix="build/fuzz/crash-$f-" \
	"build/fuzz/corpus-$f" "tests/fuzz/corpus/$f" 2>"$log"; then
	tail -40 "$log"
	echo "fuzz: $f found a crash:" build/fuzz/crash-"$f"-*
	exit 1
fi
echo "fuzz: $f for $time s: $(grep -E '^stat::number_of_executed_units' "$log")"
