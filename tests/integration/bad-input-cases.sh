# The bad-input cases as a table, shared by bad-input.sh, which checks each
# row's message and exit status, and tests/golden/record.sh, which records
# each row's whole output.  Sourced (bash), with $work a scratch directory.

# bad_input_files: makes the files the rows name, under $work, and sets
# $rows (one case a line) and $long.
bad_input_files() {
	mkdir -p "$work/empty-root"
	: >"$work/empty.md"
	head -c 300 /bin/true >"$work/binary.md"
	printf -- '---\ntitle: T\nid: 99-t\n---\n## S\n```boxstep\nenable uts\n' >"$work/truncated.md"
	{ printf -- '---\ntitle: T\nid: 99-t\n---\n'; yes 'just prose, on and on' | head -c 10485760; } >"$work/huge.md"
	long=$(printf 'h%.0s' $(seq 70))

	# Each row: ARGUMENTS (as a shell would split them) | what the message
	# must say | the exit status.
	rows=$(cat <<ROWS
-c 'help bogus'                | unknown command: bogus                         | 2
-c 'help run show'             | help takes fewer arguments                     | 2
-c 'layers now'                | layers takes no arguments                      | 2
-c 'enable'                    | enable is missing a layer name                 | 2
-c 'enable wifi'               | no layer called 'wifi'                         | 2
-c 'disable'                   | disable is missing a layer name                | 2
-c 'enable chroot pivot'       | two ways to give the container its root        | 2
-c 'enable pivot; run true'    | refusing pivot without mnt                     | 125
-c 'enable mnt pivot; set propagation shared; run true' | refusing pivot with shared propagation | 125
-c 'set memory.max lots'       | memory.max takes a size such as 32M            | 2
-c 'set memory.max 100K'       | must be between 1M and 1P                      | 2
-c 'set cpu.max 0'             | cpu.max must be between 1                      | 2
-c 'set cpu.max fast'          | cpu.max takes a whole percentage               | 2
-c 'disable bogus'             | no layer called 'bogus'                        | 2
-c 'reset everything'          | reset takes no arguments                       | 2
-c 'set hostname'              | set hostname needs a value                     | 2
-c 'set a b c'                 | no setting called 'a'                          | 2
-c 'set hostname a b'          | set hostname takes one value                   | 2
-c 'set caps -CHOWN'           | it is off: enable caps first                   | 2
-c 'enable caps; set caps -FOO' | no capability called 'FOO'                    | 2
-c 'enable caps; set caps ,'   | caps needs a value                             | 2
-c 'set time.offset soon'      | time.offset takes a whole number of seconds    | 2
-c 'set time.offset 1e9'       | time.offset takes a whole number of seconds    | 2
-c 'enable chroot dev; run true' | refusing dev without mnt                     | 125
-c 'enable mnt chroot proc masks; run true' | refusing masks without dev and proc | 125
-c 'set colour red'            | no setting called 'colour'                     | 2
-c 'show me'                   | show takes nothing, or oci, unshare or docker  | 2
-c 'show oci now'              | show takes fewer arguments                     | 2
-c 'export'                    | export is missing                              | 2
-c 'run'                       | run is missing its COMMAND                     | 2
-c 'run /nonexistent'          | no such program on the host                    | 127
-c 'enable chroot; run /bin/bash' | no /bin/bash in this root filesystem        | 127
-c 'sh now'                    | sh takes no arguments                          | 2
-c 'start'                     | start is missing its COMMAND                   | 2
-c 'stop'                      | no background container is running             | 1
-c 'stop now'                  | stop takes no arguments                        | 2
-c 'host'                      | host needs a command line                      | 2
-c 'explain'                   | explain is missing a layer name                | 2
-c 'explain cgroups'           | no layer called 'cgroups'                      | 2
-c 'explain uts pid'           | explain takes fewer arguments                  | 2
-c 'quit now'                  | quit takes no arguments                        | 2
-c 'lesson a b'                 | lesson takes fewer arguments                   | 2
-c 'lesson nosuch'             | no lesson called 'nosuch'                      | 1
-c 'lesson 02'                 | a lesson checks each line typed at its prompt, and -c and -f type none | 2
-c 'hint'                      | no lesson is running                           | 1
-c 'next'                      | no lesson is running                           | 1
-c 'prev'                      | no lesson is running                           | 1
-c 'goto'                      | goto is missing                                | 2
-c 'goto 1 2'                  | goto takes fewer arguments                     | 2
-c 'frobnicate'                | unknown command: frobnicate                    | 2
-c 'e'                         | ambiguous command: e, could be: enable, export, explain, exit | 2
-c 'run "unterminated'         | the double quote opened here is never closed   | 2
-c 'set pids.max -1'           | out of range                                   | 2
-c 'set pids.max 0'            | out of range                                   | 2
-c 'set pids.max lots'         | takes a whole number or 'max'                  | 2
-c 'set pids.max 99999999999999999999' | takes a whole number or 'max'          | 2
-c 'set hostname $long'        | the kernel takes at most 64                    | 2
-c 'set hostname a/b'          | a space, a control character or '/'            | 2
-c 'set chdir sometimes'       | chdir takes 'on' or 'off'                      | 2
-c 'set propagation slave'     | propagation takes 'private' or 'shared'        | 2
-c 'set rootfs.layer maybe'    | rootfs.layer takes 'on' or 'off'               | 2
-c 'set refresh fast'          | refresh                                        | 2
-c 'set rootfs /nonexistent/root' | does not exist                              | 2
-c 'set rootfs /etc/hostname'  | is not a directory                             | 2
-c 'set rootfs $work/empty-root' | has no /bin/sh                               | 2
-c 'set rootfs /'              | host's own root directory                      | 2
watch 999999999                | there is no process 999999999                  | 1
watch abc                      | watch takes a process id, not 'abc'            | 2
watch                          | usage: boxstep watch PID                       | 2
--trust check $work/empty.md   | a lesson starts with front matter              | 1
--trust check $work/binary.md  | is this a text file?                           | 1
--trust check $work/truncated.md | truncated.md:6: the \`\`\` block opened here is never closed | 1
--trust check $work/huge.md    | bytes is too long for a lesson                 | 1
check $work/missing.md         | cannot read it                                 | 1
--trust lesson $work/empty.md  | a lesson starts with front matter              | 1
lesson nosuch                  | no lesson called 'nosuch'                      | 2
present                        | usage: boxstep present LESSON                  | 2
--bogus                        | usage: boxstep                                 | 2
-c layers -f $work/empty.md    | give -c or -f, not both                        | 2
-f $work/no-such-file          | cannot read $work/no-such-file                 | 2
--theme purple                 | no theme called 'purple'                       | 2
stray-argument                 | unexpected argument 'stray-argument'           | 2
ROWS
)
}

# bad_input_row LINE: one row's fields, in $args, $want and $status.
bad_input_row() {
	args=$(cut -d'|' -f1 <<<"$1" | sed 's/ *$//')
	want=$(cut -d'|' -f2 <<<"$1" | sed 's/^ *//; s/ *$//')
	status=$(cut -d'|' -f3 <<<"$1" | tr -d ' ')
}

# bad_input_not_root HELPERS: the last case, not root where user namespaces
# are refused (a seccomp filter, as in a Docker container): builds
# HELPERS/nouserns.c into $work and runs $BOX as nobody under it, output
# in $out and status in $rc.  Returns 1 when the helper does not build.
bad_input_not_root() {
	gcc -Wall -Wextra -o "$work/nouserns" "$1/nouserns.c" || return 1
	chmod 755 "$work" "$work/nouserns"
	out=$(setpriv --reuid=nobody --regid=nogroup --clear-groups \
		"$work/nouserns" "$BOX" -c layers 2>&1)
	rc=$?
}
