#!/usr/bin/env bash
# The browser terminal: Debian's shellinabox serves boxstep to a learner
# without root (nobody, rootless), and headless Chromium, driven over the
# DevTools protocol (tests/helpers/cdp.py), opens the page, sees the TUI
# drawn, types a command and sees what it printed.  The host's state is
# compared before and after.  Usage: browser.sh [BOXSTEP]
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib.sh"
suite_start browser.sh "${1:-./boxstep}"
for tool in shellinaboxd chromium; do
	command -v $tool >/dev/null || { echo "$tool is missing: make deps"; exit 1; }
done
/usr/bin/python3 -c 'import websocket' 2>/dev/null ||
	{ echo "python3-websocket is missing: make deps"; exit 1; }
siab_pid= chrome_pid=
stop_all() {
	[ -n "$chrome_pid" ] && kill -- -"$chrome_pid" 2>/dev/null
	[ -n "$siab_pid" ] && kill "$siab_pid" 2>/dev/null
	wait 2>/dev/null
	pkill -KILL -f -- "--user-data-dir=$work/chrome" 2>/dev/null
	while pgrep -f -- "--user-data-dir=$work/chrome" >/dev/null; do sleep 0.1; done
}
trap 'stop_all; rm -rf "$work"' EXIT
chmod 755 "$work"
mkdir -m 700 "$work/state" && chown nobody "$work/state"
LESSONS=$(cd "$here/../../lessons" && pwd)

# A free port, from the kernel's range.
free_port() {
	local p
	for p in $(shuf -i 20000-40000 -n 50); do
		! ss -ltn | grep -q ":$p " && { echo "$p"; return; }
	done
}

test_browser_terminal() {
	local web devtools
	web=$(free_port)
	devtools=$(free_port)
	# A service of one command, as the learner: boxstep, rootless.
	shellinaboxd -t --localhost-only -p "$web" --no-beep \
		-s "/:nobody:nogroup:/:/usr/bin/env PATH=/usr/bin:/bin LANG=C.UTF-8 HOME=/nonexistent XDG_STATE_HOME=$work/state BOXSTEP_ROOTFS=$ROOTFS BOXSTEP_LESSONS=$LESSONS ${ASAN_OPTIONS:+ASAN_OPTIONS=$ASAN_OPTIONS} ${UBSAN_OPTIONS:+UBSAN_OPTIONS=$UBSAN_OPTIONS} $BOX" \
		>"$work/siab.log" 2>&1 &
	siab_pid=$!
	TMPDIR=$work setsid chromium --headless=new --no-sandbox --disable-gpu \
		--disable-crash-reporter --no-first-run \
		--remote-debugging-port="$devtools" --user-data-dir="$work/chrome" \
		--window-size=1400,900 about:blank >"$work/chrome.log" 2>&1 &
	chrome_pid=$!
	out=$(timeout 90 /usr/bin/python3 "$here/../helpers/cdp.py" "$devtools" \
		"http://127.0.0.1:$web/" \
		"wait:YOUR SESSION'S HOST (uid 65534 outside)" "wait:boxstep>" \
		"absent:42x" "type:run sh -c 'echo \$((6 * 7))x'" enter \
		"wait:"$'\n'"42x" 2>&1)
	# cdp.py waited for the pane's first title, and fails without it.
	check "the page opens and the TUI draws" has_line "$out" "^boxstep: build a container one layer at a time"
	check "with the status line" has_line "$out" "no layers \| host boxstep \| root busybox"
	check "a typed command runs, and its output shows" has_line "$out" "^42x +│"
	check "its hostname beside your host's, not the machine's" \
		has_line "$out" "│ hostname: [^ ]+ +\(your host: [^)]+\)"
	check "its uid, and the uid outside" \
		has_line "$out" "│ user: uid 0 of the session's host, uid 65534 outside it"
	check "the pane shows the container, from the session's host" \
		has_line "$out" "│ YOUR SESSION'S HOST, pid [0-9]+ \\(uid 65534 outside\\)"
	stop_all
	siab_pid= chrome_pid=
}

t "browser: shellinabox and Chromium, a learner without root types a command" test_browser_terminal
summary "browser"
