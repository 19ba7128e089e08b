/*
 * The CSV writer.  A map record is a row under the header taken from
 * the first map's keys; a list record is its values in order; any
 * other value is a one-column row.  A cell is quoted only when it must
 * be (the delimiter, the quote, the escape, CR or LF inside, or a
 * space at either end), so that a file in that canonical quoting
 * comes back byte for byte.  Rows end in LF.
 */
#include <stdlib.h>
#include <string.h>

#include "banned.h"
#include "delimited.h"
#include "xalloc.h"

struct csv_writer {
	struct sdc_writer	  w;
	char			  delim, quote, escape;
	bool			  header_line;	/* print one */
	bool			  have_header;
	bool			  wrote;	/* a row is out */
	bool			  special[256];
	struct sdc_str		 *cols;		/* into names */
	char			 *names;
	size_t			  ncols;
	const struct sdc_field	**cells;	/* in header order */
	struct sdc_buf		  scratch;
};

static bool
needs_quotes(const struct csv_writer *cw, const struct sdc_str *s)
{
	const uint8_t *p = (const uint8_t *)s->ptr;

	if (s->len > 0 && (p[0] == ' ' || p[s->len - 1] == ' '))
		return true;
	for (size_t i = 0; i < s->len; i++)
		if (cw->special[p[i]])
			return true;
	return false;
}

/* Append one cell; room for 2 * len + 3 bytes is reserved. */
static void
put_cell(struct csv_writer *cw, struct sdc_buf *b, const struct sdc_str *s,
    bool alone)
{
	const uint8_t *p = (const uint8_t *)s->ptr;
	char doubler = cw->escape ? cw->escape : cw->quote;

	/* A lone empty cell would be an empty line, which is no row. */
	if (!needs_quotes(cw, s) && !(alone && s->len == 0)) {
		sdc_buf_put(b, s->ptr, s->len);
		return;
	}
	sdc_buf_putc(b, (uint8_t)cw->quote);
	for (size_t i = 0; i < s->len; i++) {
		if (p[i] == (uint8_t)cw->quote ||
		    (cw->escape && p[i] == (uint8_t)cw->escape))
			sdc_buf_putc(b, (uint8_t)doubler);
		sdc_buf_putc(b, p[i]);
	}
	sdc_buf_putc(b, (uint8_t)cw->quote);
}

/* Cell i of a row of n: false when the output buffer is full. */
static bool
write_cell(struct csv_writer *cw, struct sdc_run *run,
    const struct sdc_field *f, size_t i, size_t n)
{
	struct sdc_str s = { "", 0 };

	if (f != NULL && !sdc_scalar_text(f, &cw->scratch, &s))
		return false;
	if (!sdc_out_reserve(&run->out, 2 * s.len + 3))
		return false;
	if (i > 0)
		sdc_buf_putc(&run->out.buf, (uint8_t)cw->delim);
	put_cell(cw, &run->out.buf, &s, n == 1);
	return true;
}

static bool
end_row(struct sdc_run *run)
{
	if (!sdc_out_reserve(&run->out, 1))
		return false;
	sdc_buf_putc(&run->out.buf, '\n');
	return true;
}

static bool
write_header(struct csv_writer *cw, struct sdc_run *run)
{
	struct sdc_field name;

	for (size_t i = 0; i < cw->ncols; i++) {
		sdc_field_borrow(&name, SDC_STRING, cw->cols[i].ptr,
		    cw->cols[i].len);
		if (!write_cell(cw, run, &name, i, cw->ncols))
			return false;
	}
	return end_row(run);
}

static void
set_header(struct csv_writer *cw, const struct sdc_field *map)
{
	size_t total = 0;
	char *p;

	for (uint32_t i = 0; i < map->count; i++)
		total += map->v.entries[i].key.len;
	cw->names = p = sdc_xmalloc(total + 1);
	cw->ncols = map->count;
	cw->cols = sdc_xcalloc(cw->ncols + 1, sizeof(*cw->cols));
	cw->cells = sdc_xcalloc(cw->ncols + 1, sizeof(*cw->cells));
	for (uint32_t i = 0; i < map->count; i++) {
		const struct sdc_str *k = &map->v.entries[i].key;

		memcpy(p, k->ptr, k->len);
		cw->cols[i].ptr = p;
		cw->cols[i].len = k->len;
		p += k->len;
	}
	cw->have_header = true;
}

