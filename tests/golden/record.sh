#!/usr/bin/env bash
# Records boxstep's golden texts: what it prints, byte for byte, for the
# inputs below, so that a change meant to keep behaviour as it is can be
# shown to keep it (tests/integration/golden.sh compares).
#
#   show/lesson-NN-NAME.txt  each lesson walked step by step: its
#                            state-shaping lines (enable, disable, reset,
#                            set) replayed in batch mode, then `show`
#   show/NAME.txt            `show` for other plans: the default, every
#                            layer alone, all of them, shared propagation,
#                            chdir off, rootfs.layer off; and `layers`, `set`
#   rootless/show/...        the same, run as the user nobody (rootless)
#   explain.txt              `explain LAYER` for every layer, and its errors
#   help.txt                 `help` and `help COMMAND` for every command
#   help-in-lesson.txt       the same, typed in a lesson (`lesson 01`):
#                            the lesson's text, then the same help texts
#   cli.txt                  `boxstep --help`, `--version`, each
#                            subcommand with --help, the lesson and image
#                            lists
#   bad-input.txt            every case of tests/integration/bad-input.sh
#                            (tests/integration/bad-input-cases.sh), with
#                            its whole output and exit status
#
# Each case is one line `=== WHAT`, boxstep's stdout and stderr together,
# and `[exit N]`.  No container is run: the walks replay only the lines
# that shape state, every batch passes -e, and the only `run`s are those
# of bad-input.sh's own table, which are refused or fail on the host.
#
# Masks, for what differs between runs or machines and nothing else:
#   <scratch>     this script's scratch directory (mktemp)
#   <rootfs>      the root filesystem's path (the checkout's place)
#   <lessons>     the lessons directory's path (likewise)
#   <boxstep>     the binary's path, as getopt prints argv[0]
#   <own cgroup>  rootless: the cgroup v2 group of whoever runs this,
#                 which boxstep names when it says why no cgroup layer
#                 can work (a login session, a service, a CI runner
#                 each have their own)
#   <pid>         a session's pid in a path, /run/boxstep/<pid>/ (the
#                 message for a missing /bin/bash names it)
#   <time>        when an image was imported, in `boxstep images`: the
#                 stand-in image's copy keeps the rootfs's build time
#
# Every boxstep runs with a fixed environment (env -i), a home of its own
# made afresh for each run (so no progress carries over from one to the
# next), stdin on /dev/null, in the scratch directory.
#
# Usage: tests/golden/record.sh BOXSTEP OUTDIR   (as root; OUTDIR's *.txt
# files are replaced)
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
. "$top/tests/lib.sh"

