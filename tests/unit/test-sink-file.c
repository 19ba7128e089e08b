/*
 * The file destination's pieces: each codec's stream read back by its
 * own tool (gzip, zstd, lz4, python-snappy), the writing thread's order
 * and errors, the atomic publication,
 * the rules of rolling and lateness, the base directory of --check.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "file-codec.h"
#include "file-publish.h"
#include "file-rules.h"
#include "file-sink.h"
#include "tap.h"

static char tmp[] = "/tmp/sdc-test-sink-file.XXXXXX";

/* Some MB of lines, compressible but not trivially. */
static char *
sample(size_t *len)
{
	size_t n = 3u << 20, at = 0;
	char *p = malloc(n + 64);
	unsigned x = 1;

	while (at < n) {
		x = x * 1103515245u + 12345u;
		at += (size_t)snprintf(p + at, 64, "{\"zone\":\"z%u\",\"n\":%u}\n",
		    (x >> 16) % 50, x % 100000);
	}
	*len = at;
	return p;
}

static bool
same_file(const char *path, const char *p, size_t n)
{
	FILE *f = fopen(path, "rb");
	char *got = malloc(n + 1);
	size_t k = f ? fread(got, 1, n + 1, f) : 0;
	bool same = k == n && memcmp(got, p, n) == 0;

	if (f)
		fclose(f);
	free(got);
	return same;
}

static void
test_codec(enum sdc_codec_kind kind, const char *unpack)
{
	char path[256], out[256], cmd[800];
	size_t n;
	char *p = sample(&n);
	int fd, rc = 0;
	struct sdc_codec *c;

	snprintf(path, sizeof path, "%s/c%s", tmp, sdc_codec_extension(kind));
	snprintf(out, sizeof out, "%s/c.out", tmp);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	c = sdc_codec_new(kind, fd);
	for (size_t at = 0, k; at < n && rc == 0; at += k) {
		k = (at * 7 + 1000) % 70000 + 1;
		k = k < n - at ? k : n - at;
		rc = sdc_codec_write(c, p + at, k);
	}
	if (rc == 0)
		rc = sdc_codec_finish(c);
	ok(rc == 0, "%s: written", sdc_codec_names[kind]);
	ok(sdc_codec_written(c) == (uint64_t)lseek(fd, 0, SEEK_END),
	    "%s: counts the bytes on disk", sdc_codec_names[kind]);
	if (kind != SDC_CODEC_NONE)
		ok(sdc_codec_written(c) < n / 2, "%s: compresses",
		    sdc_codec_names[kind]);
	sdc_codec_free(c);
	close(fd);
	snprintf(cmd, sizeof cmd, "%s < %s > %s", unpack, path, out);
	ok(system(cmd) == 0, "%s: %s reads it", sdc_codec_names[kind], unpack);
	ok(same_file(out, p, n), "%s: the same bytes back",
	    sdc_codec_names[kind]);
	free(p);
}

static void
test_empty_codec(enum sdc_codec_kind kind, const char *unpack)
{
	char path[256], cmd[800];
	int fd;
	struct sdc_codec *c;

	snprintf(path, sizeof path, "%s/e%s", tmp, sdc_codec_extension(kind));
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	c = sdc_codec_new(kind, fd);
	ok(sdc_codec_finish(c) == 0, "%s: an empty stream",
	    sdc_codec_names[kind]);
	sdc_codec_free(c);
	close(fd);
	snprintf(cmd, sizeof cmd, "test -z \"$(%s < %s)\"", unpack, path);
	ok(system(cmd) == 0, "%s: reads back empty", sdc_codec_names[kind]);
}

