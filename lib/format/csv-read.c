/*
 * The CSV reader.  Input is cut into physical lines; a line that
 * holds no quote, escape or carriage return, met between records, is
 * split right here, and every other line goes through libcsv (or, with
 * an escape character, which libcsv lacks, through csv-escape.c).  The
 * plain lines are nearly all of most files, and splitting them without
 * libcsv's copy of every byte into its own buffer is what keeps the
 * reader at about the speed of libcsv alone.  The window keeps the
 * bytes of the record being read, so that a bad record can be kept
 * whole in its error record.
 */
#include <csv.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "banned.h"
#include "csv-read.h"
#include "keyset.h"
#include "diag.h"
#include "infer.h"
#include "wire.h"
#include "xalloc.h"

#define CSV_CHUNK	(256u << 10)
/* What an error record keeps of a record that is too long. */
#define CSV_RAW_MAX	1024

static void
reset_parser(struct sdc_csv_reader *r)
{
	const struct sdc_csv_opts *o = r->o;

	csv_free(&r->parser);
	csv_init(&r->parser, CSV_STRICT | CSV_STRICT_FINI);
	csv_set_delim(&r->parser, (unsigned char)o->delimiter);
	csv_set_quote(&r->parser, (unsigned char)o->quote);
	/* RFC 4180: spaces are part of a field. */
	csv_set_space_func(&r->parser, sdc_csv_no_space);
	csv_set_realloc_func(&r->parser, sdc_xrealloc);
	csv_set_free_func(&r->parser, free);
	sdc_csv_escape_reset(r);
	r->ncols = 0;
	if (r->header == HDR_WANT) {
		r->nheader = 0;
		sdc_buf_reset(&r->names);
	}
}

int
sdc_csv_no_space(unsigned char c)
{
	(void)c;
	return 0;
}

static void
init_classes(struct sdc_csv_reader *r)
{
	const struct sdc_csv_opts *o = r->o;

	r->bdelim = SDC_CSV_ONES * (uint8_t)o->delimiter;
	r->bquote = SDC_CSV_ONES * (uint8_t)o->quote;
	r->besc = SDC_CSV_ONES * (uint8_t)(o->escape ? o->escape : o->quote);
	r->bcr = SDC_CSV_ONES * '\r';
	memset(r->cls, C_PLAIN, 128);
	memset(r->cls + 128, C_HIGH, 128);
	r->cls['\r'] = C_SLOW;
	r->cls['\n'] = C_SLOW;
	r->cls[(unsigned char)o->quote] = C_SLOW;
	if (o->escape)
		r->cls[(unsigned char)o->escape] = C_SLOW;
	r->cls[(unsigned char)o->delimiter] = C_DELIM;
}

struct sdc_csv_reader *
sdc_csv_reader_new(struct sdc_run *run, const char *name,
    const struct sdc_csv_opts *o)
{
	struct sdc_csv_reader *r = sdc_xcalloc(1, sizeof(*r));

	r->run = run;
	r->name = name;
	r->o = o;
	r->max = run->opt.max_record ? run->opt.max_record :
	    SDC_DEFAULT_MAX_RECORD;
	r->line = 1;
	r->skip = o->skip_lines;
	r->header = o->header == SDC_HEADER_NONE ? HDR_DONE : HDR_WANT;
	r->cooked = o->trim || o->null_value != NULL || o->keep_extra;
	csv_init(&r->parser, 0);
	/* The reader bounds its window itself: lines past max are cut. */
	sdc_buf_init(&r->win, SIZE_MAX / 2);
	sdc_buf_init(&r->names, r->max);
	sdc_buf_init(&r->field, r->max);
	reset_parser(r);
	init_classes(r);
	sdc_record_init(&r->rec);
	sdc_idbuf_init(&r->id, name);
	return r;
}

void
sdc_csv_reader_free(struct sdc_csv_reader *r)
{
	if (r == NULL)
		return;
	csv_free(&r->parser);
	sdc_buf_release(&r->names);
	sdc_buf_release(&r->field);
	sdc_record_release(&r->rec);
	sdc_idbuf_release(&r->id);
	if (r->have_layout)
		sdc_row_layout_release(&r->layout);
	free(r->keys);
	free(r->ends);
	sdc_buf_release(&r->win);
	free(r);
}

bool
sdc_csv_reader_ok(const struct sdc_csv_reader *r)
{
	return !r->broken;
}

