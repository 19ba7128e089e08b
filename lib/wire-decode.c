/* Frame payloads to records; strings borrow from the payload. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "wire-get.h"
#include "xalloc.h"
#include "banned.h"

static _Thread_local struct sdc_wire_keys key_table;

void
sdc_decoder_init(struct sdc_decoder *d, const uint8_t *payload, size_t len,
    struct sdc_arena *arena)
{
	d->p = payload;
	d->end = payload + len;
	d->arena = arena;
	d->keys = &key_table;
	d->keys->n = 0;
	d->reason = NULL;
}

bool
sdc_wire_fail(struct sdc_decoder *d, const char *reason)
{
	if (d->reason == NULL)
		d->reason = reason;
	return false;
}

/* A varint longer than a byte, or one that fails: cut off, or too long. */
bool
sdc_wire_get_long_varint(struct sdc_decoder *d, uint64_t *v)
{
	if (sdc_varint_get(&d->p, d->end, v))
		return true;
	for (const uint8_t *q = d->p; q < d->end && q < d->p + SDC_VARINT_MAX;
	    q++)
		if (*q < 0x80)
			return sdc_wire_fail(d, "bad varint");
	return sdc_wire_fail(d, d->end - d->p < SDC_VARINT_MAX ? "truncated" :
	    "bad varint");
}

void
sdc_wire_grow_keys(struct sdc_wire_keys *t)
{
	t->cap = t->cap ? t->cap * 2 : 64;
	t->v = sdc_xreallocarray(t->v, t->cap, sizeof(*t->v));
}

static bool
get_byte(struct sdc_decoder *d, uint8_t *b)
{
	if (d->p == d->end)
		return sdc_wire_fail(d, "truncated");
	*b = *d->p++;
	return true;
}

static bool
get_ranged(struct sdc_decoder *d, struct sdc_field *f, int64_t lo,
    int64_t hi)
{
	if (!sdc_wire_get_zigzag(d, &f->v.i))
		return false;
	if (f->v.i < lo || f->v.i > hi)
		return sdc_wire_fail(d, "value out of range for its type");
	return true;
}

static bool
get_fixed(struct sdc_decoder *d, void *dst, size_t n)
{
	if ((size_t)(d->end - d->p) < n)
		return sdc_wire_fail(d, "truncated");
	memcpy(dst, d->p, n);
	d->p += n;
	return true;
}

static bool
get_small(struct sdc_decoder *d, struct sdc_field *f)
{
	uint8_t b;

	if (!get_byte(d, &b))
		return false;
	if (f->type == SDC_BYTE) {
		f->v.i = (int8_t)b;
		return true;
	}
	if (b > 1)
		return sdc_wire_fail(d, "bad boolean");
	f->v.b = b;
	return true;
}

static bool
get_unsigned(struct sdc_decoder *d, struct sdc_field *f)
{
	uint64_t u;

	if (!sdc_wire_get_varint(d, &u))
		return false;
	if (f->type == SDC_CHAR &&
	    (u > 0x10ffff || (u >= 0xd800 && u <= 0xdfff)))
		return sdc_wire_fail(d, "bad char");
	if (f->type == SDC_TIME && u >= UINT64_C(86400000000))
		return sdc_wire_fail(d, "time of day out of range");
	f->v.i = (int64_t)u;
	return true;
}

static bool
get_zoned(struct sdc_decoder *d, struct sdc_field *f)
{
	int64_t offset;

	if (!sdc_wire_get_zigzag(d, &f->v.z.us) ||
	    !sdc_wire_get_zigzag(d, &offset))
		return false;
	if (offset < -64800 || offset > 64800)
		return sdc_wire_fail(d, "zone offset out of range");
	if (!sdc_wire_get_text(d, &f->v.z.zone))
		return false;
	f->v.z.offset_s = (int32_t)offset;
	return true;
}

