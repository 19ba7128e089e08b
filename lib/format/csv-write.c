/*
 * The CSV writer.  A map record is a row under the header taken from
 * the first map's keys; a list record is its values in order; any
 * other value is a one-column row.  A cell is quoted only when it must
 * be (the delimiter, the quote, the escape, CR or LF inside, or a
 * space at either end), so that a file in that canonical quoting
 * comes back byte for byte.  Rows end in LF (CR LF with --crlf).
 * --quote-mode all quotes every cell but nulls; none writes an escape
 * before the special bytes instead (and, for MySQL and PostgreSQL
 * text, \n \r \t for those).  --null-value is written for nulls.
 * With --flatten, nested maps and lists are columns a.b and a.0.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "banned.h"
#include "delimited.h"
#include "xalloc.h"

struct csv_writer {
	struct sdc_writer	  w;
	const struct sdc_csv_opts *o;
	const char		 *delim;
	size_t			  dlen;
	char			  quote, escape;
	char			  bare_escape;	/* quote mode none */
	bool			  header_line;	/* print one */
	bool			  have_header;
	bool			  wrote;	/* a row is out */
	bool			  special[256];
	struct sdc_str		 *cols;		/* into names */
	char			 *names;
	size_t			  ncols;
	const struct sdc_field	**cells;	/* in header order */
	struct sdc_buf		  scratch;
	/* --flatten: the record's scalars under their joined names */
	struct sdc_arena	  flat_arena;
	struct sdc_field	  flat;
	struct sdc_buf		  flat_name;
};

static bool
has_delimiter(const struct csv_writer *cw, const struct sdc_str *s)
{
	for (size_t i = 0; i + cw->dlen <= s->len; i++)
		if (memcmp(s->ptr + i, cw->delim, cw->dlen) == 0)
			return true;
	return false;
}

static bool
needs_quotes(const struct csv_writer *cw, const struct sdc_str *s)
{
	const uint8_t *p = (const uint8_t *)s->ptr;

	if (cw->o->quote_mode == SDC_QUOTE_ALL)
		return true;
	if (s->len > 0 && (p[0] == ' ' || p[s->len - 1] == ' '))
		return true;
	if (cw->dlen > 1 && has_delimiter(cw, s))
		return true;
	for (size_t i = 0; i < s->len; i++)
		if (cw->special[p[i]])
			return true;
	return false;
}

/* Quote mode none: each special byte after the escape. */
static void
put_escaped(struct csv_writer *cw, struct sdc_buf *b, const struct sdc_str *s)
{
	const uint8_t *p = (const uint8_t *)s->ptr;

	for (size_t i = 0; i < s->len; i++) {
		uint8_t c = p[i];

		if (cw->special[c]) {
			sdc_buf_putc(b, (uint8_t)cw->bare_escape);
			if (cw->o->escape_controls)
				c = c == '\n' ? 'n' : c == '\r' ? 'r' :
				    c == '\t' ? 't' : c;
		}
		sdc_buf_putc(b, c);
	}
}

/* Append one cell; room for 2 * len + 3 bytes is reserved. */
static void
put_cell(struct csv_writer *cw, struct sdc_buf *b, const struct sdc_str *s,
    bool alone)
{
	const uint8_t *p = (const uint8_t *)s->ptr;
	char doubler = cw->escape ? cw->escape : cw->quote;

	if (cw->o->quote_mode == SDC_QUOTE_NONE || cw->quote == 0) {
		put_escaped(cw, b, s);
		return;
	}
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
	const char *null = cw->o->null_value;

	if (f != NULL && !f->null && !sdc_scalar_text(f, &cw->scratch, &s))
		return false;
	if (!sdc_out_reserve(&run->out, 2 * s.len + 3 + cw->dlen +
	    (null ? strlen(null) : 0)))
		return false;
	if (i > 0)
		sdc_buf_put(&run->out.buf, cw->delim, cw->dlen);
	if ((f == NULL || f->null) && null != NULL)
		sdc_buf_put(&run->out.buf, null, strlen(null));
	else if ((f == NULL || f->null) && cw->o->quote_mode == SDC_QUOTE_ALL)
		return true;
	else
		put_cell(cw, &run->out.buf, &s, n == 1);
	return true;
}

static bool
end_row(struct csv_writer *cw, struct sdc_run *run)
{
	if (!sdc_out_reserve(&run->out, 2))
		return false;
	if (cw->o->crlf)
		sdc_buf_putc(&run->out.buf, '\r');
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
	return end_row(cw, run);
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
sort_cells(struct csv_writer *cw, struct sdc_run *run, struct sdc_record *r,
    const struct sdc_field *map)
{
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
			    "is a %s: csv cells hold scalars (--flatten)", klen,
			    e->key.ptr, sdc_type_name(e->value.type));
			return false;
		}
		cw->cells[col] = &e->value;
	}
	return true;
}

