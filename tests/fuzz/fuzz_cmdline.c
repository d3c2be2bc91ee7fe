/* libFuzzer target: the REPL's command splitter over any bytes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/cmdline.h"

static bool
rest(const char *word)
{
	return strcmp(word, "host") == 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1), err[256];
	struct cmdline_list list;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (cmdline_parse(text, rest, &list, err, sizeof(err)) == 0) {
		for (size_t i = 0; i < list.n; i++) {
			const struct cmdline_cmd *c = &list.cmds[i];

			/* argv is argc words and a NULL; lines count up. */
			if (c->argc < 1 || c->argv[c->argc] != NULL ||
			    c->line < 1 || (i && c->line < list.cmds[i - 1].line))
				abort();
			for (int k = 0; k < c->argc; k++)
				(void)strlen(c->argv[k]);
		}
		cmdline_free(&list);
	}
	free(text);
	return 0;
}
