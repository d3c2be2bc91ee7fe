# tmux helpers for the terminal and TUI suites (bash): a private tmux
# server, a shell in a window of a given size, keys in, the screen out.
# Needs $sock (a server name), $work (a scratch dir) and $ROOTFS.

T="tmux -L $sock"

tm_stop() {
	$T kill-server 2>/dev/null
	while $T ls >/dev/null 2>&1; do sleep 0.05; done
	# The server leaves its socket behind; the host is left as found.
	rm -f "${TMUX_TMPDIR:-/tmp}/tmux-$(id -u)/$sock"
	rmdir "${TMUX_TMPDIR:-/tmp}/tmux-$(id -u)" 2>/dev/null
}

# tm_start COLS ROWS [VAR=VALUE...]: a fresh shell with prompt "host$ ",
# its own HOME and history, and the sanitizer settings passed on.
tm_start() {
	local cols=$1 rows=$2
	shift 2
	tm_stop
	$T new-session -d -x "$cols" -y "$rows" -s t \
		"env -i PATH=$PATH TERM=xterm-256color LANG=C.UTF-8 HOME=$work XDG_STATE_HOME=$work/state BOXSTEP_ROOTFS=$ROOTFS ${BOXSTEP_LESSONS:+BOXSTEP_LESSONS=$BOXSTEP_LESSONS} ${ASAN_OPTIONS:+ASAN_OPTIONS=$ASAN_OPTIONS} ${UBSAN_OPTIONS:+UBSAN_OPTIONS=$UBSAN_OPTIONS} $* PS1='host$ ' bash --norc --noprofile"
	tm_wait 'host\$ ?$'
}

tm_keys() { $T send-keys -t t "$@"; }
tm_type() { $T send-keys -t t -l "$1"; }
tm_line() { tm_type "$1"; tm_keys Enter; }
screen() { $T capture-pane -p -t t; }

# tm_wait REGEX [SECONDS]: waits until the screen matches; on a timeout
# leaves the screen in $out for the report.
tm_wait() {
	local deadline=$((SECONDS + ${2:-10}))
	while [ $SECONDS -lt $deadline ]; do
		screen | grep -Eq -- "$1" && return 0
		sleep 0.1
	done
	out=$(screen)
	return 1
}

# --- a learner at the prompt ------------------------------------------------
# For suites that type line after line at boxstep's prompt and must not
# type before it is back.  The test is where the cursor is: on a line
# that ends in a bare prompt (`boxstep> `, `boxstep[uts pid]> `), with
# nothing typed after it.  In the TUI the cursor is the REPL pane's.

# tm_cursor_text: the cursor's row of the screen, up to the cursor.
tm_cursor_text() {
	local x y
	read -r x y < <($T display -p -t t '#{cursor_x} #{cursor_y}')
	[ "${x:-0}" -gt 0 ] || return 0
	$T capture-pane -p -t t | sed -n "$((y + 1))p" | cut -c "1-$x"
}

# (capture-pane drops the blank after the prompt.)
tm_prompt_re='boxstep(\[[a-z. ]*\])?> ?$'
tm_at_prompt() { [[ "$(tm_cursor_text)" =~ $tm_prompt_re ]]; }

# tm_prompt_wait [SECONDS]: waits until the cursor is at a bare prompt;
# on a timeout leaves the screen in $out.
tm_prompt_wait() {
	local deadline=$((SECONDS + ${1:-30}))
	while [ $SECONDS -lt $deadline ]; do
		tm_at_prompt && return 0
		sleep 0.05
	done
	out=$(screen)
	return 1
}

# tm_enter_line TEXT [SECONDS]: at a bare prompt, types TEXT key by key
# (literally: quotes and `$` as they are), waits until it has been echoed
# (the cursor has left the bare prompt), presses Enter and waits for the
# next prompt.  Fails, with the screen in $out, if the prompt does not
# come back in SECONDS (30).
tm_enter_line() {
	local deadline=$((SECONDS + 10))
	$T send-keys -t t -l -- "$1"
	while tm_at_prompt; do
		[ $SECONDS -lt $deadline ] || { out=$(screen); return 1; }
		sleep 0.02
	done
	$T send-keys -t t Enter
	tm_prompt_wait "${2:-30}"
}

# tm_tail [N]: the screen's last N (15) lines that are not blank.
tm_tail() {
	screen | awk '{ l[NR] = $0 } /[^[:space:]]/ { last = NR }
		END { for (i = 1; i <= last; i++) print l[i] }' | tail -n "${1:-15}"
}

# tm_leave: once the cursor is back at a bare prompt, Ctrl-D, and the
# shell's prompt within 30 s.  A Ctrl-D typed while a command still runs
# reaches the terminal's line discipline, not readline, and is lost (as
# at any shell), so a test must not send it earlier.  Fails, with the
# screen in $out, when either does not come.
tm_leave() {
	tm_prompt_wait 30 || return 1
	tm_keys C-d
	tm_wait 'host\$ ?$' 30
}
