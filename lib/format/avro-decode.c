/*
 * Avro binary datums into fields, walking the schema tree: the writer's
 * alone, or the writer's and the reader's side by side when a reader
 * schema resolves it (the spec's promotions, defaults, skipped fields,
 * enum defaults).  Logical types become the record model's DECIMAL,
 * DATE, TIME and DATETIME; man/sdc-convert.1 has the mapping.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "avro-format.h"
#include "utf8.h"
#include "varint.h"
#include "wire.h"
#include "banned.h"

/* Unions count as a level: twice the record's. */
#define DEPTH_MAX	(2 * SDC_MAX_DEPTH)
#define EMPTY_ITEMS_MAX	(1u << 20)	/* items of a type that takes 0 bytes */

static int
bad(struct sdc_avro_dec *d, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(d->err, sizeof d->err, fmt, ap);
	va_end(ap);
	return SDC_AVRO_BAD;
}

static int
varint_fail(struct sdc_avro_dec *d)
{
	for (const uint8_t *q = d->p; q < d->end && q < d->p + 10; q++)
		if (*q < 0x80)
			return bad(d, "varint longer than 64 bits");
	if (d->end - d->p >= 10)
		return bad(d, "varint longer than 64 bits");
	return SDC_AVRO_SHORT;
}

static inline int
get_long(struct sdc_avro_dec *d, int64_t *v)
{
	uint64_t u;

	if (d->p < d->end && *d->p < 0x80) {
		u = *d->p++;
		*v = (int64_t)(u >> 1) ^ -(int64_t)(u & 1);
		return SDC_AVRO_OK;
	}
	if (!sdc_varint_get(&d->p, d->end, &u))
		return varint_fail(d);
	*v = sdc_unzigzag(u);
	return SDC_AVRO_OK;
}

static inline int
get_len(struct sdc_avro_dec *d, size_t *n)
{
	int64_t v;
	int rc = get_long(d, &v);

	if (rc != SDC_AVRO_OK)
		return rc;
	if (v < 0)
		return bad(d, "negative length %lld", (long long)v);
	if ((uint64_t)v > (uint64_t)(d->end - d->p))
		return SDC_AVRO_SHORT;
	*n = (size_t)v;
	return SDC_AVRO_OK;
}

static int
dec_int(struct sdc_avro_dec *d, const struct sdc_avro_node *n, int64_t v,
    struct sdc_field *f)
{
	if (v < INT32_MIN || v > INT32_MAX)
		return bad(d, "int %lld out of range", (long long)v);
	if (n->logical == SDC_AVRO_LT_DATE)
		sdc_field_int(f, SDC_DATE, v);
	else if (n->logical == SDC_AVRO_LT_TIME_MS)
		sdc_field_int(f, SDC_TIME, v * 1000);
	else
		sdc_field_int(f, SDC_INTEGER, v);
	return SDC_AVRO_OK;
}

static int
dec_long(struct sdc_avro_dec *d, const struct sdc_avro_node *n, int64_t v,
    struct sdc_field *f)
{
	switch (n->logical) {
	case SDC_AVRO_LT_TIME_US:
		sdc_field_int(f, SDC_TIME, v);
		break;
	case SDC_AVRO_LT_TS_MS:
	case SDC_AVRO_LT_LOCAL_TS_MS:
		if (v > INT64_MAX / 1000 || v < INT64_MIN / 1000)
			return bad(d, "timestamp %lld out of range",
			    (long long)v);
		sdc_field_int(f, SDC_DATETIME, v * 1000);
		break;
	case SDC_AVRO_LT_TS_US:
	case SDC_AVRO_LT_LOCAL_TS_US:
		sdc_field_int(f, SDC_DATETIME, v);
		break;
	default:
		sdc_field_int(f, SDC_LONG, v);
	}
	return SDC_AVRO_OK;
}

