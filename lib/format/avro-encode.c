/*
 * Fields into Avro binary datums by a schema tree.  A field whose type
 * the schema cannot hold is refused with its path, and nothing of the
 * datum is kept; man/sdc-convert.1 lists what goes where.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "avro-format.h"
#include "utf8.h"
#include "varint.h"
#include "banned.h"

struct enc {
	struct sdc_buf	*b;
	char		*err;
	size_t		 errlen;
	char		 path[256];
	size_t		 plen;
	int		 depth;
};

static const char *
fail(struct enc *e, const char *fmt, ...)
{
	va_list ap;
	int n;

	n = snprintf(e->err, e->errlen, "%s: ", e->plen ? e->path : "/");
	va_start(ap, fmt);
	if (n >= 0 && (size_t)n < e->errlen)
		vsnprintf(e->err + n, e->errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return e->err;
}

static const char *
full(struct enc *e)
{
	return fail(e, "datum larger than the output buffer");
}

static bool
put_long(struct enc *e, int64_t v)
{
	if (!sdc_buf_reserve(e->b, SDC_VARINT_MAX))
		return false;
	e->b->len += sdc_varint_put(e->b->data + e->b->len, sdc_zigzag(v));
	return true;
}

static bool
put_bytes(struct enc *e, const void *p, size_t n, bool counted)
{
	if (counted && !put_long(e, (int64_t)n))
		return false;
	if (!sdc_buf_reserve(e->b, n))
		return false;
	sdc_buf_put(e->b, p, n);
	return true;
}

static const char *kind_names[] = {
	"null", "boolean", "int", "long", "float", "double", "bytes",
	"string", "record", "enum", "array", "map", "union", "fixed"
};

static const char *
mismatch(struct enc *e, const struct sdc_avro_node *n,
    const struct sdc_field *f)
{
	return fail(e, "%s%s does not fit the schema's %s", f->null ?
	    "null " : "", sdc_type_name(f->type), n->name ? n->name :
	    kind_names[n->kind]);
}

static bool
is_integral(enum sdc_type t)
{
	return t == SDC_BYTE || t == SDC_SHORT || t == SDC_INTEGER ||
	    t == SDC_LONG;
}

static bool
has_symbol(const struct sdc_avro_node *n, const struct sdc_str *s)
{
	for (uint32_t i = 0; i < n->nsymbols; i++)
		if (strlen(n->symbols[i]) == s->len &&
		    memcmp(n->symbols[i], s->ptr, s->len) == 0)
			return true;
	return false;
}

/* How well field type t fits n: 2 its own, 1 converted, 0 not at all. */
static int
fit_long(const struct sdc_avro_node *n, const struct sdc_field *f)
{
	enum sdc_type t = f->type;

	switch (n->logical) {
	case SDC_AVRO_LT_DATE:
		return t == SDC_DATE ? 2 : is_integral(t);
	case SDC_AVRO_LT_TIME_MS:
	case SDC_AVRO_LT_TIME_US:
		return t == SDC_TIME ? 2 : is_integral(t);
	case SDC_AVRO_LT_TS_MS:
	case SDC_AVRO_LT_TS_US:
	case SDC_AVRO_LT_LOCAL_TS_MS:
	case SDC_AVRO_LT_LOCAL_TS_US:
		return t == SDC_DATETIME ? 2 : t == SDC_ZONED_DATETIME ||
		    is_integral(t);
	default:
		if (n->kind == SDC_AVRO_INT)
			return t == SDC_INTEGER ? 2 : t == SDC_BYTE ||
			    t == SDC_SHORT || (t == SDC_LONG && (f->null ||
			    (f->v.i >= INT32_MIN && f->v.i <= INT32_MAX)));
		return t == SDC_LONG ? 2 : is_integral(t);
	}
}

static int
fit(const struct sdc_avro_node *n, const struct sdc_field *f)
{
	enum sdc_type t = f->type;

	if (n->logical == SDC_AVRO_LT_DECIMAL)
		return t == SDC_DECIMAL ? 2 : is_integral(t);
	if (n->logical == SDC_AVRO_LT_UUID && n->kind == SDC_AVRO_STRING)
		return t == SDC_STRING ? 2 : 0;
	switch (n->kind) {
	case SDC_AVRO_NULL:
		return f->null ? 2 : 0;
	case SDC_AVRO_BOOLEAN:
		return t == SDC_BOOLEAN ? 2 : 0;
	case SDC_AVRO_INT:
	case SDC_AVRO_LONG:
		return fit_long(n, f);
	case SDC_AVRO_FLOAT:
		return t == SDC_FLOAT ? 2 : t == SDC_DOUBLE || is_integral(t);
	case SDC_AVRO_DOUBLE:
		return t == SDC_DOUBLE ? 2 : t == SDC_FLOAT || is_integral(t);
	case SDC_AVRO_STRING:
		return t == SDC_STRING ? 2 : t == SDC_CHAR || t == SDC_DECIMAL;
	case SDC_AVRO_BYTES:
		return t == SDC_BYTE_ARRAY ? 2 : t == SDC_STRING;
	case SDC_AVRO_FIXED:
		return t == SDC_BYTE_ARRAY && (f->null ||
		    f->v.s.len == n->size);
	case SDC_AVRO_ENUM:
		return t == SDC_STRING && (f->null || has_symbol(n, &f->v.s)) ?
		    2 : 0;
	case SDC_AVRO_ARRAY:
		return t == SDC_LIST ? 2 : 0;
	case SDC_AVRO_MAP:
		return t == SDC_MAP ? 2 : t == SDC_LIST_MAP;
	case SDC_AVRO_RECORD:
		return t == SDC_LIST_MAP ? 2 : t == SDC_MAP;
	default:
		return 0;
	}
}

