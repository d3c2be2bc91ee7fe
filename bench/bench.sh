#!/usr/bin/env bash
# boxstep's benchmarks, each a ratio against a reference run in the same
# script on the same machine:
#
#   container start: N runs of /bin/true with the layers uts pid mnt chroot
#   proc, through one `boxstep -f` session, against the same isolation
#   through `unshare --uts --pid --mount --fork --mount-proc --root` in a
#   shell loop.  The goal is boxstep at half of unshare's cost per run.
#
#   rootless start: the same as the user nobody, with the user layer on
#   too, against `unshare --user --map-root-user` with the same flags.
#   boxstep makes its session's host (a user namespace of nobody's, and
#   the session's overlay in it) once per session, then each container
#   a user namespace of its own inside it.
#
#   kernel floor: the same boxstep -f session against bench/minimal.c,
#   which makes only the kernel calls of that container (clone with the
#   same flags, sethostname, / private, chroot, chdir, mount proc, exec,
#   wait) in a loop of its own.  What is left over it is boxstep's own
#   work per container.  The goal is boxstep at most 1.15 times it.
#
# Usage: bench.sh [BOXSTEP [MINIMAL]] (N=200 by default; set N in the
# environment).  MINIMAL is bench/minimal.c built (`make bench` builds
# it as build/bench-minimal); without it the third row is skipped.
set -eu
BOX=$(realpath "${1:-./boxstep}")
MINIMAL=$(realpath -m "${2:-$(dirname "$BOX")/build/bench-minimal}")
ROOTFS=$(realpath "${BOXSTEP_ROOTFS:-$(dirname "$BOX")/rootfs/busybox}")
N=${N:-200}
[ "$(id -u)" = 0 ] || { echo "bench: needs root (namespaces)"; exit 1; }
work=$(mktemp -d /tmp/boxstep-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT

now() { date +%s.%N; }

script=$work/runs.bx
echo "enable uts pid mnt chroot proc" >"$script"
for _ in $(seq "$N"); do echo "run /bin/true"; done >>"$script"

box() { "$@" env BOXSTEP_ROOTFS="$ROOTFS" "$BOX" -f "$script" >/dev/null; }
# empty_session [WRAPPER...]: the seconds one session of $script's first
# line alone takes (its layers enabled, no run), the mean of five: what a
# session costs once, whatever number of containers it then makes.
empty_session() {
	local one=$work/empty.bx t0 t1
	head -n 1 "$script" >"$one"
	"$@" env BOXSTEP_ROOTFS="$ROOTFS" "$BOX" -f "$one" >/dev/null
	t0=$(now)
	for _ in 1 2 3 4 5; do
		"$@" env BOXSTEP_ROOTFS="$ROOTFS" "$BOX" -f "$one" >/dev/null
	done
	t1=$(now)
	awk -v t0="$t0" -v t1="$t1" 'BEGIN { printf "%.6f", (t1 - t0) / 5 }'
}
rootless_script=$work/rootless.bx
echo "enable user uts pid mnt chroot proc" >"$rootless_script"
tail -n +2 "$script" >>"$rootless_script"

# The references, each N runs of /bin/true in the same isolation.
# unshare_loop FLAGS [WRAPPER...]: unshare(1) with FLAGS in a shell loop.
unshare_loop() {
	local flags=$1
	shift
	"$@" sh -c 'for _ in $(seq "$1"); do unshare $2 --root="$3" /bin/true; done' \
		sh "$N" "$flags" "$ROOTFS"
}
minimal_loop() { "$MINIMAL" "$N" "$ROOTFS"; }

# compare TITLE GOAL LABEL RATIO REFERENCE [ARG...]: after one warm-up of
# each (page cache, first-touch costs), one boxstep -f session of N runs
# (through the wrapper in $wrap, if any) against REFERENCE ARG...; the
# reference's line reads LABEL, the ratio "boxstep/RATIO".  Two boxstep
# figures: the session's whole time over N (its start included), and each
# container alone (the session less an empty one, over N).
wrap=()
compare() {
	local title=$1 goal=$2 label=$3 ratio=$4 t0 t1 t2 e
	shift 4
	box "${wrap[@]}"
	N=1 "$@"
	e=$(empty_session "${wrap[@]}")
	t0=$(now)
	box "${wrap[@]}"
	t1=$(now)
	"$@"
	t2=$(now)
	awk -v n="$N" -v t0="$t0" -v t1="$t1" -v t2="$t2" -v title="$title" \
		-v goal="$goal" -v label="$label" -v ratio="$ratio" -v e="$e" 'BEGIN {
		b = t1 - t0
		u = t2 - t1
		printf "%s, %d runs of /bin/true\n", title, n
		printf "  %-16s%8.3f ms per run (session start included)\n", "boxstep -f", b * 1000 / n
		printf "  %-16s%8.3f ms per container (an empty session of %.1f ms less)\n", "boxstep -f", (b - e) * 1000 / n, e * 1000
		printf "  %-16s%8.3f ms per run\n", label, u * 1000 / n
		printf "  ratio boxstep/%s: %.2f per run, %.2f per container%s\n", ratio, b / u, (b - e) / u, goal
	}'
}

compare "container start, layers uts pid mnt chroot proc" \
	" (goal: at most 1.00, ideally 0.50)" "unshare(1) loop" unshare \
	unshare_loop "--uts --pid --mount --fork --mount-proc"

# Rootless: the user layer on; unshare gets --user --map-root-user.
as_nobody() { setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"; }
if ! as_nobody test -x "$BOX" -a -r "$ROOTFS/bin/true" ||
   ! as_nobody unshare --user --map-root-user true 2>/dev/null; then
	echo "rootless start: skipped (nobody cannot reach $BOX, or user namespaces are refused)"
else
	chmod 755 "$work"
	wrap=(as_nobody)
	root_script=$script
	script=$rootless_script
	compare "rootless start, as nobody, layers user uts pid mnt chroot proc" " (goal: at most 0.50)" \
		"unshare(1) loop" unshare unshare_loop \
		"--user --map-root-user --uts --pid --mount --fork --mount-proc" as_nobody
	wrap=()
	script=$root_script
fi

# boxstep's own cost per container, as root: the same session as the first
# row against the bare kernel calls.
if [ -x "$MINIMAL" ]; then
	compare "kernel floor, layers uts pid mnt chroot proc" \
		" (goal: at most 1.15)" "minimal C loop" "kernel calls" \
		minimal_loop
else
	echo "kernel floor: skipped (no $MINIMAL; \`make bench\` builds it)"
fi
