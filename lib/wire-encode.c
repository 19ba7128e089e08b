/* Records to frames, in the canonical encoding of sdc-record(5). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "keyset.h"
#include "varint.h"
#include "wire.h"
#include "xalloc.h"
#include "banned.h"

_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
    "the encoder copies little-endian numbers as they are in memory");

/* Writes through a cursor into out's spare room, growing it on demand. */
struct encoder {
	struct sdc_buf		*out;
	uint8_t			*p;
	uint8_t			*end;
	struct sdc_keyset	*keys;	/* written so far in this payload */
	bool			 failed;
	const char		*reason;
};

static _Thread_local struct sdc_keyset key_table;

static bool
grow(struct encoder *e, size_t n)
{
	struct sdc_buf *b = e->out;

	if (e->failed)
		return false;
	b->len = (size_t)(e->p - b->data);
	if (!sdc_buf_reserve(b, n + (64u << 10)) && !sdc_buf_reserve(b, n)) {
		e->failed = true;
		e->reason = "record too large";
		return false;
	}
	e->p = b->data + b->len;
	e->end = b->data + b->cap;
	return true;
}

static inline bool
room(struct encoder *e, size_t n)
{
	return (size_t)(e->end - e->p) >= n || grow(e, n);
}

static inline void
put_byte(struct encoder *e, uint8_t c)
{
	if (room(e, 1))
		*e->p++ = c;
}

static inline void
put_varint(struct encoder *e, uint64_t v)
{
	if (room(e, SDC_VARINT_MAX))
		e->p += sdc_varint_put(e->p, v);
}

static inline void
put_bytes(struct encoder *e, const void *src, size_t n)
{
	if (n != 0 && room(e, n)) {
		memcpy(e->p, src, n);
		e->p += n;
	}
}

static inline void
put_str(struct encoder *e, const struct sdc_str *s)
{
	if (!room(e, SDC_VARINT_MAX + s->len))
		return;
	e->p += sdc_varint_put(e->p, s->len);
	if (s->len != 0)
		memcpy(e->p, s->ptr, s->len);
	e->p += s->len;
}

static void put_field(struct encoder *, const struct sdc_field *, int);

static void
put_key(struct encoder *e, const struct sdc_str *k)
{
	int64_t ref = sdc_keyset_add(e->keys, k->ptr, k->len);

	if (ref >= 0) {
		put_varint(e, ((uint64_t)ref << 1) | 1);
		return;
	}
	put_varint(e, (uint64_t)k->len << 1);
	put_bytes(e, k->ptr, k->len);
}

/*
 * Keys of a map that ends the payload and holds only scalars cannot be
 * referred to later; with an empty key table they are all new, so the
 * lookups can be skipped (a flat record: the common case).
 */
static bool
keys_all_new(const struct encoder *e, const struct sdc_field *f, int depth)
{
	if (depth != 1 || e->keys->n != 0)
		return false;
	for (uint32_t i = 0; i < f->count; i++) {
		const struct sdc_field *v = &f->v.entries[i].value;

		if (!v->null && sdc_type_is_container(v->type))
			return false;
	}
	return true;
}

static void
put_flat_map(struct encoder *e, const struct sdc_field *f)
{
	for (uint32_t i = 0; i < f->count && !e->failed; i++) {
		const struct sdc_str *k = &f->v.entries[i].key;

		const struct sdc_field *v = &f->v.entries[i].value;
		uint8_t *p;

		if (!room(e, 2 * SDC_VARINT_MAX + 1 + k->len + (v->null ||
		    v->type != SDC_STRING ? 0 : v->v.s.len)))
			return;
		p = e->p;
		p += sdc_varint_put(p, (uint64_t)k->len << 1);
		sdc_copy_small(p, k->ptr, k->len);
		p += k->len;
		if (v->type == SDC_STRING && !v->null && v->attrs == NULL) {
			*p++ = SDC_STRING;
			p += sdc_varint_put(p, v->v.s.len);
			sdc_copy_small(p, v->v.s.ptr, v->v.s.len);
			e->p = p + v->v.s.len;
			continue;
		}
		e->p = p;
		put_field(e, v, 1);
	}
}

/* A count, then each key and value. */
static void
put_pairs(struct encoder *e, const struct sdc_attr *pairs, uint32_t n)
{
	put_varint(e, n);
	for (uint32_t i = 0; i < n; i++) {
		put_str(e, &pairs[i].key);
		put_str(e, &pairs[i].value);
	}
}

static void
put_container(struct encoder *e, const struct sdc_field *f, int depth)
{
	if (depth > SDC_MAX_DEPTH) {
		e->failed = true;
		e->reason = "nesting deeper than 128";
		return;
	}
	put_varint(e, f->count);
	if (f->type == SDC_LIST) {
		for (uint32_t i = 0; i < f->count && !e->failed; i++)
			put_field(e, &f->v.items[i], depth);
		return;
	}
	if (keys_all_new(e, f, depth)) {
		put_flat_map(e, f);
		return;
	}
	for (uint32_t i = 0; i < f->count && !e->failed; i++) {
		put_key(e, &f->v.entries[i].key);
		put_field(e, &f->v.entries[i].value, depth);
	}
}

