/*
 * Reading the typed JSON rendering back into frames (sdc-convert
 * --from json --typed): each value is one frame object, rebuilt with
 * its header and every field type exactly as it was written.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base64.h"
#include "diag.h"
#include "format.h"
#include "json-read.h"
#include "utf8.h"
#include "json-write.h"
#include "run.h"
#include "temporal.h"
#include "wire.h"
#include "xalloc.h"
#include "banned.h"

struct typed {
	struct sdc_record	*r;
	char			*err;
	size_t			 errlen;
};

static bool
bad(struct typed *t, const char *fmt, ...) SDC_PRINTF(2, 3);

static bool
bad(struct typed *t, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(t->err, t->errlen, fmt, ap);
	va_end(ap);
	return false;
}

static bool
is(const struct sdc_field *j, enum sdc_type type)
{
	return j->type == type && !j->null;
}

static bool
key_is(const struct sdc_entry *e, const char *k)
{
	return e->key.len == strlen(k) &&
	    memcmp(e->key.ptr, k, e->key.len) == 0;
}

static bool
get_long(struct typed *t, const struct sdc_field *j, int64_t lo, int64_t hi,
    const char *what, int64_t *v)
{
	if (!is(j, SDC_LONG) && !is(j, SDC_DECIMAL))
		return bad(t, "%s: expected an integer", what);
	if (!is(j, SDC_LONG) || j->v.i < lo || j->v.i > hi)
		return bad(t, "%s: integer out of range", what);
	*v = j->v.i;
	return true;
}

/* Past INT64_MAX the JSON reader hands integers over as DECIMAL text. */
static bool
get_ulong(struct typed *t, const struct sdc_field *j, const char *what,
    uint64_t *v)
{
	char digits[24], *end;

	if (is(j, SDC_LONG) && j->v.i >= 0) {
		*v = (uint64_t)j->v.i;
		return true;
	}
	if (!is(j, SDC_DECIMAL) || j->v.s.len >= sizeof digits ||
	    j->v.s.ptr[0] == '-')
		return bad(t, "%s: expected an unsigned integer", what);
	memcpy(digits, j->v.s.ptr, j->v.s.len);
	digits[j->v.s.len] = '\0';
	errno = 0;
	*v = strtoull(digits, &end, 10);
	if (*end != '\0' || errno != 0)
		return bad(t, "%s: integer out of range", what);
	return true;
}

static bool
get_string(struct typed *t, const struct sdc_field *j, const char *what,
    struct sdc_str *s)
{
	if (!is(j, SDC_STRING))
		return bad(t, "%s: expected a string", what);
	*s = j->v.s;
	return true;
}

static bool
str_equal(const struct sdc_str *s, const char *lit)
{
	return s->len == strlen(lit) && memcmp(s->ptr, lit, s->len) == 0;
}

/* A JSON number or one of the strings NaN, Infinity, -Infinity. */
static bool
get_real(struct typed *t, const struct sdc_field *j, bool is_float,
    double *d)
{
	const char *text;

	if (is(j, SDC_LONG)) {
		*d = is_float ? (double)(float)j->v.i : (double)j->v.i;
		return true;
	}
	if (is(j, SDC_STRING)) {
		if (str_equal(&j->v.s, "NaN"))
			*d = NAN;
		else if (str_equal(&j->v.s, "Infinity"))
			*d = INFINITY;
		else if (str_equal(&j->v.s, "-Infinity"))
			*d = -INFINITY;
		else
			return bad(t, "bad %s '%.*s'", is_float ? "FLOAT" :
			    "DOUBLE", (int)j->v.s.len, j->v.s.ptr);
		return true;
	}
	if (!is(j, SDC_DECIMAL))
		return bad(t, "expected a number");
	text = sdc_arena_memdup(&t->r->arena, j->v.s.ptr, j->v.s.len);
	*d = is_float ? (double)strtof(text, NULL) : strtod(text, NULL);
	if (isinf(*d))
		return bad(t, "number out of range");
	return true;
}

static bool
get_char(struct typed *t, const struct sdc_field *j, struct sdc_field *f)
{
	const uint8_t *p = (const uint8_t *)j->v.s.ptr;
	size_t n;
	uint32_t c;

	if (!is(j, SDC_STRING) || j->v.s.len == 0 ||
	    (n = sdc_utf8_seq_len(p, p + j->v.s.len)) != j->v.s.len)
		return bad(t, "CHAR: expected a one-character string");
	c = n == 1 ? p[0] : p[0] & (0x7f >> n);
	while (--n > 0)
		c = c << 6 | (*++p & 0x3f);
	sdc_field_int(f, SDC_CHAR, c);
	return true;
}

