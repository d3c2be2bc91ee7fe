/* libFuzzer target: the JSON reader over any bytes, as a hostile image's
 * manifest.json or index.json would give them. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[256] = "";
	struct json *j = json_parse((const char *)data, size, err, sizeof(err));

	if (!j) {
		if (!err[0])
			abort(); /* a failure without its reason */
		return 0;
	}
	/* The lookups the importer makes never fault. */
	json_str(json_get(json_at(j, 0), "Layers"));
	json_str(json_get(json_at(json_get(j, "manifests"), 0), "digest"));
	json_free(j);
	return 0;
}