static bool
record_open(const struct sdc_csv_reader *r)
{
	if (r->o->escape)
		return sdc_csv_escape_open(r);
	/* libcsv's state is in its public struct: 0 is "no row begun". */
	return r->parser.pstate != 0 || r->ncols > 0;
}

/* The bytes from the record's first line to the end of this one. */
static void
raw_bounds(const struct sdc_csv_reader *r, const uint8_t **p, size_t *n)
{
	size_t end = r->line_end;

	if (end > r->rec_start && r->win.data[end - 1] == '\n')
		end--;
	if (end > r->rec_start && r->win.data[end - 1] == '\r')
		end--;
	*p = r->win.data + r->rec_start;
	*n = end - r->rec_start;
}

void
sdc_csv_reject(struct sdc_csv_reader *r, const char *code, const char *reason)
{
	const uint8_t *raw;
	size_t n;
	const char *id = sdc_idbuf_make(&r->id, r->rec_line);

	raw_bounds(r, &raw, &n);
	r->run->n.in++;
	sdc_run_reject_raw(r->run, id, raw, n, code, "%s:%" PRIu64 ": %s",
	    r->name, r->rec_line, reason);
}

/* A broken header leaves nothing to name the fields by. */
static void
header_failed(struct sdc_csv_reader *r, const char *reason)
{
	sdc_csv_reject(r, "CSV_HEADER", reason);
	sdc_run_fail(r->run, SDC_EXIT_DATA);
	r->broken = true;
}

static void
header_name(struct sdc_csv_reader *r, const void *p, size_t n)
{
	if (r->nheader == r->cap_keys) {
		r->cap_keys = r->cap_keys ? r->cap_keys * 2 : 16;
		r->keys = sdc_xreallocarray(r->keys, r->cap_keys,
		    sizeof(*r->keys));
	}
	r->keys[r->nheader].ptr = NULL;
	r->keys[r->nheader].len = n;
	r->nheader++;
	if (n > 0 && !sdc_buf_append(&r->names, p, n))
		r->header_too_long = true;
}

/* The names are in one buffer that no longer moves: point into it. */
static const char *
check_names(struct sdc_csv_reader *r, struct sdc_keyset *seen, char *why,
    size_t whylen)
{
	const char *p = r->names.data ? (const char *)r->names.data : "";

	for (size_t i = 0; i < r->nheader; i++) {
		struct sdc_str *k = &r->keys[i];

		k->ptr = p;
		p += k->len;
		if (sdc_utf8_check(k->ptr, k->len) != k->len)
			return "invalid UTF-8 in the header";
		if (sdc_keyset_add(seen, k->ptr, k->len) >= 0) {
			snprintf(why, whylen, "duplicate column '%.*s' in the "
			    "header", (int)(k->len > 64 ? 64 : k->len), k->ptr);
			return why;
		}
	}
	return NULL;
}

static void
header_done(struct sdc_csv_reader *r)
{
	struct sdc_keyset seen;
	const char *bad;
	char why[160];

	r->header = HDR_DONE;
	if (r->o->header != SDC_HEADER_USE)
		return;
	if (r->header_too_long)
		return header_failed(r, "header longer than the record limit");
	sdc_keyset_init(&seen);
	bad = check_names(r, &seen, why, sizeof why);
	sdc_keyset_release(&seen);
	if (bad != NULL)
		return header_failed(r, bad);
	r->nkeys = r->nheader;
}

void
sdc_csv_begin_record(struct sdc_csv_reader *r)
{
	const char *id = sdc_idbuf_make(&r->id, r->rec_line);

	sdc_run_new_record(r->run, &r->rec, id, r->id.len);
	sdc_field_container(&r->rec.root, r->o->header == SDC_HEADER_USE ?
	    SDC_LIST_MAP : SDC_LIST);
	r->bad_utf8 = 0;
}

static void
set_value(struct sdc_csv_reader *r, struct sdc_field *f, const char *p,
    size_t n)
{
	if (r->o->infer_types)
		sdc_infer_field(&r->rec.arena, f, p, n, r->o->exact_decimals);
	else
		sdc_field_copy_bytes(&r->rec.arena, f, SDC_STRING, p, n);
}

static bool
is_null(const struct sdc_csv_reader *r, const char *p, size_t n)
{
	const char *v = r->o->null_value;

	return v != NULL && strlen(v) == n && memcmp(v, p, n) == 0;
}