if [ $# -ne 2 ]; then
	echo "usage: tests/golden/record.sh BOXSTEP OUTDIR" >&2
	exit 2
fi
require_root tests/golden/record.sh
BOX=$(realpath "$1")
ROOTFS=$(realpath "${BOXSTEP_ROOTFS:-$(dirname "$BOX")/rootfs/busybox}")
LESSONS=$(realpath "${BOXSTEP_LESSONS:-$top/lessons}")
[ -x "$ROOTFS/bin/busybox" ] || { echo "no rootfs at $ROOTFS: make rootfs" >&2; exit 1; }
mkdir -p "$2"
outdir=$(realpath "$2")
# Its old texts are replaced: refuse a directory that holds something else.
if [ -n "$(ls -A "$outdir")" ] && [ ! -f "$outdir/bad-input.txt" ]; then
	echo "record.sh: $outdir is neither empty nor a directory of golden texts" >&2
	exit 2
fi
work=$(mktemp -d /tmp/boxstep-record.XXXXXX)
trap 'rm -rf "$work"' EXIT
# nobody reads the stand-in image below.
chmod 755 "$work"
# `show` pads its columns after the rootfs's path, so the texts hold only
# for a path of one length: the rootfs and the lessons are copied to a
# place whose name has the same length on every machine.
cp -a "$ROOTFS" "$work/busybox"
cp -a "$LESSONS" "$work/lessons"
ROOTFS=$work/busybox
LESSONS=$work/lessons
images=$work/images
find "$outdir" -name '*.txt' -type f -delete
find "$outdir" -mindepth 1 -type d -empty -delete

# Lesson 13 sets `rootfs demo`, the image its earlier steps import (with
# `host` lines, which are not played here): a copy of the rootfs in the
# images directory stands in for it.
mkdir -p "$images/demo"
cp -a "$ROOTFS/." "$images/demo/"

# --- running boxstep -------------------------------------------------

# A literal string as a sed pattern.
sed_quote() { printf '%s' "$1" | sed 's/[][\\/.*^$|]/\\&/g'; }

mask() {
	sed -e "s|$(sed_quote "$ROOTFS")|<rootfs>|g" \
	    -e "s|$(sed_quote "$LESSONS")|<lessons>|g" \
	    -e "s|$(sed_quote "$work")|<scratch>|g" \
	    -e "s|$(sed_quote "$BOX")|<boxstep>|g" \
	    -e "s|boxstep's cgroup /[^ ]* |boxstep's cgroup <own cgroup> |g" \
	    -e "s|/run/boxstep/[0-9][0-9]*/|/run/boxstep/<pid>/|g" \
	    -e "s|imported [0-9-]* [0-9:]*  |imported <time>  |"
}

# as_root ARGS...: boxstep as root; the output on stdout, then the status
# as `[exit N]`.
as_root() {
	local rc
	rm -rf "$work/home"
	mkdir -p "$work/home"
	(cd "$work" && env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
		HOME="$work/home" XDG_STATE_HOME="$work/home/.local/state" \
		XDG_CONFIG_HOME="$work/home/.config" \
		BOXSTEP_ROOTFS="$ROOTFS" BOXSTEP_LESSONS="$LESSONS" \
		BOXSTEP_IMAGES="$images" \
		${ASAN_OPTIONS:+ASAN_OPTIONS=$ASAN_OPTIONS} \
		${UBSAN_OPTIONS:+UBSAN_OPTIONS=$UBSAN_OPTIONS} \
		timeout -k 5 60 "$BOX" "$@" <"${STDIN_FILE:-/dev/null}" 2>&1)
	rc=$?
	echo "[exit $rc]"
}

# as_nobody ARGS...: the same as the user nobody, as rootless.sh runs it.
as_nobody() {
	local rc
	(cd "$work" && timeout -k 5 60 setpriv --reuid=nobody --regid=nogroup \
		--clear-groups env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
		HOME=/nonexistent BOXSTEP_ROOTFS="$ROOTFS" \
		BOXSTEP_LESSONS="$LESSONS" BOXSTEP_IMAGES="$images" \
		${ASAN_OPTIONS:+ASAN_OPTIONS=$ASAN_OPTIONS} \
		${UBSAN_OPTIONS:+UBSAN_OPTIONS=$UBSAN_OPTIONS} \
		"$BOX" "$@" </dev/null 2>&1)
	rc=$?
	echo "[exit $rc]"
}

# case_to FILE WHAT RUNNER ARGS...: appends one case to FILE.
case_to() {
	local file=$outdir/$1 what=$2
	shift 2
	mkdir -p "$(dirname "$file")"
	{ echo "=== $what"; "$@"; } | mask >>"$file"
}

# --- the lessons' walks -------------------------------------------------

# The steps of a lesson as lesson.c reads them: `S TITLE` for each `## `
# heading outside a fence, `C LINE` for each command line of a ```boxstep
# block (blanks trimmed, `#` comments and empty lines skipped).
lesson_steps() {
	awk '
	{ sub(/^[ \t]+/, ""); sub(/[ \t\r]+$/, "") }
	NR == 1 && $0 == "---" { front = 1; next }
	front { if ($0 == "---") front = 0; next }
	fence != "" {
		if (substr($0, 1, 3) == "```") fence = ""
		else if (fence == "boxstep" && $0 != "" && substr($0, 1, 1) != "#")
			print "C " $0
		next
	}
	substr($0, 1, 3) == "```" { fence = substr($0, 4); if (fence == "") fence = "other"; next }
	substr($0, 1, 3) == "## " { print "S " substr($0, 4) }
	' "$1"
}

# The REPL's commands, from `help`.
commands=$(as_root -e -c help | sed -n 's/^  \([a-z]\+\) .*/\1/p')

# shapes LINE: whether the first command of LINE is one of those that
# shape state (enable, disable, reset, set), as the lesson runner sees it:
# an unambiguous prefix counts.  A line that also holds other commands
# (after a `;`) stops the recorder: it would run them.
shapes() {
	local word=${1%%[ 	;]*} c found="" n=0
	for c in $commands; do
		if [ "$c" = "$word" ]; then
			found=$c n=1
			break
		fi
		[ "${c#"$word"}" != "$c" ] && { found=$c; n=$((n + 1)); }
	done
	[ "$n" = 1 ] || return 1
	case $found in enable|disable|reset|set) ;; *) return 1 ;; esac
	if [[ "$1" == *";"* ]]; then
		echo "record.sh: cannot replay '$1' alone: it holds more than one command" >&2
		exit 1
	fi
}

