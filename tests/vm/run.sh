#!/usr/bin/env bash
# Runs boxstep's pids tests on cgroup v2: boots Debian's kernel in qemu
# (TCG, no KVM needed) with an initramfs holding busybox, boxstep, its
# libraries and the busybox rootfs, mounts a cgroup2-only /sys/fs/cgroup
# and runs tests/vm/v2-tests.sh there.  Usage: run.sh [BOXSTEP]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
BOX=$(realpath "${1:-./boxstep}")
ROOTFS=$(realpath "${BOXSTEP_ROOTFS:-$(dirname "$BOX")/rootfs/busybox}")
cache=$here/cache
work=$(mktemp -d /tmp/boxstep-vm.XXXXXX)
trap 'rm -rf "$work"' EXIT

if [ "$(id -u)" != 0 ]; then
	echo "SKIP: the VM test fetches a kernel with apt-get; run: sudo make test"
	exit 77
fi
command -v qemu-system-x86_64 >/dev/null || { echo "qemu-system-x86 is missing: make deps"; exit 1; }

# --- Debian's kernel, fetched once ------------------------------------------
kernel=$(ls "$cache"/kernel/boot/vmlinuz-* 2>/dev/null | head -1 || true)
if [ -z "$kernel" ]; then
	mkdir -p "$cache"
	resolve() {
		apt-cache depends linux-image-amd64 2>/dev/null |
			awk '/Depends: linux-image-[0-9]/ {print $2; exit}'
	}
	pkg=$(resolve)
	if [ -z "$pkg" ]; then
		apt-get update -qq
		pkg=$(resolve)
	fi
	[ -n "$pkg" ] || { echo "vm: cannot find Debian's linux-image-amd64"; exit 1; }
	echo "vm: fetching $pkg (once, into $cache)"
	(cd "$cache" && apt-get download -qq "$pkg" 2>&1 | grep -v "^W: Download is performed unsandboxed" || true)
	dpkg -x "$cache"/"$pkg"_*.deb "$cache/kernel"
	rm -f "$cache"/"$pkg"_*.deb
	kernel=$(ls "$cache"/kernel/boot/vmlinuz-* | head -1)
fi

# --- the initramfs -------------------------------------------------------------
root=$work/root
mkdir -p "$root"/{bin,proc,sys,dev,tmp,etc,run,boot,opt,srv}
cp /bin/busybox "$root/bin/busybox"
# boxstep with every library it links, at the same paths.
mkdir -p "$root/boxstep-build"
cp "$BOX" "$root/boxstep-build/boxstep"
# util-linux's setpriv too, for the rootless tests (busybox's cannot
# change uid), and the tools the lessons' host commands use where
# busybox's lack an option (ps -p, nsenter's, ipcs's, tar --exclude),
# and the runtimes lesson 18 and the bundle tests run.
mkdir -p "$root/usr/bin"
tools="setpriv ps nsenter ipcmk ipcs ipcrm dash runc crun tar"
for tool in $tools; do
	cp "$(command -v "$tool")" "$root/usr/bin/$tool"
done
{ ldd "$BOX"; for tool in $tools; do ldd "$(command -v "$tool")"; done; } |
	grep -o '/[^ ]*' | sort -u |
while read -r lib; do
	mkdir -p "$root$(dirname "$lib")"
	cp -L "$lib" "$root$lib"
done
mkdir -p "$root/boxstep-build/rootfs"
cp -a "$ROOTFS" "$root/boxstep-build/rootfs/busybox"
cp -a "$here/../../lessons" "$root/boxstep-build/lessons"
cp "$here/v2-tests.sh" "$root/v2-tests.sh"
# overlayfs is a module in Debian's kernel: the session's writable layer
# needs it.
cp "$(find "$(dirname "$kernel")/../lib/modules" -name overlay.ko | head -1)" "$root/overlay.ko"
# Accounts, so that id and ipcs name their owners as on a real host.
printf 'root:x:0:0:root:/root:/bin/sh\nlearner:x:1000:1000::/tmp:/bin/sh\nnobody:x:65534:65534::/nonexistent:/bin/sh\n' >"$root/etc/passwd"
printf 'root:x:0:\nlearner:x:1000:\nnogroup:x:65534:\n' >"$root/etc/group"
cat > "$root/init" <<'INIT'
#!/bin/busybox sh
# pivot_root cannot leave the initramfs: everything moves to a tmpfs
# first, which becomes / (switch_root), as on a booted host.
if [ ! -e /switched ]; then
	/bin/busybox mkdir /newroot
	/bin/busybox mount -t tmpfs -o mode=0755 newroot /newroot
	for f in /*; do
		[ "$f" = /newroot ] || /bin/busybox cp -a "$f" /newroot/
	done
	/bin/busybox touch /newroot/switched
	exec /bin/busybox switch_root /newroot /init
fi
/bin/busybox --install -s /bin
# The tools copied from the host come before busybox's of the same name,
# and /bin/sh, which runs host commands, is dash as on Debian: busybox's
# sh would run its own applets whatever PATH says.
for t in /usr/bin/*; do /bin/busybox ln -sf "$t" /bin/; done
/bin/busybox ln -sf /usr/bin/dash /bin/sh
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
# boxstep check plays lessons at a pty, as on any machine
mkdir -p /dev/pts && mount -t devpts -o ptmxmode=0666 devpts /dev/pts
mount -t tmpfs tmp /tmp
mkdir -p /run && mount -t tmpfs run /run
insmod /overlay.ko
mount -t cgroup2 cgroup2 /sys/fs/cgroup
hostname vmhost
echo "vm: kernel $(uname -r), /sys/fs/cgroup is $(stat -f -c %T /sys/fs/cgroup)"
/bin/busybox sh /v2-tests.sh /boxstep-build/boxstep
echo "vm: tests finished with status $?"
poweroff -f
INIT
chmod 755 "$root/init"
# mktemp made it 0700: the rootless tests' user must get through /.
chmod 755 "$root"
(cd "$root" && find . | busybox cpio -o -H newc 2>/dev/null) > "$work/initrd.cpio"

# --- boot ---------------------------------------------------------------------
echo "vm: booting $(basename "$kernel") under qemu (TCG)"
log=$work/console.log
timeout 900 qemu-system-x86_64 -accel tcg -m 1024 -smp 1 -nographic -no-reboot \
	-kernel "$kernel" -initrd "$work/initrd.cpio" \
	-append "console=ttyS0 panic=-1 rdinit=/init quiet loglevel=3" \
	</dev/null >"$log" 2>&1 || true
tr -d '\r' <"$log" | grep -E '^(vm:|ok |not ok |    |v2:)' || true
summary=$(tr -d '\r' <"$log" | grep -E '^v2: [0-9]+ passed, [0-9]+ failed$' || true)
if [ -z "$summary" ]; then
	echo "vm: the tests did not finish; the console said:"
	tr -d '\r' <"$log" | tail -40
	echo "v2: 0 passed, 1 failed"
	exit 1
fi
case "$summary" in
*" 0 failed") exit 0 ;;
*) exit 1 ;;
esac