static bool
get_zoned_object(struct typed *t, const struct sdc_field *j,
    struct sdc_field *f)
{
	const struct sdc_field *us, *off, *zone;
	int64_t o;

	us = sdc_map_get(j, "us", 2);
	off = sdc_map_get(j, "offset", 6);
	zone = sdc_map_get(j, "zone", 4);
	if (j->count != 3 || us == NULL || off == NULL || zone == NULL)
		return bad(t, "ZONED_DATETIME: expected us, offset and zone");
	if (!get_long(t, us, INT64_MIN, INT64_MAX, "us", &f->v.z.us) ||
	    !get_long(t, off, -SDC_MAX_OFFSET_S, SDC_MAX_OFFSET_S, "offset",
	    &o) || !get_string(t, zone, "zone", &f->v.z.zone))
		return false;
	f->v.z.offset_s = (int32_t)o;
	return true;
}

static bool
get_zoned(struct typed *t, const struct sdc_field *j, struct sdc_field *f)
{
	sdc_field_begin(f, SDC_ZONED_DATETIME);
	if (is(j, SDC_LIST_MAP))
		return get_zoned_object(t, j, f);
	if (!is(j, SDC_STRING) || !sdc_parse_zoned(j->v.s.ptr, j->v.s.len,
	    &f->v.z.us, &f->v.z.offset_s, &f->v.z.zone))
		return bad(t, "bad ZONED_DATETIME");
	return true;
}

/* DATE, DATETIME and TIME: ISO text, or the raw number. */
static bool
get_temporal(struct typed *t, const struct sdc_field *j, struct sdc_field *f,
    enum sdc_type type)
{
	int64_t v;
	bool ok;

	if (is(j, SDC_LONG)) {
		if (type == SDC_TIME &&
		    (j->v.i < 0 || j->v.i >= SDC_US_PER_DAY))
			return bad(t, "TIME out of range");
		sdc_field_int(f, type, j->v.i);
		return true;
	}
	if (!is(j, SDC_STRING))
		return bad(t, "bad %s", sdc_type_name(type));
	if (type == SDC_DATE)
		ok = sdc_parse_date(j->v.s.ptr, j->v.s.len, &v);
	else if (type == SDC_DATETIME)
		ok = sdc_parse_datetime(j->v.s.ptr, j->v.s.len, &v);
	else
		ok = sdc_parse_time(j->v.s.ptr, j->v.s.len, &v);
	if (!ok)
		return bad(t, "bad %s '%.*s'", sdc_type_name(type),
		    (int)j->v.s.len, j->v.s.ptr);
	sdc_field_int(f, type, v);
	return true;
}

static bool
get_bytes(struct typed *t, const struct sdc_field *j, struct sdc_field *f)
{
	uint8_t *d;
	size_t n;

	if (!is(j, SDC_STRING))
		return bad(t, "BYTE_ARRAY: expected a base64 string");
	d = sdc_arena_alloc(&t->r->arena, sdc_base64_decoded_max(j->v.s.len));
	if (!sdc_base64_decode(d, &n, j->v.s.ptr, j->v.s.len))
		return bad(t, "BYTE_ARRAY: bad base64");
	sdc_field_borrow(f, SDC_BYTE_ARRAY, d, n);
	return true;
}

static bool decode_field(struct typed *t, const struct sdc_field *j,
    struct sdc_field *f, int depth);

static bool
get_list(struct typed *t, const struct sdc_field *j, struct sdc_field *f,
    int depth)
{
	uint32_t i;

	if (!is(j, SDC_LIST))
		return bad(t, "LIST: expected an array");
	sdc_field_container(f, SDC_LIST);
	f->v.items = sdc_arena_alloc(&t->r->arena,
	    (j->count ? j->count : 1) * sizeof *f->v.items);
	f->count = f->cap = j->count;
	for (i = 0; i < j->count; i++)
		if (!decode_field(t, &j->v.items[i], &f->v.items[i], depth + 1))
			return false;
	return true;
}

