/*
 * Data frames rendered as compact JSON straight from their payload, in
 * one pass and without a field tree: most of the cost of `--to json`
 * is otherwise building the tree only to walk it once.  The checks are
 * those of wire-get.h, in the order of the tree decoder, so a payload
 * fails here exactly when and why it fails there; the text is that of
 * json-write.c (tests/unit/test-wire.c compares the two on every vector
 * and tests/fuzz/fuzz-wire.c on whatever the fuzzer makes).
 *
 * Strings are read and copied in blocks of 16 bytes, which may pass
 * their end: the payload must be followed by SDC_PAYLOAD_PAD readable
 * bytes, as frames from the frame reader are.
 *
 * Each put_ function reserves its own room plus one byte, which the
 * caller spends on the comma or bracket that follows, and returns the
 * new output cursor, or NULL when the payload is bad or the output
 * buffer is at its cap.
 */
#include <stdint.h>
#include <string.h>

#include "frame-reader.h"
#include "json-escape.h"
#include "json-write.h"
#include "wire-get.h"
#include "banned.h"

_Static_assert(SDC_PAYLOAD_PAD >= SDC_JSON_PAD, "strings are read in blocks");

struct walk {
	struct sdc_decoder	 d;
	struct sdc_buf		*b;
	uint8_t			*end;	/* of the room in b */
	bool			 full;	/* b cannot grow */
};

static uint8_t *
grow(struct walk *w, uint8_t *o, size_t n)
{
	struct sdc_buf *b = w->b;

	b->len = (size_t)(o - b->data);
	if (!sdc_buf_reserve(b, n)) {
		w->full = true;
		return NULL;
	}
	w->end = b->data + b->cap;
	return b->data + b->len;
}

static inline uint8_t *
room(struct walk *w, uint8_t *o, size_t n)
{
	return (size_t)(w->end - o) >= n ? o : grow(w, o, n);
}

/* The bytes after the first that needs escaping, escaped. */
static uint8_t *
put_rest(struct walk *w, uint8_t *o, const char *p, size_t n)
{
	w->b->len = (size_t)(o - w->b->data);
	sdc_json_put_escaped(w->b, p, n);
	return w->b->data + w->b->len;
}

/* Text already checked for UTF-8: a key from the key table. */
static inline __attribute__((always_inline)) uint8_t *
put_checked(struct walk *w, uint8_t *o, const struct sdc_str *s)
{
	size_t i = sdc_json_copy_plain_padded(o, (const uint8_t *)s->ptr,
	    s->len);

	o += i;
	return i < s->len ? put_rest(w, o, s->ptr + i, s->len - i) : o;
}

/*
 * A STRING, checked for UTF-8 here: bytes that need no escaping are
 * ASCII, so only the rest, if any, is checked.
 */
static inline __attribute__((always_inline)) uint8_t *
put_text(struct walk *w, uint8_t *o, const struct sdc_str *s)
{
	size_t i;

	if ((o = room(w, o, 3 + 6 * s->len + SDC_JSON_PAD)) == NULL)
		return NULL;
	*o++ = '"';
	i = sdc_json_copy_plain_padded(o, (const uint8_t *)s->ptr, s->len);
	o += i;
	if (i < s->len) {
		if (!sdc_utf8_valid(s->ptr + i, s->len - i)) {
			sdc_wire_fail(&w->d, "bad utf-8");
			return NULL;
		}
		o = put_rest(w, o, s->ptr + i, s->len - i);
	}
	*o++ = '"';
	return o;
}

static uint8_t *
put_literal(struct walk *w, uint8_t *o, const char *lit, size_t n)
{
	if ((o = room(w, o, n + 1)) == NULL)
		return NULL;
	memcpy(o, lit, n);
	return o + n;
}

/*
 * A scalar's field before its value is decoded into it, which sets the
 * member of v its type reads: not the whole struct zeroed (rep stos),
 * a cost of every number.
 */
static inline void
field_init(struct sdc_field *f, uint8_t type)
{
	f->type = type;
	f->null = false;
	f->count = f->cap = 0;
	f->attrs = NULL;
}

/* Any other scalar: decoded, then rendered by json-write.c. */
static uint8_t *
put_scalar(struct walk *w, uint8_t *o, uint8_t type)
{
	static const struct sdc_json_style plain;
	struct sdc_field f;

	field_init(&f, type);
	if (!sdc_wire_get_value(&w->d, &f))
		return NULL;
	if (type == SDC_LONG || type == SDC_INTEGER || type == SDC_SHORT ||
	    type == SDC_BYTE) {
		if ((o = room(w, o, SDC_JSON_NUMBER_MAX + 1)) == NULL)
			return NULL;
		return o + sdc_json_format_int((char *)o, f.v.i);
	}
	if ((o = room(w, o, sdc_json_field_bound(&f, &plain, 0) + 1)) == NULL)
		return NULL;
	w->b->len = (size_t)(o - w->b->data);
	sdc_json_render_field(w->b, &f, &plain, 0);
	return w->b->data + w->b->len;
}

/* INTEGER and LONG, the numbers of most records, without a field. */
static inline uint8_t *
put_int(struct walk *w, uint8_t *o, uint8_t type)
{
	int64_t v;

	if (!sdc_wire_get_zigzag(&w->d, &v))
		return NULL;
	if (type == SDC_INTEGER && (v < INT32_MIN || v > INT32_MAX)) {
		sdc_wire_fail(&w->d, "value out of range for its type");
		return NULL;
	}
	if ((o = room(w, o, SDC_JSON_NUMBER_MAX + 1)) == NULL)
		return NULL;
	return o + sdc_json_format_int((char *)o, v);
}