/* A cell past the header's columns, as /_extra_1, /_extra_2, ... */
static struct sdc_field *
extra_cell(struct sdc_csv_reader *r)
{
	int n = snprintf(r->extra_key, sizeof(r->extra_key), "_extra_%zu",
	    r->ncols - r->nkeys + 1);
	char *key = sdc_arena_memdup(&r->rec.arena, r->extra_key, (size_t)n);

	return sdc_map_put(&r->rec.arena, &r->rec.root, key, (size_t)n);
}

void
sdc_csv_add_field(struct sdc_csv_reader *r, const void *vp, size_t n)
{
	const char *p = n ? vp : "";
	struct sdc_field *f = NULL;

	if (r->o->trim) {
		while (n > 0 && (*p == ' ' || *p == '\t'))
			p++, n--;
		while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
			n--;
	}
	if (r->header == HDR_WANT) {
		header_name(r, p, n);
		return;
	}
	if (r->ncols == 0)
		sdc_csv_begin_record(r);
	if (!r->line_ascii && r->bad_utf8 == 0 && sdc_utf8_check(p, n) != n)
		r->bad_utf8 = r->ncols + 1;
	if (r->o->header != SDC_HEADER_USE)
		f = sdc_list_append(&r->rec.arena, &r->rec.root);
	else if (r->ncols < r->nkeys)
		f = sdc_map_append(&r->rec.arena, &r->rec.root,
		    r->keys[r->ncols].ptr, r->keys[r->ncols].len);
	else if (r->o->keep_extra)
		f = extra_cell(r);
	if (f != NULL && is_null(r, p, n))
		sdc_field_null(f, SDC_STRING);
	else if (f != NULL)
		set_value(r, f, p, n);
	r->ncols++;
}

static void
emit_row(struct sdc_csv_reader *r)
{
	char why[96];

	if (r->bad_utf8) {
		snprintf(why, sizeof(why), "invalid UTF-8 in field %zu",
		    r->bad_utf8);
		sdc_csv_reject(r, "CSV_UTF8", why);
	} else if (r->o->header == SDC_HEADER_USE && (r->ncols < r->nkeys ||
	    (r->ncols > r->nkeys && !r->o->keep_extra))) {
		snprintf(why, sizeof(why), "%zu columns, header has %zu",
		    r->ncols, r->nkeys);
		sdc_csv_reject(r, "CSV_COLUMNS", why);
	} else {
		r->run->n.in++;
		sdc_run_emit(r->run, &r->rec);
	}
}

void
sdc_csv_end_row(struct sdc_csv_reader *r)
{
	if (r->header == HDR_WANT)
		header_done(r);
	else if (r->ncols > 0)
		emit_row(r);
	r->ncols = 0;
	r->nheader = 0;
	/* A row ended by a lone CR leaves the next one on this line. */
	r->rec_start = r->pos;
	r->rec_line = r->line;
}

static void
on_field(void *p, size_t n, void *data)
{
	sdc_csv_add_field(data, p, n);
}

static void
on_row(int c, void *data)
{
	(void)c;
	sdc_csv_end_row(data);
}

void
sdc_csv_parse_failed(struct sdc_csv_reader *r, const char *reason)
{
	if (r->header == HDR_WANT)
		header_failed(r, reason);
	else
		sdc_csv_reject(r, "CSV_PARSE", reason);
	reset_parser(r);
}

static void
slow_line(struct sdc_csv_reader *r, size_t start, size_t end)
{
	size_t n = end - start, got;

	r->line_ascii = false;
	got = csv_parse(&r->parser, r->win.data + start, n, on_field, on_row, r);
	if (got < n && csv_error(&r->parser) == CSV_EPARSE)
		sdc_csv_parse_failed(r, r->win.data[start + got] ==
		    (uint8_t)r->o->quote ? "quote inside an unquoted field" :
		    "text after a closing quote");
}

/*
 * A record longer than the limit becomes an error record with its
 * first bytes; the rest of its line is dropped (discarding, when the
 * line is not all in the window yet).
 */
static void
too_long(struct sdc_csv_reader *r, size_t start, size_t end)
{
	char why[64];
	size_t keep = r->max < CSV_RAW_MAX ? r->max : CSV_RAW_MAX;

	/* Never more than the limit: the same however the input came. */
	r->rec_start = start;
	r->line_end = end - start < keep ? end : start + keep;
	snprintf(why, sizeof(why), "record longer than %zu bytes", r->max);
	sdc_csv_parse_failed(r, why);
}