# A no-op whose output marks where a step starts in a walk's batch: its
# two lines are replaced with the step's header.
marker="help step"

# walk RUNNER LESSON OUTFILE: the lesson's state-shaping lines, step by
# step, each step followed by `show`, in one batch.  In the output each
# marker becomes the step's header and the lines it replays.
walk() {
	local runner=$1 lesson=$2 file=$outdir/$3 kind line script="" n=0
	local headers=$work/headers mark
	: >"$headers"
	while IFS= read -r line; do
		kind=${line%% *}
		line=${line#? }
		if [ "$kind" = S ]; then
			[ "$n" -gt 0 ] && script+="show"$'\n'
			n=$((n + 1))
			script+="$marker"$'\n'
			printf '%d\t=== step %d: %s\n' "$n" "$n" "$line" >>"$headers"
		elif shapes "$line"; then
			script+="$line"$'\n'
			printf '%d\t> %s\n' "$n" "$line" >>"$headers"
		fi
	done < <(lesson_steps "$lesson")
	[ "$n" -gt 0 ] && script+="show"$'\n'
	mark=$(as_root -e -c "$marker" | sed '$d')
	mkdir -p "$(dirname "$file")"
	{
		echo "# $(basename "$lesson"): each step's state-shaping lines, then show"
		"$runner" -e -c "$script" | awk -v mark="$mark" -v headers="$headers" '
		BEGIN {
			n = split(mark, m, "\n")
			while ((getline h < headers) > 0) {
				k = substr(h, 1, index(h, "\t") - 1)
				hdr[k] = hdr[k] substr(h, index(h, "\t") + 1) "\n"
			}
		}
		{ buf[++len] = $0 }
		len == n {
			same = 1
			for (i = 1; i <= n; i++)
				if (buf[i] != m[i])
					same = 0
			if (same) {
				printf "%s", hdr[++step]
				len = 0
				next
			}
			print buf[1]
			for (i = 1; i < n; i++)
				buf[i] = buf[i + 1]
			len--
		}
		END { for (i = 1; i <= len; i++) print buf[i] }'
	} | mask >"$file"
}

# --- show for other plans -----------------------------------------------

# batch FILE RUNNER SCRIPT: one batch of REPL commands, with -e.
batch() {
	case_to "$1" "boxstep -e -c '$3'" "$2" -e -c "$3"
}

layer_names=$(as_root -e -c layers | sed -n 's/^  \([a-z]\+\) .*/\1/p')

# plans RUNNER DIR: show for the plans no lesson walks through.
plans() {
	local run=$1 dir=$2 l all=""
	batch "$dir/default.txt" "$run" "show"
	batch "$dir/layers-and-settings.txt" "$run" "layers"
	batch "$dir/layers-and-settings.txt" "$run" "set"
	for l in $layer_names; do
		batch "$dir/only-$l.txt" "$run" "enable $l; show"
		all+="$l "
	done
	# chroot and pivot are two ways to the same root: one at a time.
	all=${all% }
	batch "$dir/all-layers-chroot.txt" "$run" "enable $(echo "$all" | sed 's/ pivot//'); show"
	batch "$dir/all-layers-pivot.txt" "$run" "enable $(echo "$all" | sed 's/ chroot//'); show"
	batch "$dir/propagation-shared.txt" "$run" "enable mnt proc; set propagation shared; show"
	batch "$dir/propagation-shared.txt" "$run" "enable mnt chroot proc; set propagation shared; show"
	batch "$dir/chdir-off.txt" "$run" "enable chroot; set chdir off; show"
	batch "$dir/rootfs-layer-off.txt" "$run" "enable mnt chroot; set rootfs.layer off; show"
	batch "$dir/rootfs-layer-off.txt" "$run" "enable mnt pivot; set rootfs.layer off; show"
	batch "$dir/limits.txt" "$run" "enable pids memory cpu; set pids.max max; set memory.max 1G; set cpu.max max; show"
}

for lesson in "$LESSONS"/[0-9]*.md; do
	walk as_root "$lesson" "show/lesson-$(basename "$lesson" .md).txt"
done
plans as_root show

# --- rootless -------------------------------------------------------------

# The same as the user nobody, when boxstep runs rootless here; else the
# reason, in rootless/unavailable.txt (and the comparison then fails,
# naming it).
rootless_why=""
if ! setpriv --reuid=nobody --regid=nogroup --clear-groups test -x "$BOX" ||
   ! setpriv --reuid=nobody --regid=nogroup --clear-groups test -x "$ROOTFS/bin/sh"; then
	rootless_why="nobody cannot reach $BOX or $ROOTFS"
elif probe=$(as_nobody -e -c layers) && [[ "$probe" != *"[exit 0]" ]]; then
	rootless_why=$probe
fi
if [ -n "$rootless_why" ]; then
	mkdir -p "$outdir/rootless"
	printf 'rootless mode cannot be recorded here: %s\n' "$rootless_why" |
		mask >"$outdir/rootless/unavailable.txt"
else
	for lesson in "$LESSONS"/[0-9]*.md; do
		walk as_nobody "$lesson" "rootless/show/lesson-$(basename "$lesson" .md).txt"
	done
	plans as_nobody rootless/show
fi

# --- explain ----------------------------------------------------------------

for l in $layer_names; do
	batch explain.txt as_root "explain $l"
done
for c in "explain" "explain ut" "explain UTS" "explain cgroups" "explain uts pid"; do
	batch explain.txt as_root "$c"
done

# --- help -------------------------------------------------------------------

batch help.txt as_root "help"
for c in $commands; do
	batch help.txt as_root "help $c"
done
# Prefixes: one that names a command, one that could be three.
batch help.txt as_root "help sho"
batch help.txt as_root "help st"
# In a lesson (its first step's text comes first), typed at its prompt:
# -c and -f start no lesson.
printf 'help\n' >"$work/help-lines"
for c in $commands; do
	printf 'help %s\n' "$c" >>"$work/help-lines"
done
STDIN_FILE=$work/help-lines case_to help-in-lesson.txt \
	"boxstep --plain lesson 01, typed: help, help COMMAND for each" \
	as_root --plain lesson 01

# --- the command line -------------------------------------------------------

for a in --help --version -h; do
	case_to cli.txt "boxstep $a" as_root "$a"
done
for sub in lesson present check watch import images; do
	case_to cli.txt "boxstep $sub --help" as_root "$sub" --help
done
case_to cli.txt "boxstep lesson" as_root lesson
case_to cli.txt "boxstep images" as_root images
case_to cli.txt "boxstep help" as_root help

# --- bad input ----------------------------------------------------------------

. "$top/tests/integration/bad-input-cases.sh"
bad_input_files
while IFS= read -r line; do
	[ -n "$line" ] || continue
	bad_input_row "$line"
	eval "set -- $args"
	case_to bad-input.txt "boxstep $args" as_root "$@"
done <<<"$rows"
# Its last case, not root where user namespaces are refused: captured by
# bad_input_not_root in $out, so without its last newline.
if bad_input_not_root "$top/tests/helpers"; then
	{
		echo "=== not root, user namespaces refused: boxstep -c layers"
		printf '%s\n' "$out"
		echo "[exit $rc]"
	} | mask >>"$outdir/bad-input.txt"
else
	echo "=== not root: cannot build tests/helpers/nouserns.c" >>"$outdir/bad-input.txt"
fi
