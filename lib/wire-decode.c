/* Frame payloads to records; strings borrow from the payload. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "utf8.h"
#include "varint.h"
#include "wire.h"
#include "xalloc.h"
#include "banned.h"

struct decoder {
	const uint8_t		*p;
	const uint8_t		*end;
	struct sdc_arena	*arena;
	const char		*reason;	/* set on the first failure */
};

/* The key table of the payload being decoded. */
static _Thread_local struct sdc_str *keys;
static _Thread_local uint32_t nkeys, cap_keys;

static bool
fail(struct decoder *d, const char *reason)
{
	if (d->reason == NULL)
		d->reason = reason;
	return false;
}

/* A varint that failed: cut off by the end, or too long. */
static bool
varint_failed(struct decoder *d)
{
	for (const uint8_t *q = d->p; q < d->end && q < d->p + SDC_VARINT_MAX;
	    q++)
		if (*q < 0x80)
			return fail(d, "bad varint");
	return fail(d, d->end - d->p < SDC_VARINT_MAX ? "truncated" :
	    "bad varint");
}

static bool
get_long_varint(struct decoder *d, uint64_t *v)
{
	return sdc_varint_get(&d->p, d->end, v) || varint_failed(d);
}

/* Lengths, counts and keys mostly fit one byte: that case inline. */
static inline bool
get_varint(struct decoder *d, uint64_t *v)
{
	if (d->p < d->end && *d->p < 0x80) {
		*v = *d->p++;
		return true;
	}
	return get_long_varint(d, v);
}

static bool
get_zigzag(struct decoder *d, int64_t *v)
{
	uint64_t u;

	if (!get_varint(d, &u))
		return false;
	*v = sdc_unzigzag(u);
	return true;
}

static bool
get_bytes(struct decoder *d, void *dst, size_t n)
{
	if ((size_t)(d->end - d->p) < n)
		return fail(d, "truncated");
	memcpy(dst, d->p, n);
	d->p += n;
	return true;
}

static bool
get_str(struct decoder *d, struct sdc_str *s)
{
	uint64_t len;

	if (!get_varint(d, &len))
		return false;
	if (len > (uint64_t)(d->end - d->p))
		return fail(d, "truncated");
	s->ptr = (const char *)d->p;
	s->len = (size_t)len;
	d->p += len;
	return true;
}

static bool
get_text(struct decoder *d, struct sdc_str *s)
{
	return get_str(d, s) && (sdc_utf8_valid(s->ptr, s->len) ||
	    fail(d, "bad utf-8"));
}

static bool
same_str(const struct sdc_str *x, const struct sdc_str *y)
{
	return x->len == y->len && memcmp(x->ptr, y->ptr, x->len) == 0;
}

static bool
get_key(struct decoder *d, struct sdc_str *k)
{
	uint64_t v;
	const char *ptr;
	size_t len;

	if (!get_varint(d, &v))
		return false;
	if (v & 1) {
		if ((v >> 1) >= nkeys)
			return fail(d, "bad key reference");
		*k = keys[v >> 1];
		return true;
	}
	if ((v >> 1) > (uint64_t)(d->end - d->p))
		return fail(d, "truncated");
	ptr = (const char *)d->p;
	len = (size_t)(v >> 1);
	d->p += len;
	if (!sdc_utf8_valid(ptr, len))
		return fail(d, "bad utf-8");
	if (nkeys == cap_keys) {
		cap_keys = cap_keys ? cap_keys * 2 : 64;
		keys = sdc_xreallocarray(keys, cap_keys, sizeof(*keys));
	}
	/* Both stores from registers: copying *k back would stall. */
	k->ptr = keys[nkeys].ptr = ptr;
	k->len = keys[nkeys].len = len;
	nkeys++;
	return true;
}

static bool get_field(struct decoder *, struct sdc_field *, int);

static bool
get_count(struct decoder *d, uint32_t *count, size_t min_size)
{
	uint64_t n;

	if (!get_varint(d, &n))
		return false;
	if (n > (uint64_t)(d->end - d->p) / min_size)
		return fail(d, "truncated");
	*count = (uint32_t)n;
	return true;
}

