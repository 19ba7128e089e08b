/*
 * libFuzzer harness for the JSON reader and the typed frame decoder.
 * The first byte picks the mode, exact decimals and the read size; the
 * rest is the input.  Every value read must render, and the rendering
 * must read back to an equal value; every typed frame that decodes
 * must render typed and decode again to the same rendering.  Built by
 * scripts/fuzz.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "json-read.h"
#include "json-write.h"
#include "record.h"
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

/* Parse exactly one value out of text, into a. */
static bool
parse_one(struct sdc_arena *a, const uint8_t *text, size_t n, bool exact,
    int max_depth, struct sdc_field *out)
{
	struct sdc_json_reader jr;
	struct src s = { text, n, 1 << 16 };
	struct sdc_field f;
	bool ok;

	sdc_json_reader_init(&jr, SDC_JSON_LINES, exact, 1 << 24, src_read, &s);
	jr.max_depth = max_depth;
	ok = sdc_json_next(&jr, a, &f) == SDC_JSON_VALUE;
	if (ok)
		sdc_field_clone(a, out, &f);
	ok = ok && sdc_json_next(&jr, a, &f) == SDC_JSON_EOF;
	sdc_json_reader_release(&jr);
	return ok;
}

static void
render(struct sdc_buf *b, const struct sdc_field *f, bool typed)
{
	struct sdc_json_style st = { typed, false, false };
	size_t bound = sdc_json_field_bound(f, &st, 0);

	sdc_buf_reset(b);
	if (!sdc_buf_reserve(b, bound))
		abort();
	if (sdc_json_render_field(b, f, &st, 0) != NULL || b->len > bound)
		abort();
}

static void
check_plain(const struct sdc_field *f, bool exact)
{
	struct sdc_arena a;
	struct sdc_buf b;
	struct sdc_field back;

	sdc_arena_init(&a);
	sdc_buf_init(&b, 1u << 28);
	render(&b, f, false);
	if (!parse_one(&a, b.data, b.len, exact, SDC_MAX_DEPTH, &back) ||
	    !sdc_field_equal(f, &back))
		abort();
	sdc_buf_release(&b);
	sdc_arena_release(&a);
}

/* A typed frame that decodes renders typed and decodes the same. */
static void
check_typed(const struct sdc_field *v)
{
	struct sdc_json_style st = { true, false, false };
	struct sdc_record r, r2;
	struct sdc_buf b, b2;
	struct sdc_field back;
	enum sdc_typed_frame what;
	struct sdc_str payload;
	uint8_t kind;
	char err[256];

	sdc_record_init(&r);
	sdc_record_init(&r2);
	sdc_buf_init(&b, 1u << 28);
	sdc_buf_init(&b2, 1u << 28);
	if (sdc_json_typed_decode(v, &r, &what, &kind, &payload, err,
	    sizeof err) != 0 || what != SDC_TYPED_RECORD)
		goto out;
	sdc_buf_reserve(&b, sdc_json_record_bound(&r, &st, 0));
	if (sdc_json_render_record(&b, &r, &st, 0) != NULL)
		abort();
	if (!parse_one(&r2.arena, b.data, b.len, true, 2 * SDC_MAX_DEPTH + 2,
	    &back) || sdc_json_typed_decode(&back, &r2, &what, &kind,
	    &payload, err, sizeof err) != 0)
		abort();
	sdc_buf_reserve(&b2, sdc_json_record_bound(&r2, &st, 0));
	sdc_json_render_record(&b2, &r2, &st, 0);
	if (b.len != b2.len || memcmp(b.data, b2.data, b.len) != 0)
		abort();
out:
	sdc_buf_release(&b);
	sdc_buf_release(&b2);
	sdc_record_release(&r);
	sdc_record_release(&r2);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const size_t steps[] = { 1, 2, 7, 64, 4096, 1 << 16 };
	struct sdc_json_reader jr;
	struct sdc_arena a;
	struct sdc_field f;
	struct src s;
	enum sdc_json_status st;
	bool exact;

	if (size < 1)
		return 0;
	exact = data[0] & 4;
	s = (struct src){ data + 1, size - 1, steps[(data[0] >> 3) % 6] };
	sdc_arena_init(&a);
	sdc_json_reader_init(&jr, (enum sdc_json_mode)(data[0] % 3), exact,
	    data[0] & 0x80 ? 64 : 1 << 20, src_read, &s);
	if (data[0] & 0x40)
		jr.chunk = 16;
	while ((st = sdc_json_next(&jr, &a, &f)) == SDC_JSON_VALUE ||
	    st == SDC_JSON_ERROR) {
		if (st == SDC_JSON_VALUE) {
			check_plain(&f, exact);
			if (exact)
				check_typed(&f);
		}
		sdc_arena_reset(&a);
	}
	sdc_json_reader_release(&jr);
	sdc_arena_release(&a);
	return 0;
}