static uint8_t *put_field(struct walk *, uint8_t *, int);

static uint8_t *
put_list(struct walk *w, uint8_t *o, int depth)
{
	uint32_t n = 0;

	if (!sdc_wire_get_count(&w->d, &n, 1) ||
	    (o = room(w, o, 2)) == NULL)
		return NULL;
	*o++ = '[';
	for (uint32_t i = 0; i < n; i++) {
		if (i > 0)
			*o++ = ',';
		if ((o = put_field(w, o, depth)) == NULL)
			return NULL;
	}
	*o++ = ']';
	return room(w, o, 1);
}

static uint8_t *
put_key(struct walk *w, uint8_t *o, const struct sdc_str *k)
{
	if ((o = room(w, o, 4 + 6 * k->len + SDC_JSON_PAD)) == NULL)
		return NULL;
	*o++ = '"';
	o = put_checked(w, o, k);
	*o++ = '"';
	*o++ = ':';
	return o;
}

/* Values of maps are mostly short strings: those without a call. */
static uint8_t *
put_entries(struct walk *w, uint8_t *o, uint32_t n, int depth,
    struct sdc_keyset *seen)
{
	struct sdc_str k = { NULL, 0 }, s = { NULL, 0 };

	for (uint32_t i = 0; i < n; i++) {
		if (i > 0)
			*o++ = ',';
		if (!sdc_wire_get_key(&w->d, &k))
			return NULL;
		if (sdc_keyset_add(seen, k.ptr, k.len) >= 0) {
			sdc_wire_fail(&w->d, "duplicate key");
			return NULL;
		}
		if ((o = put_key(w, o, &k)) == NULL)
			return NULL;
		if (sdc_wire_short_string(&w->d, &s))
			o = put_text(w, o, &s);
		else
			o = put_field(w, o, depth);
		if (o == NULL)
			return NULL;
	}
	return o;
}

static uint8_t *
put_map(struct walk *w, uint8_t *o, int depth)
{
	uint32_t n = 0;

	if (!sdc_wire_get_count(&w->d, &n, 2) ||
	    (o = room(w, o, 2)) == NULL)
		return NULL;
	*o++ = '{';
	if ((o = put_entries(w, o, n, depth,
	    sdc_keyset_for_level((size_t)depth))) == NULL)
		return NULL;
	*o++ = '}';
	return room(w, o, 1);
}

static uint8_t *
put_field(struct walk *w, uint8_t *o, int depth)
{
	struct sdc_str s = { NULL, 0 };
	struct sdc_field_attrs *dropped;
	uint8_t type = 0;
	bool null = false;

	if (sdc_wire_short_string(&w->d, &s))
		return put_text(w, o, &s);
	if (!sdc_wire_get_type(&w->d, &type, &null, &dropped))
		return NULL;
	if (null)
		return put_literal(w, o, "null", 4);
	switch (type) {
	case SDC_STRING:
		return sdc_wire_get_str(&w->d, &s) ? put_text(w, o, &s) : NULL;
	case SDC_LIST:
		return sdc_wire_enter(&w->d, depth) ?
		    put_list(w, o, depth + 1) : NULL;
	case SDC_MAP: case SDC_LIST_MAP:
		return sdc_wire_enter(&w->d, depth) ?
		    put_map(w, o, depth + 1) : NULL;
	case SDC_INTEGER: case SDC_LONG:
		return put_int(w, o, type);
	default:
		return put_scalar(w, o, type);
	}
}

/* The fields from where the decoder is, after the header. */
static int
put_fields(struct walk *w, const char **reason)
{
	struct sdc_buf *b = w->b;
	uint8_t *o = b->data + b->len;

	if ((o = put_field(w, o, 0)) != NULL && w->d.p != w->d.end)
		sdc_wire_fail(&w->d, "trailing bytes");
	if (w->d.reason != NULL) {
		*reason = w->d.reason;
		return -1;
	}
	if (w->full)
		return 1;
	b->len = (size_t)(o - b->data);
	return 0;
}

int
sdc_json_render_payload(struct sdc_buf *b, struct sdc_record *r,
    const uint8_t *payload, size_t len, const char **reason)
{
	struct walk w = { .b = b };

	if (!sdc_buf_reserve(b, 64))
		return 1;
	w.end = b->data + b->cap;
	sdc_record_clear(r, SDC_KIND_DATA);
	sdc_decoder_init(&w.d, payload, len, &r->arena);
	if (!sdc_wire_get_header(&w.d, r)) {
		*reason = w.d.reason;
		return -1;
	}
	return put_fields(&w, reason);
}

/* The header holds no keys, so the fields start with an empty table. */
int
sdc_json_render_fields(struct sdc_buf *b, struct sdc_arena *arena,
    const uint8_t *payload, size_t len, size_t header_len,
    const char **reason)
{
	struct walk w = { .b = b };

	if (!sdc_buf_reserve(b, 64))
		return 1;
	w.end = b->data + b->cap;
	sdc_arena_reset(arena);
	sdc_decoder_init(&w.d, payload + header_len, len - header_len, arena);
	return put_fields(&w, reason);
}