static bool
get_list(struct decoder *d, struct sdc_field *f, int depth)
{
	if (!get_count(d, &f->count, 1))
		return false;
	f->cap = f->count;
	f->v.items = sdc_arena_alloc(d->arena, f->count * sizeof(*f->v.items));
	for (uint32_t i = 0; i < f->count; i++)
		if (!get_field(d, &f->v.items[i], depth))
			return false;
	return true;
}

/*
 * The common field, a short string, without the dispatch: 1 when it
 * was one and is set, 0 when it is not one, -1 when it is bad.
 */
static inline int
get_short_string(struct decoder *d, struct sdc_field *f)
{
	const uint8_t *p = d->p;
	size_t n;

	if (d->end - p < 2 || p[0] != SDC_STRING || p[1] >= 0x80 ||
	    (ptrdiff_t)p[1] > d->end - p - 2)
		return 0;
	n = p[1];
	f->type = SDC_STRING;
	f->null = false;
	f->count = f->cap = 0;
	f->v.s.ptr = (const char *)p + 2;
	f->v.s.len = n;
	d->p = p + 2 + n;
	return sdc_utf8_valid(p + 2, n) ? 1 : (fail(d, "bad utf-8"), -1);
}

/*
 * Whether entries[n]'s key repeats an earlier one.  Maps are small:
 * a linear scan that mostly compares lengths.
 */
static bool
repeats_key(const struct sdc_entry *entries, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		if (same_str(&entries[i].key, &entries[n].key))
			return true;
	return false;
}

static bool
get_map(struct decoder *d, struct sdc_field *f, int depth)
{
	int rc;

	if (!get_count(d, &f->count, 2))
		return false;
	f->cap = f->count;
	f->v.entries = sdc_arena_alloc(d->arena,
	    f->count * sizeof(*f->v.entries));
	for (uint32_t i = 0; i < f->count; i++) {
		if (!get_key(d, &f->v.entries[i].key))
			return false;
		if (repeats_key(f->v.entries, i))
			return fail(d, "duplicate key");
		rc = get_short_string(d, &f->v.entries[i].value);
		if (rc < 0 || (rc == 0 &&
		    !get_field(d, &f->v.entries[i].value, depth)))
			return false;
	}
	return true;
}

static bool
get_ranged(struct decoder *d, struct sdc_field *f, int64_t lo, int64_t hi)
{
	if (!get_zigzag(d, &f->v.i))
		return false;
	if (f->v.i < lo || f->v.i > hi)
		return fail(d, "value out of range for its type");
	return true;
}

static bool
get_scalar(struct decoder *d, struct sdc_field *f)
{
	uint64_t u;
	uint8_t b;

	switch (f->type) {
	case SDC_BOOLEAN:
		if (!get_bytes(d, &b, 1))
			return false;
		if (b > 1)
			return fail(d, "bad boolean");
		f->v.b = b;
		return true;
	case SDC_CHAR:
		if (!get_varint(d, &u))
			return false;
		if (u > 0x10ffff || (u >= 0xd800 && u <= 0xdfff))
			return fail(d, "bad char");
		f->v.i = (int64_t)u;
		return true;
	case SDC_BYTE:
		if (!get_bytes(d, &b, 1))
			return false;
		f->v.i = (int8_t)b;
		return true;
	case SDC_SHORT:
		return get_ranged(d, f, INT16_MIN, INT16_MAX);
	case SDC_INTEGER:
		return get_ranged(d, f, INT32_MIN, INT32_MAX);
	case SDC_TIME:
		if (!get_varint(d, &u))
			return false;
		if (u >= UINT64_C(86400000000))
			return fail(d, "time of day out of range");
		f->v.i = (int64_t)u;
		return true;
	case SDC_FLOAT:
		return get_bytes(d, &f->v.f, 4);
	case SDC_DOUBLE:
		return get_bytes(d, &f->v.d, 8);
	default:	/* LONG DATE DATETIME */
		return get_zigzag(d, &f->v.i);
	}
}

static bool
get_zoned(struct decoder *d, struct sdc_field *f)
{
	int64_t offset;

	if (!get_zigzag(d, &f->v.z.us) || !get_zigzag(d, &offset))
		return false;
	if (offset < -64800 || offset > 64800)
		return fail(d, "zone offset out of range");
	if (!get_text(d, &f->v.z.zone))
		return false;
	f->v.z.offset_s = (int32_t)offset;
	return true;
}

