/*
 * libFuzzer harness for the CSV reader.  The first bytes choose the
 * options (delimiter, quote, escape, header mode, inference, record
 * limit, cooked cells, a delimiter of several bytes, the mysql
 * dialect); the rest is read twice, whole and in small pieces, and both
 * readings must make the same records.  Under the default record limit
 * it is read a third time to a record stream, where plain rows become
 * frames with no record built, and the frames read back must hold the
 * same records again.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "delimited.h"
#include "format.h"
#include "frame-reader.h"
#include "run.h"
#include "wire.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint64_t digest;

static void
mix(const void *p, size_t n)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++)
		digest = (digest ^ b[i]) * 0x100000001b3ULL;
	digest = (digest ^ 0xff) * 0x100000001b3ULL;
}

static void
mix_field(const struct sdc_field *f)
{
	mix(&f->type, 1);
	mix(&f->null, 1);
	if (f->null)
		return;
	if (f->type == SDC_STRING || f->type == SDC_BYTE_ARRAY ||
	    f->type == SDC_DECIMAL)
		mix(f->v.s.ptr, f->v.s.len);
	else if (f->type == SDC_LIST)
		for (uint32_t i = 0; i < f->count; i++)
			mix_field(&f->v.items[i]);
	else if (f->type == SDC_LIST_MAP || f->type == SDC_MAP)
		for (uint32_t i = 0; i < f->count; i++) {
			mix(f->v.entries[i].key.ptr, f->v.entries[i].key.len);
			mix_field(&f->v.entries[i].value);
		}
	else if (f->type == SDC_BOOLEAN)
		mix(&f->v.b, sizeof(f->v.b));
	else if (f->type == SDC_DOUBLE)
		mix(&f->v.d, sizeof(f->v.d));
	else
		mix(&f->v.i, sizeof(f->v.i));
}

static void
on_record(struct sdc_writer *w, struct sdc_run *run, struct sdc_record *r)
{
	(void)w, (void)run;
	mix(r->h.id.ptr, r->h.id.len);
	mix(r->h.error.message.ptr, r->h.error.message.len);
	mix_field(&r->root);
}

static uint64_t
read_csv(const struct sdc_csv_opts *o, size_t max, const uint8_t *p,
    size_t n, size_t piece)
{
	static struct sdc_writer w = { .record = on_record,
		.error = on_record };
	struct sdc_options opt;
	struct sdc_run run;
	struct sdc_csv_reader *r;

	sdc_options_init(&opt);
	opt.progress = 0;
	opt.max_record = max;
	sdc_run_start(&run, "fuzz", &opt, &w);
	digest = 0xcbf29ce484222325ULL;
	r = sdc_csv_reader_new(&run, "f", o);
	for (size_t i = 0; i < n; i += piece)
		sdc_csv_reader_feed(r, p + i, n - i < piece ? n - i : piece);
	sdc_csv_reader_finish(r);
	sdc_csv_reader_free(r);
	sdc_run_finish(&run);
	return digest;
}

static void
read_back(int fd)
{
	struct sdc_frame_reader fr;
	struct sdc_frame f;
	struct sdc_record r;
	const char *reason;

	sdc_frame_reader_open(&fr, "-", 1u << 22);
	fr.fd = fd;
	sdc_record_init(&r);
	while (sdc_frame_reader_next(&fr, &f) == SDC_READ_FRAME) {
		if (sdc_wire_decode(&r, f.kind, f.payload, f.payload_len,
		    &reason) != 0)
			abort();
		on_record(NULL, NULL, &r);
	}
	sdc_record_release(&r);
	sdc_frame_reader_close(&fr);
}

static uint64_t
read_csv_to_frames(const struct sdc_csv_opts *o, const uint8_t *p,
    size_t n)
{
	int fd = memfd_create("fuzz-csv", 0), out = dup(STDOUT_FILENO);
	struct sdc_options opt;
	struct sdc_run run;
	struct sdc_csv_reader *r;

	if (fd < 0 || out < 0 || dup2(fd, STDOUT_FILENO) < 0)
		abort();
	sdc_options_init(&opt);
	opt.progress = 0;
	sdc_run_start(&run, "fuzz", &opt, NULL);
	r = sdc_csv_reader_new(&run, "f", o);
	sdc_csv_reader_feed(r, p, n);
	sdc_csv_reader_finish(r);
	sdc_csv_reader_free(r);
	sdc_run_finish(&run);
	dup2(out, STDOUT_FILENO);
	close(out);
	lseek(fd, 0, SEEK_SET);
	digest = 0xcbf29ce484222325ULL;
	read_back(fd);
	close(fd);
	return digest;
}

static const char delims[] = ",;\t|\"'\\";

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sdc_csv_opts o;
	size_t max;
	uint64_t whole;

	if (size < 3)
		return 0;
	sdc_format_find("csv")->opts_init(&o);
	o.delimiter = delims[data[0] % 3];
	o.quote = data[0] & 0x10 ? '\'' : '"';
	o.escape = data[0] & 0x20 ? '\\' : 0;
	o.header = (enum sdc_header_mode)(data[1] % 3);
	o.infer_types = data[1] & 0x10;
	o.exact_decimals = data[1] & 0x20;
	o.skip_lines = data[1] >> 6;
	if (data[0] & 0x40) {
		o.null_value = "\\N";
		o.trim = o.keep_extra = true;
		o.comment = '#';
	}
	if (data[0] & 0x80 && data[0] & 0x20)
		sdc_csv_dialect(&o, "mysql");
	else if (data[0] & 0x80)
		o.multi_delimiter = "||";
	max = data[2] & 0x80 ? 32 + (data[2] & 0x3f) : 1 << 20;
	whole = read_csv(&o, max, data + 3, size - 3, size);
	if (read_csv(&o, max, data + 3, size - 3, 1 + data[2] % 5) != whole)
		abort();	/* the cut of the input changed the records */
	if (!(data[2] & 0x80) &&
	    read_csv_to_frames(&o, data + 3, size - 3) != whole)
		abort();	/* frames made from rows differ from records */
	return 0;
}