static void
put_value(struct encoder *e, const struct sdc_field *f, int depth)
{
	switch (f->type) {
	case SDC_BOOLEAN:
		put_byte(e, f->v.b ? 1 : 0);
		break;
	case SDC_BYTE:
		put_byte(e, (uint8_t)f->v.i);
		break;
	case SDC_CHAR:
	case SDC_TIME:
		put_varint(e, (uint64_t)f->v.i);
		break;
	case SDC_FLOAT:
		put_bytes(e, &f->v.f, 4);
		break;
	case SDC_DOUBLE:
		put_bytes(e, &f->v.d, 8);
		break;
	case SDC_DECIMAL:
	case SDC_STRING:
	case SDC_BYTE_ARRAY:
		put_str(e, &f->v.s);
		break;
	case SDC_ZONED_DATETIME:
		put_varint(e, sdc_zigzag(f->v.z.us));
		put_varint(e, sdc_zigzag(f->v.z.offset_s));
		put_str(e, &f->v.z.zone);
		break;
	case SDC_LIST:
	case SDC_MAP:
	case SDC_LIST_MAP:
		put_container(e, f, depth + 1);
		break;
	default:	/* SHORT INTEGER LONG DATE DATETIME */
		put_varint(e, sdc_zigzag(f->v.i));
		break;
	}
}

static void
put_field(struct encoder *e, const struct sdc_field *f, int depth)
{
	/* Most fields are strings: one room check, no dispatch. */
	if (f->type == SDC_STRING && !f->null && f->attrs == NULL &&
	    room(e, 1 + SDC_VARINT_MAX + f->v.s.len)) {
		uint8_t *p = e->p;

		*p++ = SDC_STRING;
		p += sdc_varint_put(p, f->v.s.len);
		sdc_copy_small(p, f->v.s.ptr, f->v.s.len);
		e->p = p + f->v.s.len;
		return;
	}
	if (f->attrs != NULL && f->attrs->count > 0) {
		put_byte(e, f->type | SDC_WIRE_ATTRS |
		    (f->null ? SDC_WIRE_NULL : 0));
		put_pairs(e, f->attrs->items, f->attrs->count);
	} else {
		put_byte(e, f->type | (f->null ? SDC_WIRE_NULL : 0));
	}
	if (!f->null)
		put_value(e, f, depth);
}

static void
put_header(struct encoder *e, const struct sdc_record *r)
{
	const struct sdc_header *h = &r->h;

	put_str(e, &h->id);
	put_varint(e, h->nstages);
	for (uint32_t i = 0; i < h->nstages; i++)
		put_str(e, &h->stages[i]);
	put_pairs(e, h->attrs, h->nattrs);
	if (r->kind == SDC_KIND_ERROR) {
		put_str(e, &h->error.code);
		put_str(e, &h->error.message);
		put_str(e, &h->error.stage);
		put_varint(e, sdc_zigzag(h->error.timestamp_ms));
	} else if (r->kind == SDC_KIND_EVENT) {
		put_str(e, &h->event.type);
		put_varint(e, h->event.version);
		put_varint(e, sdc_zigzag(h->event.timestamp_ms));
	}
}

static void
seal_frame(struct sdc_buf *out, size_t start)
{
	uint8_t *f = out->data + start;
	uint32_t len = (uint32_t)(out->len - start - SDC_FRAME_HEADER_LEN);
	uint32_t crc;

	memcpy(f + 1, &len, 4);
	crc = sdc_crc32c(0, f, 5);
	crc = sdc_crc32c(crc, f + SDC_FRAME_HEADER_LEN, len);
	memcpy(f + 5, &crc, 4);
}

bool
sdc_wire_encode(struct sdc_buf *out, const struct sdc_record *r,
    size_t max_payload, const char **reason)
{
	size_t start = out->len;
	struct encoder e;

	/* An empty buffer has no memory yet, and no pointer into it. */
	if (!sdc_buf_reserve(out, SDC_FRAME_HEADER_LEN + 1)) {
		*reason = "record too large";
		return false;
	}
	e = (struct encoder){ out, out->data + start, out->data + out->cap,
		&key_table, false, NULL };
	sdc_keyset_clear(&key_table);
	put_byte(&e, (uint8_t)r->kind);
	put_bytes(&e, "\0\0\0\0\0\0\0\0", 8);
	put_header(&e, r);
	put_field(&e, &r->root, 0);
	if (!e.failed && (size_t)(e.p - out->data) - start -
	    SDC_FRAME_HEADER_LEN > max_payload) {
		e.failed = true;
		e.reason = "record too large";
	}
	if (e.failed) {
		out->len = start;
		*reason = e.reason;
		return false;
	}
	out->len = (size_t)(e.p - out->data);
	seal_frame(out, start);
	return true;
}

