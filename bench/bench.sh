#!/usr/bin/env bash
# boxstep's benchmarks, each a ratio against a reference run in the same
# script on the same machine:
#
#   container start: N runs of /bin/true with the layers uts pid mnt chroot
#   proc, through one `boxstep -f` session, against the same isolation
#   through `unshare --uts --pid --mount --fork --mount-proc --root` in a
#   shell loop.  The goal is boxstep at half of unshare's cost per run.
#
#   rootless start: the same as the user nobody, where boxstep adds the
#   user namespace (and each container mounts the session's overlay),
#   against `unshare --user --map-root-user` with the same flags.
#
# Usage: bench.sh [BOXSTEP] (N=200 by default; set N in the environment)
set -eu
BOX=$(realpath "${1:-./boxstep}")
ROOTFS=$(realpath "${BOXSTEP_ROOTFS:-$(dirname "$BOX")/rootfs/busybox}")
N=${N:-200}
[ "$(id -u)" = 0 ] || { echo "bench: needs root (namespaces)"; exit 1; }
work=$(mktemp -d /tmp/boxstep-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT

now() { date +%s.%N; }

script=$work/runs.bx
echo "enable uts pid mnt chroot proc" >"$script"
for _ in $(seq "$N"); do echo "run /bin/true"; done >>"$script"

# compare TITLE GOAL UNSHARE-FLAGS [WRAPPER...]: after one warm-up of each
# (page cache, first-touch costs), one boxstep -f session of N runs
# against N runs of unshare(1) with FLAGS, both through WRAPPER.
compare() {
	local title=$1 goal=$2 flags=$3 t0 t1 t2
	shift 3
	"$@" env BOXSTEP_ROOTFS="$ROOTFS" "$BOX" -f "$script" >/dev/null
	"$@" unshare $flags --root="$ROOTFS" /bin/true
	t0=$(now)
	"$@" env BOXSTEP_ROOTFS="$ROOTFS" "$BOX" -f "$script" >/dev/null
	t1=$(now)
	"$@" sh -c 'for _ in $(seq "$1"); do unshare $2 --root="$3" /bin/true; done' \
		sh "$N" "$flags" "$ROOTFS"
	t2=$(now)
	awk -v n="$N" -v t0="$t0" -v t1="$t1" -v t2="$t2" -v title="$title" \
		-v goal="$goal" 'BEGIN {
		b = t1 - t0
		u = t2 - t1
		printf "%s, %d runs of /bin/true\n", title, n
		printf "  boxstep -f      %8.3f ms per run\n", b * 1000 / n
		printf "  unshare(1) loop %8.3f ms per run\n", u * 1000 / n
		printf "  ratio boxstep/unshare: %.2f%s\n", b / u, goal
	}'
}

compare "container start, layers uts pid mnt chroot proc" \
	" (goal: at most 1.00, ideally 0.50)" \
	"--uts --pid --mount --fork --mount-proc"

# Rootless: boxstep adds the user namespace (and each container mounts
# the session's overlay); unshare gets --user --map-root-user.
as_nobody() { setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"; }
if ! as_nobody test -x "$BOX" -a -r "$ROOTFS/bin/true" ||
   ! as_nobody unshare --user --map-root-user true 2>/dev/null; then
	echo "rootless start: skipped (nobody cannot reach $BOX, or user namespaces are refused)"
	exit 0
fi
chmod 755 "$work"
compare "rootless start, as nobody, layers user uts pid mnt chroot proc" "" \
	"--user --map-root-user --uts --pid --mount --fork --mount-proc" as_nobody
