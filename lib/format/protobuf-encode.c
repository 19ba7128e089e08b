/*
 * Records into the protobuf wire format, guided by the message's table.
 * A length-delimited value is written after a one-byte room for its
 * length, moved on when the length needs more.  A value that its field
 * cannot take fails with the field's path: scalars take the record
 * types that hold their values (and their text, as Data Collector's
 * getValueAs* do), range-checked.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base64.h"
#include "protobuf.h"
#include "temporal.h"
#include "varint.h"
#include "wire.h"
#include "banned.h"

#define US_PER_S	1000000

struct step {
	struct sdc_str	name;
	int64_t		index;	/* of a LIST item; -1: none */
};

struct enc {
	struct sdc_buf	*b;
	char		*err;
	size_t		 errlen;
	int		 depth;
	struct step	 path[SDC_MAX_DEPTH + 2];
};

static bool
bad(struct enc *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static bool
bad(struct enc *e, const char *fmt, ...)
{
	size_t n = 0;
	va_list ap;

	for (int i = 0; i < e->depth && n < e->errlen; i++) {
		const struct step *s = &e->path[i];

		n += (size_t)snprintf(e->err + n, e->errlen - n, "/%.*s",
		    (int)(s->name.len > 64 ? 64 : s->name.len), s->name.ptr);
		if (s->index >= 0 && n < e->errlen)
			n += (size_t)snprintf(e->err + n, e->errlen - n,
			    "[%lld]", (long long)s->index);
	}
	if (n < e->errlen)
		n += (size_t)snprintf(e->err + n, e->errlen - n, "%s",
		    e->depth ? ": " : "");
	if (n < e->errlen) {
		va_start(ap, fmt);
		vsnprintf(e->err + n, e->errlen - n, fmt, ap);
		va_end(ap);
	}
	return false;
}

static bool
room(struct enc *e, size_t n)
{
	return sdc_buf_reserve(e->b, n) ? true : bad(e, "message larger "
	    "than %zu bytes", e->b->max);
}

static bool
put_varint(struct enc *e, uint64_t v)
{
	if (!room(e, SDC_VARINT_MAX))
		return false;
	e->b->len += sdc_varint_put(e->b->data + e->b->len, v);
	return true;
}

static bool
put_key(struct enc *e, uint32_t number, uint32_t wire)
{
	return put_varint(e, (uint64_t)number << 3 | wire);
}

static bool
put_fixed(struct enc *e, uint64_t v, int n)
{
	if (!room(e, 8))
		return false;
	for (int i = 0; i < n; i++, v >>= 8)
		e->b->data[e->b->len++] = (uint8_t)v;
	return true;
}

static bool
put_bytes(struct enc *e, const void *p, size_t n)
{
	if (!room(e, n))
		return false;
	sdc_buf_put(e->b, p, n);
	return true;
}

/* The room for a length; returns where it is. */
static bool
begin_len(struct enc *e, size_t *at)
{
	if (!room(e, 1))
		return false;
	*at = e->b->len;
	e->b->data[e->b->len++] = 0;
	return true;
}

static bool
end_len(struct enc *e, size_t at)
{
	size_t len = e->b->len - at - 1;
	uint8_t tmp[SDC_VARINT_MAX];
	size_t k = sdc_varint_put(tmp, len);

	if (k > 1) {
		if (!room(e, k - 1))
			return false;
		memmove(e->b->data + at + k, e->b->data + at + 1, len);
		e->b->len += k - 1;
	}
	memcpy(e->b->data + at, tmp, k);
	return true;
}

static const char *
type_name(const struct sdc_field *v)
{
	return sdc_type_name(v->type);
}

/* An integer from a field of a numeric type or its text. */
static bool
get_int(const struct sdc_field *v, __int128 *out)
{
	const char *s = v->v.s.ptr;
	size_t i = 0, n = v->v.s.len;
	bool neg;

	switch (v->type) {
	case SDC_BYTE: case SDC_SHORT: case SDC_INTEGER: case SDC_LONG:
		*out = v->v.i;
		return true;
	case SDC_STRING: case SDC_DECIMAL:
		break;
	default:
		return false;
	}
	neg = n > 0 && s[0] == '-';
	i = neg || (n > 0 && s[0] == '+');
	if (i == n || n - i > 20)
		return false;
	for (*out = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		*out = *out * 10 + (s[i] - '0');
	}
	if (neg)
		*out = -*out;
	return true;
}

static bool
get_double(const struct sdc_field *v, double *out)
{
	char buf[64], *end;
	__int128 i;

	if (v->type == SDC_DOUBLE || v->type == SDC_FLOAT) {
		*out = v->type == SDC_DOUBLE ? v->v.d : v->v.f;
		return true;
	}
	if (v->type != SDC_STRING && v->type != SDC_DECIMAL) {
		if (!get_int(v, &i))
			return false;
		*out = (double)i;
		return true;
	}
	if (v->v.s.len == 0 || v->v.s.len >= sizeof buf)
		return false;
	memcpy(buf, v->v.s.ptr, v->v.s.len);
	buf[v->v.s.len] = '\0';
	*out = strtod(buf, &end);
	return *end == '\0';
}

static bool
int_range(uint8_t type, __int128 i)
{
	switch (type) {
	case SDC_PB_INT32: case SDC_PB_SINT32: case SDC_PB_SFIXED32:
	case SDC_PB_ENUM:
		return i >= INT32_MIN && i <= INT32_MAX;
	case SDC_PB_UINT32: case SDC_PB_FIXED32:
		return i >= 0 && i <= UINT32_MAX;
	case SDC_PB_UINT64: case SDC_PB_FIXED64:
		return i >= 0 && i <= UINT64_MAX;
	default:
		return i >= INT64_MIN && i <= INT64_MAX;
	}
}

static bool
enum_number(struct enc *e, const struct sdc_pb_field *f,
    const struct sdc_field *v, __int128 *out)
{
	if (v->type != SDC_STRING)
		return false;
	for (size_t i = 0; i < f->en->nvalues; i++) {
		const struct sdc_str *n = &f->en->values[i].name;

		if (n->len == v->v.s.len &&
		    memcmp(n->ptr, v->v.s.ptr, n->len) == 0) {
			*out = f->en->values[i].number;
			return true;
		}
	}
	return false;
}

/* The bits a number of f's type goes on the wire as. */
static bool
number_bits(struct enc *e, const struct sdc_pb_field *f,
    const struct sdc_field *v, uint64_t *bits)
{
	union { uint64_t u; double d; } d64;
	union { uint32_t u; float f; } f32;
	__int128 i;
	double d;

	if (f->type == SDC_PB_DOUBLE || f->type == SDC_PB_FLOAT) {
		if (!get_double(v, &d))
			return bad(e, "%s where a %s wants a number",
			    type_name(v), f->type == SDC_PB_DOUBLE ?
			    "double" : "float");
		if (f->type == SDC_PB_FLOAT) {
			f32.f = (float)d;
			*bits = f32.u;
		} else {
			d64.d = d;
			*bits = d64.u;
		}
		return true;
	}
	if (f->type == SDC_PB_BOOL) {
		if (v->type == SDC_BOOLEAN)
			*bits = v->v.b;
		else if (v->type == SDC_STRING && v->v.s.len == 4 &&
		    memcmp(v->v.s.ptr, "true", 4) == 0)
			*bits = 1;
		else if (v->type == SDC_STRING && v->v.s.len == 5 &&
		    memcmp(v->v.s.ptr, "false", 5) == 0)
			*bits = 0;
		else
			return bad(e, "%s where a bool wants a BOOLEAN",
			    type_name(v));
		return true;
	}
	if (!(f->type == SDC_PB_ENUM && enum_number(e, f, v, &i)) &&
	    !get_int(v, &i))
		return bad(e, "%s where %s wants %s", type_name(v),
		    f->type == SDC_PB_ENUM ? "an enum" : "an integer",
		    f->type == SDC_PB_ENUM ? "one of its names or a number" :
		    "a whole number");
	if (!int_range(f->type, i))
		return bad(e, "value out of the range of %s", f->type ==
		    SDC_PB_ENUM ? "an enum" : "its type");
	if (f->type == SDC_PB_SINT32)
		*bits = (uint32_t)(((uint32_t)i << 1) ^ (uint32_t)((int32_t)i >>
		    31));
	else if (f->type == SDC_PB_SINT64)
		*bits = sdc_zigzag((int64_t)i);
	else if (f->type == SDC_PB_FIXED32 || f->type == SDC_PB_SFIXED32)
		*bits = (uint32_t)i;
	else
		*bits = (uint64_t)i;
	return true;
}

static bool
put_bits(struct enc *e, const struct sdc_pb_field *f, uint64_t bits)
{
	if (f->wire == SDC_PB_VARINT)
		return put_varint(e, bits);
	return put_fixed(e, bits, f->wire == SDC_PB_I64 ? 8 : 4);
}

static bool
text_of(struct enc *e, const struct sdc_pb_field *f,
    const struct sdc_field *v, struct sdc_str *s)
{
	if (v->type == SDC_STRING || v->type == SDC_DECIMAL ||
	    (f->type == SDC_PB_BYTES && v->type == SDC_BYTE_ARRAY)) {
		*s = v->v.s;
		return true;
	}
	return bad(e, "%s where a %s wants a %s", type_name(v),
	    f->type == SDC_PB_BYTES ? "bytes" : "string",
	    f->type == SDC_PB_BYTES ? "BYTE_ARRAY" : "STRING");
}

/* A bytes field given as text: its base64, as JSON has bytes. */
static bool
base64_bytes(struct enc *e, const struct sdc_pb_field *f,
    const struct sdc_field *v, bool force)
{
	size_t at, n;

	if (v->v.s.len == 0 && !force && !f->presence && !f->repeated)
		return true;
	if (!put_key(e, f->number, SDC_PB_LEN) || !begin_len(e, &at) ||
	    !room(e, sdc_base64_decoded_max(v->v.s.len)))
		return false;
	if (!sdc_base64_decode(e->b->data + e->b->len, &n, v->v.s.ptr,
	    v->v.s.len))
		return bad(e, "STRING where bytes want base64 or a "
		    "BYTE_ARRAY");
	e->b->len += n;
	return end_len(e, at);
}

static bool message(struct enc *e, const struct sdc_pb_message *m,
	    const struct sdc_field *v);

/*
 * One value of f, with its key.  force writes a zero of a field with
 * no presence (map entries, wrappers' values set apart).
 */
static bool
value(struct enc *e, const struct sdc_pb_field *f, const struct sdc_field *v,
    bool force);

static bool
timestamp(struct enc *e, const struct sdc_pb_field *f,
    const struct sdc_field *v)
{
	int64_t us, s, ns;
	int32_t off;
	struct sdc_str zone;
	size_t at;

	if (v->type == SDC_DATETIME)
		us = v->v.i;
	else if (v->type == SDC_ZONED_DATETIME)
		us = v->v.z.us;
	else if (v->type != SDC_STRING || !(sdc_parse_datetime(v->v.s.ptr,
	    v->v.s.len, &us) || sdc_parse_zoned(v->v.s.ptr, v->v.s.len, &us,
	    &off, &zone)))
		return bad(e, "%s where a Timestamp wants a DATETIME",
		    type_name(v));
	s = us / US_PER_S - (us % US_PER_S < 0);
	ns = (us - s * US_PER_S) * 1000;
	if (!put_key(e, f->number, SDC_PB_LEN) || !begin_len(e, &at))
		return false;
	if (s != 0 && (!put_key(e, 1, SDC_PB_VARINT) ||
	    !put_varint(e, (uint64_t)s)))
		return false;
	if (ns != 0 && (!put_key(e, 2, SDC_PB_VARINT) ||
	    !put_varint(e, (uint64_t)ns)))
		return false;
	return end_len(e, at);
}

static bool
wrapper(struct enc *e, const struct sdc_pb_field *f,
    const struct sdc_field *v)
{
	size_t at;

	if (f->msg->nfields == 0)
		return bad(e, "wrapper without a value field");
	return put_key(e, f->number, SDC_PB_LEN) && begin_len(e, &at) &&
	    value(e, &f->msg->fields[0], v, false) && end_len(e, at);
}

static bool
value(struct enc *e, const struct sdc_pb_field *f, const struct sdc_field *v,
    bool force)
{
	struct sdc_str s;
	uint64_t bits;
	size_t at;

	if (f->type == SDC_PB_GROUP)
		return bad(e, "groups are not supported");
	if (f->type == SDC_PB_MESSAGE) {
		if (f->msg->special == SDC_PB_TIMESTAMP)
			return timestamp(e, f, v);
		if (f->msg->special == SDC_PB_WRAPPER)
			return wrapper(e, f, v);
		return put_key(e, f->number, SDC_PB_LEN) &&
		    begin_len(e, &at) && message(e, f->msg, v) &&
		    end_len(e, at);
	}
	if (f->type == SDC_PB_BYTES && v->type == SDC_STRING)
		return base64_bytes(e, f, v, force);
	if (f->type == SDC_PB_STRING || f->type == SDC_PB_BYTES) {
		if (!text_of(e, f, v, &s))
			return false;
		if (s.len == 0 && !force && !f->presence && !f->repeated)
			return true;
		return put_key(e, f->number, SDC_PB_LEN) &&
		    put_varint(e, s.len) && put_bytes(e, s.ptr, s.len);
	}
	if (!number_bits(e, f, v, &bits))
		return false;
	if (bits == 0 && !force && !f->presence && !f->repeated)
		return true;
	return put_key(e, f->number, f->wire) && put_bits(e, f, bits);
}

static bool
packed(struct enc *e, const struct sdc_pb_field *f, const struct sdc_field *l)
{
	uint64_t bits;
	size_t at;

	if (l->count == 0)
		return true;
	if (!put_key(e, f->number, SDC_PB_LEN) || !begin_len(e, &at))
		return false;
	for (uint32_t i = 0; i < l->count; i++) {
		e->path[e->depth - 1].index = i;
		if (l->v.items[i].null)
			return bad(e, "null item in a repeated field");
		if (!number_bits(e, f, &l->v.items[i], &bits) ||
		    !put_bits(e, f, bits))
			return false;
	}
	e->path[e->depth - 1].index = -1;
	return end_len(e, at);
}

static bool
repeated(struct enc *e, const struct sdc_pb_field *f,
    const struct sdc_field *l)
{
	if (l->type != SDC_LIST)
		return bad(e, "%s where a repeated field wants a LIST",
		    type_name(l));
	if (f->packed)
		return packed(e, f, l);
	for (uint32_t i = 0; i < l->count; i++) {
		e->path[e->depth - 1].index = i;
		if (l->v.items[i].null)
			return bad(e, "null item in a repeated field");
		if (!value(e, f, &l->v.items[i], true))
			return false;
	}
	e->path[e->depth - 1].index = -1;
	return true;
}

static bool
is_map(const struct sdc_field *v)
{
	return v->type == SDC_MAP || v->type == SDC_LIST_MAP;
}

/* Each entry a message of the key's text and the value. */
static bool
map(struct enc *e, const struct sdc_pb_field *f, const struct sdc_field *v)
{
	const struct sdc_pb_message *m = f->msg;
	struct sdc_field key;
	size_t at;

	if (!is_map(v))
		return bad(e, "%s where a map wants a MAP", type_name(v));
	if (m->nfields < 2)
		return bad(e, "map entry without key and value");
	for (uint32_t i = 0; i < v->count; i++) {
		const struct sdc_entry *en = &v->v.entries[i];

		sdc_field_borrow(&key, SDC_STRING, en->key.ptr, en->key.len);
		if (!put_key(e, f->number, SDC_PB_LEN) || !begin_len(e, &at))
			return false;
		if (!value(e, &m->fields[0], &key, true))
			return false;
		e->path[e->depth].name = en->key;
		e->path[e->depth].index = -1;
		e->depth++;
		if (!en->value.null && !value(e, &m->fields[1], &en->value,
		    true))
			return false;
		e->depth--;
		if (!end_len(e, at))
			return false;
	}
	return true;
}

static const struct sdc_pb_field *
field_named(const struct sdc_pb_message *m, uint32_t hint,
    const struct sdc_str *name)
{
	if (hint < m->nfields && m->fields[hint].name.len == name->len &&
	    memcmp(m->fields[hint].name.ptr, name->ptr, name->len) == 0)
		return &m->fields[hint];
	for (uint32_t i = 0; i < m->nfields; i++)
		if (m->fields[i].name.len == name->len &&
		    memcmp(m->fields[i].name.ptr, name->ptr, name->len) == 0)
			return &m->fields[i];
	return NULL;
}

/* A member of f's oneof set before entry i. */
static const struct sdc_pb_field *
oneof_taken(const struct sdc_pb_message *m, const struct sdc_field *v,
    uint32_t i, const struct sdc_pb_field *f)
{
	for (uint32_t j = 0; j < i; j++) {
		const struct sdc_pb_field *g = field_named(m, j,
		    &v->v.entries[j].key);

		if (g != NULL && g->oneof == f->oneof &&
		    !v->v.entries[j].value.null)
			return g;
	}
	return NULL;
}

static bool
entry(struct enc *e, const struct sdc_pb_message *m,
    const struct sdc_field *v, uint32_t i)
{
	const struct sdc_entry *en = &v->v.entries[i];
	const struct sdc_pb_field *f = field_named(m, i, &en->key), *g;

	if (f == NULL && en->key.len == sizeof SDC_PB_UNKNOWN - 1 &&
	    memcmp(en->key.ptr, SDC_PB_UNKNOWN, en->key.len) == 0) {
		if (en->value.null || en->value.type != SDC_BYTE_ARRAY)
			return en->value.null ? true : bad(e, "%s where "
			    "unknown fields are a BYTE_ARRAY",
			    type_name(&en->value));
		return put_bytes(e, en->value.v.s.ptr, en->value.v.s.len);
	}
	if (f == NULL)
		return bad(e, "no field '%.*s' in %s", (int)(en->key.len > 64 ?
		    64 : en->key.len), en->key.ptr, m->full_name);
	if (en->value.null)
		return true;
	if (f->oneof >= 0 && (g = oneof_taken(m, v, i, f)) != NULL)
		return bad(e, "%.*s and %.*s are of one oneof",
		    (int)g->name.len, g->name.ptr, (int)f->name.len,
		    f->name.ptr);
	if (f->is_map)
		return map(e, f, &en->value);
	if (f->repeated)
		return repeated(e, f, &en->value);
	return value(e, f, &en->value, false);
}

/* proto2's required fields, which parsers insist on. */
static bool
required(struct enc *e, const struct sdc_pb_message *m,
    const struct sdc_field *v)
{
	for (uint32_t i = 0; i < m->nfields; i++) {
		const struct sdc_pb_field *f = &m->fields[i];
		const struct sdc_field *x;

		if (f->required && ((x = sdc_map_get(v, f->name.ptr,
		    f->name.len)) == NULL || x->null))
			return bad(e, "no value for the required field %s",
			    f->name.ptr);
	}
	return true;
}

static bool
message(struct enc *e, const struct sdc_pb_message *m,
    const struct sdc_field *v)
{
	if (!is_map(v))
		return bad(e, "%s where the message %s wants a MAP",
		    type_name(v), m->full_name);
	if (e->depth >= SDC_MAX_DEPTH - 1)
		return bad(e, "nested too deep");
	for (uint32_t i = 0; i < v->count; i++) {
		e->path[e->depth].name = v->v.entries[i].key;
		e->path[e->depth].index = -1;
		e->depth++;
		if (!entry(e, m, v, i))
			return false;
		e->depth--;
	}
	return m->nrequired == 0 || required(e, m, v);
}

bool
sdc_pb_encode(struct sdc_buf *b, const struct sdc_pb_message *m,
    const struct sdc_field *f, char *err, size_t errlen)
{
	struct enc e = { .b = b, .err = err, .errlen = errlen };

	if (f->null)
		return bad(&e, "null root where the message %s wants a MAP",
		    m->full_name);
	return message(&e, m, f);
}
