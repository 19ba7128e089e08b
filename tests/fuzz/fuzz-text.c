/*
 * libFuzzer harness for the text reader: the first bytes choose the
 * line delimiter and the longest line; the rest is read whole and in
 * small pieces, and both readings must make the same records.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "delimited.h"
#include "format.h"
#include "run.h"

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
on_record(struct sdc_writer *w, struct sdc_run *run, struct sdc_record *r)
{
	const struct sdc_field *f = &r->root;

	(void)w, (void)run;
	mix(r->h.id.ptr, r->h.id.len);
	mix(r->h.error.message.ptr, r->h.error.message.len);
	if (f->type == SDC_MAP && f->count == 1)
		f = &f->v.entries[0].value;
	if (f->type == SDC_STRING || f->type == SDC_BYTE_ARRAY)
		mix(f->v.s.ptr, f->v.s.len);
}

static uint64_t
read_text(const struct sdc_text_opts *o, const uint8_t *p, size_t n,
    size_t piece)
{
	static struct sdc_writer w = { .record = on_record,
		.error = on_record };
	struct sdc_options opt;
	struct sdc_run run;
	struct sdc_text_reader *r;

	sdc_options_init(&opt);
	opt.progress = 0;
	sdc_run_start(&run, "fuzz", &opt, &w);
	digest = 0xcbf29ce484222325ULL;
	r = sdc_text_reader_new(&run, "f", o);
	for (size_t i = 0; i < n; i += piece)
		sdc_text_reader_feed(r, p + i, n - i < piece ? n - i : piece);
	sdc_text_reader_finish(r);
	sdc_text_reader_free(r);
	sdc_run_finish(&run);
	return digest;
}

static const char *const delims[] = { "\n", "\r\n", "||", "abc", ";" };

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sdc_text_opts o;
	uint64_t whole;

	if (size < 2)
		return 0;
	sdc_format_find("text")->opts_init(&o);
	o.line_delimiter = delims[data[0] % 5];
	o.max_line = data[1] & 0x80 ? data[1] & 0x7f : 1 << 20;
	whole = read_text(&o, data + 2, size - 2, size);
	if (read_text(&o, data + 2, size - 2, 1 + data[0] / 5 % 7) != whole)
		abort();	/* the cut of the input changed the records */
	sdc_format_find("text")->opts_release(&o);
	return 0;
}