static bool
get_map(struct typed *t, const struct sdc_field *j, struct sdc_field *f,
    enum sdc_type type, int depth)
{
	struct sdc_entry *e;
	uint32_t i;

	if (!is(j, SDC_LIST_MAP))
		return bad(t, "%s: expected an object", sdc_type_name(type));
	sdc_field_container(f, type);
	f->v.entries = sdc_arena_alloc(&t->r->arena,
	    (j->count ? j->count : 1) * sizeof *f->v.entries);
	f->count = f->cap = j->count;
	for (i = 0; i < j->count; i++) {
		e = &f->v.entries[i];
		e->key = j->v.entries[i].key;
		if (!decode_field(t, &j->v.entries[i].value, &e->value,
		    depth + 1))
			return false;
	}
	return true;
}

static bool
get_integer(struct typed *t, const struct sdc_field *j, struct sdc_field *f,
    enum sdc_type type)
{
	static const int64_t lim[] = { INT8_MAX, INT16_MAX, INT32_MAX };
	int64_t hi = type == SDC_LONG ? INT64_MAX : lim[type - SDC_BYTE];
	int64_t v;

	if (!get_long(t, j, -hi - 1, hi, sdc_type_name(type), &v))
		return false;
	sdc_field_int(f, type, v);
	return true;
}

static bool
decode_value(struct typed *t, const struct sdc_field *j, struct sdc_field *f,
    enum sdc_type type, int depth)
{
	double d = 0;

	switch (type) {
	case SDC_BOOLEAN:
		if (!is(j, SDC_BOOLEAN))
			return bad(t, "BOOLEAN: expected true or false");
		sdc_field_bool(f, j->v.b);
		return true;
	case SDC_CHAR:
		return get_char(t, j, f);
	case SDC_BYTE: case SDC_SHORT: case SDC_INTEGER: case SDC_LONG:
		return get_integer(t, j, f, type);
	case SDC_FLOAT: case SDC_DOUBLE:
		if (!get_real(t, j, type == SDC_FLOAT, &d))
			return false;
		if (type == SDC_FLOAT)
			sdc_field_float(f, (float)d);
		else
			sdc_field_double(f, d);
		return true;
	case SDC_DECIMAL: case SDC_STRING:
		if (!get_string(t, j, sdc_type_name(type), &f->v.s))
			return false;
		if (type == SDC_DECIMAL &&
		    !sdc_decimal_ok(f->v.s.ptr, f->v.s.len))
			return bad(t, "DECIMAL: '%.*s' is not a number",
			    (int)f->v.s.len, f->v.s.ptr);
		sdc_field_borrow(f, type, f->v.s.ptr, f->v.s.len);
		return true;
	case SDC_DATE: case SDC_DATETIME: case SDC_TIME:
		return get_temporal(t, j, f, type);
	case SDC_ZONED_DATETIME:
		return get_zoned(t, j, f);
	case SDC_BYTE_ARRAY:
		return get_bytes(t, j, f);
	case SDC_LIST:
		return get_list(t, j, f, depth);
	default:
		return get_map(t, j, f, type, depth);
	}
}

static bool get_pairs(struct typed *t, const struct sdc_field *j,
    const char *what, struct sdc_attr **pairs, uint32_t *n);

static bool
is_attributes_key(const struct sdc_str *k)
{
	return k->len == 10 && memcmp(k->ptr, "attributes", 10) == 0;
}

static bool
get_field_attrs(struct typed *t, const struct sdc_field *j,
    struct sdc_field *f)
{
	struct sdc_field_attrs *at = sdc_arena_alloc(&t->r->arena,
	    sizeof(*at));

	if (!get_pairs(t, j, "field attributes", &at->items, &at->count))
		return false;
	if (at->count == 0)
		return bad(t, "field attributes: empty");
	at->cap = at->count;
	f->attrs = at;
	return true;
}

/*
 * A typed field: an object whose key is the type's name, and
 * "attributes" too when the field has some.
 */
