#!/bin/sh
# Builds boxstep's default root filesystem from Debian's busybox-static:
# one static binary, a link per applet, a few files in /etc, the empty
# directories a container expects, and a marker at / that makes "I am in
# the container" plain in `ls /`.  Safe to run again: it updates in place.
set -eu

out=${1:?usage: build.sh OUTDIR}
here=$(cd "$(dirname "$0")" && pwd)
busybox=${BUSYBOX:-/bin/busybox}

if [ ! -x "$busybox" ]; then
	echo "rootfs: $busybox is missing: install busybox-static" \
	     "(sudo apt-get install busybox-static)" >&2
	exit 1
fi
if ! "$busybox" --list >/dev/null 2>&1; then
	echo "rootfs: $busybox does not run" >&2
	exit 1
fi
if ldd "$busybox" >/dev/null 2>&1; then
	echo "rootfs: $busybox is dynamically linked; a root filesystem needs" \
	     "the static one from busybox-static" >&2
	exit 1
fi

mkdir -p "$out"
out=$(cd "$out" && pwd)
# Never write through a mount a container left behind.
if grep -q " $out/" /proc/self/mountinfo 2>/dev/null; then
	echo "rootfs: something is still mounted under $out; unmount it first:" >&2
	grep " $out/" /proc/self/mountinfo | awk '{print "  " $5}' >&2
	exit 1
fi

for d in bin sbin usr/bin usr/sbin etc root proc sys dev tmp var/tmp home; do
	mkdir -p "$out/$d"
done
chmod 1777 "$out/tmp" "$out/var/tmp"
chmod 700 "$out/root"
cp -f "$busybox" "$out/bin/busybox.new"
mv -f "$out/bin/busybox.new" "$out/bin/busybox"
chmod 755 "$out/bin/busybox"

# One relative link per applet, so the links resolve the same inside the
# container and when the host looks at the tree.
"$busybox" --list-full | while read -r applet; do
	case "$applet" in
	bin/busybox | linuxrc) continue ;;
	*/*/*) rel=../../bin/busybox ;;
	bin/*) rel=busybox ;;
	*) rel=../bin/busybox ;;
	esac
	mkdir -p "$out/$(dirname "$applet")"
	ln -sfn "$rel" "$out/$applet"
done

for f in "$here"/skel/etc/*; do
	cp -f "$f" "$out/etc/"
done
cp -f "$here/skel/YOU-ARE-INSIDE-THE-CONTAINER" "$out/"

# Static programs of the lessons, so that they run in any root: the
# chroot escape, and a setuid-root program for no_new_privs.
mkdir -p "$out/usr/local/bin"
build() {
	if ! ${CC:-cc} -static -O2 -Wall -Wextra -o "$out/usr/local/bin/$1.new" \
		"$here/src/$1.c"; then
		echo "rootfs: could not build $1 (a static C program): install" \
		     "gcc and libc6-dev" >&2
		exit 1
	fi
	chmod "$2" "$out/usr/local/bin/$1.new"
	mv -f "$out/usr/local/bin/$1.new" "$out/usr/local/bin/$1"
}
build breakout 755
build suidroot 4755

echo "rootfs: built $out ($(du -sh "$out" | cut -f1), $("$busybox" --list | wc -l) applets)"
