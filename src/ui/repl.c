/* repl: readline, completion, history, the prompt, and batch mode. */
#define _GNU_SOURCE
#include "ui/repl.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <readline/history.h>
#include <readline/readline.h>

#include "base/fsutil.h"
#include "layers/layers.h"
#include "session/builtin.h"
#include "session/command.h"

#define HISTORY_MAX 1000

static int
cmd_quit(struct session *r, int argc, char **argv, const char *rest)
{
	(void)argc, (void)argv, (void)rest;
	r->quit = true;
	return 0;
}

static const struct session_cmd commands[] = {
	{ .name = "quit", .usage = "quit",
	  .summary = "leave boxstep (also: exit, Ctrl-D)", .exec = cmd_quit },
	{ .name = "exit", .usage = "exit", .summary = "leave boxstep",
	  .exec = cmd_quit },
	{ .name = NULL },
};

void
repl_register(void)
{
	session_register(commands);
}

void
repl_init(struct repl *r, const char *default_rootfs, const char *cgroup_root)
{
	session_init(&r->session, default_rootfs, cgroup_root);
}

void
repl_done(struct repl *r)
{
	session_done(&r->session);
}

int
repl_batch(struct repl *r, const char *text, const char *origin,
	   bool stop_on_error)
{
	r->session.scripted = true;
	return session_run_text(&r->session, text, origin, stop_on_error);
}

/* --- completion ------------------------------------------------------- */

static char *
generate(const char *text, int state, const char *(*item)(size_t))
{
	static size_t i;
	const char *name;

	if (state == 0)
		i = 0;
	while ((name = item(i++)) != NULL)
		if (strncmp(name, text, strlen(text)) == 0)
			return strdup(name);
	return NULL;
}

/* The choices of the key being set, for `set KEY <TAB>`. */
static const char *const *value_choices;

static const char *
value_item(size_t i)
{
	if (!value_choices)
		return NULL;
	for (size_t j = 0; j < i; j++)
		if (!value_choices[j])
			return NULL;
	return value_choices[i];
}

static char *gen_command(const char *t, int s) { return generate(t, s, session_command_name_at); }
static char *gen_layer(const char *t, int s) { return generate(t, s, session_layer_name_at); }
static char *gen_key(const char *t, int s) { return generate(t, s, session_key_name_at); }
static char *gen_value(const char *t, int s) { return generate(t, s, value_item); }

/* `set KEY VALUE`: the key's names (N == 1), then its values. */
static char **
complete_key(const char *text, char **words, int n)
{
	const struct plan_key_info *k;

	if (n == 1)
		return rl_completion_matches(text, gen_key);
	if (n == 2 && (k = plan_key_lookup(words[1]))) {
		if (k->choices) {
			value_choices = k->choices;
			return rl_completion_matches(text, gen_value);
		}
		if (strcmp(k->name, "rootfs") == 0)
			rl_attempted_completion_over = 0;
	}
	return NULL;
}

static char **
complete(const char *text, int start, int end)
{
	char *line = strndup(rl_line_buffer, (size_t)start), *words[3] = { 0 };
	const struct session_cmd *c;
	char **result = NULL;
	int n = 0;

	(void)end;
	rl_attempted_completion_over = 1;
	if (!line)
		return NULL;
	/* The words before the one being completed, from the last ';'. */
	{
		char *seg = strrchr(line, ';'), *save = NULL, *w;

		for (w = strtok_r(seg ? seg + 1 : line, " \t", &save);
		     w && n < 3; w = strtok_r(NULL, " \t", &save))
			words[n++] = w;
	}
	if (n == 0) {
		result = rl_completion_matches(text, gen_command);
		goto out;
	}
	if (!(c = session_command(words[0])))
		goto out;
	switch (c->complete) {
	case SESSION_COMPLETE_LAYER:
		result = rl_completion_matches(text, gen_layer);
		break;
	case SESSION_COMPLETE_COMMAND:
		if (n == 1)
			result = rl_completion_matches(text, gen_command);
		break;
	case SESSION_COMPLETE_KEY:
		result = complete_key(text, words, n);
		break;
	case SESSION_COMPLETE_FILE:
		rl_attempted_completion_over = 0;
		break;
	case SESSION_COMPLETE_NONE:
		break;
	}
out:
	free(line);
	return result;
}

