/*
 * Plain CSV lines (no quote, no escape, no CR but a final one) split
 * eight bytes at a time, and made into records whose fields point into
 * the input buffer: the record is emitted before the buffer moves.
 * Most lines of most files are plain; any other line goes to libcsv.
 */
#include <stdio.h>
#include <string.h>

#include "banned.h"
#include "csv-read.h"
#include "infer.h"
#include "xalloc.h"

#define LOWS	0x7f7f7f7f7f7f7f7fULL
#define HIGHS	0x8080808080808080ULL

/* 0x80 in every byte of x that is zero, and nothing elsewhere. */
static inline uint64_t
zero_bytes(uint64_t x)
{
	return ~(((x & LOWS) + LOWS) | x | LOWS);
}

static void
grow_ends(struct sdc_csv_reader *r, size_t more)
{
	while (r->cap_cells - r->ncells < more)
		r->cap_cells = r->cap_cells ? r->cap_cells * 2 : 64;
	r->ends = sdc_xreallocarray(r->ends, r->cap_cells, sizeof(*r->ends));
}

/* Room for more cell ends, so that the loops push without checks. */
static inline void
reserve_ends(struct sdc_csv_reader *r, size_t more)
{
	if (r->cap_cells - r->ncells < more)
		grow_ends(r, more);
}

static inline void
push_end(struct sdc_csv_reader *r, size_t end)
{
	r->ends[r->ncells++] = end;
}

#ifdef __SSE2__
#include <emmintrin.h>

/*
 * The sixteen bytes at p + at, of which only those from p + from on
 * count: false at a byte that makes the line not plain.
 */
static inline bool
split_block(struct sdc_csv_reader *r, const uint8_t *p, size_t at,
    size_t from, unsigned *high)
{
	const __m128i x = _mm_loadu_si128((const __m128i *)(const void *)
	    (p + at));
	const unsigned keep = 0xffffu << (from - at);
	unsigned d;

	if ((unsigned)_mm_movemask_epi8(_mm_or_si128(_mm_or_si128(
	    _mm_cmpeq_epi8(x, _mm_set1_epi64x((long long)r->bquote)),
	    _mm_cmpeq_epi8(x, _mm_set1_epi64x((long long)r->besc))),
	    _mm_cmpeq_epi8(x, _mm_set1_epi64x((long long)r->bcr)))) & keep)
		return false;
	*high |= (unsigned)_mm_movemask_epi8(x) & keep;
	reserve_ends(r, 16);
	d = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(x,
	    _mm_set1_epi64x((long long)r->bdelim))) & keep;
	for (; d != 0; d &= d - 1)
		push_end(r, at + (size_t)__builtin_ctz(d));
	return true;
}

/*
 * Lines of sixteen bytes or more: blocks of sixteen, the last one
 * overlapping the one before it rather than reading past the end.
 */
static bool
split_blocks(struct sdc_csv_reader *r, const uint8_t *p, size_t n,
    size_t *done, uint64_t *high)
{
	unsigned hi = 0;
	size_t i;

	if (n < 16)
		return true;
	for (i = 0; i + 16 <= n; i += 16)
		if (!split_block(r, p, i, i, &hi))
			return false;
	if (i < n && !split_block(r, p, n - 16, i, &hi))
		return false;
	*done = n;
	*high |= hi;
	return true;
}
#else
static bool
split_blocks(struct sdc_csv_reader *r, const uint8_t *p, size_t n,
    size_t *done, uint64_t *high)
{
	(void)r, (void)p, (void)n, (void)done, (void)high;
	return true;
}
#endif

/* Then eight at a time, from *done on. */
static bool
split_words(struct sdc_csv_reader *r, const uint8_t *p, size_t n,
    size_t *done, uint64_t *high)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	size_t i;

	for (i = *done; i + 8 <= n; i += 8) {
		uint64_t w, d;

		memcpy(&w, p + i, 8);
		if (zero_bytes(w ^ r->bquote) | zero_bytes(w ^ r->bcr) |
		    zero_bytes(w ^ r->besc))
			return false;
		*high |= w & HIGHS;
		reserve_ends(r, 8);
		for (d = zero_bytes(w ^ r->bdelim); d != 0; d &= d - 1)
			push_end(r, i + ((size_t)__builtin_ctzll(d) >> 3));
	}
	*done = i;
#else
	(void)r, (void)p, (void)n, (void)high;
#endif
	return true;
}

