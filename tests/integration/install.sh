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

# The package, installed with apt as an instructor would, then purged.
test_deb() {
	local deb as_nobody
	if dpkg-query -W -f='${Status}' boxstep 2>/dev/null | grep -q 'install ok'; then
		test_errors+="    boxstep's package is installed on this machine, and this test would remove it"$'\n'
		return
	fi
	make -s deb >/dev/null 2>&1
	deb=$(ls build/boxstep_*_"$(dpkg --print-architecture)".deb 2>/dev/null)
	check "make deb builds the package" test -f "$deb"
	out=$(DEBIAN_FRONTEND=noninteractive apt-get install -y -q "./$deb" 2>&1)
	check "apt installs it, its dependencies declared" equals "$?" 0
	check "as a package" equals "$(dpkg-query -W -f='${Status}' boxstep)" "install ok installed"
	out=$(env -u BOXSTEP_ROOTFS -u BOXSTEP_LESSONS /usr/bin/boxstep -c 'enable chroot; run ls /' 2>&1)
	check "the installed boxstep runs a container from the installed rootfs" contains "$out" YOU-ARE-INSIDE-THE-CONTAINER
	check "the instructors group is made" test -n "$(getent group boxstep-instructors)"
	check "and the room, as sessions need it" \
		equals "$(stat -c '%U %G %a' /run/boxstep-room 2>&1)" "root boxstep-instructors 3773"
	check "the class file names the group" has_line "$(cat /etc/boxstep/class.conf)" "^instructors = boxstep-instructors$"
	as_nobody="setpriv --reuid=nobody --regid=nogroup --clear-groups env -i PATH=/usr/bin:/bin HOME=/nonexistent XDG_STATE_HOME=$home/nobody"
	mkdir -p "$home/nobody" && chown nobody "$home/nobody"
	out=$($as_nobody /usr/bin/boxstep -c 'enable uts; run hostname' 2>&1)
	check "a user without root runs it, rootless" equals "$out" boxstep
	out=$(env -u BOXSTEP_ROOTFS -u BOXSTEP_LESSONS /usr/bin/boxstep class doctor 2>&1)
	check "the doctor finds the rootfs and lessons readable by all" \
		equals "$(grep -cE '^  ok    the (rootfs|lessons) (is|are) readable by all$' <<<"$out")" 2
	check "and the room as the package made it" has_line "$out" "^  ok    the room directory$"
	out=$(DEBIAN_FRONTEND=noninteractive apt-get purge -y -q boxstep 2>&1)
	check "apt purges it" equals "$?" 0
	check "the binary, rootfs and lessons go" test ! -e /usr/bin/boxstep -a ! -e /usr/share/boxstep
	check "the class file and its directory go" test ! -e /etc/boxstep
	check "the group goes" equals "$(getent group boxstep-instructors)" ""
	check "the room goes" test ! -e /run/boxstep-room
}

t "install: the installed boxstep finds its rootfs; uninstall cleans" test_install_uninstall
t "install: make deb, apt install, a user runs it, apt purge" test_deb
summary "install"
