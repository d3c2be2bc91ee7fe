# Shared helpers for boxstep's shell test suites (bash).
#
# Each test is a function run by `t NAME FUNCTION`.  Around every test the
# host's state is compared before and after: hostname, mount table,
# boxstep cgroups, processes inside a container root or another PID
# namespace, and left-over test sleepers.  A test fails on a false `check`
# or on any difference.  `summary` prints "N passed, N failed".

passed=0
failed=0
failures=""

# The host state a boxstep session must leave exactly as it found it.
host_state() {
	echo "hostname: $(hostname)"
	awk '{print "mount: " $5 " " $9}' /proc/self/mountinfo | sort
	find /sys/fs/cgroup -path '*boxstep*' -type d 2>/dev/null |
		sed 's/^/cgroup: /' | sort
	local self_pidns p r
	self_pidns=$(readlink /proc/self/ns/pid)
	local ns
	for p in /proc/[0-9]*; do
		# A process that is exiting has no links left: it is not one
		# that stays.
		r=$(readlink "$p/root" 2>/dev/null) || continue
		ns=$(readlink "$p/ns/pid" 2>/dev/null) || continue
		[ "$r" != / ] && echo "process with root $r: ${p#/proc/} $(cat "$p/comm" 2>/dev/null)"
		[ "$ns" != "$self_pidns" ] &&
			echo "process in another pid namespace: ${p#/proc/} $(cat "$p/comm" 2>/dev/null)"
	done
	# The shared rootfs stays as built: nothing written into /dev, /.
	[ -n "${ROOTFS:-}" ] && ls -A "$ROOTFS" "$ROOTFS/dev" "$ROOTFS/tmp" | sed 's/^/rootfs: /'
	# Nothing written by a container's command onto the host's own
	# /etc or /tmp (a replay without layers once left /etc/mine there).
	ls -A /etc | sed 's/^/etc: /'
	ls -A /tmp | grep -v '^tmux-\|^boxstep-host.lock$' | sed 's/^/tmp: /'
	# The tests' long sleepers all sleep for 31xx seconds.
	pgrep -a -f 'sleep 31[0-9][0-9]' | sed 's/^/sleeper: /'
	true
}

# check DESCRIPTION COMMAND...: records a failed expectation.
check() {
	local what=$1
	shift
	if ! "$@"; then
		test_errors+="    expected: $what"$'\n'
	fi
}

contains() { [[ "$1" == *"$2"* ]]; }
lacks() { [[ "$1" != *"$2"* ]]; }
equals() { [ "$1" = "$2" ]; }
matches() { [[ "$1" =~ $2 ]]; }
# has_line TEXT REGEX: a line of TEXT matches the extended REGEX.
has_line() { grep -qE -- "$2" <<<"$1"; }
# jq_true FILTER TEXT: the jq FILTER holds of the JSON TEXT.
jq_true() { jq -e "$1" >/dev/null 2>&1 <<<"$2"; }

# record NAME ERRORS: counts one result, "ok" when ERRORS (lines, each
# ending in a newline) is empty; returns 1 on a failure.
record() {
	if [ -z "$2" ]; then
		passed=$((passed + 1))
		echo "ok - $1"
		return 0
	fi
	failed=$((failed + 1))
	failures+="  $1"$'\n'
	echo "not ok - $1"
	printf '%s' "$2"
	return 1
}

# t NAME FUNCTION: runs one test with the host-state comparison.
t() {
	local name=$1 fn=$2 before after
	test_errors=""
	before=$(host_state)
	"$fn"
	after=$(host_state)
	if [ "$before" != "$after" ]; then
		test_errors+="    the host changed:"$'\n'
		test_errors+=$(diff <(echo "$before") <(echo "$after") | sed 's/^/      /')$'\n'
	fi
	if ! record "$name" "$test_errors" && [ -n "${out+x}" ]; then
		echo "    last output:"
		printf '%s\n' "$out" | clip_output | sed 's/^/      /'
	fi
}

