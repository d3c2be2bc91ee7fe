/* Unit tests for the image importer's pure parts: path cleaning, names,
 * the JSON reader and the tar reader (over archives written here, byte
 * by byte, as ustar, GNU and pax writers lay them out). */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "engine/image.h"
#include "base/json.h"
#include "base/tar.h"
#include "engine/image_fs.h"

static void
clean_paths(void **state)
{
	static const struct { const char *in, *out; int rc; } cases[] = {
		{ "./etc/motd", "etc/motd", 0 }, { "/etc//motd/", "etc/motd", 0 },
		{ "a/./b", "a/b", 0 }, { "./", "", 1 }, { "/", "", 1 },
		{ "", "", 1 }, { "..", NULL, -1 }, { "a/../b", NULL, -1 },
		{ "../../escaped", NULL, -1 }, { "a/..b/c..", "a/..b/c..", 0 },
		{ ".wh..wh..opq", ".wh..wh..opq", 0 },
	};
	char buf[64];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc = image_clean_path(cases[i].in, buf, sizeof(buf));

		if (rc != cases[i].rc || (rc >= 0 && strcmp(buf, cases[i].out)))
			fail_msg("'%s': got %d '%s'", cases[i].in, rc,
				 rc >= 0 ? buf : "");
	}
	assert_int_equal(image_clean_path("aaaaaaaaaa/bbbbbbbbbb", buf, 8), -1);
}

static void
names(void **state)
{
	(void)state;
	assert_true(image_name_ok("busybox-1.36"));
	assert_true(image_name_ok("a_b.c"));
	assert_false(image_name_ok(""));
	assert_false(image_name_ok(".hidden"));
	assert_false(image_name_ok("a/b"));
	assert_false(image_name_ok("x.partial"));
	assert_false(image_name_ok("name with blanks"));
	assert_false(image_name_ok("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"));
}

static void
json_documents(void **state)
{
	const char *doc = "[{\"Config\":\"c.json\",\"RepoTags\":[\"tiny:1.0\"],"
		"\"Layers\":[\"l1/layer.tar\", \"l2/layer.tar\"], \"n\": -1.5e3,"
		" \"ok\": true, \"none\": null, \"esc\": \"a\\\"b\\u00e9\\n\"}]";
	char err[128];
	struct json *j = json_parse(doc, strlen(doc), err, sizeof(err));
	const struct json *m;

	(void)state;
	assert_non_null(j);
	m = json_at(j, 0);
	assert_string_equal(json_str(json_get(m, "Config")), "c.json");
	assert_string_equal(json_str(json_at(json_get(m, "Layers"), 1)),
			    "l2/layer.tar");
	assert_null(json_at(json_get(m, "Layers"), 2));
	assert_int_equal(json_get(m, "n")->type, JSON_NUMBER);
	assert_int_equal(json_get(m, "ok")->type, JSON_BOOL);
	assert_int_equal(json_get(m, "none")->type, JSON_NULL);
	assert_string_equal(json_str(json_get(m, "esc")), "a\"b\xc3\xa9\n");
	assert_null(json_get(m, "missing"));
	assert_null(json_str(json_get(m, "n")));
	json_free(j);
}

static void
json_errors(void **state)
{
	static const struct { const char *doc, *want; } bad[] = {
		{ "", "unexpected end at byte 0" },
		{ "[1, 2", "expected ',' or ']' at byte 5" },
		{ "{\"a\" 1}", "expected ':' at byte 5" },
		{ "{1: 2}", "expected a key at byte 1" },
		{ "\"open", "a string that never ends" },
		{ "[1] x", "text after the end at byte 4" },
		{ "\"\\q\"", "a bad escape" },
		{ "\"\\u12\"", "a bad \\u escape" },
		{ "[wat]", "unexpected word" },
		{ "\"a\tb\"", "a control character" },
	};
	char err[128], deep[200];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct json *j = json_parse(bad[i].doc, strlen(bad[i].doc), err,
					    sizeof(err));

		if (j || !strstr(err, bad[i].want))
			fail_msg("'%s': got '%s'", bad[i].doc, j ? "a tree" : err);
	}
	memset(deep, '[', sizeof(deep));
	assert_null(json_parse(deep, sizeof(deep), err, sizeof(err)));
	assert_non_null(strstr(err, "nested too deep"));
}

/* --- tar ------------------------------------------------------------ */

static unsigned char arch[64 * 1024];
static size_t alen;

static void
header(const char *name, char type, size_t size, const char *link)
{
	unsigned char *b = arch + alen;
	unsigned sum = 0;

	memset(b, 0, TAR_BLOCK);
	snprintf((char *)b, 100, "%s", name);
	snprintf((char *)b + 100, 8, "%07o", 0644);
	snprintf((char *)b + 108, 8, "%07o", 0);
	snprintf((char *)b + 116, 8, "%07o", 0);
	snprintf((char *)b + 124, 12, "%011zo", size);
	snprintf((char *)b + 136, 12, "%011o", 1234567);
	b[156] = (unsigned char)type;
	if (link)
		snprintf((char *)b + 157, 100, "%s", link);
	memcpy(b + 257, "ustar", 6);
	memcpy(b + 263, "00", 2);
	memset(b + 148, ' ', 8);
	for (int i = 0; i < TAR_BLOCK; i++)
		sum += b[i];
	snprintf((char *)b + 148, 8, "%06o", sum);
	alen += TAR_BLOCK;
}

