#!/usr/bin/env bash
# Compares every figure of `boxstep watch PID` with util-linux and /proc on
# the same process; prints "same: WHAT" or "DIFFERENT: WHAT (...)" lines.
# Usage: hostview-compare.sh BOXSTEP PID
BOX=$1 pid=$2
view=$("$BOX" watch "$pid")
same() { echo "same: $1"; }
differ() { echo "DIFFERENT: $1"; printf '  boxstep: %s\n  reference: %s\n' "$2" "$3"; }
cmp_eq() { if [ "$2" = "$3" ]; then same "$1"; else differ "$1" "$2" "$3"; fi; }

# Namespaces: inode and new/shared, against lsns -p.
while read -r ino type; do
	line=$(echo "$view" | grep -E "^  $type +")
	got=$(echo "$line" | awk '{print $3}')
	cmp_eq "namespace $type inode" "$got" "$ino"
	host=$(readlink /proc/self/ns/$type | tr -dc 0-9)
	want=shared; [ "$ino" != "$host" ] && want=NEW
	cmp_eq "namespace $type new/shared" "$(echo "$line" | awk '{print $2}')" "$want"
done < <(lsns -p "$pid" -n -r -o NS,TYPE)

# NSpid, against /proc/PID/status.
want=$(grep NSpid "/proc/$pid/status" | cut -f2- | tr '\t' ' ')
got=$(echo "$view" | sed -n 's/^NSpid: //p' | sed 's/   (host -> inside)//; s/ -> / /g')
cmp_eq "NSpid" "$got" "$want"
cmp_eq "ppid" "$(echo "$view" | sed -n 's/.*ppid \([0-9]*\)$/\1/p')" \
	"$(awk '/^PPid/ {print $2}' /proc/$pid/status)"

# Mounts it sees, against findmnt --task.
cmp_eq "mount points" \
	"$(echo "$view" | sed -n '/^mounts it sees/,/^host mounts\|^cgroup/p' | grep '^  ' | awk '{print $1}' | sort | tr '\n' ' ')" \
	"$(findmnt --task "$pid" -r -n -o TARGET | sort | tr '\n' ' ')"

# Hostname inside, against nsenter.
cmp_eq "hostname" "$(echo "$view" | sed -n 's/^hostname: \([^ ]*\) .*/\1/p')" \
	"$(nsenter -t "$pid" -u hostname)"

# Root and cwd links.
cmp_eq "root" "$(echo "$view" | sed -n 's/^root: //p')" "$(readlink /proc/$pid/root)"
cmp_eq "cwd" "$(echo "$view" | sed -n 's/^cwd:  \([^ ]*\).*/\1/p')" "$(readlink /proc/$pid/cwd)"

# Processes: how many share its pid namespace, against lsns's NPROCS.
if [ "$(readlink /proc/$pid/ns/pid)" != "$(readlink /proc/self/ns/pid)" ]; then
	cmp_eq "processes in its pid namespace" \
		"$(echo "$view" | sed -n 's/^processes (\([0-9]*\)):$/\1/p')" \
		"$(lsns -p "$pid" -t pid -n -o NPROCS | tr -d ' ')"
fi

# cgroup figures, against the files.
g=$(grep -E ':pids:|^0::' /proc/$pid/cgroup | head -1); g=${g#*::}; g=${g#*:pids:}
if [ "$g" != / ]; then
	d=/sys/fs/cgroup/pids$g; [ -d "$d" ] || d=/sys/fs/cgroup$g
	cmp_eq "pids.current and pids.max" \
		"$(echo "$view" | sed -n 's/.*pids.current \([0-9]*\) \/ pids.max \([0-9a-z]*\).*/\1 \2/p')" \
		"$(cat $d/pids.current) $(cat $d/pids.max)"
fi
