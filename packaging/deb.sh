#!/bin/sh
# Builds boxstep's Debian package from the built tree: `make install`
# under /usr into a staging root, the class file, the room's tmpfiles
# entry, the AppArmor profile, the docs, and a control file whose
# Depends dpkg-shlibdeps reads off the binary.
# Usage: packaging/deb.sh VERSION OUT.deb (from the top of the tree)
set -eu
version=$1
out=$2
stage=build/deb/root
arch=$(dpkg --print-architecture)
rm -rf build/deb
mkdir -p "$stage/DEBIAN" build/deb/src/debian
make -s install DESTDIR="$PWD/$stage" PREFIX=/usr >/dev/null
gzip -9n "$stage/usr/share/man/man1/boxstep.1"
install -D -m 644 packaging/class.conf "$stage/etc/boxstep/class.conf"
install -D -m 644 packaging/tmpfiles.conf "$stage/usr/lib/tmpfiles.d/boxstep.conf"
install -D -m 644 packaging/apparmor "$stage/usr/share/boxstep/apparmor/boxstep"
install -d "$stage/usr/share/doc/boxstep"
install -m 644 README.md docs/classroom.md docs/instructor-guide.md \
	docs/security.md docs/lesson-format.md "$stage/usr/share/doc/boxstep/"
install -m 755 packaging/postinst packaging/postrm "$stage/DEBIAN/"
echo /etc/boxstep/class.conf >"$stage/DEBIAN/conffiles"
# dpkg-shlibdeps wants a source package around it.
printf 'Source: boxstep\n\nPackage: boxstep\nArchitecture: any\n' \
	>build/deb/src/debian/control
depends=$(cd build/deb/src && dpkg-shlibdeps -O -e"../../../$stage/usr/bin/boxstep" 2>/dev/null |
	sed -n 's/^shlibs:Depends=//p')
[ -n "$depends" ] || { echo "deb.sh: dpkg-shlibdeps found no dependencies" >&2; exit 1; }
cat >"$stage/DEBIAN/control" <<CONTROL
Package: boxstep
Version: $version
Architecture: $arch
Maintainer: boxstep's developers <boxstep@localhost>
Installed-Size: $(du -sk "$stage" | cut -f1)
Depends: $depends, passwd
Recommends: shellinabox, runc
Section: education
Priority: optional
Description: build a Linux container one isolation layer at a time
 A REPL in which a learner turns on each isolation layer in turn (UTS,
 PID and mount namespaces, chroot, a private /proc, cgroup limits, user
 namespaces, pivot_root, capabilities, seccomp, /dev, masked paths) and
 runs real commands after each, while a pane shows the host's view of
 the container live; the last lesson runs the same container with runc.
 Eighteen lessons, checked
 as the learner types.  Runs as root, or for an ordinary user in a small
 host of their own; an instructor watches the whole room with
 "boxstep class".
CONTROL
dpkg-deb --root-owner-group -Zxz --build "$stage" "$out" >/dev/null
echo "deb: $out"
