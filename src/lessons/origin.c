/* origin: the lessons directory, and lessons from elsewhere. */
#define _GNU_SOURCE
#include "lessons/origin.h"

#include <libgen.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "session/command.h"

void
origin_lessons_dir(char *buf, size_t len, const char *datadir)
{
	char exe[PATH_MAX], candidate[PATH_MAX + 64];
	const char *env = getenv("BOXSTEP_LESSONS");
	struct stat st;
	ssize_t n;

	buf[0] = '\0';
	if (env && *env) {
		if (len < PATH_MAX || !realpath(env, buf))
			snprintf(buf, len, "%s", env);
		return;
	}
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return;
	exe[n] = '\0';
	dirname(exe);
	snprintf(candidate, sizeof(candidate), "%s/lessons", exe);
	if (stat(candidate, &st) < 0) {
		snprintf(candidate, sizeof(candidate),
			 "%s/../share/boxstep/lessons", exe);
		if (stat(candidate, &st) < 0)
			snprintf(candidate, sizeof(candidate), "%s/lessons",
				 datadir);
	}
	if (stat(candidate, &st) < 0 || !S_ISDIR(st.st_mode))
		return;
	if (len < PATH_MAX || !realpath(candidate, buf))
		snprintf(buf, len, "%s", candidate);
}

bool
origin_in_dir(const char *path, const char *dir)
{
	char rp[PATH_MAX], rd[PATH_MAX];
	size_t n;

	if (!dir || !dir[0] || !realpath(path, rp) || !realpath(dir, rd))
		return false;
	n = strlen(rd);
	return strncmp(rp, rd, n) == 0 && rp[n] == '/';
}

bool
origin_trust(const char *path, const struct lesson *l, const char *dir,
	     bool trust)
{
	struct stat st;
	struct passwd *pw;
	char when[64] = "?", answer[16];
	size_t nhost = 0;

	if (trust || origin_in_dir(path, dir))
		return true;
	if (stat(path, &st) == 0)
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M",
			 localtime(&st.st_mtime));
	pw = stat(path, &st) == 0 ? getpwuid(st.st_uid) : NULL;
	fprintf(stderr, "boxstep: %s is not one of boxstep's lessons (%s).\n"
		"  owner %s, modified %s; its commands run as root on this "
		"host.\n", path, dir && dir[0] ? dir : "no lessons directory",
		pw ? pw->pw_name : "?", when);
	for (size_t i = 0; i < l->nsteps; i++)
		for (size_t k = 0; k < l->steps[i].ncommands; k++) {
			const char *c = l->steps[i].commands[k];
			const struct session_cmd *cmd = session_line_command(c);

			if (cmd && strcmp(cmd->name, "host") == 0 &&
			    nhost++ < 10)
				fprintf(stderr, "  runs on the host: %s\n", c);
		}
	if (!isatty(STDIN_FILENO)) {
		fprintf(stderr, "boxstep: not taking it without a question; "
			"to take lessons from elsewhere, add --trust\n");
		return false;
	}
	fprintf(stderr, "Take it? [y/N] ");
	fflush(stderr);
	if (!fgets(answer, sizeof(answer), stdin) ||
	    (answer[0] != 'y' && answer[0] != 'Y')) {
		fprintf(stderr, "boxstep: not taken\n");
		return false;
	}
	return true;
}