static void
data(const char *text)
{
	size_t n = strlen(text);

	memcpy(arch + alen, text, n);
	alen += (n + TAR_BLOCK - 1) / TAR_BLOCK * TAR_BLOCK;
}

static void
entry(const char *name, char type, const char *content, const char *link)
{
	header(name, type, content ? strlen(content) : 0, link);
	if (content)
		data(content);
}

struct seen {
	char paths[8][300];
	char contents[8][64];
	char types[8];
	int n;
};

static int
collect(const struct tar_entry *e, struct tar_reader *tr, void *arg,
	char *err, size_t errlen)
{
	struct seen *s = arg;
	ssize_t n;

	(void)err, (void)errlen;
	if (s->n == 8)
		return -1;
	snprintf(s->paths[s->n], sizeof(s->paths[0]), "%s", e->path);
	s->types[s->n] = e->type;
	n = tar_data(tr, s->contents[s->n], sizeof(s->contents[0]) - 1);
	s->contents[s->n][n > 0 ? n : 0] = '\0';
	s->n++;
	return 0;
}

static int
read_arch(struct seen *s, char *err, size_t errlen)
{
	int fd = memfd_create("tar", 0), rc;

	memset(s, 0, sizeof(*s));
	assert_true(fd >= 0);
	assert_int_equal(write(fd, arch, alen), (ssize_t)alen);
	lseek(fd, 0, SEEK_SET);
	rc = tar_read(fd, -1, collect, s, err, errlen);
	close(fd);
	return rc;
}

static void
tar_entries(void **state)
{
	char longname[300], pax[400], rec[320], err[256];
	struct seen s;

	(void)state;
	alen = 0;
	entry("./etc/", '5', NULL, NULL);
	entry("./etc/motd", '0', "hello\n", NULL);
	entry("./etc/hard", '1', NULL, "./etc/motd");
	entry("./bin/sh", '2', NULL, "busybox");
	/* GNU long name: an 'L' record, then the entry */
	memset(longname, 'n', 250);
	longname[250] = '\0';
	entry("././@LongLink", 'L', longname, NULL);
	entry("cut", '0', "long", NULL);
	/* pax: a path record */
	snprintf(rec, sizeof(rec), "path=dir/%s\n", "paxname");
	snprintf(pax, sizeof(pax), "%zu %s", strlen(rec) + 3, rec);
	entry("PaxHeaders/x", 'x', pax, NULL);
	entry("short", '0', "pax", NULL);
	memset(arch + alen, 0, 2 * TAR_BLOCK);
	alen += 2 * TAR_BLOCK;
	assert_int_equal(read_arch(&s, err, sizeof(err)), 0);
	assert_int_equal(s.n, 6);
	assert_string_equal(s.paths[1], "./etc/motd");
	assert_string_equal(s.contents[1], "hello\n");
	assert_int_equal(s.types[2], '1');
	assert_int_equal(s.types[3], '2');
	assert_string_equal(s.paths[4], longname);
	assert_string_equal(s.contents[4], "long");
	assert_string_equal(s.paths[5], "dir/paxname");
	assert_string_equal(s.contents[5], "pax");
	/* The end of the file at a boundary ends it too. */
	alen -= 2 * TAR_BLOCK;
	assert_int_equal(read_arch(&s, err, sizeof(err)), 0);
	assert_int_equal(s.n, 6);
}

static void
tar_errors(void **state)
{
	char err[256];
	struct seen s;

	(void)state;
	alen = 0;
	assert_int_equal(read_arch(&s, err, sizeof(err)), -1);
	assert_string_equal(err, "the archive is empty");
	entry("a", '0', "data", NULL);
	arch[148] ^= 1; /* the checksum */
	assert_int_equal(read_arch(&s, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "entry 1: a damaged header"));
	alen = 0;
	header("big", '0', 5000, NULL); /* promises more than there is */
	data("short");
	assert_int_equal(read_arch(&s, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "entry 1 (big): its data is cut short"));
	alen = 0;
	entry("x", 'x', "99 path=a\n", NULL);
	entry("y", '0', "", NULL);
	assert_int_equal(read_arch(&s, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "a malformed pax header"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(clean_paths),
		cmocka_unit_test(names),
		cmocka_unit_test(json_documents),
		cmocka_unit_test(json_errors),
		cmocka_unit_test(tar_entries),
		cmocka_unit_test(tar_errors),
	};

	return cmocka_run_group_tests_name("image", tests, NULL, NULL);
}