static bool
decode_field(struct typed *t, const struct sdc_field *j, struct sdc_field *f,
    int depth)
{
	const struct sdc_entry *e, *attrs = NULL;
	enum sdc_type type;

	if (!is(j, SDC_LIST_MAP) || j->count < 1 || j->count > 2)
		return bad(t, "a typed field is an object with one key");
	e = &j->v.entries[0];
	if (j->count == 2) {
		attrs = &j->v.entries[1];
		if (is_attributes_key(&e->key)) {
			attrs = e;
			e = &j->v.entries[1];
		}
		if (!is_attributes_key(&attrs->key))
			return bad(t, "a typed field is an object with one "
			    "key, and \"attributes\"");
	}
	type = sdc_type_from_name(e->key.ptr, e->key.len);
	if (type == 0)
		return bad(t, "unknown type '%.*s'", (int)e->key.len,
		    e->key.ptr);
	if (sdc_type_is_container(type) && depth >= SDC_MAX_DEPTH)
		return bad(t, "nesting deeper than %d levels", SDC_MAX_DEPTH);
	if (e->value.null)
		sdc_field_null(f, type);
	else if (!decode_value(t, &e->value, f, type, depth))
		return false;
	return attrs == NULL || get_field_attrs(t, &attrs->value, f);
}

static bool
get_stages(struct typed *t, const struct sdc_field *j)
{
	struct sdc_header *h = &t->r->h;
	uint32_t i;

	if (!is(j, SDC_LIST))
		return bad(t, "stages: expected an array");
	h->stages = sdc_arena_alloc(&t->r->arena,
	    (j->count ? j->count : 1) * sizeof *h->stages);
	h->nstages = h->cap_stages = j->count;
	for (i = 0; i < j->count; i++)
		if (!get_string(t, &j->v.items[i], "stages", &h->stages[i]))
			return false;
	return true;
}

/* An object of strings: the header's attributes or a field's. */
static bool
get_pairs(struct typed *t, const struct sdc_field *j, const char *what,
    struct sdc_attr **pairs, uint32_t *n)
{
	struct sdc_attr *p;

	if (!is(j, SDC_LIST_MAP))
		return bad(t, "%s: expected an object", what);
	p = sdc_arena_alloc(&t->r->arena, (j->count ? j->count : 1) *
	    sizeof(*p));
	for (uint32_t i = 0; i < j->count; i++) {
		p[i].key = j->v.entries[i].key;
		if (!get_string(t, &j->v.entries[i].value, what,
		    &p[i].value))
			return false;
	}
	*pairs = p;
	*n = j->count;
	return true;
}

static bool
get_attributes(struct typed *t, const struct sdc_field *j)
{
	struct sdc_header *h = &t->r->h;

	if (!get_pairs(t, j, "attributes", &h->attrs, &h->nattrs))
		return false;
	h->cap_attrs = h->nattrs;
	return true;
}

/* The keys of an info object, all required, no others. */
static const struct sdc_field *
info_key(struct typed *t, const struct sdc_field *j, const char *k)
{
	const struct sdc_field *v = sdc_map_get(j, k, strlen(k));

	if (v == NULL)
		bad(t, "missing '%s'", k);
	return v;
}

static bool
get_error_info(struct typed *t, const struct sdc_field *j)
{
	struct sdc_header *h = &t->r->h;
	const struct sdc_field *code, *msg, *stage, *ts;

	if (!is(j, SDC_LIST_MAP))
		return bad(t, "error: expected an object");
	if ((code = info_key(t, j, "code")) == NULL ||
	    (msg = info_key(t, j, "message")) == NULL ||
	    (stage = info_key(t, j, "stage")) == NULL ||
	    (ts = info_key(t, j, "timestamp")) == NULL)
		return false;
	if (j->count != 4)
		return bad(t, "error: unknown key");
	return get_string(t, code, "code", &h->error.code) &&
	    get_string(t, msg, "message", &h->error.message) &&
	    get_string(t, stage, "stage", &h->error.stage) &&
	    get_long(t, ts, INT64_MIN, INT64_MAX, "timestamp",
	    &h->error.timestamp_ms);
}

static bool
get_event_info(struct typed *t, const struct sdc_field *j)
{
	struct sdc_header *h = &t->r->h;
	const struct sdc_field *type, *version, *ts;

	if (!is(j, SDC_LIST_MAP))
		return bad(t, "event: expected an object");
	if ((type = info_key(t, j, "type")) == NULL ||
	    (version = info_key(t, j, "version")) == NULL ||
	    (ts = info_key(t, j, "timestamp")) == NULL)
		return false;
	if (j->count != 3)
		return bad(t, "event: unknown key");
	if (!get_string(t, type, "type", &h->event.type) ||
	    !get_ulong(t, version, "version", &h->event.version) ||
	    !get_long(t, ts, INT64_MIN, INT64_MAX, "timestamp",
	    &h->event.timestamp_ms))
		return false;
	return true;
}