/* Cell ends into r->ends; false when the line is not plain. */
static bool
split(struct sdc_csv_reader *r, const uint8_t *p, size_t n, bool *high)
{
	uint64_t hi = 0;
	size_t i = 0;

	r->ncells = 0;
	if (!split_blocks(r, p, n, &i, &hi) || !split_words(r, p, n, &i, &hi))
		return false;
	reserve_ends(r, n - i + 1);
	for (; i < n; i++) {
		switch (r->cls[p[i]]) {
		case C_PLAIN:
			break;
		case C_DELIM:
			push_end(r, i);
			break;
		case C_HIGH:
			hi = 1;
			break;
		default:
			return false;
		}
	}
	push_end(r, n);	/* room reserved with the last bytes */
	*high = hi != 0;
	return true;
}

/* The field holding offset at, counted from 1. */
static size_t
field_at(const struct sdc_csv_reader *r, size_t at)
{
	size_t i = 0;

	while (i + 1 < r->ncells && r->ends[i] < at)
		i++;
	return i + 1;
}

static bool
row_is_bad(struct sdc_csv_reader *r, const uint8_t *p, size_t n, bool high)
{
	char why[96];
	size_t bad;

	if (r->o->header == SDC_HEADER_USE && r->ncells != r->nkeys) {
		snprintf(why, sizeof(why), "%zu columns, header has %zu",
		    r->ncells, r->nkeys);
		sdc_csv_reject(r, "CSV_COLUMNS", why);
		return true;
	}
	if (high && (bad = sdc_utf8_check(p, n)) != n) {
		snprintf(why, sizeof(why), "invalid UTF-8 in field %zu",
		    field_at(r, bad));
		sdc_csv_reject(r, "CSV_UTF8", why);
		return true;
	}
	return false;
}

static void
set_cell(struct sdc_csv_reader *r, struct sdc_field *f, const uint8_t *p,
    size_t start, size_t end)
{
	if (r->o->infer_types)
		sdc_infer_field(&r->rec.arena, f, (const char *)p + start,
		    end - start, r->o->exact_decimals);
	else
		sdc_field_borrow(f, SDC_STRING, p + start, end - start);
}

/*
 * Rows of strings to a record stream need no record: their frame is
 * made from the cells (sdc_wire_encode_row).  False when the row must
 * be built as a record instead.
 */
static bool
direct_row(struct sdc_csv_reader *r, const uint8_t *p)
{
	const char *id;

	if (r->o->infer_types || r->run->writer != NULL)
		return false;
	if (!r->have_layout) {
		sdc_row_layout_init(&r->layout, r->run->prog,
		    r->o->header == SDC_HEADER_USE ? r->keys : NULL,
		    r->nkeys);
		r->have_layout = true;
	}
	id = sdc_idbuf_make(&r->id, r->rec_line);
	if (!sdc_run_emit_row(r->run, &r->layout, id, r->id.len, p, r->ends,
	    r->ncells))
		return false;
	r->run->n.in++;
	return true;
}

/* All slots at once: one allocation instead of one per field. */
static void
fast_row(struct sdc_csv_reader *r, const uint8_t *p)
{
	struct sdc_arena *a = &r->rec.arena;
	struct sdc_field *root = &r->rec.root;
	size_t start = 0;
	bool map = r->o->header == SDC_HEADER_USE;

	sdc_container_reserve(a, root, (uint32_t)r->ncells);
	for (size_t i = 0; i < r->ncells; i++) {
		struct sdc_field *f = map ? sdc_map_append(a, root,
		    r->keys[i].ptr, r->keys[i].len) : sdc_list_append(a, root);

		set_cell(r, f, p, start, r->ends[i]);
		start = r->ends[i] + 1;
	}
	r->run->n.in++;
	sdc_run_emit(r->run, &r->rec);
}

bool
sdc_csv_fast_line(struct sdc_csv_reader *r, const uint8_t *p,
    const uint8_t *e)
{
	size_t n, start = 0;
	bool high;

	if (e > p && e[-1] == '\n')
		e--;
	if (e > p && e[-1] == '\r')
		e--;
	if (e == p)
		return true;	/* an empty line is no record */
	n = (size_t)(e - p);
	if (!split(r, p, n, &high))
		return false;
	if (r->header == HDR_WANT) {
		r->line_ascii = !high;
		for (size_t i = 0; i < r->ncells; start = r->ends[i++] + 1)
			sdc_csv_add_field(r, p + start, r->ends[i] - start);
		sdc_csv_end_row(r);
		return true;
	}
	if (!row_is_bad(r, p, n, high) && !direct_row(r, p)) {
		sdc_csv_begin_record(r);
		fast_row(r, p);
	}
	return true;
}
