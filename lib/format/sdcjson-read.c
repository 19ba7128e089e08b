/*
 * SDC Record JSON into records: what Data Collector's FieldDeserializer
 * and HeaderJson take, checked strictly, each failure a reason for the
 * error record the reader makes of the object.  Unknown properties are
 * ignored, as RecordJson's @JsonIgnoreProperties(ignoreUnknown) does.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base64.h"
#include "json-write.h"
#include "sdcjson.h"
#include "temporal.h"
#include "utf8.h"
#include "wire.h"
#include "banned.h"

#define US_PER_MS	1000
#define MAX_DIGITS	30	/* of a date's milliseconds, far past any */

struct dec {
	struct sdc_record	*r;
	char			*err;
	size_t			 errlen;
	char			 num[SDC_JSON_NUMBER_MAX];
};

static int
bad(struct dec *d, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int
bad(struct dec *d, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(d->err, d->errlen, fmt, ap);
	va_end(ap);
	return -1;
}

static bool
is_json_null(const struct sdc_field *f)
{
	return f->null && f->type == SDC_STRING;
}

static bool
is_object(const struct sdc_field *f)
{
	return !f->null && (f->type == SDC_LIST_MAP || f->type == SDC_MAP);
}

static const struct sdc_field *
get(const struct sdc_field *obj, const char *key)
{
	return sdc_map_get(obj, key, strlen(key));
}

/*
 * The text of a scalar given as a string or as a JSON number (the
 * reader makes those LONG, or DECIMAL with their text), in d->num or
 * borrowed.
 */
static bool
scalar_text(struct dec *d, const struct sdc_field *v, struct sdc_str *s)
{
	if (v->null)
		return false;
	if (v->type == SDC_STRING || v->type == SDC_DECIMAL) {
		*s = v->v.s;
		return true;
	}
	if (v->type == SDC_LONG) {
		s->len = sdc_json_format_int(d->num, v->v.i);
		s->ptr = d->num;
		return true;
	}
	return false;
}

/* Java's Long.parseLong within [min, max]. */
static bool
parse_int(const struct sdc_str *s, int64_t min, int64_t max, int64_t *out)
{
	size_t i = 0;
	bool neg = false;
	uint64_t v = 0, lim;

	if (s->len > 0 && (s->ptr[0] == '-' || s->ptr[0] == '+'))
		neg = s->ptr[i++] == '-';
	if (i == s->len)
		return false;
	lim = neg ? (uint64_t)-(min + 1) + 1 : (uint64_t)max;
	for (; i < s->len; i++) {
		unsigned c = (unsigned char)s->ptr[i] - '0';

		if (c > 9 || v > (lim - c) / 10)
			return false;
		v = v * 10 + c;
	}
	*out = neg ? (int64_t)(0 - v) : (int64_t)v;
	return true;
}

/* Java's Double.parseDouble of what Double.toString writes, and JSON's. */
static bool
parse_fp(const struct sdc_str *s, bool single, double *out)
{
	char buf[400], *end;
	size_t i = 0, digits = 0;
	const char *p = s->ptr;

	if (s->len > 0 && (p[0] == '-' || p[0] == '+'))
		i++;
	if (s->len - i == 3 && memcmp(p + i, "NaN", 3) == 0) {
		*out = NAN;
		return true;
	}
	if (s->len - i == 8 && memcmp(p + i, "Infinity", 8) == 0) {
		*out = p[0] == '-' ? -INFINITY : INFINITY;
		return true;
	}
	if (s->len >= sizeof buf)
		return false;
	for (size_t j = i; j < s->len; j++) {
		if (p[j] >= '0' && p[j] <= '9')
			digits++;
		else if (strchr(".eE+-", p[j]) == NULL || p[j] == '\0')
			return false;
	}
	if (digits == 0 || p[i] == '.' || p[i] == 'e' || p[i] == 'E')
		return false;
	memcpy(buf, p, s->len);
	buf[s->len] = '\0';
	errno = 0;
	*out = single ? strtof(buf, &end) : strtod(buf, &end);
	return end == buf + s->len;
}

/*
 * Milliseconds, maybe with a fraction (ours, below a millisecond), as
 * microseconds, the fraction past the microsecond dropped.
 */
static bool
parse_ms(const struct sdc_str *s, __int128 *us)
{
	size_t i = 0, n = 0;
	bool neg = false;
	__int128 v = 0;
	int frac = 0;

	if (s->len > 0 && s->ptr[0] == '-')
		neg = (i++, true);
	for (; i < s->len && s->ptr[i] >= '0' && s->ptr[i] <= '9'; i++, n++)
		if (n < MAX_DIGITS)
			v = v * 10 + (s->ptr[i] - '0');
	if (n == 0 || n > MAX_DIGITS)
		return false;
	v *= US_PER_MS;
	if (i < s->len && s->ptr[i] == '.') {
		size_t k = ++i;

		for (; i < s->len && s->ptr[i] >= '0' && s->ptr[i] <= '9'; i++)
			if (i - k < 3)
				frac = frac * 10 + (s->ptr[i] - '0');
		if (i == k)
			return false;
		for (size_t j = i - k; j < 3; j++)
			frac *= 10;
	}
	if (i != s->len)
		return false;
	v += frac;
	*us = neg ? -v : v;
	return true;
}

static __int128
floor_div(__int128 a, __int128 b)
{
	__int128 q = a / b;

	return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

static int
temporal(struct dec *d, const struct sdc_field *v, struct sdc_field *out,
    enum sdc_type t)
{
	struct sdc_str s;
	__int128 us;

	if (!scalar_text(d, v, &s) || !parse_ms(&s, &us))
		return bad(d, "%s value is not milliseconds since the epoch",
		    sdc_type_name(t));
	if (t == SDC_DATE)
		us = floor_div(us, SDC_US_PER_DAY);
	else if (t == SDC_TIME)		/* its time of day */
		us -= floor_div(us, SDC_US_PER_DAY) * SDC_US_PER_DAY;
	if (us < INT64_MIN || us > INT64_MAX)
		return bad(d, "%s value out of range", sdc_type_name(t));
	sdc_field_int(out, t, (int64_t)us);
	return 0;
}

static int
zoned(struct dec *d, const struct sdc_field *v, struct sdc_field *out)
{
	const struct sdc_field *us, *off, *zone;

	sdc_field_begin(out, SDC_ZONED_DATETIME);
	if (!v->null && v->type == SDC_STRING) {
		if (!sdc_parse_zoned(v->v.s.ptr, v->v.s.len, &out->v.z.us,
		    &out->v.z.offset_s, &out->v.z.zone))
			return bad(d, "ZONED_DATETIME value '%.*s' is not "
			    "ISO-8601", (int)(v->v.s.len > 64 ? 64 :
			    v->v.s.len), v->v.s.ptr);
		return 0;
	}
	/* What we write of instants that have no text. */
	if (is_object(v) && (us = get(v, "us")) != NULL &&
	    (off = get(v, "offset")) != NULL &&
	    (zone = get(v, "zone")) != NULL && !us->null &&
	    us->type == SDC_LONG && !off->null && off->type == SDC_LONG &&
	    off->v.i >= -SDC_MAX_OFFSET_S && off->v.i <= SDC_MAX_OFFSET_S &&
	    !zone->null && zone->type == SDC_STRING) {
		out->v.z.us = us->v.i;
		out->v.z.offset_s = (int32_t)off->v.i;
		out->v.z.zone = zone->v.s;
		return 0;
	}
	return bad(d, "ZONED_DATETIME value is not ISO-8601 text");
}

static int
number(struct dec *d, const struct sdc_field *v, struct sdc_field *out,
    enum sdc_type t)
{
	static const int64_t lo[] = { [SDC_BYTE] = INT8_MIN,
	    [SDC_SHORT] = INT16_MIN, [SDC_INTEGER] = INT32_MIN,
	    [SDC_LONG] = INT64_MIN };
	static const int64_t hi[] = { [SDC_BYTE] = INT8_MAX,
	    [SDC_SHORT] = INT16_MAX, [SDC_INTEGER] = INT32_MAX,
	    [SDC_LONG] = INT64_MAX };
	struct sdc_str s;
	int64_t i;
	double x;

	if (!scalar_text(d, v, &s))
		return bad(d, "%s value is not a number", sdc_type_name(t));
	if (t == SDC_FLOAT || t == SDC_DOUBLE) {
		if (!parse_fp(&s, t == SDC_FLOAT, &x))
			goto fail;
		if (t == SDC_FLOAT)
			sdc_field_float(out, (float)x);
		else
			sdc_field_double(out, x);
		return 0;
	}
	if (t == SDC_DECIMAL) {
		if (!sdc_decimal_ok(s.ptr, s.len))
			goto fail;
		if (s.ptr == d->num)
			sdc_field_copy_bytes(&d->r->arena, out, t, s.ptr,
			    s.len);
		else
			sdc_field_borrow(out, t, s.ptr, s.len);
		return 0;
	}
	if (!parse_int(&s, lo[t], hi[t], &i))
		goto fail;
	sdc_field_int(out, t, i);
	return 0;
fail:
	return bad(d, "%s value '%.*s' is not a number of its range",
	    sdc_type_name(t), (int)(s.len > 64 ? 64 : s.len), s.ptr);
}

static int
scalar(struct dec *d, const struct sdc_field *v, struct sdc_field *out,
    enum sdc_type t)
{
	const uint8_t *p;
	uint8_t *bytes;
	size_t n;

	switch (t) {
	case SDC_BOOLEAN:
		if (!v->null && v->type == SDC_BOOLEAN) {
			sdc_field_bool(out, v->v.b);
			return 0;
		}
		if (!v->null && v->type == SDC_STRING && (v->v.s.len == 4 ||
		    v->v.s.len == 5) && (memcmp(v->v.s.ptr, "true", 4) == 0 ||
		    memcmp(v->v.s.ptr, "false", 5) == 0)) {
			sdc_field_bool(out, v->v.s.len == 4);
			return 0;
		}
		return bad(d, "BOOLEAN value is not true or false");
	case SDC_CHAR:
		p = (const uint8_t *)v->v.s.ptr;
		if (v->null || v->type != SDC_STRING || v->v.s.len == 0 ||
		    sdc_utf8_seq_len(p, p + v->v.s.len) != v->v.s.len)
			return bad(d, "CHAR value is not one character");
		n = v->v.s.len;
		sdc_field_int(out, SDC_CHAR, n == 1 ? p[0] : n == 2 ?
		    (p[0] & 0x1f) << 6 | (p[1] & 0x3f) : n == 3 ?
		    (p[0] & 0x0f) << 12 | (p[1] & 0x3f) << 6 | (p[2] & 0x3f) :
		    (p[0] & 0x07) << 18 | (p[1] & 0x3f) << 12 |
		    (p[2] & 0x3f) << 6 | (p[3] & 0x3f));
		return 0;
	case SDC_STRING:
		if (v->null || v->type != SDC_STRING)
			return bad(d, "STRING value is not a string");
		sdc_field_borrow(out, t, v->v.s.ptr, v->v.s.len);
		return 0;
	case SDC_BYTE_ARRAY:
		if (v->null || v->type != SDC_STRING)
			return bad(d, "BYTE_ARRAY value is not base64 text");
		bytes = sdc_arena_alloc(&d->r->arena,
		    sdc_base64_decoded_max(v->v.s.len));
		if (!sdc_base64_decode(bytes, &n, v->v.s.ptr, v->v.s.len))
			return bad(d, "BYTE_ARRAY value is not base64");
		sdc_field_borrow(out, t, bytes, n);
		return 0;
	case SDC_DATE:
	case SDC_DATETIME:
	case SDC_TIME:
		return temporal(d, v, out, t);
	case SDC_ZONED_DATETIME:
		return zoned(d, v, out);
	default:
		return number(d, v, out, t);
	}
}

static int field(struct dec *d, const struct sdc_field *f,
	    struct sdc_field *out, int depth);

/* The key of a LIST_MAP item: the last step of its sqpath, unquoted. */
static int
item_key(struct dec *d, const struct sdc_field *item,
    const struct sdc_str *parent_sq, struct sdc_str *key)
{
	const struct sdc_field *sq = is_object(item) ? get(item, "sqpath") :
	    NULL;
	const char *p, *end;
	char *k;
	size_t n = 0;

	if (sq == NULL || sq->null || sq->type != SDC_STRING)
		return bad(d, "LIST_MAP item without its sqpath");
	p = sq->v.s.ptr;
	end = p + sq->v.s.len;
	if (parent_sq != NULL && sq->v.s.len > parent_sq->len &&
	    memcmp(p, parent_sq->ptr, parent_sq->len) == 0 &&
	    p[parent_sq->len] == '/') {
		p += parent_sq->len + 1;
	} else {			/* as SDC does: after the last '/' */
		const char *slash = end;

		while (slash > p && slash[-1] != '/')
			slash--;
		if (slash == p)
			return bad(d, "LIST_MAP item sqpath without a key");
		p = slash;
	}
	if (end - p < 2 || p[0] != '\'' || end[-1] != '\'') {
		key->ptr = p;
		key->len = (size_t)(end - p);
		return 0;
	}
	/* Undo EscapeUtil.singleQuoteEscape: \\ \" and \\' */
	k = sdc_arena_alloc(&d->r->arena, (size_t)(end - p));
	for (p++, end--; p < end; ) {
		if (p[0] == '\\' && p + 1 < end && p[1] == '"') {
			k[n++] = '"';
			p += 2;
		} else if (p[0] == '\\' && p + 2 < end && p[1] == '\\' &&
		    p[2] == '\'') {
			k[n++] = '\'';
			p += 3;
		} else if (p[0] == '\\' && p + 1 < end && p[1] == '\\') {
			k[n++] = '\\';
			p += 2;
		} else {
			k[n++] = *p++;
		}
	}
	key->ptr = k;
	key->len = n;
	return 0;
}

static int
container(struct dec *d, const struct sdc_field *v, struct sdc_field *out,
    enum sdc_type t, const struct sdc_str *sq, int depth)
{
	bool list = !v->null && v->type == SDC_LIST;
	struct sdc_field tmp;
	struct sdc_str key;

	if (depth + 1 > SDC_MAX_DEPTH)
		return bad(d, "nesting deeper than %d", SDC_MAX_DEPTH);
	if (t == SDC_MAP ? !is_object(v) : !list)
		return bad(d, "%s value is not a JSON %s", sdc_type_name(t),
		    t == SDC_MAP ? "object" : "array");
	sdc_field_container(out, t);
	sdc_container_reserve(&d->r->arena, out, v->count);
	for (uint32_t i = 0; i < v->count; i++) {
		if (t == SDC_LIST) {
			if (field(d, &v->v.items[i], &tmp, depth + 1) != 0)
				return -1;
			*sdc_list_append(&d->r->arena, out) = tmp;
			continue;
		}
		if (t == SDC_MAP) {
			key = v->v.entries[i].key;
			if (field(d, &v->v.entries[i].value, &tmp,
			    depth + 1) != 0)
				return -1;
		} else if (item_key(d, &v->v.items[i], sq, &key) != 0 ||
		    field(d, &v->v.items[i], &tmp, depth + 1) != 0) {
			return -1;
		}
		*sdc_map_put(&d->r->arena, out, key.ptr, key.len) = tmp;
	}
	return 0;
}

/* Field attributes (SDC's Field.getAttributes), strings or absent. */
static int
field_attrs(struct dec *d, const struct sdc_field *a, struct sdc_field *out)
{
	if (a == NULL || is_json_null(a))
		return 0;
	if (!is_object(a))
		return bad(d, "field attributes are not an object");
	for (uint32_t i = 0; i < a->count; i++) {
		const struct sdc_entry *e = &a->v.entries[i];

		if (e->value.null || e->value.type != SDC_STRING)
			return bad(d, "field attribute '%.*s' is not a string",
			    (int)(e->key.len > 32 ? 32 : e->key.len),
			    e->key.ptr);
		sdc_field_set_attr(&d->r->arena, out, e->key.ptr, e->key.len,
		    e->value.v.s.ptr, e->value.v.s.len);
	}
	return 0;
}

static int
field(struct dec *d, const struct sdc_field *f, struct sdc_field *out,
    int depth)
{
	const struct sdc_field *type, *value, *sq;
	enum sdc_type t;

	if (!is_object(f))
		return bad(d, "a field is not an object");
	type = get(f, "type");
	if (type == NULL || type->null || type->type != SDC_STRING)
		return bad(d, "a field without its type");
	t = sdc_type_from_name(type->v.s.ptr, type->v.s.len);
	if (t == 0 && type->v.s.len == 8 &&
	    memcmp(type->v.s.ptr, "FILE_REF", 8) == 0)
		return bad(d, "FILE_REF fields, references to files of the "
		    "pipeline, have no value here");
	if (t == 0)
		return bad(d, "unknown field type '%.*s'",
		    (int)(type->v.s.len > 32 ? 32 : type->v.s.len),
		    type->v.s.ptr);
	value = get(f, "value");
	if (value == NULL)
		return bad(d, "a %s field without its value",
		    sdc_type_name(t));
	sq = get(f, "sqpath");
	if (is_json_null(value))
		sdc_field_null(out, t);
	else if ((sdc_type_is_container(t) ? container(d, value, out, t,
	    sq != NULL && !sq->null && sq->type == SDC_STRING ? &sq->v.s :
	    NULL, depth) : scalar(d, value, out, t)) != 0)
		return -1;
	return field_attrs(d, get(f, "attributes"), out);
}

/* A header property that is a string, null or absent. */
static int
header_str(struct dec *d, const struct sdc_field *h, const char *name,
    const struct sdc_field **out)
{
	*out = h == NULL ? NULL : get(h, name);
	if (*out != NULL && is_json_null(*out))
		*out = NULL;
	if (*out != NULL && (*out)->type != SDC_STRING)
		return bad(d, "header %s is not a string", name);
	return 0;
}

static char *
dup(struct dec *d, const struct sdc_str *s)
{
	return sdc_arena_memdup(&d->r->arena, s->ptr, s->len);
}

static int
stages(struct dec *d, const struct sdc_field *h)
{
	const struct sdc_field *path, *creator;
	const char *p, *end, *colon;

	if (header_str(d, h, "stagesPath", &path) != 0 ||
	    header_str(d, h, "stageCreator", &creator) != 0)
		return -1;
	if (path == NULL || path->v.s.len == 0)
		path = creator;	/* the stage that made it, or none */
	if (path == NULL)
		return 0;
	p = path->v.s.ptr;
	end = p + path->v.s.len;
	for (;;) {
		struct sdc_str s;

		colon = memchr(p, ':', (size_t)(end - p));
		s.ptr = p;
		s.len = (size_t)((colon == NULL ? end : colon) - p);
		sdc_record_add_stage(d->r, dup(d, &s));
		if (colon == NULL)
			return 0;
		p = colon + 1;
	}
}

static int
attributes(struct dec *d, const struct sdc_field *h)
{
	const struct sdc_field *vals = h == NULL ? NULL : get(h, "values");

	if (vals == NULL || is_json_null(vals))
		return 0;
	if (!is_object(vals))
		return bad(d, "header values is not an object");
	for (uint32_t i = 0; i < vals->count; i++) {
		const struct sdc_entry *e = &vals->v.entries[i];

		if (is_json_null(&e->value))
			continue;
		if (e->value.type != SDC_STRING)
			return bad(d, "header value '%.*s' is not a string",
			    (int)(e->key.len > 32 ? 32 : e->key.len),
			    e->key.ptr);
		sdc_record_set_attr(d->r, dup(d, &e->key), dup(d,
		    &e->value.v.s));
	}
	return 0;
}

/* An SDC event is a record whose attributes say so (EventRecord). */
static void
event(struct dec *d)
{
	struct sdc_record *r = d->r;
	const struct sdc_str *type = sdc_record_attr(r, "sdc.event.type");
	const struct sdc_str *ver = sdc_record_attr(r, "sdc.event.version");
	const struct sdc_str *ts = sdc_record_attr(r,
	    "sdc.event.creation_timestamp");
	int64_t t = 0;
	uint64_t v = 0;

	if (type == NULL || r->kind != SDC_KIND_DATA)
		return;
	if (ver != NULL) {
		for (size_t i = 0; i < ver->len; i++) {
			unsigned c = (unsigned char)ver->ptr[i] - '0';

			if (c > 9 || v > (UINT64_MAX - c) / 10)
				return;
			v = v * 10 + c;
		}
		if (ver->len == 0)
			return;
	}
	if (ts != NULL && !parse_int(ts, INT64_MIN, INT64_MAX, &t))
		return;
	r->kind = SDC_KIND_EVENT;
	r->h.event.type = *type;
	r->h.event.version = v;
	r->h.event.timestamp_ms = t;
	sdc_record_remove_attr(r, "sdc.event.type");
	sdc_record_remove_attr(r, "sdc.event.version");
	sdc_record_remove_attr(r, "sdc.event.creation_timestamp");
}

static int
error_fields(struct dec *d, const struct sdc_field *h)
{
	const struct sdc_field *code, *msg, *stage, *ts;
	struct sdc_header *rh = &d->r->h;
	static const struct sdc_str none = { "", 0 };

	if (header_str(d, h, "errorCode", &code) != 0 ||
	    header_str(d, h, "errorMessage", &msg) != 0 ||
	    header_str(d, h, "errorStage", &stage) != 0)
		return -1;
	ts = h == NULL ? NULL : get(h, "errorTimestamp");
	if (ts != NULL && !is_json_null(ts) && ts->type != SDC_LONG)
		return bad(d, "header errorTimestamp is not a number");
	if (code == NULL)
		return 0;
	d->r->kind = SDC_KIND_ERROR;
	rh->error.code = code->v.s;
	rh->error.message = msg != NULL ? msg->v.s : none;
	rh->error.stage = stage != NULL ? stage->v.s : none;
	rh->error.timestamp_ms = ts != NULL && !ts->null ? ts->v.i : 0;
	return 0;
}

static int
header(struct dec *d, const struct sdc_field *h)
{
	const struct sdc_field *id;

	if (h != NULL && is_json_null(h))
		h = NULL;
	if (h != NULL && !is_object(h))
		return bad(d, "the header is not an object");
	if (header_str(d, h, "sourceId", &id) != 0)
		return -1;
	if (id != NULL)
		sdc_record_set_id(d->r, id->v.s.ptr, id->v.s.len);
	if (stages(d, h) != 0 || attributes(d, h) != 0 ||
	    error_fields(d, h) != 0)
		return -1;
	event(d);
	return 0;
}

int
sdc_sdcjson_decode(const struct sdc_field *v, struct sdc_record *r,
    char *err, size_t errlen)
{
	struct dec d = { .r = r, .err = err, .errlen = errlen };
	const struct sdc_field *value;

	if (!is_object(v))
		return bad(&d, "a record is not a JSON object");
	value = get(v, "value");
	if (value == NULL)
		return bad(&d, "a record without its value");
	if (header(&d, get(v, "header")) != 0)
		return -1;
	if (is_json_null(value)) {
		sdc_field_null(&r->root, SDC_MAP);
		return 0;
	}
	return field(&d, value, &r->root, 0);
}