static int
dec_bytes(struct sdc_avro_dec *d, const struct sdc_avro_node *n,
    const uint8_t *p, size_t len, struct sdc_field *f)
{
	if (n->logical == SDC_AVRO_LT_DECIMAL) {
		if (len > SDC_AVRO_DECIMAL_MAX)
			return bad(d, "decimal of %zu bytes", len);
		sdc_field_begin(f, SDC_DECIMAL);
		sdc_avro_decimal_text(p, len, n->scale, d->arena, &f->v.s);
		sdc_avro_decimal_attrs(d->arena, f, n->precision, n->scale);
	} else if (n->kind == SDC_AVRO_STRING ||
	    (n->logical == SDC_AVRO_LT_UUID && n->kind != SDC_AVRO_FIXED)) {
		if (!sdc_utf8_valid(p, len))
			return bad(d, "string that is not UTF-8");
		sdc_field_borrow(f, SDC_STRING, p, len);
	} else if (n->logical == SDC_AVRO_LT_UUID && len == 16) {
		static const char hex[] = "0123456789abcdef";
		char *s = sdc_arena_alloc(d->arena, 36), *q = s;

		for (size_t i = 0; i < 16; i++) {
			if (i == 4 || i == 6 || i == 8 || i == 10)
				*q++ = '-';
			*q++ = hex[p[i] >> 4];
			*q++ = hex[p[i] & 15];
		}
		sdc_field_borrow(f, SDC_STRING, s, 36);
	} else
		sdc_field_borrow(f, SDC_BYTE_ARRAY, p, len);
	return SDC_AVRO_OK;
}

/* The type of a null of node n: that of its values. */
static enum sdc_type
null_type(const struct sdc_avro_node *n)
{
	static const enum sdc_type by_kind[] = {
		[SDC_AVRO_NULL] = SDC_STRING, [SDC_AVRO_BOOLEAN] = SDC_BOOLEAN,
		[SDC_AVRO_INT] = SDC_INTEGER, [SDC_AVRO_LONG] = SDC_LONG,
		[SDC_AVRO_FLOAT] = SDC_FLOAT, [SDC_AVRO_DOUBLE] = SDC_DOUBLE,
		[SDC_AVRO_BYTES] = SDC_BYTE_ARRAY,
		[SDC_AVRO_STRING] = SDC_STRING,
		[SDC_AVRO_RECORD] = SDC_LIST_MAP, [SDC_AVRO_ENUM] = SDC_STRING,
		[SDC_AVRO_ARRAY] = SDC_LIST, [SDC_AVRO_MAP] = SDC_MAP,
		[SDC_AVRO_UNION] = SDC_STRING, [SDC_AVRO_FIXED] = SDC_BYTE_ARRAY
	};

	switch (n->logical) {
	case SDC_AVRO_LT_DECIMAL:
		return SDC_DECIMAL;
	case SDC_AVRO_LT_DATE:
		return SDC_DATE;
	case SDC_AVRO_LT_TIME_MS:
	case SDC_AVRO_LT_TIME_US:
		return SDC_TIME;
	case SDC_AVRO_LT_TS_MS:
	case SDC_AVRO_LT_TS_US:
	case SDC_AVRO_LT_LOCAL_TS_MS:
	case SDC_AVRO_LT_LOCAL_TS_US:
		return SDC_DATETIME;
	case SDC_AVRO_LT_UUID:
		return SDC_STRING;
	default:
		return by_kind[n->kind];
	}
}

static enum sdc_type
union_null_type(const struct sdc_avro_node *u)
{
	if (u->nbranches == 2 && u->null_branch >= 0)
		return null_type(u->branches[1 - u->null_branch]);
	return SDC_STRING;
}

static int
dec_items(struct sdc_avro_dec *d, const struct sdc_avro_node *w,
    const struct sdc_avro_node *r, struct sdc_field *f, int64_t count)
{
	bool map = w->kind == SDC_AVRO_MAP;
	uint64_t total = (uint64_t)f->count + (uint64_t)count;
	int rc;

	if (w->items->may_be_empty ? total > EMPTY_ITEMS_MAX :
	    (uint64_t)count > (uint64_t)(d->end - d->p))
		return w->items->may_be_empty ?
		    bad(d, "%lld items of a type that takes no bytes",
		    (long long)count) : SDC_AVRO_SHORT;
	sdc_container_reserve(d->arena, f, (uint32_t)count);
	for (int64_t i = 0; i < count; i++) {
		struct sdc_field *slot;

		if (map) {
			struct sdc_entry *e = &f->v.entries[f->count];
			size_t len;

			if ((rc = get_len(d, &len)) != SDC_AVRO_OK)
				return rc;
			if (!sdc_utf8_valid(d->p, len))
				return bad(d, "map key that is not UTF-8");
			e->key.ptr = (const char *)d->p;
			e->key.len = len;
			d->p += len;
			slot = &e->value;
		} else
			slot = &f->v.items[f->count];
		f->count++;
		sdc_field_null(slot, SDC_STRING);
		if ((rc = sdc_avro_decode(d, w->items, r->items, slot)) !=
		    SDC_AVRO_OK)
			return rc;
	}
	return SDC_AVRO_OK;
}

