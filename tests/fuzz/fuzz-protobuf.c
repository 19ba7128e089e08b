/*
 * libFuzzer harness for the protobuf format, with the messages of
 * tests/cli/data/protobuf-all.proto (fuzz-protobuf.desc beside this
 * file, as protoc makes it: the golden test protobuf-fuzz-desc checks).
 * The first byte chooses the message and how it is read; the rest is
 * read by the format's reader as a delimited stream or one message,
 * and decoded as one message: what decodes must encode, decode again,
 * and encode to the same bytes.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "format.h"
#include "protobuf.h"
#include "run.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const messages[] = {
	"sdctest.Everything", "sdctest.Few", "sdctest.Scalars",
	"sdctest.Sighting", "sdctest.Sparse", "sdctest.Tree", "sdctest.Point",
	"sdctest.Everything"
};

static struct sdc_pb_schema schema;
static void *opts[2];		/* delimited, single */
static int fd = -1;

static const char *
desc_path(void)
{
	static char path[4096];
	const char *slash = strrchr(__FILE__, '/');
	int n = slash ? (int)(slash - __FILE__) + 1 : 0;

	snprintf(path, sizeof path, "%.*sfuzz-protobuf.desc", n, __FILE__);
	return path;
}

static void
setup(void)
{
	const struct sdc_format *f = sdc_format_find("protobuf");
	const char *path = desc_path();
	char err[512];
	FILE *tmp = tmpfile();

	if (sdc_pb_schema_load(&schema, path, err, sizeof err) != 0 ||
	    tmp == NULL) {
		fprintf(stderr, "fuzz-protobuf: %s\n", err);
		abort();
	}
	fd = fileno(tmp);
	for (int i = 0; i < 2; i++) {
		opts[i] = malloc(f->opts_size);
		f->opts_init(opts[i]);
		f->options[0].set(opts[i], "--protobuf-descriptor", path);
		f->options[1].set(opts[i], "--protobuf-message",
		    "sdctest.Everything");
	}
	f->options[2].set(opts[1], "--protobuf-single", NULL);
}

static void
on_record(struct sdc_writer *w, struct sdc_run *run, struct sdc_record *r)
{
	(void)w, (void)run, (void)r;
}

static void
read_input(const uint8_t *p, size_t n, int single)
{
	static struct sdc_writer w = { .record = on_record,
		.error = on_record };
	struct sdc_options opt;
	struct sdc_input in = { .name = "f" };
	struct sdc_run run;

	if (ftruncate(fd, 0) != 0 || pwrite(fd, p, n, 0) != (ssize_t)n ||
	    lseek(fd, 0, SEEK_SET) != 0)
		abort();
	in.fd = fd;
	sdc_options_init(&opt);
	opt.progress = 0;
	opt.max_record = 4096;
	sdc_run_start(&run, "fuzz", &opt, &w);
	sdc_format_find("protobuf")->read(&run, &in, opts[single]);
	sdc_run_finish(&run);
}

/* Decode then encode into b: false when p is not a message. */
static bool
cycle(const struct sdc_pb_message *m, enum sdc_pb_unknown unknown,
    const uint8_t *p, size_t n, struct sdc_buf *b)
{
	struct sdc_pb_decoder d = { .unknown = unknown };
	struct sdc_arena a;
	struct sdc_field f;
	char err[512];
	bool ok;

	sdc_arena_init(&a);
	d.arena = &a;
	ok = sdc_pb_decode(&d, m, p, n, &f);
	if (ok && !sdc_pb_encode(b, m, &f, err, sizeof err)) {
		fprintf(stderr, "fuzz-protobuf: decoded, not encoded: %s\n",
		    err);
		abort();
	}
	sdc_arena_release(&a);
	return ok;
}

static void
round_trip(const struct sdc_pb_message *m, enum sdc_pb_unknown unknown,
    const uint8_t *p, size_t n)
{
	struct sdc_buf once, twice;

	sdc_buf_init(&once, (size_t)1 << 26);
	sdc_buf_init(&twice, (size_t)1 << 26);
	if (cycle(m, unknown, p, n, &once)) {
		if (!cycle(m, unknown, once.data, once.len, &twice) ||
		    once.len != twice.len || (once.len > 0 &&
		    memcmp(once.data, twice.data, once.len) != 0))
			abort();	/* what we wrote is not what we read */
	}
	sdc_buf_release(&once);
	sdc_buf_release(&twice);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (fd < 0)
		setup();
	if (size < 1)
		return 0;
	read_input(data + 1, size - 1, data[0] & 1);
	round_trip(sdc_pb_schema_message(&schema, messages[data[0] >> 1 & 7]),
	    data[0] & 16 ? SDC_PB_UNKNOWN_DROP : SDC_PB_UNKNOWN_KEEP, data + 1,
	    size - 1);
	return 0;
}