static bool
record_member(struct typed *t, const struct sdc_entry *e, bool *has_value,
    bool *has_info)
{
	enum sdc_kind kind = t->r->kind;

	if (key_is(e, "kind"))
		return true;
	if (key_is(e, "id"))
		return get_string(t, &e->value, "id", &t->r->h.id);
	if (key_is(e, "stages"))
		return get_stages(t, &e->value);
	if (key_is(e, "attributes"))
		return get_attributes(t, &e->value);
	if (key_is(e, "error") && kind == SDC_KIND_ERROR)
		return (*has_info = true) && get_error_info(t, &e->value);
	if (key_is(e, "event") && kind == SDC_KIND_EVENT)
		return (*has_info = true) && get_event_info(t, &e->value);
	if (key_is(e, "value")) {
		*has_value = true;
		return decode_field(t, &e->value, &t->r->root, 0);
	}
	return bad(t, "unexpected key '%.*s'", (int)e->key.len, e->key.ptr);
}

static bool
decode_record(struct typed *t, const struct sdc_field *v)
{
	bool has_value = false, has_info = t->r->kind == SDC_KIND_DATA;
	uint32_t i;

	for (i = 0; i < v->count; i++)
		if (!record_member(t, &v->v.entries[i], &has_value, &has_info))
			return false;
	if (!has_value)
		return bad(t, "missing 'value'");
	if (!has_info)
		return bad(t, "missing '%s'", t->r->kind == SDC_KIND_ERROR ?
		    "error" : "event");
	return true;
}

static bool
decode_other(struct typed *t, const struct sdc_field *v, int64_t kind,
    struct sdc_str *payload)
{
	const struct sdc_field *p = sdc_map_get(v, "payload", 7);
	uint8_t *d;
	size_t n;

	if (kind < 1 || kind > 127 || sdc_kind_is_known((uint8_t)kind))
		return bad(t, "kind %lld is not a frame kind to pass on",
		    (long long)kind);
	if (p == NULL || v->count != 2 || !is(p, SDC_STRING))
		return bad(t, "kind %lld: expected only a base64 'payload'",
		    (long long)kind);
	d = sdc_arena_alloc(&t->r->arena, sdc_base64_decoded_max(p->v.s.len));
	if (!sdc_base64_decode(d, &n, p->v.s.ptr, p->v.s.len))
		return bad(t, "payload: bad base64");
	payload->ptr = (const char *)d;
	payload->len = n;
	return true;
}

static bool
decode_kind(struct typed *t, const struct sdc_field *v,
    enum sdc_typed_frame *what, uint8_t *kind, struct sdc_str *payload)
{
	static const char *const names[] = { "data", "error", "event" };
	const struct sdc_field *k;
	int i;

	if (!is(v, SDC_LIST_MAP) || (k = sdc_map_get(v, "kind", 4)) == NULL)
		return bad(t, "expected a frame object with a 'kind'");
	if (is(k, SDC_LONG)) {
		*what = SDC_TYPED_OTHER;
		*kind = (uint8_t)k->v.i;
		return decode_other(t, v, k->v.i, payload);
	}
	if (is(k, SDC_STRING) && str_equal(&k->v.s, "batch")) {
		*what = SDC_TYPED_BATCH;
		return v->count == 1 || bad(t, "batch: unexpected key");
	}
	for (i = 0; i < 3; i++)
		if (is(k, SDC_STRING) && str_equal(&k->v.s, names[i])) {
			*what = SDC_TYPED_RECORD;
			t->r->kind = SDC_KIND_DATA + i;
			*kind = (uint8_t)t->r->kind;
			return decode_record(t, v);
		}
	return bad(t, "unknown kind");
}

int
sdc_json_typed_decode(const struct sdc_field *v, struct sdc_record *r,
    enum sdc_typed_frame *what, uint8_t *kind, struct sdc_str *payload,
    char *err, size_t errlen)
{
	struct typed t = { r, err, errlen };

	return decode_kind(&t, v, what, kind, payload) ? 0 : -1;
}

/* The reading loop. */
struct typed_reader {
	struct sdc_run		*run;
	struct sdc_input	*in;
	struct sdc_json_reader	 jr;
	struct sdc_record	 rec;
	struct sdc_buf		 frame;
	char			 id[1100];
};

