/* Records to frames, in the canonical encoding of sdc-record(5). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "varint.h"
#include "wire.h"
#include "xalloc.h"
#include "banned.h"

_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
    "the encoder copies little-endian numbers as they are in memory");

/* Keys written so far in this payload; a repeated key is a reference. */
struct key_table {
	struct sdc_str	*keys;
	uint32_t	 n, cap;
	uint32_t	*slots;		/* hash index + 1; used past LINEAR */
	uint32_t	 nslots;
};
#define KEYS_LINEAR 16

struct encoder {
	struct sdc_buf		*out;
	struct key_table	*keys;
	bool			 failed;
	const char		*reason;
};

static _Thread_local struct key_table key_table;

static uint32_t
key_hash(const struct sdc_str *k)
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < k->len; i++)
		h = (h ^ (uint8_t)k->ptr[i]) * 16777619u;
	return h;
}

static bool
key_same(const struct sdc_str *x, const struct sdc_str *y)
{
	return x->len == y->len && memcmp(x->ptr, y->ptr, x->len) == 0;
}

static void
index_key(struct key_table *t, uint32_t i)
{
	uint32_t mask = t->nslots - 1, s = key_hash(&t->keys[i]) & mask;

	while (t->slots[s] != 0)
		s = (s + 1) & mask;
	t->slots[s] = i + 1;
}

static void
rebuild_index(struct key_table *t)
{
	t->nslots = t->nslots ? t->nslots * 2 : 64;
	t->slots = sdc_xreallocarray(t->slots, t->nslots, sizeof(*t->slots));
	memset(t->slots, 0, t->nslots * sizeof(*t->slots));
	for (uint32_t i = 0; i < t->n; i++)
		index_key(t, i);
}

/* The index of k in the table, or -1 after adding it. */
static int64_t
key_lookup_add(struct key_table *t, const struct sdc_str *k)
{
	if (t->n <= KEYS_LINEAR) {
		for (uint32_t i = 0; i < t->n; i++)
			if (key_same(&t->keys[i], k))
				return i;
	} else {
		uint32_t mask = t->nslots - 1, s = key_hash(k) & mask;

		for (; t->slots[s] != 0; s = (s + 1) & mask)
			if (key_same(&t->keys[t->slots[s] - 1], k))
				return t->slots[s] - 1;
	}
	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 64;
		t->keys = sdc_xreallocarray(t->keys, t->cap, sizeof(*t->keys));
	}
	t->keys[t->n++] = *k;
	if (t->n == KEYS_LINEAR + 1 || (t->n > KEYS_LINEAR &&
	    t->n * 2 > t->nslots))
		rebuild_index(t);
	else if (t->n > KEYS_LINEAR)
		index_key(t, t->n - 1);
	return -1;
}

static uint8_t *
room(struct encoder *e, size_t n)
{
	if (e->failed)
		return NULL;
	if (!sdc_buf_reserve(e->out, n)) {
		e->failed = true;
		e->reason = "record too large";
		return NULL;
	}
	return e->out->data + e->out->len;
}

static void
put_varint(struct encoder *e, uint64_t v)
{
	uint8_t *p = room(e, SDC_VARINT_MAX);

	if (p != NULL)
		e->out->len += sdc_varint_put(p, v);
}

static void
put_bytes(struct encoder *e, const void *src, size_t n)
{
	uint8_t *p = room(e, n);

	if (p != NULL && n != 0) {
		memcpy(p, src, n);
		e->out->len += n;
	}
}

static void
put_str(struct encoder *e, const struct sdc_str *s)
{
	uint8_t *p = room(e, SDC_VARINT_MAX + s->len);

	if (p == NULL)
		return;
	p += sdc_varint_put(p, s->len);
	if (s->len != 0)
		memcpy(p, s->ptr, s->len);
	e->out->len = (size_t)(p - e->out->data) + s->len;
}

static void put_field(struct encoder *, const struct sdc_field *, int);

static void
put_key(struct encoder *e, const struct sdc_str *k)
{
	int64_t ref = key_lookup_add(e->keys, k);

	if (ref >= 0) {
		put_varint(e, ((uint64_t)ref << 1) | 1);
		return;
	}
	put_varint(e, (uint64_t)k->len << 1);
	put_bytes(e, k->ptr, k->len);
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
	for (uint32_t i = 0; i < f->count && !e->failed; i++) {
		put_key(e, &f->v.entries[i].key);
		put_field(e, &f->v.entries[i].value, depth);
	}
}

static void
put_value(struct encoder *e, const struct sdc_field *f, int depth)
{
	uint8_t b;

	switch (f->type) {
	case SDC_BOOLEAN:
		b = f->v.b ? 1 : 0;
		put_bytes(e, &b, 1);
		break;
	case SDC_BYTE:
		b = (uint8_t)f->v.i;
		put_bytes(e, &b, 1);
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
	uint8_t type = f->type | (f->null ? 0x80 : 0);

	put_bytes(e, &type, 1);
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
	put_varint(e, h->nattrs);
	for (uint32_t i = 0; i < h->nattrs; i++) {
		put_str(e, &h->attrs[i].key);
		put_str(e, &h->attrs[i].value);
	}
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
	struct encoder e = { out, &key_table, false, NULL };
	size_t start = out->len;
	uint8_t kind = (uint8_t)r->kind;

	key_table.n = 0;
	put_bytes(&e, &kind, 1);
	put_bytes(&e, "\0\0\0\0\0\0\0\0", 8);
	put_header(&e, r);
	put_field(&e, &r->root, 0);
	if (!e.failed && out->len - start - SDC_FRAME_HEADER_LEN > max_payload) {
		e.failed = true;
		e.reason = "record too large";
	}
	if (e.failed) {
		out->len = start;
		*reason = e.reason;
		return false;
	}
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