static bool
get_value(struct decoder *d, struct sdc_field *f, int depth)
{
	switch (f->type) {
	case SDC_STRING:
		return get_text(d, &f->v.s);
	case SDC_BYTE_ARRAY:
		return get_str(d, &f->v.s);
	case SDC_DECIMAL:
		if (!get_str(d, &f->v.s))
			return false;
		return sdc_decimal_ok(f->v.s.ptr, f->v.s.len) ||
		    fail(d, "bad decimal");
	case SDC_ZONED_DATETIME:
		return get_zoned(d, f);
	case SDC_LIST:
	case SDC_MAP:
	case SDC_LIST_MAP:
		if (depth >= SDC_MAX_DEPTH)
			return fail(d, "nesting deeper than 128");
		return f->type == SDC_LIST ? get_list(d, f, depth + 1) :
		    get_map(d, f, depth + 1);
	default:
		return get_scalar(d, f);
	}
}

static bool
get_field(struct decoder *d, struct sdc_field *f, int depth)
{
	uint8_t t;
	int rc = get_short_string(d, f);

	if (rc != 0)
		return rc > 0;
	if (d->p == d->end)
		return fail(d, "truncated");
	t = *d->p++;
	if (t & 0x60)
		return fail(d, "reserved bits set in a field type");
	f->type = t & 0x1f;
	f->null = (t & 0x80) != 0;
	f->count = f->cap = 0;
	if (f->type < SDC_BOOLEAN || f->type > SDC_TYPE_MAX)
		return fail(d, "unknown field type");
	return f->null || get_value(d, f, depth);
}

static bool
get_stages(struct decoder *d, struct sdc_header *h)
{
	if (!get_count(d, &h->nstages, 1))
		return false;
	h->cap_stages = h->nstages;
	h->stages = sdc_arena_alloc(d->arena, h->nstages * sizeof(*h->stages));
	for (uint32_t i = 0; i < h->nstages; i++)
		if (!get_text(d, &h->stages[i]))
			return false;
	return true;
}

static bool
get_attrs(struct decoder *d, struct sdc_header *h)
{
	if (!get_count(d, &h->nattrs, 2))
		return false;
	h->cap_attrs = h->nattrs;
	h->attrs = sdc_arena_alloc(d->arena, h->nattrs * sizeof(*h->attrs));
	for (uint32_t i = 0; i < h->nattrs; i++) {
		if (!get_text(d, &h->attrs[i].key))
			return false;
		for (uint32_t j = 0; j < i; j++)
			if (same_str(&h->attrs[j].key, &h->attrs[i].key))
				return fail(d, "duplicate key");
		if (!get_text(d, &h->attrs[i].value))
			return false;
	}
	return true;
}

static bool
get_header(struct decoder *d, struct sdc_record *r)
{
	struct sdc_header *h = &r->h;

	if (!get_text(d, &h->id) || !get_stages(d, h) || !get_attrs(d, h))
		return false;
	if (r->kind == SDC_KIND_ERROR)
		return get_text(d, &h->error.code) &&
		    get_text(d, &h->error.message) &&
		    get_text(d, &h->error.stage) &&
		    get_zigzag(d, &h->error.timestamp_ms);
	if (r->kind == SDC_KIND_EVENT)
		return get_text(d, &h->event.type) &&
		    get_varint(d, &h->event.version) &&
		    get_zigzag(d, &h->event.timestamp_ms);
	return true;
}

int
sdc_wire_decode(struct sdc_record *r, enum sdc_kind kind,
    const uint8_t *payload, size_t len, const char **reason)
{
	struct decoder d = { payload, payload + len, &r->arena, NULL };

	sdc_record_clear(r, kind);
	nkeys = 0;
	if (get_header(&d, r) && get_field(&d, &r->root, 0) && d.p != d.end)
		fail(&d, "trailing bytes");
	if (d.reason != NULL) {
		*reason = d.reason;
		sdc_record_clear(r, kind);
		return -1;
	}
	return 0;
}