static int
dec_blocks(struct sdc_avro_dec *d, const struct sdc_avro_node *w,
    const struct sdc_avro_node *r, struct sdc_field *f)
{
	int64_t count, size;
	int rc;

	sdc_field_container(f, w->kind == SDC_AVRO_MAP ? SDC_MAP : SDC_LIST);
	for (;;) {
		if ((rc = get_long(d, &count)) != SDC_AVRO_OK)
			return rc;
		if (count == 0)
			return SDC_AVRO_OK;
		if (count < 0) {
			if (count == INT64_MIN)
				return bad(d, "bad item count");
			count = -count;
			if ((rc = get_long(d, &size)) != SDC_AVRO_OK)
				return rc;
		}
		if (count > (int64_t)UINT32_MAX - f->count)
			return bad(d, "too many items");
		if ((rc = dec_items(d, w, r, f, count)) != SDC_AVRO_OK)
			return rc;
	}
}

static int
dec_record(struct sdc_avro_dec *d, const struct sdc_avro_node *n,
    struct sdc_field *f)
{
	int rc;

	sdc_field_container(f, SDC_LIST_MAP);
	sdc_container_reserve(d->arena, f, n->nfields);
	for (uint32_t i = 0; i < n->nfields; i++) {
		struct sdc_entry *e = &f->v.entries[f->count++];
		const struct sdc_avro_field *af = &n->fields[i];

		e->key.ptr = af->name;
		e->key.len = af->name_len;
		sdc_field_null(&e->value, SDC_STRING);
		if ((rc = sdc_avro_decode(d, af->type, af->type, &e->value)) !=
		    SDC_AVRO_OK)
			return rc;
	}
	return SDC_AVRO_OK;
}

static int
dec_union(struct sdc_avro_dec *d, const struct sdc_avro_node *w,
    const struct sdc_avro_node *r, struct sdc_field *f)
{
	int64_t i;
	int rc;

	if ((rc = get_long(d, &i)) != SDC_AVRO_OK)
		return rc;
	if (i < 0 || i >= w->nbranches)
		return bad(d, "union branch %lld of %u", (long long)i,
		    w->nbranches);
	if (w->branches[i]->kind == SDC_AVRO_NULL) {
		sdc_field_null(f, union_null_type(r->kind == SDC_AVRO_UNION ?
		    r : w));
		return SDC_AVRO_OK;
	}
	return sdc_avro_decode(d, w->branches[i],
	    w == r ? w->branches[i] : r, f);
}

static int
dec_enum(struct sdc_avro_dec *d, const struct sdc_avro_node *w,
    const struct sdc_avro_node *r, struct sdc_field *f)
{
	int64_t i;
	int rc;
	const char *sym;

	if ((rc = get_long(d, &i)) != SDC_AVRO_OK)
		return rc;
	if (i < 0 || i >= w->nsymbols)
		return bad(d, "enum index %lld of %u", (long long)i,
		    w->nsymbols);
	sym = w->symbols[i];
	if (r != w) {
		uint32_t k;

		for (k = 0; k < r->nsymbols; k++)
			if (strcmp(r->symbols[k], sym) == 0)
				break;
		if (k == r->nsymbols && r->enum_default < 0)
			return bad(d, "enum symbol %s not in the reader's "
			    "schema", sym);
		sym = r->symbols[k < r->nsymbols ? k : (uint32_t)
		    r->enum_default];
	}
	sdc_field_borrow(f, SDC_STRING, sym, strlen(sym));
	return SDC_AVRO_OK;
}

/*
 * A scalar of writer kind w->kind read as reader node r (of the same
 * kind, or one the spec promotes it to).
 */