/* Two files written at once through the one writing thread. */
static void
test_two_files(void)
{
	char path[2][256];
	size_t n;
	char *p = sample(&n);
	struct sdc_codec *c[2];
	int fd[2], rc = 0;

	for (int i = 0; i < 2; i++) {
		snprintf(path[i], sizeof path[i], "%s/two%d", tmp, i);
		fd[i] = open(path[i], O_WRONLY | O_CREAT | O_TRUNC, 0644);
		c[i] = sdc_codec_new(SDC_CODEC_NONE, fd[i]);
	}
	for (size_t at = 0, k; at < n && rc == 0; at += k) {
		k = n - at < 100000 ? n - at : 100000;
		rc = sdc_codec_write(c[0], p + at, k) |
		    sdc_codec_write(c[1], p + at, k);
	}
	for (int i = 0; i < 2; i++) {
		rc |= sdc_codec_finish(c[i]);
		sdc_codec_free(c[i]);
		close(fd[i]);
	}
	ok(rc == 0, "two files at once: written");
	ok(same_file(path[0], p, n) && same_file(path[1], p, n),
	    "two files at once: each has its bytes in order");
	free(p);
}

/* A write that fails is reported by a later call, and stops the writes. */
static void
test_failed_write(void)
{
	char path[256];
	size_t n;
	char *p = sample(&n);
	struct sdc_codec *c;
	int fd, rc = 0;

	snprintf(path, sizeof path, "%s/readonly", tmp);
	close(open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644));
	fd = open(path, O_RDONLY);
	c = sdc_codec_new(SDC_CODEC_NONE, fd);
	for (size_t at = 0; at < n && rc == 0; at += 1000)
		rc = sdc_codec_write(c, p + at, n - at < 1000 ? n - at : 1000);
	is_int(rc, EBADF, "a failed write: a later write says why");
	is_int(sdc_codec_finish(c), EBADF, "a failed write: so does finish");
	ok(sdc_codec_written(c) == 0, "a failed write: nothing counted");
	sdc_codec_free(c);
	close(fd);
	free(p);
}

static bool
exists(const char *dir, const char *name, bool temp, off_t size)
{
	char *p = sdc_publish_path(dir, name, temp);
	struct stat st;
	bool there = stat(p, &st) == 0 && (size < 0 || st.st_size == size);

	free(p);
	return there;
}

static void
test_publish(void)
{
	char dir[256], *path = NULL, *again = NULL;
	struct stat st;
	int fd;

	snprintf(dir, sizeof dir, "%s/a/b//c", tmp);
	is_int(sdc_mkdirs(dir), 0, "mkdirs makes every component");
	is_int(sdc_mkdirs(dir), 0, "and is happy when they exist");
	fd = sdc_publish_create(dir, "part.json");
	ok(fd >= 0, "a temp file is created");
	ok(write(fd, "{}\n", 3) == 3, "and written");
	ok(exists(dir, "part.json", true, 3), "as .NAME.tmp");
	ok(sdc_publish_create(dir, "part.json") < 0, "a second writer of the "
	    "same temp file is refused");
	is_int(sdc_publish(fd, dir, "part.json", &path), 0, "published");
	ok(path && strstr(path, "/c/part.json") != NULL &&
	    stat(path, &st) == 0 && st.st_size == 3, "under its name");
	fd = sdc_publish_create(dir, "part.json");
	ok(write(fd, "[]\n", 3) == 3, "a second file of the same name");
	is_int(sdc_publish(fd, dir, "part.json", &again), 0, "published too");
	ok(again && strstr(again, "/c/part.json-1") != NULL,
	    "beside the first, never over it");
	ok(same_file(path, "{}\n", 3), "the first is intact");
	ok(!exists(dir, "part.json", true, -1), "no temp file is left");
	snprintf(dir, sizeof dir, "%s/c.gz", tmp);
	ok(sdc_mkdirs(dir) != 0, "mkdirs over a file fails");
	free(path);
	free(again);
}

