/* libFuzzer target: the tar reader over any bytes, as an image layer
 * from an untrusted archive would give it.  It reads every entry's data,
 * stops cleanly or says why, and the names it gives are strings. */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "base/tar.h"
#include "engine/image.h"
#include "engine/image_fs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
each(const struct tar_entry *e, struct tar_reader *tr, void *arg, char *err,
     size_t errlen)
{
	char buf[4096], clean[4096];
	ssize_t n;

	(void)arg, (void)err, (void)errlen;
	if (strlen(e->path) > (1 << 20) || strlen(e->link) > (1 << 20))
		abort();
	image_clean_path(e->path, clean, sizeof(clean));
	while ((n = tar_data(tr, buf, sizeof(buf))) > 0)
		;
	return n < 0 ? -1 : 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[512] = "";
	int fd = memfd_create("fuzz", MFD_CLOEXEC);

	if (fd < 0)
		return 0;
	if (write(fd, data, size) == (ssize_t)size) {
		lseek(fd, 0, SEEK_SET);
		if (tar_read(fd, (long long)size, each, NULL, err,
			     sizeof(err)) < 0 && !err[0])
			abort(); /* a failure without its reason */
	}
	close(fd);
	return 0;
}