static int
dec_scalar(struct sdc_avro_dec *d, const struct sdc_avro_node *w,
    const struct sdc_avro_node *r, struct sdc_field *f)
{
	int64_t v = 0;
	size_t len;
	float fl;
	double db;
	int rc;

	switch (w->kind) {
	case SDC_AVRO_NULL:
		sdc_field_null(f, SDC_STRING);
		return SDC_AVRO_OK;
	case SDC_AVRO_BOOLEAN:
		if (d->p >= d->end)
			return SDC_AVRO_SHORT;
		if (*d->p > 1)
			return bad(d, "boolean byte %u", *d->p);
		sdc_field_bool(f, *d->p++ == 1);
		return SDC_AVRO_OK;
	case SDC_AVRO_INT:
	case SDC_AVRO_LONG:
		if ((rc = get_long(d, &v)) != SDC_AVRO_OK)
			return rc;
		if (w->kind == SDC_AVRO_INT && (v < INT32_MIN || v > INT32_MAX))
			return bad(d, "int %lld out of range", (long long)v);
		if (r->kind == SDC_AVRO_FLOAT)
			sdc_field_float(f, (float)v);
		else if (r->kind == SDC_AVRO_DOUBLE)
			sdc_field_double(f, (double)v);
		else if (r->kind == SDC_AVRO_INT)
			return dec_int(d, r, v, f);
		else
			return dec_long(d, r, v, f);
		return SDC_AVRO_OK;
	case SDC_AVRO_FLOAT:
		if (d->end - d->p < 4)
			return SDC_AVRO_SHORT;
		memcpy(&fl, d->p, 4);
		d->p += 4;
		if (r->kind == SDC_AVRO_DOUBLE)
			sdc_field_double(f, (double)fl);
		else
			sdc_field_float(f, fl);
		return SDC_AVRO_OK;
	case SDC_AVRO_DOUBLE:
		if (d->end - d->p < 8)
			return SDC_AVRO_SHORT;
		memcpy(&db, d->p, 8);
		d->p += 8;
		sdc_field_double(f, db);
		return SDC_AVRO_OK;
	case SDC_AVRO_FIXED:
		if ((size_t)(d->end - d->p) < w->size)
			return SDC_AVRO_SHORT;
		len = w->size;
		break;
	default:	/* bytes, string */
		if ((rc = get_len(d, &len)) != SDC_AVRO_OK)
			return rc;
	}
	d->p += len;
	return dec_bytes(d, r, d->p - len, len, f);
}

static bool
promotes(enum sdc_avro_kind w, enum sdc_avro_kind r)
{
	switch (w) {
	case SDC_AVRO_INT:
		return r == SDC_AVRO_LONG || r == SDC_AVRO_FLOAT ||
		    r == SDC_AVRO_DOUBLE;
	case SDC_AVRO_LONG:
		return r == SDC_AVRO_FLOAT || r == SDC_AVRO_DOUBLE;
	case SDC_AVRO_FLOAT:
		return r == SDC_AVRO_DOUBLE;
	case SDC_AVRO_STRING:
		return r == SDC_AVRO_BYTES;
	case SDC_AVRO_BYTES:
		return r == SDC_AVRO_STRING;
	default:
		return false;
	}
}

static bool
same_type(const struct sdc_avro_node *w, const struct sdc_avro_node *r)
{
	if (w->kind != r->kind)
		return false;
	if (w->kind == SDC_AVRO_FIXED)
		return w->size == r->size;
	return true;
}

static const char *
kind_name(const struct sdc_avro_node *n)
{
	static const char *const names[] = {
		"null", "boolean", "int", "long", "float", "double", "bytes",
		"string", "record", "enum", "array", "map", "union", "fixed"
	};

	return n->name != NULL ? n->name : names[n->kind];
}

/* The first branch of the reader's union that the writer's type fits. */
static const struct sdc_avro_node *
reader_branch(const struct sdc_avro_node *w, const struct sdc_avro_node *r)
{
	for (uint32_t i = 0; i < r->nbranches; i++)
		if (same_type(w, r->branches[i]) && (w->name == NULL ||
		    r->branches[i]->name == NULL ||
		    strcmp(w->name, r->branches[i]->name) == 0))
			return r->branches[i];
	for (uint32_t i = 0; i < r->nbranches; i++)
		if (promotes(w->kind, r->branches[i]->kind))
			return r->branches[i];
	return NULL;
}

static int
dec_default(struct sdc_avro_dec *d, const struct sdc_avro_field *rf,
    struct sdc_field *f)
{
	struct sdc_avro_dec sub = { rf->def, rf->def + rf->def_len, d->arena,
	    "", d->depth };
	int rc = sdc_avro_decode(&sub, rf->type, rf->type, f);