static size_t
column_of(const struct csv_writer *cw, const struct sdc_str *key, size_t hint)
{
	if (hint < cw->ncols && cw->cols[hint].len == key->len &&
	    memcmp(cw->cols[hint].ptr, key->ptr, key->len) == 0)
		return hint;
	for (size_t i = 0; i < cw->ncols; i++)
		if (cw->cols[i].len == key->len &&
		    memcmp(cw->cols[i].ptr, key->ptr, key->len) == 0)
			return i;
	return cw->ncols;
}

static bool
is_nested(const struct sdc_field *f)
{
	return sdc_type_is_container(f->type) && !f->null;
}

/* Put the map's values in header order; false with r rejected. */
static bool
sort_cells(struct csv_writer *cw, struct sdc_run *run, struct sdc_record *r)
{
	const struct sdc_field *map = &r->root;

	memset(cw->cells, 0, cw->ncols * sizeof(*cw->cells));
	for (uint32_t i = 0; i < map->count; i++) {
		const struct sdc_entry *e = &map->v.entries[i];
		size_t col = column_of(cw, &e->key, i);
		int klen = e->key.len > 200 ? 200 : (int)e->key.len;

		if (col == cw->ncols) {
			sdc_run_reject(run, r, "CSV_NOT_IN_HEADER", "field "
			    "'%.*s' is not in the header", klen, e->key.ptr);
			return false;
		}
		if (is_nested(&e->value)) {
			sdc_run_reject(run, r, "CSV_NESTED", "field '/%.*s' "
			    "is a %s: csv cells hold scalars", klen,
			    e->key.ptr, sdc_type_name(e->value.type));
			return false;
		}
		cw->cells[col] = &e->value;
	}
	return true;
}

static bool
write_map_row(struct csv_writer *cw, struct sdc_run *run,
    struct sdc_record *r)
{
	if (!cw->have_header)
		set_header(cw, &r->root);
	if (!sort_cells(cw, run, r))
		return true;
	if (cw->header_line && !cw->wrote && !write_header(cw, run))
		return false;
	cw->wrote = true;
	for (size_t i = 0; i < cw->ncols; i++)
		if (!write_cell(cw, run, cw->cells[i], i, cw->ncols))
			return false;
	return end_row(run);
}

static bool
write_list_row(struct csv_writer *cw, struct sdc_run *run,
    struct sdc_record *r)
{
	const struct sdc_field *list = &r->root;

	for (uint32_t i = 0; i < list->count; i++) {
		if (!is_nested(&list->v.items[i]))
			continue;
		sdc_run_reject(run, r, "CSV_NESTED", "field '[%u]' is a %s: "
		    "csv cells hold scalars", (unsigned)i,
		    sdc_type_name(list->v.items[i].type));
		return true;
	}
	cw->wrote = true;
	for (uint32_t i = 0; i < list->count; i++)
		if (!write_cell(cw, run, &list->v.items[i], i, list->count))
			return false;
	return end_row(run);
}

static void
csv_record(struct sdc_writer *w, struct sdc_run *run, struct sdc_record *r)
{
	struct csv_writer *cw = (struct csv_writer *)w;
	const struct sdc_field *root = &r->root;
	bool ok;

	if (root->null || !sdc_type_is_container(root->type)) {
		cw->wrote = true;
		ok = write_cell(cw, run, root, 0, 1) && end_row(run);
	} else if (root->type == SDC_LIST)
		ok = write_list_row(cw, run, r);
	else
		ok = write_map_row(cw, run, r);
	if (!ok) {
		sdc_out_rollback(&run->out);
		sdc_run_reject(run, r, "CSV_TOO_LARGE",
		    "row larger than the output buffer");
		return;
	}
	sdc_out_commit(&run->out);
}

static void
csv_free(struct sdc_writer *w)
{
	struct csv_writer *cw = (struct csv_writer *)w;

	sdc_buf_release(&cw->scratch);
	free(cw->cols);
	free(cw->cells);
	free(cw->names);
	free(cw);
}

struct sdc_writer *
sdc_csv_writer_new(const struct sdc_csv_opts *o)
{
	struct csv_writer *cw = sdc_xcalloc(1, sizeof(*cw));

	cw->w.record = csv_record;
	cw->w.free = csv_free;
	cw->delim = o->delimiter;
	cw->quote = o->quote;
	cw->escape = o->escape;
	cw->header_line = o->header == SDC_HEADER_USE;
	cw->special[(uint8_t)o->delimiter] = true;
	cw->special[(uint8_t)o->quote] = true;
	cw->special['\r'] = cw->special['\n'] = true;
	if (o->escape)
		cw->special[(uint8_t)o->escape] = true;
	sdc_buf_init(&cw->scratch, SIZE_MAX / 4);
	return &cw->w;
}