/* --- the prompt -------------------------------------------------------- */

/* ~/.local/state/boxstep/history, or under $XDG_STATE_HOME. */
static int
history_path(char *buf, size_t len)
{
	char dir[PATH_MAX];

	if (fsutil_state_dir(dir, sizeof(dir)) < 0)
		return -1;
	return fsutil_join(buf, len, dir, "history");
}

/* Ctrl-C at the prompt drops the line, as in a shell, and never ends
 * boxstep.  The handler only takes note: repl_getc() acts on it. */
static volatile sig_atomic_t prompt_sigint;

static void
on_prompt_sigint(int sig)
{
	(void)sig;
	prompt_sigint = 1;
}

/* readline's input: one byte at a time, as rl_getc() does, but a signal
 * interrupts the read (the handlers have no SA_RESTART), so Ctrl-C gives a
 * fresh prompt here, outside the handler, and SIGTERM or SIGHUP ends the
 * line as Ctrl-D would. */
static int
repl_getc(FILE *in)
{
	unsigned char c;

	for (;;) {
		ssize_t n;

		if (spawn_quit_signal)
			return EOF;
		if (prompt_sigint) {
			prompt_sigint = 0;
			rl_replace_line("", 0);
			fputs("^C\n", rl_outstream);
			rl_on_new_line();
			rl_redisplay();
		}
		n = read(fileno(in), &c, 1);
		if (n == 1)
			return c;
		if (n < 0 && errno == EINTR)
			continue;
		return EOF;
	}
}

static void
make_prompt(const struct session *r, char *buf, size_t len)
{
	size_t n = (size_t)snprintf(buf, len, "boxstep");
	const char *sep = "[";

	for (int i = 0; i < PLAN_NLAYERS && n < len; i++)
		if (plan_has(&r->plan, i)) {
			n += (size_t)snprintf(buf + n, len - n, "%s%s", sep,
					      plan_layer_info(i)->name);
			sep = " ";
		}
	if (n < len)
		snprintf(buf + n, len - n, "%s> ", *sep == ' ' ? "]" : "");
}

/* readline's hooks and signals, and the history file into HIST (false
 * when there is none to keep). */
static bool
setup_readline(char *hist, size_t len)
{
	bool have_hist = history_path(hist, len) == 0;
	struct sigaction sa;

	rl_readline_name = "boxstep";
	rl_attempted_completion_function = complete;
	rl_completer_word_break_characters = " \t;";
	rl_getc_function = repl_getc;
	rl_catch_signals = 0;
	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_prompt_sigint;
	sigaction(SIGINT, &sa, NULL);
	using_history();
	stifle_history(HISTORY_MAX);
	/* append_history() needs the file to exist. */
	if (have_hist && read_history(hist) != 0)
		have_hist = write_history(hist) == 0;
	return have_hist;
}

int
repl_interactive(struct repl *repl)
{
	struct session *r = &repl->session;
	char hist[PATH_MAX], prompt[128];
	bool have_hist = setup_readline(hist, sizeof(hist));
	int last = 0;

	printf("boxstep: build a container one layer at a time. `layers` "
	       "lists them, `help`\nthe commands, `explain LAYER` the "
	       "ideas; Ctrl-D quits.\n");
	if (session_begin(r) != 0) {
		r->quit = true;
		last = 1;
	}
	while (!r->quit && !spawn_quit_signal) {
		char *line;

		session_reap(r);
		make_prompt(r, prompt, sizeof(prompt));
		repl_event(r, &(struct event){ .kind = EVENT_PROMPT });
		line = readline(prompt);
		repl_event(r, &(struct event){ .kind = EVENT_BUSY });
		if (!line) {
			putchar('\n');
			break;
		}
		if (*line && !spawn_quit_signal) {
			add_history(line);
			if (have_hist)
				append_history(1, hist);
			last = session_typed(r, line);
		}
		free(line);
	}
	if (have_hist)
		history_truncate_file(hist, HISTORY_MAX);
	return last;
}