# The start and the end of a long output (a screen's last lines are where
# it went wrong), its trailing blank lines dropped.
clip_output() {
	awk '{ l[NR] = $0; if ($0 ~ /[^ ]/) last = NR }
	     END { if (last <= 30) { for (i = 1; i <= last; i++) print l[i]; exit }
	           for (i = 1; i <= 6; i++) print l[i]
	           printf "[... %d lines ...]\n", last - 30
	           for (i = last - 23; i <= last; i++) print l[i] }'
}

summary() {
	local suite=$1
	echo
	[ -n "$failures" ] && printf 'failed in %s:\n%s' "$suite" "$failures"
	echo "$suite: $passed passed, $failed failed"
	[ "$failed" -eq 0 ]
}

# box ARGS...: runs boxstep, output (stdout and stderr) in $out, exit
# status in $rc.  A hung boxstep is killed after 60 s.
box() {
	out=$(timeout -k 5 60 "$BOX" "$@" 2>&1 </dev/null)
	rc=$?
}

# without_kernel PATH ARGS...: box ARGS, on a kernel that seems to lack
# what PATH shows it has: strace fails every access(2) of PATH with
# ENOENT, as on a kernel built without it.
without_kernel() {
	local path=$1 calls=access,faccessat,faccessat2
	shift
	# LeakSanitizer cannot work under ptrace: under ASan, no leak check.
	out=$(ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
		timeout -k 5 60 strace -f -qq -o /dev/null -P "$path" -e trace=$calls \
		-e inject=$calls:error=ENOENT "$BOX" "$@" 2>&1 </dev/null)
	rc=$?
}

# suite_start NAME [BOXSTEP]: what every suite sets up first: $BOX, the
# rootfs (exported as BOXSTEP_ROOTFS), root required, and a scratch $work.
suite_start() {
	local name=$1
	BOX=$(realpath "${2:-./boxstep}")
	ROOTFS=$(realpath "${BOXSTEP_ROOTFS:-$(dirname "$BOX")/rootfs/busybox}")
	export BOXSTEP_ROOTFS=$ROOTFS
	require_root "tests/integration/$name"
	[ -x "$ROOTFS/bin/busybox" ] || { echo "no rootfs at $ROOTFS: make rootfs"; exit 1; }
	work=$(mktemp -d "/tmp/boxstep-${name%.sh}.XXXXXX")
	own_home "$work"
}

# own_home DIR: a home of the suite's own under DIR, so that nothing it
# runs (history, progress, imported images) lands in the real user's
# state directory.
own_home() {
	export HOME=$1/home XDG_STATE_HOME=$1/home/.local/state \
		XDG_CONFIG_HOME=$1/home/.config
	mkdir -p "$HOME"
}

# What the course leaves when a lesson is cut short: lesson 12's command
# file in /tmp; lesson 13's image archive and lesson 18's bundle, in ~
# (the suite's own home, which goes with $work).
course_tmp="/tmp/rootless.box"
course_tidy() { rm -rf $course_tmp "$HOME/demo" "$HOME/demo.tar" "$HOME/twin"; }

require_root() {
	if [ "$(id -u)" != 0 ]; then
		echo "SKIP: $1 needs root (namespaces, chroot, cgroups); run: sudo make test"
		exit 77
	fi
}

# pids_guard_start / pids_guard_end: puts this shell (and so every boxstep
# it starts) in a pids cgroup of 2000, for suites that play lessons with a
# fork bomb: should a step run without its limit, the host stays usable.
guard=""
pids_guard_start() {
	if [ -d /sys/fs/cgroup/pids ] &&
	   mkdir "/sys/fs/cgroup/pids/tests-guard-$$" 2>/dev/null; then
		guard=/sys/fs/cgroup/pids/tests-guard-$$
		echo 2000 >"$guard/pids.max"
		echo $$ >"$guard/cgroup.procs"
	fi
}
pids_guard_end() {
	if [ -n "$guard" ]; then
		echo $$ >/sys/fs/cgroup/pids/cgroup.procs
		rmdir "$guard"
		guard=""
	fi
}