bool
sdc_wire_get_value(struct sdc_decoder *d, struct sdc_field *f)
{
	switch (f->type) {
	case SDC_STRING:
		return sdc_wire_get_text(d, &f->v.s);
	case SDC_BYTE_ARRAY:
		return sdc_wire_get_str(d, &f->v.s);
	case SDC_DECIMAL:
		return sdc_wire_get_str(d, &f->v.s) &&
		    (sdc_decimal_ok(f->v.s.ptr, f->v.s.len) ||
		    sdc_wire_fail(d, "bad decimal"));
	case SDC_ZONED_DATETIME:
		return get_zoned(d, f);
	case SDC_BOOLEAN: case SDC_BYTE:
		return get_small(d, f);
	case SDC_CHAR: case SDC_TIME:
		return get_unsigned(d, f);
	case SDC_SHORT:
		return get_ranged(d, f, INT16_MIN, INT16_MAX);
	case SDC_INTEGER:
		return get_ranged(d, f, INT32_MIN, INT32_MAX);
	case SDC_FLOAT:
		return get_fixed(d, &f->v.f, 4);
	case SDC_DOUBLE:
		return get_fixed(d, &f->v.d, 8);
	default:	/* LONG DATE DATETIME */
		return sdc_wire_get_zigzag(d, &f->v.i);
	}
}

/* The tree. */
static bool get_field(struct sdc_decoder *, struct sdc_field *, int);

static bool
get_list(struct sdc_decoder *d, struct sdc_field *f, int depth)
{
	if (!sdc_wire_get_count(d, &f->count, 1))
		return false;
	f->cap = f->count;
	f->v.items = sdc_arena_alloc(d->arena, f->count * sizeof(*f->v.items));
	for (uint32_t i = 0; i < f->count; i++)
		if (!get_field(d, &f->v.items[i], depth))
			return false;
	return true;
}

static bool
get_entries(struct sdc_decoder *d, struct sdc_field *f, int depth,
    struct sdc_keyset *seen)
{
	for (uint32_t i = 0; i < f->count; i++) {
		struct sdc_entry *e = &f->v.entries[i];

		if (!sdc_wire_get_key(d, &e->key))
			return false;
		if (sdc_keyset_add(seen, e->key.ptr, e->key.len) >= 0)
			return sdc_wire_fail(d, "duplicate key");
		if (!get_field(d, &e->value, depth))
			return false;
	}
	return true;
}

static bool
get_map(struct sdc_decoder *d, struct sdc_field *f, int depth)
{
	if (!sdc_wire_get_count(d, &f->count, 2))
		return false;
	f->cap = f->count;
	f->v.entries = sdc_arena_alloc(d->arena,
	    f->count * sizeof(*f->v.entries));
	return get_entries(d, f, depth, sdc_keyset_for_level((size_t)depth));
}

static bool
get_container(struct sdc_decoder *d, struct sdc_field *f, int depth)
{
	if (!sdc_wire_enter(d, depth))
		return false;
	return f->type == SDC_LIST ? get_list(d, f, depth + 1) :
	    get_map(d, f, depth + 1);
}

static bool
get_field(struct sdc_decoder *d, struct sdc_field *f, int depth)
{
	f->count = f->cap = 0;
	f->null = false;
	f->attrs = NULL;
	if (sdc_wire_short_string(d, &f->v.s)) {
		f->type = SDC_STRING;
		return sdc_utf8_valid(f->v.s.ptr, f->v.s.len) ||
		    sdc_wire_fail(d, "bad utf-8");
	}
	if (!sdc_wire_get_type(d, &f->type, &f->null, &f->attrs))
		return false;
	if (f->null)
		return true;
	if (sdc_type_is_container(f->type))
		return get_container(d, f, depth);
	return sdc_wire_get_value(d, f);
}

/* The header. */
static bool
get_stages(struct sdc_decoder *d, struct sdc_header *h)
{
	if (!sdc_wire_get_count(d, &h->nstages, 1))
		return false;
	h->cap_stages = h->nstages;
	if (h->nstages > 0)
		h->stages = sdc_arena_alloc(d->arena,
		    h->nstages * sizeof(*h->stages));
	for (uint32_t i = 0; i < h->nstages; i++)
		if (!sdc_wire_get_text(d, &h->stages[i]))
			return false;
	return true;
}