	if (rc != SDC_AVRO_OK)
		return bad(d, "default of field %s: %s", rf->name, sub.err);
	return SDC_AVRO_OK;
}

static int
resolve_record(struct sdc_avro_dec *d, const struct sdc_avro_node *w,
    const struct sdc_avro_node *r, struct sdc_field *f)
{
	struct sdc_field *vals = sdc_arena_alloc(d->arena,
	    (r->nfields + 1) * sizeof *vals);
	bool *set = sdc_arena_alloc(d->arena, r->nfields + 1);
	struct sdc_field skip;
	int rc;

	memset(set, 0, r->nfields + 1);
	for (uint32_t i = 0; i < w->nfields; i++) {
		const struct sdc_avro_field *wf = &w->fields[i];
		uint32_t k;

		for (k = 0; k < r->nfields; k++)
			if (strcmp(r->fields[k].name, wf->name) == 0)
				break;
		rc = k < r->nfields ?
		    sdc_avro_decode(d, wf->type, r->fields[k].type, &vals[k]) :
		    sdc_avro_decode(d, wf->type, wf->type, &skip);
		if (rc != SDC_AVRO_OK)
			return rc;
		if (k < r->nfields)
			set[k] = true;
	}
	sdc_field_container(f, SDC_LIST_MAP);
	sdc_container_reserve(d->arena, f, r->nfields);
	for (uint32_t k = 0; k < r->nfields; k++) {
		struct sdc_entry *e = &f->v.entries[f->count++];

		e->key.ptr = r->fields[k].name;
		e->key.len = r->fields[k].name_len;
		if (set[k])
			e->value = vals[k];
		else if (!r->fields[k].has_default)
			return bad(d, "reader's field %s has no default",
			    r->fields[k].name);
		else if ((rc = dec_default(d, &r->fields[k], &e->value)) !=
		    SDC_AVRO_OK)
			return rc;
	}
	return SDC_AVRO_OK;
}

static int
resolve(struct sdc_avro_dec *d, const struct sdc_avro_node *w,
    const struct sdc_avro_node *r, struct sdc_field *f)
{
	if (w->kind == SDC_AVRO_UNION)
		return dec_union(d, w, r, f);
	if (r->kind == SDC_AVRO_UNION) {
		const struct sdc_avro_node *b = reader_branch(w, r);

		if (b == NULL)
			return bad(d, "writer's %s is in no branch of the "
			    "reader's union", kind_name(w));
		if (w->kind == SDC_AVRO_NULL) {
			sdc_field_null(f, union_null_type(r));
			return SDC_AVRO_OK;
		}
		return sdc_avro_decode(d, w, b, f);
	}
	if (!same_type(w, r) && !promotes(w->kind, r->kind))
		return bad(d, "writer's %s does not resolve to the reader's %s",
		    kind_name(w), kind_name(r));
	switch (w->kind) {
	case SDC_AVRO_RECORD:
		return resolve_record(d, w, r, f);
	case SDC_AVRO_ENUM:
		return dec_enum(d, w, r, f);
	case SDC_AVRO_ARRAY:
	case SDC_AVRO_MAP:
		return dec_blocks(d, w, r, f);
	default:
		return dec_scalar(d, w, r, f);
	}
}

int
sdc_avro_decode(struct sdc_avro_dec *d, const struct sdc_avro_node *w,
    const struct sdc_avro_node *r, struct sdc_field *f)
{
	int rc;

	if (++d->depth > DEPTH_MAX) {
		d->depth--;
		return bad(d, "nested deeper than %d", DEPTH_MAX);
	}
	if (w != r)
		rc = resolve(d, w, r, f);
	else
		switch (w->kind) {
		case SDC_AVRO_RECORD:
			rc = dec_record(d, w, f);
			break;
		case SDC_AVRO_UNION:
			rc = dec_union(d, w, w, f);
			break;
		case SDC_AVRO_ENUM:
			rc = dec_enum(d, w, w, f);
			break;
		case SDC_AVRO_ARRAY:
		case SDC_AVRO_MAP:
			rc = dec_blocks(d, w, w, f);
			break;
		default:
			rc = dec_scalar(d, w, w, f);
		}
	d->depth--;
	return rc;
}