static const char *encode(struct enc *e, const struct sdc_avro_node *n,
	    const struct sdc_field *f);

static const char *
enc_union(struct enc *e, const struct sdc_avro_node *n,
    const struct sdc_field *f)
{
	int best = -1, score = 0;

	if (f->null)
		best = n->null_branch;
	else
		for (uint32_t i = 0; i < n->nbranches && score < 2; i++) {
			int s = fit(n->branches[i], f);

			if (s > score) {
				score = s;
				best = (int)i;
			}
		}
	if (best < 0)
		return fail(e, "%s%s fits no branch of the union", f->null ?
		    "null " : "", sdc_type_name(f->type));
	if (!put_long(e, best))
		return full(e);
	return encode(e, n->branches[best], f);
}

/* Microseconds to milliseconds, rounding down as the spec's clocks do. */
static int64_t
floor_div(int64_t v, int64_t by)
{
	return v / by - (v % by < 0);
}

static const char *
enc_long(struct enc *e, const struct sdc_avro_node *n,
    const struct sdc_field *f)
{
	int64_t v = f->type == SDC_ZONED_DATETIME ? f->v.z.us : f->v.i;
	bool temporal = f->type == SDC_TIME || f->type == SDC_DATETIME ||
	    f->type == SDC_ZONED_DATETIME;

	if (temporal && (n->logical == SDC_AVRO_LT_TIME_MS ||
	    n->logical == SDC_AVRO_LT_TS_MS ||
	    n->logical == SDC_AVRO_LT_LOCAL_TS_MS))
		v = floor_div(v, 1000);
	if (n->kind == SDC_AVRO_INT && (v < INT32_MIN || v > INT32_MAX))
		return fail(e, "%lld out of the range of an int",
		    (long long)v);
	return put_long(e, v) ? NULL : full(e);
}

static const char *
enc_real(struct enc *e, const struct sdc_avro_node *n,
    const struct sdc_field *f)
{
	double d = f->type == SDC_DOUBLE ? f->v.d : f->type == SDC_FLOAT ?
	    (double)f->v.f : (double)f->v.i;
	float fl = f->type == SDC_FLOAT ? f->v.f : (float)d;

	if (n->kind == SDC_AVRO_FLOAT)
		return put_bytes(e, &fl, 4, false) ? NULL : full(e);
	return put_bytes(e, &d, 8, false) ? NULL : full(e);
}

static const char *
enc_decimal(struct enc *e, const struct sdc_avro_node *n,
    const struct sdc_field *f)
{
	uint8_t bytes[SDC_AVRO_DECIMAL_MAX];
	char text[32];
	const char *s = f->v.s.ptr, *why;
	size_t len = f->v.s.len, blen;

	if (f->type != SDC_DECIMAL) {
		len = (size_t)snprintf(text, sizeof text, "%lld",
		    (long long)f->v.i);
		s = text;
	}
	why = sdc_avro_decimal_bytes(s, len, n->precision, n->scale,
	    n->kind == SDC_AVRO_FIXED ? n->size : 0, bytes, &blen);
	if (why != NULL)
		return fail(e, "%.*s: %s", (int)len, s, why);
	return put_bytes(e, bytes, blen, n->kind == SDC_AVRO_BYTES) ? NULL :
	    full(e);
}

static const char *
enc_string(struct enc *e, const struct sdc_avro_node *n,
    const struct sdc_field *f)
{
	char utf8[4];

	if (f->type == SDC_CHAR)
		return put_bytes(e, utf8, sdc_utf8_encode(utf8,
		    (uint32_t)f->v.i), true) ? NULL : full(e);
	if (n->kind == SDC_AVRO_STRING && f->type == SDC_BYTE_ARRAY &&
	    !sdc_utf8_valid(f->v.s.ptr, f->v.s.len))
		return fail(e, "bytes that are not UTF-8 for a string");
	if (n->kind == SDC_AVRO_ENUM) {
		for (uint32_t i = 0; i < n->nsymbols; i++)
			if (strlen(n->symbols[i]) == f->v.s.len &&
			    memcmp(n->symbols[i], f->v.s.ptr, f->v.s.len) == 0)
				return put_long(e, i) ? NULL : full(e);
	}
	return put_bytes(e, f->v.s.ptr, f->v.s.len, n->kind != SDC_AVRO_FIXED) ?
	    NULL : full(e);
}

