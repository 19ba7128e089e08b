#ifndef SDC_WIRE_GET_H
#define SDC_WIRE_GET_H
/*
 * Reading the record encoding of sdc-record(5), for the two readers of
 * payloads: the tree decoder (wire-decode.c) and the JSON renderer
 * (wire-json.c).  Every check a payload must pass lives here, once, so
 * the two accept and reject exactly the same bytes for the same reason.
 * Functions return false after noting the first failure in d->reason.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "keyset.h"
#include "record.h"
#include "utf8.h"
#include "varint.h"
#include "wire.h"

/* The key table of the payload being read. */
struct sdc_wire_keys {
	struct sdc_str	*v;
	uint32_t	 n, cap;
};

struct sdc_decoder {
	const uint8_t		*p;
	const uint8_t		*end;
	struct sdc_arena	*arena;		/* for the tree decoder */
	struct sdc_wire_keys	*keys;
	const char		*reason;	/* set on the first failure */
};

/* Start reading payload with the calling thread's key table. */
void	sdc_decoder_init(struct sdc_decoder *d, const uint8_t *payload,
	    size_t len, struct sdc_arena *arena);
bool	sdc_wire_fail(struct sdc_decoder *d, const char *reason);
bool	sdc_wire_get_long_varint(struct sdc_decoder *d, uint64_t *v);
void	sdc_wire_grow_keys(struct sdc_wire_keys *t);
/* The header of a frame of r->kind into r, strings borrowed. */
bool	sdc_wire_get_header(struct sdc_decoder *d, struct sdc_record *r);
/* The value of a field of f->type that is neither a container nor null. */
bool	sdc_wire_get_value(struct sdc_decoder *d, struct sdc_field *f);

/* Lengths, counts and keys mostly fit one byte: that case inline. */
static inline bool
sdc_wire_get_varint(struct sdc_decoder *d, uint64_t *v)
{
	if (d->p < d->end && *d->p < 0x80) {
		*v = *d->p++;
		return true;
	}
	return sdc_wire_get_long_varint(d, v);
}

static inline bool
sdc_wire_get_zigzag(struct sdc_decoder *d, int64_t *v)
{
	uint64_t u;

	if (!sdc_wire_get_varint(d, &u))
		return false;
	*v = sdc_unzigzag(u);
	return true;
}

/* Length-prefixed bytes, borrowed. */
static inline bool
sdc_wire_get_str(struct sdc_decoder *d, struct sdc_str *s)
{
	uint64_t len;

	if (!sdc_wire_get_varint(d, &len))
		return false;
	if (len > (uint64_t)(d->end - d->p))
		return sdc_wire_fail(d, "truncated");
	s->ptr = (const char *)d->p;
	s->len = (size_t)len;
	d->p += len;
	return true;
}

static inline bool
sdc_wire_get_text(struct sdc_decoder *d, struct sdc_str *s)
{
	return sdc_wire_get_str(d, s) && (sdc_utf8_valid(s->ptr, s->len) ||
	    sdc_wire_fail(d, "bad utf-8"));
}

static inline bool
sdc_str_eq(const struct sdc_str *x, const struct sdc_str *y)
{
	return x->len == y->len && memcmp(x->ptr, y->ptr, x->len) == 0;
}

/* A map key: a new one (added to the table) or a reference. */
static inline bool
sdc_wire_get_key(struct sdc_decoder *d, struct sdc_str *k)
{
	struct sdc_wire_keys *t = d->keys;
	const char *ptr;
	uint64_t v;
	size_t len;

	if (!sdc_wire_get_varint(d, &v))
		return false;
	if (v & 1) {
		if ((v >> 1) >= t->n)
			return sdc_wire_fail(d, "bad key reference");
		*k = t->v[v >> 1];
		return true;
	}
	if ((v >> 1) > (uint64_t)(d->end - d->p))
		return sdc_wire_fail(d, "truncated");
	ptr = (const char *)d->p;
	len = (size_t)(v >> 1);
	d->p += len;
	if (!sdc_utf8_valid(ptr, len))
		return sdc_wire_fail(d, "bad utf-8");
	if (t->n == t->cap)
		sdc_wire_grow_keys(t);
	/* Both stores from registers: copying *k back would stall. */
	k->ptr = t->v[t->n].ptr = ptr;
	k->len = t->v[t->n].len = len;
	t->n++;
	return true;
}

/* An item count, of items at least min_size bytes each. */
static inline bool
sdc_wire_get_count(struct sdc_decoder *d, uint32_t *count, size_t min_size)
{
	uint64_t n;

	if (!sdc_wire_get_varint(d, &n))
		return false;
	if (n > (uint64_t)(d->end - d->p) / min_size)
		return sdc_wire_fail(d, "truncated");
	*count = (uint32_t)n;
	return true;
}

/* Field attributes, after a type byte with SDC_WIRE_ATTRS set. */
bool	sdc_wire_get_field_attrs(struct sdc_decoder *d,
	    struct sdc_field_attrs **attrs);

/*
 * The type byte of a field, and the attributes that follow it when it
 * says so (into the decoder's arena; *attrs NULL when none).
 */
static inline bool
sdc_wire_get_type(struct sdc_decoder *d, uint8_t *type, bool *null,
    struct sdc_field_attrs **attrs)
{
	uint8_t t;

	if (d->p == d->end)
		return sdc_wire_fail(d, "truncated");
	t = *d->p++;
	if (t & SDC_WIRE_RESERVED)
		return sdc_wire_fail(d, "reserved bits set in a field type");
	*type = t & SDC_WIRE_TYPE;
	*null = (t & SDC_WIRE_NULL) != 0;
	if (*type < SDC_BOOLEAN || *type > SDC_TYPE_MAX)
		return sdc_wire_fail(d, "unknown field type");
	*attrs = NULL;
	return !(t & SDC_WIRE_ATTRS) || sdc_wire_get_field_attrs(d, attrs);
}

/* Entering a container whose own depth is depth. */
static inline bool
sdc_wire_enter(struct sdc_decoder *d, int depth)
{
	return depth < SDC_MAX_DEPTH ||
	    sdc_wire_fail(d, "nesting deeper than 128");
}

/*
 * The common field, a short string: true with its bytes in s, not yet
 * checked for UTF-8 (that is the caller's, failing with "bad utf-8"),
 * when the next field is one; false, with nothing read, otherwise.
 */
static inline bool
sdc_wire_short_string(struct sdc_decoder *d, struct sdc_str *s)
{
	const uint8_t *p = d->p;

	if (d->end - p < 2 || p[0] != SDC_STRING || p[1] >= 0x80 ||
	    (ptrdiff_t)p[1] > d->end - p - 2)
		return false;
	s->ptr = (const char *)p + 2;
	s->len = p[1];
	d->p = p + 2 + p[1];
	return true;
}

#endif
