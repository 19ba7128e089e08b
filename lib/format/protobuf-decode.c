/*
 * The protobuf wire format into a record, guided by the message's
 * table.  Every read is bounded by the end of its enclosing message:
 * a varint, a length or a group that runs past it is an error with
 * its offset, never a read beyond the bytes given.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "protobuf.h"
#include "utf8.h"
#include "varint.h"
#include "wire.h"
#include "banned.h"

#define MAX_FIELD	536870911u	/* 2^29 - 1 */
#define US_PER_S	1000000

struct dec {
	struct sdc_pb_decoder	*d;
	const uint8_t		*end;	/* of the enclosing message */
	int			 depth;
};

static const char *const type_names[] = {
	"", "double", "float", "int64", "uint64", "int32", "fixed64",
	"fixed32", "bool", "string", "group", "message", "bytes", "uint32",
	"enum", "sfixed32", "sfixed64", "sint32", "sint64"
};

static bool
bad(struct dec *x, const uint8_t *at, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static bool
bad(struct dec *x, const uint8_t *at, const char *fmt, ...)
{
	va_list ap;

	x->d->err_at = (size_t)(at - x->d->base);
	va_start(ap, fmt);
	vsnprintf(x->d->err, sizeof x->d->err, fmt, ap);
	va_end(ap);
	return false;
}

static bool
varint(struct dec *x, const uint8_t **p, const uint8_t *end, uint64_t *v,
    const char *what)
{
	const uint8_t *at = *p;

	if (sdc_varint_get(p, end, v))
		return true;
	for (const uint8_t *q = at; q < end && q - at < SDC_VARINT_MAX; q++)
		if (*q < 0x80)
			return bad(x, at, "%s: varint over 64 bits", what);
	if (end - at >= SDC_VARINT_MAX)
		return bad(x, at, "%s: varint longer than 10 bytes", what);
	return bad(x, at, "%s: varint cut short", what);
}

/* The end of a field's value of wire type wire at *p, not decoded. */
static bool
skip(struct dec *x, uint32_t wire, uint32_t number, const uint8_t **p,
    int depth)
{
	const uint8_t *at = *p;
	uint64_t v, key;

	switch (wire) {
	case SDC_PB_VARINT:
		return varint(x, p, x->end, &v, "field value");
	case SDC_PB_I64:
	case SDC_PB_I32:
		if ((size_t)(x->end - at) < (wire == SDC_PB_I64 ? 8u : 4u))
			return bad(x, at, "field %u: fixed-size value cut "
			    "short", number);
		*p += wire == SDC_PB_I64 ? 8 : 4;
		return true;
	case SDC_PB_LEN:
		if (!varint(x, p, x->end, &v, "length"))
			return false;
		if (v > (uint64_t)(x->end - *p))
			return bad(x, at, "field %u: length %llu past the end "
			    "of the message", number, (unsigned long long)v);
		*p += v;
		return true;
	case SDC_PB_SGROUP:
		if (depth >= SDC_MAX_DEPTH)
			return bad(x, at, "groups nested too deep");
		for (;;) {
			const uint8_t *k = *p;

			if (*p >= x->end)
				return bad(x, k, "group %u not ended", number);
			if (!varint(x, p, x->end, &key, "field key"))
				return false;
			if ((key & 7) == SDC_PB_EGROUP)
				return (key >> 3) == number ? true : bad(x, k,
				    "group %u ended by %llu", number,
				    (unsigned long long)(key >> 3));
			if (!skip(x, key & 7, (uint32_t)(key >> 3), p,
			    depth + 1))
				return false;
		}
	default:
		return bad(x, at, "field %u: wire type %u is not valid",
		    number, wire);
	}
}

/* Unknown bytes [at, end) kept after those already kept in m. */
static void
keep_unknown(struct dec *x, struct sdc_field *m, const uint8_t *at,
    const uint8_t *end)
{
	struct sdc_field *u = NULL;
	uint8_t *joined;

	if (m->count > 0 && m->v.entries[m->count - 1].key.ptr[0] == '#')
		u = &m->v.entries[m->count - 1].value;
	if (u == NULL) {
		u = sdc_map_append(x->d->arena, m, SDC_PB_UNKNOWN,
		    sizeof SDC_PB_UNKNOWN - 1);
		sdc_field_borrow(u, SDC_BYTE_ARRAY, at, (size_t)(end - at));
		return;
	}
	if ((const uint8_t *)u->v.s.ptr + u->v.s.len == at) {
		u->v.s.len += (size_t)(end - at);
		return;
	}
	joined = sdc_arena_alloc(x->d->arena, u->v.s.len +
	    (size_t)(end - at));
	memcpy(joined, u->v.s.ptr, u->v.s.len);
	memcpy(joined + u->v.s.len, at, (size_t)(end - at));
	sdc_field_borrow(u, SDC_BYTE_ARRAY, joined, u->v.s.len +
	    (size_t)(end - at));
}

static bool
unknown(struct dec *x, struct sdc_field *m, const uint8_t *at,
    const uint8_t **p, uint64_t key, const char *why)
{
	if (!skip(x, key & 7, (uint32_t)(key >> 3), p, x->depth))
		return false;
	if (x->d->unknown == SDC_PB_UNKNOWN_ERROR)
		return bad(x, at, "field %u: %s", (unsigned)(key >> 3), why);
	if (x->d->unknown == SDC_PB_UNKNOWN_KEEP)
		keep_unknown(x, m, at, *p);
	return true;
}

static void
uint64_value(struct dec *x, struct sdc_field *out, uint64_t v)
{
	char digits[24];

	if (v <= INT64_MAX) {
		sdc_field_int(out, SDC_LONG, (int64_t)v);
		return;
	}
	sdc_field_copy_bytes(x->d->arena, out, SDC_DECIMAL, digits,
	    (size_t)snprintf(digits, sizeof digits, "%llu",
	    (unsigned long long)v));
}

static void
enum_value(const struct sdc_pb_field *f, struct sdc_field *out, uint64_t v)
{
	const struct sdc_pb_enum_value *e =
	    sdc_pb_enum_by_number(f->en, (int32_t)v);

	if (e != NULL)
		sdc_field_borrow(out, SDC_STRING, e->name.ptr, e->name.len);
	else
		sdc_field_int(out, SDC_INTEGER, (int32_t)v);
}

/* A number of the field's type from its raw bits. */
static void
number(struct dec *x, const struct sdc_pb_field *f, uint64_t v,
    struct sdc_field *out)
{
	union { uint64_t u; double d; } d64;
	union { uint32_t u; float f; } f32;

	switch (f->type) {
	case SDC_PB_INT32: case SDC_PB_SFIXED32:
		sdc_field_int(out, SDC_INTEGER, (int32_t)v);
		break;
	case SDC_PB_SINT32:
		sdc_field_int(out, SDC_INTEGER, (int32_t)((uint32_t)v >> 1 ^
		    -((uint32_t)v & 1)));
		break;
	case SDC_PB_UINT32: case SDC_PB_FIXED32:
		sdc_field_int(out, SDC_LONG, (uint32_t)v);
		break;
	case SDC_PB_SINT64:
		sdc_field_int(out, SDC_LONG, sdc_unzigzag(v));
		break;
	case SDC_PB_UINT64: case SDC_PB_FIXED64:
		uint64_value(x, out, v);
		break;
	case SDC_PB_BOOL:
		sdc_field_bool(out, v != 0);
		break;
	case SDC_PB_ENUM:
		enum_value(f, out, v);
		break;
	case SDC_PB_DOUBLE:
		d64.u = v;
		sdc_field_double(out, d64.d);
		break;
	case SDC_PB_FLOAT:
		f32.u = (uint32_t)v;
		sdc_field_float(out, f32.f);
		break;
	default:	/* INT64, SFIXED64 */
		sdc_field_int(out, SDC_LONG, (int64_t)v);
	}
}

static uint64_t
le(const uint8_t *p, int n)
{
	uint64_t v = 0;

	for (int i = n - 1; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

/* One scalar of wire type wire at *p. */
static bool
scalar(struct dec *x, const struct sdc_pb_field *f, uint32_t wire,
    const uint8_t **p, const uint8_t *end, struct sdc_field *out)
{
	const uint8_t *at = *p;
	uint64_t v;

	if (wire == SDC_PB_VARINT) {
		if (!varint(x, p, end, &v, f->name.ptr))
			return false;
	} else {
		int n = wire == SDC_PB_I64 ? 8 : 4;

		if (end - at < n)
			return bad(x, at, "%s: %s value cut short",
			    f->name.ptr, type_names[f->type]);
		v = le(at, n);
		*p += n;
	}
	number(x, f, v, out);
	return true;
}

static bool
message(struct dec *x, const struct sdc_pb_message *m, const uint8_t *p,
    const uint8_t *end, struct sdc_field *out);

static bool
text(struct dec *x, const struct sdc_pb_field *f, const uint8_t *at,
    const uint8_t *p, const uint8_t *end, struct sdc_field *out)
{
	if (f->type == SDC_PB_STRING && !sdc_utf8_valid(p, (size_t)(end - p)))
		return bad(x, at, "%s: string is not UTF-8", f->name.ptr);
	sdc_field_borrow(out, f->type == SDC_PB_STRING ? SDC_STRING :
	    SDC_BYTE_ARRAY, p, (size_t)(end - p));
	return true;
}

static bool
timestamp(struct dec *x, const struct sdc_pb_field *f, const uint8_t *at,
    const struct sdc_field *m, struct sdc_field *out)
{
	int64_t s = m->v.entries[0].value.v.i;
	int64_t ns = m->v.entries[1].value.v.i;

	if (m->v.entries[0].value.null || m->v.entries[1].value.null ||
	    s > INT64_MAX / US_PER_S - 3 || s < INT64_MIN / US_PER_S + 3)
		return bad(x, at, "%s: timestamp out of range", f->name.ptr);
	sdc_field_int(out, SDC_DATETIME, s * US_PER_S +
	    (ns >= 0 ? ns / 1000 : -((999 - ns) / 1000)));
	return true;
}

/* A message that stands for one value: Timestamp, a wrapper. */
static bool
special(struct dec *x, const struct sdc_pb_field *f, const uint8_t *at,
    const uint8_t *p, const uint8_t *end, struct sdc_field *out)
{
	const struct sdc_pb_message *m = f->msg;
	struct sdc_field tmp;
	enum sdc_pb_unknown keep = x->d->unknown;
	bool ok;

	sdc_field_null(&tmp, SDC_MAP);
	x->d->unknown = SDC_PB_UNKNOWN_DROP;
	ok = message(x, m, p, end, &tmp);
	x->d->unknown = keep;
	if (!ok)
		return false;
	if (m->special == SDC_PB_TIMESTAMP && m->nfields == 2)
		return timestamp(x, f, at, &tmp, out);
	if (m->nfields == 0)
		return bad(x, at, "%s: wrapper without a value", f->name.ptr);
	*out = tmp.v.entries[0].value;
	return true;
}

static void
map_key(struct dec *x, const struct sdc_field *k, struct sdc_str *key)
{
	char digits[24];

	if (k->type == SDC_STRING || k->type == SDC_DECIMAL) {
		*key = k->v.s;
		return;
	}
	if (k->type == SDC_BOOLEAN)
		key->len = (size_t)snprintf(digits, sizeof digits, "%s",
		    k->v.b ? "true" : "false");
	else
		key->len = (size_t)snprintf(digits, sizeof digits, "%lld",
		    (long long)k->v.i);
	key->ptr = sdc_arena_memdup(x->d->arena, digits, key->len);
}

/* An entry of a map<K,V> field: its value under its key's text. */
static bool
map_entry(struct dec *x, const struct sdc_pb_field *f, const uint8_t *p,
    const uint8_t *end, struct sdc_field *map)
{
	const struct sdc_pb_message *m = f->msg;
	struct sdc_field tmp, *slot;
	struct sdc_str key;

	sdc_field_null(&tmp, SDC_MAP);
	if (!message(x, m, p, end, &tmp))
		return false;
	if (m->nfields < 2)
		return true;
	map_key(x, &tmp.v.entries[0].value, &key);
	slot = sdc_map_put(x->d->arena, map, key.ptr, key.len);
	*slot = tmp.v.entries[1].value;
	if (slot->null && m->fields[1].type == SDC_PB_MESSAGE &&
	    m->fields[1].msg->special == SDC_PB_PLAIN)
		return message(x, m->fields[1].msg, end, end, slot);
	return true;
}

/* A length-delimited value [p, end) of the field f. */
static bool
value(struct dec *x, const struct sdc_pb_field *f, const uint8_t *at,
    const uint8_t *p, const uint8_t *end, struct sdc_field *out)
{
	const uint8_t *outer = x->end;
	bool ok;

	if (f->type != SDC_PB_MESSAGE)
		return text(x, f, at, p, end, out);
	if (x->depth >= SDC_MAX_DEPTH - 2)
		return bad(x, at, "%s: messages nested too deep",
		    f->name.ptr);
	x->depth++;
	x->end = end;
	if (f->is_map)
		ok = map_entry(x, f, p, end, out);
	else if (f->msg->special != SDC_PB_PLAIN)
		ok = special(x, f, at, p, end, out);
	else
		ok = message(x, f->msg, p, end, out);
	x->end = outer;
	x->depth--;
	return ok;
}

/* A packed run of scalars [p, end) appended to the list. */
static bool
packed(struct dec *x, const struct sdc_pb_field *f, const uint8_t *p,
    const uint8_t *end, struct sdc_field *list)
{
	uint32_t n = 0;

	if (f->wire == SDC_PB_VARINT) {
		for (const uint8_t *q = p; q < end; q++)
			n += *q < 0x80;
	} else {
		n = (uint32_t)((size_t)(end - p) / (f->wire == SDC_PB_I64 ?
		    8 : 4));
	}
	sdc_container_reserve(x->d->arena, list, n);
	while (p < end) {
		struct sdc_field *item = sdc_list_append(x->d->arena, list);

		if (!scalar(x, f, f->wire, &p, end, item))
			return false;
	}
	return true;
}

/* The other members of f's oneof are absent again. */
static void
clear_oneof(const struct sdc_pb_message *m, const struct sdc_pb_field *f,
    struct sdc_field *msg)
{
	for (uint32_t i = 0; i < m->nfields; i++)
		if (m->fields[i].oneof == f->oneof && &m->fields[i] != f)
			msg->v.entries[i].value = m->absent[i].value;
}

static bool
wrong_wire(struct dec *x, const struct sdc_pb_field *f, const uint8_t *at,
    uint32_t wire)
{
	return bad(x, at, "%s: wire type %u where its type %s wants %u",
	    f->name.ptr, wire, type_names[f->type], f->wire);
}

/* One occurrence of the field f, its key read, at *p. */
static bool
field(struct dec *x, const struct sdc_pb_message *m,
    const struct sdc_pb_field *f, uint32_t wire, const uint8_t *at,
    const uint8_t **p, struct sdc_field *msg)
{
	struct sdc_field *slot = &msg->v.entries[f - m->fields].value;
	const uint8_t *start;
	uint64_t len;

	if (f->oneof >= 0)
		clear_oneof(m, f, msg);
	if (f->repeated && wire == SDC_PB_LEN && f->wire != SDC_PB_LEN) {
		if (!varint(x, p, x->end, &len, f->name.ptr))
			return false;
		if (len > (uint64_t)(x->end - *p))
			return bad(x, at, "%s: length %llu past the end of "
			    "the message", f->name.ptr,
			    (unsigned long long)len);
		start = *p;
		*p += len;
		return packed(x, f, start, *p, slot);
	}
	if (wire != f->wire)
		return wrong_wire(x, f, at, wire);
	if (f->repeated && !f->is_map)
		slot = sdc_list_append(x->d->arena, slot);
	if (wire != SDC_PB_LEN)
		return scalar(x, f, wire, p, x->end, slot);
	if (!varint(x, p, x->end, &len, f->name.ptr))
		return false;
	if (len > (uint64_t)(x->end - *p))
		return bad(x, at, "%s: length %llu past the end of the "
		    "message", f->name.ptr, (unsigned long long)len);
	start = *p;
	*p += len;
	return value(x, f, at, start, *p, slot);
}

static bool
message(struct dec *x, const struct sdc_pb_message *m, const uint8_t *p,
    const uint8_t *end, struct sdc_field *out)
{
	if (out->null || out->type != SDC_MAP) {
		sdc_field_container(out, SDC_MAP);
		sdc_container_reserve(x->d->arena, out, m->nfields);
		if (m->nfields > 0)
			memcpy(out->v.entries, m->absent,
			    m->nfields * sizeof *m->absent);
		out->count = m->nfields;
	}
	while (p < end) {
		const uint8_t *at = p;
		const struct sdc_pb_field *f;
		uint64_t key;

		if (!varint(x, &p, end, &key, "field key"))
			return false;
		if (key >> 3 == 0 || key >> 3 > MAX_FIELD)
			return bad(x, at, "field number %llu is not valid",
			    (unsigned long long)(key >> 3));
		if ((key & 7) == SDC_PB_EGROUP)
			return bad(x, at, "end of group %u outside one",
			    (unsigned)(key >> 3));
		f = sdc_pb_field_find(m, (uint32_t)(key >> 3));
		if (f == NULL || f->type == SDC_PB_GROUP) {
			if (!unknown(x, out, at, &p, key, f ? "groups are not "
			    "supported" : "not in the message"))
				return false;
		} else if (!field(x, m, f, key & 7, at, &p, out)) {
			return false;
		}
	}
	return true;
}

bool
sdc_pb_decode(struct sdc_pb_decoder *d, const struct sdc_pb_message *m,
    const uint8_t *p, size_t n, struct sdc_field *out)
{
	static const uint8_t none[1];
	struct dec x = { .d = d, .depth = 0 };

	if (p == NULL)		/* an empty buffer's */
		p = none;
	x.end = p + n;
	d->base = p;
	d->err_at = 0;
	d->err[0] = '\0';
	sdc_field_null(out, SDC_MAP);
	return message(&x, m, p, p + n, out);
}
