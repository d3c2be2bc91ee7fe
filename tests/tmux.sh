# tmux helpers for the terminal and TUI suites (bash): a private tmux
# server, a shell in a window of a given size, keys in, the screen out.
# Needs $sock (a server name), $work (a scratch dir) and $ROOTFS.

T="tmux -L $sock"

tm_stop() {
	$T kill-server 2>/dev/null
	while $T ls >/dev/null 2>&1; do sleep 0.05; done
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