/* Rows. */
static void
append(struct sdc_buf *b, const void *p, size_t n)
{
	if (!sdc_buf_append(b, p, n))
		abort();	/* the layout's buffers have no cap */
}

static void
append_varint(struct sdc_buf *b, uint64_t v)
{
	uint8_t tmp[SDC_VARINT_MAX];

	append(b, tmp, sdc_varint_put(tmp, v));
}

void
sdc_row_layout_init(struct sdc_row_layout *l, const char *stage,
    const struct sdc_str *keys, size_t nkeys)
{
	uint8_t string = SDC_STRING;

	sdc_buf_init(&l->shared, SIZE_MAX);
	sdc_buf_init(&l->cells, SIZE_MAX);
	append_varint(&l->shared, 1);
	append_varint(&l->shared, strlen(stage));
	append(&l->shared, stage, strlen(stage));
	append_varint(&l->shared, 0);
	l->ncols = keys ? nkeys : 0;
	l->cell_end = sdc_xreallocarray(NULL, l->ncols + 1,
	    sizeof(*l->cell_end));
	for (size_t i = 0; i < l->ncols; i++) {
		append_varint(&l->cells, (uint64_t)keys[i].len << 1);
		append(&l->cells, keys[i].ptr, keys[i].len);
		append(&l->cells, &string, 1);
		l->cell_end[i] = (uint32_t)l->cells.len;
	}
	if (l->ncols == 0)
		append(&l->cells, &string, 1);
}

void
sdc_row_layout_release(struct sdc_row_layout *l)
{
	sdc_buf_release(&l->shared);
	sdc_buf_release(&l->cells);
	free(l->cell_end);
	l->cell_end = NULL;
}

static uint8_t *
put_cells(uint8_t *d, const struct sdc_row_layout *l, const uint8_t *line,
    const size_t *ends, size_t ncells)
{
	size_t start = 0, from = 0;

	for (size_t i = 0; i < ncells; i++) {
		size_t n = ends[i] - start;

		if (l->ncols > 0) {
			sdc_copy_small(d, l->cells.data + from,
			    l->cell_end[i] - from);
			d += l->cell_end[i] - from;
			from = l->cell_end[i];
		} else
			*d++ = SDC_STRING;
		d += sdc_varint_put(d, n);
		sdc_copy_small(d, line + start, n);
		d += n;
		start = ends[i] + 1;
	}
	return d;
}

bool
sdc_wire_encode_row(struct sdc_buf *out, const struct sdc_row_layout *l,
    const char *id, size_t id_len, const uint8_t *line, const size_t *ends,
    size_t ncells, size_t max_payload)
{
	size_t start = out->len, payload;
	uint8_t *d;

	if (l->ncols > 0 && ncells != l->ncols)
		return false;
	if (!sdc_buf_reserve(out, SDC_FRAME_HEADER_LEN + 2 * SDC_VARINT_MAX +
	    id_len + l->shared.len + 1 + l->cells.len +
	    ncells * (1 + SDC_VARINT_MAX) + (ncells ? ends[ncells - 1] : 0)))
		return false;
	d = out->data + start;
	*d++ = SDC_KIND_DATA;
	memset(d, 0, 8);
	d += 8;
	d += sdc_varint_put(d, id_len);
	memcpy(d, id, id_len);
	d += id_len;
	memcpy(d, l->shared.data, l->shared.len);
	d += l->shared.len;
	*d++ = l->ncols > 0 ? SDC_LIST_MAP : SDC_LIST;
	d += sdc_varint_put(d, ncells);
	d = put_cells(d, l, line, ends, ncells);
	payload = (size_t)(d - out->data) - start - SDC_FRAME_HEADER_LEN;
	if (payload > max_payload)
		return false;
	out->len = (size_t)(d - out->data);
	seal_frame(out, start);
	return true;
}

bool
sdc_wire_frame(struct sdc_buf *out, uint8_t kind, const void *payload,
    size_t len)
{
	size_t start = out->len;

	if (len > UINT32_MAX ||
	    !sdc_buf_reserve(out, SDC_FRAME_HEADER_LEN + len))
		return false;
	sdc_buf_putc(out, kind);
	sdc_buf_put(out, "\0\0\0\0\0\0\0\0", 8);
	if (len != 0)
		sdc_buf_put(out, payload, len);
	seal_frame(out, start);
	return true;
}

void
sdc_wire_stream_header(struct sdc_buf *out)
{
	static const uint8_t header[SDC_STREAM_HEADER_LEN] = {
		0x89, 'S', 'D', 'C', '\r', '\n', 0x1a, '\n',
		SDC_WIRE_VERSION, 0
	};

	if (!sdc_buf_append(out, header, sizeof header))
		abort();
}