static void
push(struct enc *e, const char *key, size_t len, size_t *saved)
{
	int n;

	*saved = e->plen;
	if (e->plen >= sizeof e->path - 1)
		return;
	n = snprintf(e->path + e->plen, sizeof e->path - e->plen, "/%.*s",
	    (int)len, key);
	if (n > 0)
		e->plen += (size_t)n < sizeof e->path - e->plen ? (size_t)n :
		    sizeof e->path - e->plen - 1;
}

static void
pop(struct enc *e, size_t saved)
{
	e->plen = saved;
	e->path[saved] = '\0';
}

static const char *
enc_field(struct enc *e, const struct sdc_avro_field *af,
    const struct sdc_field *v)
{
	const struct sdc_avro_node *t = af->type;

	if (v != NULL)
		return encode(e, t, v);
	if (af->has_default)
		return put_bytes(e, af->def, af->def_len, false) ? NULL :
		    full(e);
	if (t->kind == SDC_AVRO_NULL)
		return NULL;
	if (t->kind == SDC_AVRO_UNION && t->null_branch >= 0)
		return put_long(e, t->null_branch) ? NULL : full(e);
	return fail(e, "missing, and the schema gives no default");
}

static const char *
enc_record(struct enc *e, const struct sdc_avro_node *n,
    const struct sdc_field *f)
{
	uint32_t found = 0;
	const char *why;
	size_t saved;

	for (uint32_t i = 0; i < n->nfields; i++) {
		const struct sdc_avro_field *af = &n->fields[i];
		const struct sdc_field *v = sdc_map_get(f, af->name,
		    af->name_len);

		found += v != NULL;
		push(e, af->name, af->name_len, &saved);
		why = enc_field(e, af, v);
		pop(e, saved);
		if (why != NULL)
			return why;
	}
	for (uint32_t i = 0; found < f->count && i < f->count; i++) {
		const struct sdc_str *k = &f->v.entries[i].key;
		uint32_t j;

		for (j = 0; j < n->nfields; j++)
			if (n->fields[j].name_len == k->len &&
			    memcmp(n->fields[j].name, k->ptr, k->len) == 0)
				break;
		if (j == n->nfields) {
			push(e, k->ptr, k->len, &saved);
			return fail(e, "not a field of record %s", n->name);
		}
	}
	return NULL;
}

static const char *
enc_items(struct enc *e, const struct sdc_avro_node *n,
    const struct sdc_field *f)
{
	const char *why;
	char index[24];
	size_t saved;

	if (f->count > 0 && !put_long(e, f->count))
		return full(e);
	for (uint32_t i = 0; i < f->count; i++) {
		if (n->kind == SDC_AVRO_MAP) {
			const struct sdc_entry *en = &f->v.entries[i];

			if (!put_bytes(e, en->key.ptr, en->key.len, true))
				return full(e);
			push(e, en->key.ptr, en->key.len, &saved);
			why = encode(e, n->items, &en->value);
		} else {
			snprintf(index, sizeof index, "%u", i);
			push(e, index, strlen(index), &saved);
			why = encode(e, n->items, &f->v.items[i]);
		}
		pop(e, saved);
		if (why != NULL)
			return why;
	}
	return put_long(e, 0) ? NULL : full(e);
}

static const char *
encode_value(struct enc *e, const struct sdc_avro_node *n,
    const struct sdc_field *f)
{
	if (n->logical == SDC_AVRO_LT_DECIMAL)
		return enc_decimal(e, n, f);
	switch (n->kind) {
	case SDC_AVRO_NULL:
		return NULL;
	case SDC_AVRO_BOOLEAN:
		return put_bytes(e, f->v.b ? "\1" : "\0", 1, false) ? NULL :
		    full(e);
	case SDC_AVRO_INT:
	case SDC_AVRO_LONG:
		return enc_long(e, n, f);
	case SDC_AVRO_FLOAT:
	case SDC_AVRO_DOUBLE:
		return enc_real(e, n, f);
	case SDC_AVRO_RECORD:
		return enc_record(e, n, f);
	case SDC_AVRO_ARRAY:
	case SDC_AVRO_MAP:
		return enc_items(e, n, f);
	default:	/* string, bytes, enum, fixed */
		return enc_string(e, n, f);
	}
}

static const char *
encode(struct enc *e, const struct sdc_avro_node *n,
    const struct sdc_field *f)
{
	const char *why;

	if (n->kind == SDC_AVRO_UNION)
		return enc_union(e, n, f);
	if (fit(n, f) == 0 || (f->null && n->kind != SDC_AVRO_NULL))
		return mismatch(e, n, f);
	if (++e->depth > 2 * 128)
		return fail(e, "nested too deep");
	why = encode_value(e, n, f);
	e->depth--;
	return why;
}

const char *
sdc_avro_encode(struct sdc_buf *b, const struct sdc_avro_node *n,
    const struct sdc_field *f, char *err, size_t errlen)
{
	struct enc e = { .b = b, .err = err, .errlen = errlen };
	size_t start = b->len;
	const char *why = encode(&e, n, f);

	if (why != NULL)
		b->len = start;
	return why;
}