/* A line starting at start is a comment (when no record is open). */
static bool
is_comment(const struct sdc_csv_reader *r, size_t start)
{
	return r->o->comment != 0 && start < r->win.len &&
	    r->win.data[start] == (uint8_t)r->o->comment;
}

static void
parse_line(struct sdc_csv_reader *r, size_t start, size_t end)
{
	r->line_end = end;
	if (r->discarding) {
		r->discarding = false;
		return;
	}
	if (r->skip > 0) {
		r->skip--;
		return;
	}
	if (!record_open(r) && start < end && is_comment(r, start))
		return;
	if (!record_open(r)) {
		r->rec_start = start;
		r->rec_line = r->line;
	}
	if (end - r->rec_start > r->max)
		too_long(r, r->rec_start, end);
	else if (r->o->multi_delimiter != NULL)
		sdc_csv_multi_line(r, start, end);
	else if (r->o->escape)
		sdc_csv_escape_line(r, start, end);
	else if (record_open(r) || r->cooked ||
	    !sdc_csv_fast_line(r, r->win.data + start, r->win.data + end))
		slow_line(r, start, end);
}

/* Parse the whole lines in the window, and the last part at the end. */
static void
parse_lines(struct sdc_csv_reader *r, bool eof)
{
	while (r->pos < r->win.len && !r->broken) {
		uint8_t *nl = memchr(r->win.data + r->pos, '\n', r->win.len - r->pos);
		size_t end;

		if (nl == NULL && r->discarding && !eof) {
			r->win.len = r->pos;	/* more of a line too long */
			return;
		}
		if (nl == NULL && !eof)
			return;
		end = nl ? (size_t)(nl - r->win.data) + 1 : r->win.len;
		parse_line(r, r->pos, end);
		r->pos = end;
		if (nl)
			r->line++;
	}
}

static void
skip_bom(struct sdc_csv_reader *r, bool eof)
{
	if (r->started || (r->win.len < 3 && !eof))
		return;
	r->started = true;
	if (r->win.len >= 3 && memcmp(r->win.data, "\xef\xbb\xbf", 3) == 0)
		r->pos = 3;
}

void
sdc_csv_reader_commit(struct sdc_csv_reader *r, size_t n)
{
	r->win.len += n;
	skip_bom(r, false);
	if (r->started)
		parse_lines(r, false);
}

void *
sdc_csv_reader_space(struct sdc_csv_reader *r, size_t *n)
{
	bool open = record_open(r);
	size_t keep = open ? r->rec_start : r->pos;

	if (keep > 0) {
		memmove(r->win.data, r->win.data + keep, r->win.len - keep);
		r->win.len -= keep;
		r->pos -= keep;
		r->rec_start = open ? 0 : r->pos;
	}
	if (r->win.len > r->max) {
		if (r->skip > 0 && !open)
			r->skip--;	/* a long line to skip is no error */
		else if (!open && is_comment(r, r->pos))
			;		/* nor a long comment */
		else {
			r->rec_line = open ? r->rec_line : r->line;
			too_long(r, 0, r->win.len);
		}
		r->discarding = true;
		r->win.len = r->pos;
	}
	if (!sdc_buf_reserve(&r->win, CSV_CHUNK))
		abort();	/* the window has no cap of its own */
	*n = r->win.cap - r->win.len;
	return r->win.data + r->win.len;
}

void
sdc_csv_reader_feed(struct sdc_csv_reader *r, const void *p, size_t n)
{
	const uint8_t *src = p;

	while (n > 0 && !r->broken) {
		size_t room, k;
		void *dst = sdc_csv_reader_space(r, &room);

		k = n < room ? n : room;
		memcpy(dst, src, k);
		sdc_csv_reader_commit(r, k);
		src += k;
		n -= k;
	}
}

void
sdc_csv_reader_finish(struct sdc_csv_reader *r)
{
	if (r->broken)
		return;
	skip_bom(r, true);
	parse_lines(r, true);
	if (r->broken)
		return;
	r->line_end = r->win.len;
	if (r->o->multi_delimiter != NULL)
		return;
	if (r->o->escape) {
		sdc_csv_escape_finish(r);
		return;
	}
	if (csv_fini(&r->parser, on_field, on_row, r) != 0)
		sdc_csv_parse_failed(r, "unterminated quoted field");
}
