/* libFuzzer target: the lesson parser over any bytes.  Whatever it is
 * given, it parses or says FILE:LINE and leaves nothing allocated. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lessons/lesson.h"

static bool
known(const char *word)
{
	return strcmp(word, "run") == 0 || strcmp(word, "enable") == 0 ||
	       strcmp(word, "set") == 0 || strcmp(word, "host") == 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1), err[1024];
	struct lesson l;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (lesson_parse(text, "fuzz.md", known, &l, err, sizeof(err)) == 0) {
		/* A parsed lesson is whole: every step has its parts. */
		for (size_t i = 0; i < l.nsteps; i++)
			if (!l.steps[i].title || !l.steps[i].prose ||
			    !l.steps[i].ncommands || !l.steps[i].nchecks)
				abort();
		lesson_free(&l);
	} else if (!strstr(err, "fuzz.md:")) {
		abort(); /* an error without its place */
	}
	free(text);
	return 0;
}