static void flatten(struct csv_writer *cw, const struct sdc_field *f);

static bool
write_map_row(struct csv_writer *cw, struct sdc_run *run,
    struct sdc_record *r)
{
	const struct sdc_field *map = &r->root;

	if (cw->o->flatten) {
		flatten(cw, &r->root);
		map = &cw->flat;
	}
	if (!cw->have_header)
		set_header(cw, map);
	if (!sort_cells(cw, run, r, map))
		return true;
	if (cw->header_line && !cw->wrote && !write_header(cw, run))
		return false;
	cw->wrote = true;
	for (size_t i = 0; i < cw->ncols; i++)
		if (!write_cell(cw, run, cw->cells[i], i, cw->ncols))
			return false;
	return end_row(cw, run);
}

/* The scalars under f, named by their paths joined with dots. */
static void
flatten_under(struct csv_writer *cw, const struct sdc_field *f)
{
	size_t mark = cw->flat_name.len;
	bool list = f->type == SDC_LIST;

	for (uint32_t i = 0; i < f->count; i++) {
		const struct sdc_field *v = list ? &f->v.items[i] :
		    &f->v.entries[i].value;
		char index[16];

		cw->flat_name.len = mark;
		if (mark > 0)
			sdc_buf_append(&cw->flat_name, ".", 1);
		if (list)
			sdc_buf_append(&cw->flat_name, index,
			    (size_t)snprintf(index, sizeof(index), "%u",
			    (unsigned)i));
		else
			sdc_buf_append(&cw->flat_name, f->v.entries[i].key.ptr,
			    f->v.entries[i].key.len);
		if (is_nested(v))
			flatten_under(cw, v);
		else
			*sdc_map_append(&cw->flat_arena, &cw->flat,
			    sdc_arena_memdup(&cw->flat_arena,
			    cw->flat_name.data, cw->flat_name.len),
			    cw->flat_name.len) = *v;
	}
	cw->flat_name.len = mark;
}

static void
flatten(struct csv_writer *cw, const struct sdc_field *f)
{
	sdc_arena_reset(&cw->flat_arena);
	sdc_field_container(&cw->flat, SDC_MAP);
	sdc_buf_reset(&cw->flat_name);
	flatten_under(cw, f);
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
		    "csv cells hold scalars (--flatten)", (unsigned)i,
		    sdc_type_name(list->v.items[i].type));
		return true;
	}
	cw->wrote = true;
	for (uint32_t i = 0; i < list->count; i++)
		if (!write_cell(cw, run, &list->v.items[i], i, list->count))
			return false;
	return end_row(cw, run);
}

static void
csv_record(struct sdc_writer *w, struct sdc_run *run, struct sdc_record *r)
{
	struct csv_writer *cw = (struct csv_writer *)w;
	const struct sdc_field *root = &r->root;
	bool ok;

	if (root->null || !sdc_type_is_container(root->type)) {
		cw->wrote = true;
		ok = write_cell(cw, run, root, 0, 1) && end_row(cw, run);
	} else if (root->type == SDC_LIST && !cw->o->flatten)
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
	sdc_buf_release(&cw->flat_name);
	sdc_arena_release(&cw->flat_arena);
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
	cw->o = o;
	cw->delim = o->multi_delimiter ? o->multi_delimiter : &o->delimiter;
	cw->dlen = o->multi_delimiter ? strlen(o->multi_delimiter) : 1;
	cw->quote = o->quote;
	cw->escape = o->escape;
	cw->bare_escape = o->escape ? o->escape : '\\';
	cw->header_line = o->header == SDC_HEADER_USE;
	if (cw->dlen == 1)
		cw->special[(uint8_t)o->delimiter] = true;
	if (o->quote != 0)
		cw->special[(uint8_t)o->quote] = true;
	cw->special['\r'] = cw->special['\n'] = true;
	if (o->escape)
		cw->special[(uint8_t)o->escape] = true;
	if (o->quote_mode == SDC_QUOTE_NONE || o->quote == 0)
		cw->special[(uint8_t)cw->bare_escape] = true;
	sdc_buf_init(&cw->scratch, SIZE_MAX / 4);
	sdc_buf_init(&cw->flat_name, SIZE_MAX / 4);
	sdc_arena_init(&cw->flat_arena);
	return &cw->w;
}