static void
test_roll(void)
{
	struct sdc_roll_policy p = { 3, 100, 10, 2 };
	struct sdc_roll_state st = { 2, 50, 100, 105 };

	is_int(sdc_roll_full(&p, &st), SDC_ROLL_NO, "below the bounds");
	st.records = 3;
	is_int(sdc_roll_full(&p, &st), SDC_ROLL_RECORDS, "at --max-records");
	st.records = 1;
	st.bytes = 100;
	is_int(sdc_roll_full(&p, &st), SDC_ROLL_BYTES, "at --max-bytes");
	is_int(sdc_roll_expired(&p, &st, 106), SDC_ROLL_NO, "young, busy");
	is_int(sdc_roll_expired(&p, &st, 107), SDC_ROLL_IDLE,
	    "at --idle-timeout");
	st.last_put = 109.5;
	is_int(sdc_roll_expired(&p, &st, 110), SDC_ROLL_AGE, "at --max-age");
	ok(sdc_roll_due_in(&p, &st, 109.5) > 0.49 &&
	    sdc_roll_due_in(&p, &st, 109.5) < 0.51, "due at the nearer one");
	p = (struct sdc_roll_policy){ 0, 0, 0, 0 };
	st.records = 1u << 30;
	st.bytes = 1ull << 40;
	is_int(sdc_roll_full(&p, &st), SDC_ROLL_NO, "0 is no bound");
	is_int(sdc_roll_expired(&p, &st, 1e9), SDC_ROLL_NO, "nor age");
	ok(sdc_roll_due_in(&p, &st, 0) < 0, "never due");
}

static void
test_late(void)
{
	struct sdc_late_rule l;

	sdc_late_init(&l, 3600000);
	ok(!sdc_late_check(&l, 10000000), "the first is never late");
	ok(!sdc_late_check(&l, 10000000 - 3600000), "at the limit: on time");
	ok(sdc_late_check(&l, 10000000 - 3600001), "past it: late");
	ok(!sdc_late_check(&l, 20000000), "newer moves the newest on");
	ok(sdc_late_check(&l, 10000000), "so older ones become late");
	sdc_late_init(&l, 0);
	ok(!sdc_late_check(&l, 10000000) && !sdc_late_check(&l, 0),
	    "--late-limit 0: nothing is late");
}

static void
test_base_dir(void)
{
	static const char *const cases[][2] = {
		{ "/data/%Y/%m/${/zone}", "/data" },
		{ "/data/x-%Y", "/data" },
		{ "/%Y", "/" },
		{ "out", "out" },
		{ "out/sub", "out/sub" },
		{ "${/zone}", "." },
		{ "rel/${/zone}/x", "rel" },
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *b = sdc_file_base_dir(cases[i][0]);

		is_str(b, cases[i][1], cases[i][0]);
		free(b);
	}
}

static void
test_names(void)
{
	struct file_opts o;
	char *t;

	sdc_file_opts_init(&o);
	t = sdc_file_name_template(&o);
	is_str(t, "sdc-${uuid}", "the default name");
	free(t);
	o.suffix = ".json";
	o.compression = SDC_CODEC_ZSTD;
	t = sdc_file_name_template(&o);
	is_str(t, "sdc-${uuid}.json.zst", "suffix, then the extension");
	free(t);
	o.name = "part-${seq}";
	t = sdc_file_name_template(&o);
	is_str(t, "part-${seq}", "--name as it is");
	free(t);
}

int
main(void)
{
	char cmd[300], unsnappy[512];
	const char *src = getenv("top_srcdir");

	snprintf(unsnappy, sizeof unsnappy, "/usr/bin/python3 %s/tests/sink/"
	    "unsnappy.py", src ? src : "..");
	if (mkdtemp(tmp) == NULL)
		return 99;
	test_codec(SDC_CODEC_NONE, "cat");
	test_codec(SDC_CODEC_GZIP, "gzip -dc");
	test_codec(SDC_CODEC_ZSTD, "zstd -dcq");
	test_codec(SDC_CODEC_LZ4, "lz4 -dcq");
	test_codec(SDC_CODEC_SNAPPY, unsnappy);
	test_empty_codec(SDC_CODEC_GZIP, "gzip -dc");
	test_empty_codec(SDC_CODEC_ZSTD, "zstd -dcq");
	test_empty_codec(SDC_CODEC_LZ4, "lz4 -dcq");
	test_empty_codec(SDC_CODEC_SNAPPY, unsnappy);
	test_two_files();
	test_failed_write();
	test_publish();
	test_roll();
	test_late();
	test_base_dir();
	test_names();
	snprintf(cmd, sizeof cmd, "rm -rf %s", tmp);
	if (system(cmd) != 0)
		return 99;
	return tap_done();
}
