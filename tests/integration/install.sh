#!/usr/bin/env bash
# `make install` into a staging directory: the binary finds the installed
# rootfs by itself, runs a container from it, and `make uninstall` removes
# everything it installed.  Usage: install.sh (from the top of the tree)
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib.sh"
require_root "tests/integration/install.sh"
stage=$(mktemp -d /tmp/boxstep-install.XXXXXX)
# As under /usr/local: every user can reach it (lesson 12 runs the
# installed boxstep as nobody).
chmod 755 "$stage"
# `boxstep check` below plays the course, which imports an image: into a
# home of the test's own, apart from what uninstall must leave empty.
home=$(mktemp -d /tmp/boxstep-install-home.XXXXXX)
own_home "$home"
trap 'rm -rf "$stage" "$home" $course_tmp' EXIT

test_install_uninstall() {
	make -s install DESTDIR="$stage" PREFIX=/opt/boxstep >/dev/null 2>&1
	check "the binary is installed" test -x "$stage/opt/boxstep/bin/boxstep"
	check "the rootfs is installed" test -x "$stage/opt/boxstep/share/boxstep/rootfs/busybox/bin/busybox"
	make -s install DESTDIR="$stage" PREFIX=/opt/boxstep >/dev/null 2>&1
	check "the lessons are installed, once over a second install" \
		equals "$(ls "$stage/opt/boxstep/share/boxstep/lessons" | grep -c '\.md$')" "$(ls lessons | grep -c '\.md$')"
	check "not nested" test ! -e "$stage/opt/boxstep/share/boxstep/lessons/lessons"
	check "the man page is installed" test -f "$stage/opt/boxstep/share/man/man1/boxstep.1"
	out=$(env -u BOXSTEP_ROOTFS "$stage/opt/boxstep/bin/boxstep" -c 'enable chroot; run ls /; show' 2>&1)
	check "it runs from the installed rootfs" contains "$out" YOU-ARE-INSIDE-THE-CONTAINER
	check "and names it" contains "$out" "$stage/opt/boxstep/share/boxstep/rootfs/busybox"
	out=$(env -u BOXSTEP_ROOTFS "$stage/opt/boxstep/bin/boxstep" check 2>&1 | tail -1)
	check "boxstep check finds the installed lessons" matches "$out" "check: [0-9]+ passed, 0 failed"
	make -s uninstall DESTDIR="$stage" PREFIX=/opt/boxstep >/dev/null 2>&1
	check "uninstall removes it all" equals "$(find "$stage" -type f | wc -l)" 0
}

t "install: the installed boxstep finds its rootfs; uninstall cleans" test_install_uninstall
summary "install"