static bool
get_pairs(struct sdc_decoder *d, struct sdc_attr *pairs, uint32_t n,
    struct sdc_keyset *seen)
{
	for (uint32_t i = 0; i < n; i++) {
		struct sdc_attr *a = &pairs[i];

		if (!sdc_wire_get_text(d, &a->key))
			return false;
		if (sdc_keyset_add(seen, a->key.ptr, a->key.len) >= 0)
			return sdc_wire_fail(d, "duplicate key");
		if (!sdc_wire_get_text(d, &a->value))
			return false;
	}
	return true;
}

static bool
get_attrs(struct sdc_decoder *d, struct sdc_header *h)
{
	if (!sdc_wire_get_count(d, &h->nattrs, 2))
		return false;
	h->cap_attrs = h->nattrs;
	if (h->nattrs == 0)
		return true;
	h->attrs = sdc_arena_alloc(d->arena, h->nattrs * sizeof(*h->attrs));
	return get_pairs(d, h->attrs, h->nattrs, sdc_keyset_for_level(0));
}

/* Level 0 is free: the header's keys are done, maps start at level 1. */
bool
sdc_wire_get_field_attrs(struct sdc_decoder *d, struct sdc_field_attrs **attrs)
{
	struct sdc_field_attrs *at;
	uint32_t n;

	if (!sdc_wire_get_count(d, &n, 2))
		return false;
	if (n == 0)
		return sdc_wire_fail(d, "field attributes flag without any");
	at = sdc_arena_alloc(d->arena, sizeof(*at));
	at->count = at->cap = n;
	at->items = sdc_arena_alloc(d->arena, n * sizeof(*at->items));
	*attrs = at;
	return get_pairs(d, at->items, n, sdc_keyset_for_level(0));
}

bool
sdc_wire_get_header(struct sdc_decoder *d, struct sdc_record *r)
{
	struct sdc_header *h = &r->h;

	if (!sdc_wire_get_text(d, &h->id) || !get_stages(d, h) ||
	    !get_attrs(d, h))
		return false;
	if (r->kind == SDC_KIND_ERROR)
		return sdc_wire_get_text(d, &h->error.code) &&
		    sdc_wire_get_text(d, &h->error.message) &&
		    sdc_wire_get_text(d, &h->error.stage) &&
		    sdc_wire_get_zigzag(d, &h->error.timestamp_ms);
	if (r->kind == SDC_KIND_EVENT)
		return sdc_wire_get_text(d, &h->event.type) &&
		    sdc_wire_get_varint(d, &h->event.version) &&
		    sdc_wire_get_zigzag(d, &h->event.timestamp_ms);
	return true;
}

int
sdc_wire_decode(struct sdc_record *r, enum sdc_kind kind,
    const uint8_t *payload, size_t len, const char **reason)
{
	struct sdc_decoder d;

	sdc_record_clear(r, kind);
	sdc_decoder_init(&d, payload, len, &r->arena);
	if (sdc_wire_get_header(&d, r) && get_field(&d, &r->root, 0) &&
	    d.p != d.end)
		sdc_wire_fail(&d, "trailing bytes");
	if (d.reason != NULL) {
		*reason = d.reason;
		sdc_record_clear(r, kind);
		return -1;
	}
	return 0;
}

int
sdc_wire_decode_header(struct sdc_record *r, enum sdc_kind kind,
    const uint8_t *payload, size_t len, size_t *header_len,
    const char **reason)
{
	struct sdc_decoder d;

	sdc_record_clear(r, kind);
	sdc_decoder_init(&d, payload, len, &r->arena);
	if (!sdc_wire_get_header(&d, r)) {
		*reason = d.reason;
		sdc_record_clear(r, kind);
		return -1;
	}
	*header_len = (size_t)(d.p - payload);
	return 0;
}
