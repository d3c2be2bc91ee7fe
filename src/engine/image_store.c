/* image_store: where images live; listing and removing them. */
#define _GNU_SOURCE
#include "engine/image_store.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/fsutil.h"
#include "base/msg.h"
#include "engine/image_fs.h"

int
image_dir(char *buf, size_t len, char *err, size_t errlen)
{
	const char *env = getenv("BOXSTEP_IMAGES");
	char state[4096];

	if (env && *env) {
		if ((size_t)snprintf(buf, len, "%s", env) >= len)
			return msg_fail(err, errlen, "BOXSTEP_IMAGES is too long");
	} else if (fsutil_state_dir(state, sizeof(state)) < 0 ||
		   (size_t)snprintf(buf, len, "%s/images", state) >= len) {
		return msg_fail(err, errlen, "no state directory for images: "
			    "set HOME, XDG_STATE_HOME or BOXSTEP_IMAGES");
	}
	if (mkdir(buf, 0755) < 0 && errno != EEXIST)
		return msg_fail(err, errlen, "mkdir %s: %s", buf, strerror(errno));
	return 0;
}

bool
image_name_ok(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n > IMAGE_NAME_MAX || name[0] == '.' ||
	    strstr(name, IMAGE_PARTIAL))
		return false;
	return strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
		      "0123456789._-") == n;
}

int
image_path(const char *name, char *buf, size_t len)
{
	char dir[4096], err[256];
	struct stat st;

	if (!image_name_ok(name) || image_dir(dir, sizeof(dir), err,
					      sizeof(err)) < 0 ||
	    (size_t)snprintf(buf, len, "%s/%s", dir, name) >= len ||
	    stat(buf, &st) < 0 || !S_ISDIR(st.st_mode))
		return -1;
	return 0;
}

int
image_list(FILE *out, char *err, size_t errlen)
{
	char dir[4096], path[8192], when[32];
	struct dirent *d;
	struct stat st;
	int n = 0;
	DIR *dp;

	if (image_dir(dir, sizeof(dir), err, errlen) < 0)
		return -1;
	if (!(dp = opendir(dir)))
		return msg_fail(err, errlen, "%s: %s", dir, strerror(errno));
	while ((d = readdir(dp)) != NULL) {
		if (!image_name_ok(d->d_name))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, d->d_name);
		if (stat(path, &st) < 0 || !S_ISDIR(st.st_mode))
			continue;
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M",
			 localtime(&st.st_mtime));
		fprintf(out, "  %-24s imported %s  %s\n", d->d_name, when, path);
		n++;
	}
	closedir(dp);
	if (n == 0)
		fprintf(out, "  (none yet: `sudo boxstep import FILE.tar NAME` "
			"takes a docker save or OCI archive)\n");
	return n;
}

int
image_remove(const char *name, FILE *out, char *err, size_t errlen)
{
	char dir[4096];
	int pdir, rc;

	if (!image_name_ok(name))
		return msg_fail(err, errlen, "'%s' cannot name an image: "
			    "`boxstep images` lists them", name);
	if (image_dir(dir, sizeof(dir), err, errlen) < 0)
		return -1;
	if ((pdir = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return msg_fail(err, errlen, "%s: %s", dir, strerror(errno));
	if (faccessat(pdir, name, F_OK, AT_SYMLINK_NOFOLLOW) < 0) {
		close(pdir);
		return msg_fail(err, errlen, "no image called %s in %s: "
			    "`boxstep images` lists them", name, dir);
	}
	rc = image_remove_at(pdir, name);
	close(pdir);
	if (rc < 0)
		return msg_fail(err, errlen, "remove %s/%s: %s", dir, name,
			    strerror(errno));
	fprintf(out, "removed image %s (%s/%s)\n", name, dir, name);
	return 0;
}

void
image_store_drop(const char *dir, const char *leaf)
{
	int pdir = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (pdir >= 0) {
		image_remove_at(pdir, leaf);
		close(pdir);
	}
}