static ssize_t
input_read(void *ctx, void *buf, size_t n)
{
	return sdc_input_read(ctx, buf, n);
}

static const char *
line_id(struct typed_reader *tr, uint64_t line)
{
	snprintf(tr->id, sizeof tr->id, "%.1024s:%llu", tr->in->name,
	    (unsigned long long)line);
	return tr->id;
}

static void
forward_other(struct typed_reader *tr, uint8_t kind,
    const struct sdc_str *payload)
{
	struct sdc_frame f = { .kind = kind };

	sdc_buf_reset(&tr->frame);
	if (!sdc_wire_frame(&tr->frame, kind, payload->ptr, payload->len)) {
		sdc_run_reject_raw(tr->run, line_id(tr, tr->jr.value_line),
		    tr->jr.raw, tr->jr.raw_len, "JSON_TYPED",
		    "%s:%llu: frame larger than the record limit",
		    tr->in->name, (unsigned long long)tr->jr.value_line);
		return;
	}
	f.bytes = tr->frame.data;
	f.size = tr->frame.len;
	f.payload = f.bytes + SDC_FRAME_HEADER_LEN;
	f.payload_len = payload->len;
	sdc_run_forward(tr->run, &f);
}

static void
typed_value(struct typed_reader *tr, const struct sdc_field *v)
{
	enum sdc_typed_frame what;
	struct sdc_str payload;
	uint8_t kind;
	char err[256];

	if (sdc_json_typed_decode(v, &tr->rec, &what, &kind, &payload, err,
	    sizeof err) != 0) {
		tr->run->n.in++;
		sdc_run_reject_raw(tr->run, line_id(tr, tr->jr.value_line),
		    tr->jr.raw, tr->jr.raw_len, "JSON_TYPED", "%s:%llu: %s",
		    tr->in->name, (unsigned long long)tr->jr.value_line, err);
		return;
	}
	if (what == SDC_TYPED_BATCH) {
		sdc_run_batch(tr->run);
	} else if (what == SDC_TYPED_OTHER) {
		forward_other(tr, kind, &payload);
	} else {
		tr->run->n.in++;
		sdc_run_emit(tr->run, &tr->rec);
	}
}

static bool
typed_next(struct typed_reader *tr)
{
	struct sdc_json_reader *jr = &tr->jr;
	struct sdc_field v;

	sdc_record_clear(&tr->rec, SDC_KIND_DATA);
	switch (sdc_json_next(jr, &tr->rec.arena, &v)) {
	case SDC_JSON_EOF:
		return false;
	case SDC_JSON_IO:
		sdc_run_input_error(tr->run, tr->in);
		return false;
	case SDC_JSON_ERROR:
		tr->run->n.in++;
		sdc_run_reject_raw(tr->run, line_id(tr, jr->value_line),
		    jr->raw, jr->raw_len, "JSON_PARSE", "%s:%llu: %s",
		    tr->in->name, (unsigned long long)jr->err_line, jr->err);
		if (jr->stopped) {
			sdc_warnx("%s:%llu: cannot resume inside the array, "
			    "the rest of the input is skipped", tr->in->name,
			    (unsigned long long)jr->err_line);
			sdc_run_fail(tr->run, SDC_EXIT_DATA);
		}
		return true;
	case SDC_JSON_VALUE:
		typed_value(tr, &v);
		return true;
	}
	return false;
}

void
sdc_json_typed_read(struct sdc_run *run, struct sdc_input *in,
    enum sdc_json_mode mode)
{
	struct typed_reader *tr = sdc_xcalloc(1, sizeof *tr);

	tr->run = run;
	tr->in = in;
	/* Typed fields nest twice as deep as the fields they describe. */
	sdc_json_reader_init(&tr->jr, mode, true,
	    run->opt.max_record * 2 + 4096, input_read, in);
	tr->jr.max_depth = 2 * SDC_MAX_DEPTH + 2;
	sdc_record_init(&tr->rec);
	sdc_buf_init(&tr->frame, run->opt.max_record + SDC_FRAME_HEADER_LEN);
	while (typed_next(tr))
		continue;
	sdc_buf_release(&tr->frame);
	sdc_record_release(&tr->rec);
	sdc_json_reader_release(&tr->jr);
	free(tr);
}
