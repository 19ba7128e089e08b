/*
 * libFuzzer harness for the SDC Record JSON decoder and renderer.  The
 * first byte picks the read size; the rest is read as JSON values, and
 * each one that decodes to a record must render, and its rendering
 * decode and render again to the same bytes.  Built by scripts/fuzz.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "json-read.h"
#include "record.h"
#include "sdcjson.h"
#include "wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct src {
	const uint8_t	*p;
	size_t		 n, step;
};

static ssize_t
src_read(void *ctx, void *buf, size_t n)
{
	struct src *s = ctx;

	if (n > s->step)
		n = s->step;
	if (n > s->n)
		n = s->n;
	memcpy(buf, s->p, n);
	s->p += n;
	s->n -= n;
	return (ssize_t)n;
}

static void
reader_init(struct sdc_json_reader *jr, struct src *s)
{
	sdc_json_reader_init(jr, SDC_JSON_LINES, true, 1 << 24, src_read, s);
	jr->max_depth = 2 * SDC_MAX_DEPTH + 4;
}

/* The rendering of the record that the one text holds decodes to. */
static void
again(const struct sdc_buf *first)
{
	struct src s = { first->data, first->len, 1 << 16 };
	struct sdc_json_reader jr;
	struct sdc_record r;
	struct sdc_field v;
	struct sdc_buf b;
	char err[256];

	sdc_record_init(&r);
	sdc_buf_init(&b, 1u << 30);
	reader_init(&jr, &s);
	if (sdc_json_next(&jr, &r.arena, &v) != SDC_JSON_VALUE ||
	    sdc_sdcjson_decode(&v, &r, err, sizeof err) != 0 ||
	    sdc_sdcjson_render(&b, &r, false) != NULL ||
	    b.len != first->len || memcmp(b.data, first->data, b.len) != 0)
		abort();
	if (sdc_json_next(&jr, &r.arena, &v) != SDC_JSON_EOF)
		abort();
	sdc_json_reader_release(&jr);
	sdc_buf_release(&b);
	sdc_record_release(&r);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const size_t steps[] = { 1, 2, 7, 64, 4096, 1 << 16 };
	struct sdc_json_reader jr;
	struct sdc_record r;
	struct sdc_field v;
	struct sdc_buf b;
	struct src s;
	enum sdc_json_status st;
	char err[256];

	if (size < 1)
		return 0;
	s = (struct src){ data + 1, size - 1, steps[data[0] % 6] };
	sdc_record_init(&r);
	sdc_buf_init(&b, 1u << 30);
	reader_init(&jr, &s);
	for (;;) {
		sdc_record_clear(&r, SDC_KIND_DATA);
		st = sdc_json_next(&jr, &r.arena, &v);
		if (st != SDC_JSON_VALUE && st != SDC_JSON_ERROR)
			break;
		if (st == SDC_JSON_ERROR ||
		    sdc_sdcjson_decode(&v, &r, err, sizeof err) != 0)
			continue;
		sdc_buf_reset(&b);
		if (sdc_sdcjson_render(&b, &r, false) != NULL)
			abort();
		again(&b);
	}
	sdc_json_reader_release(&jr);
	sdc_buf_release(&b);
	sdc_record_release(&r);
	return 0;
}
