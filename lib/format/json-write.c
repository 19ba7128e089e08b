/*
 * JSON rendering.  Everything appends to a buffer that the caller has
 * already grown by the bound computed from the same tree, so the hot
 * loops are plain stores and memcpy.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base64.h"
#include "json-escape.h"
#include "json-write.h"
#include "utf8.h"
#include "temporal.h"
#include "banned.h"

struct jw {
	struct sdc_buf			*b;
	const struct sdc_json_style	*st;
	const char			*why;	/* first failure */
};

#define PUT_LIT(w, lit)	sdc_buf_put((w)->b, lit, sizeof(lit) - 1)

static void
put_escaped(struct jw *w, const char *s, size_t n)
{
	if (!sdc_json_put_escaped(w->b, s, n) && !w->st->lossy &&
	    w->why == NULL)
		w->why = "invalid UTF-8 in a string";
}

static void
put_string(struct jw *w, const char *s, size_t n)
{
	uint8_t *d = w->b->data + w->b->len;
	size_t i;

	*d++ = '"';
	i = sdc_json_copy_plain(d, (const uint8_t *)s, n);
	w->b->len += 1 + i;
	if (i < n)
		put_escaped(w, s + i, n - i);
	sdc_buf_putc(w->b, '"');
}

/*
 * The same through a cursor d that the caller keeps in a register:
 * stores through w->b would make the compiler reload it after each
 * byte.  Returns the new cursor.
 */
static uint8_t *
cursor_string(struct jw *w, uint8_t *d, const char *s, size_t n)
{
	size_t i;

	*d++ = '"';
	i = sdc_json_copy_plain(d, (const uint8_t *)s, n);
	d += i;
	if (i < n) {
		w->b->len = (size_t)(d - w->b->data);
		put_escaped(w, s + i, n - i);
		d = w->b->data + w->b->len;
	}
	*d++ = '"';
	return d;
}

static void
put_cstring(struct jw *w, const char *s)
{
	put_string(w, s, strlen(s));
}

size_t
sdc_json_format_int(char *dst, int64_t v)
{
	static const char pairs[] =
	    "0001020304050607080910111213141516171819"
	    "2021222324252627282930313233343536373839"
	    "4041424344454647484950515253545556575859"
	    "6061626364656667686970717273747576777879"
	    "8081828384858687888990919293949596979899";
	char tmp[24], *p = tmp + sizeof tmp;
	uint64_t u = v < 0 ? -(uint64_t)v : (uint64_t)v;
	size_t n;

	while (u >= 100) {
		p -= 2;
		memcpy(p, pairs + u % 100 * 2, 2);
		u /= 100;
	}
	if (u >= 10) {
		p -= 2;
		memcpy(p, pairs + u * 2, 2);
	} else
		*--p = (char)('0' + u);
	if (v < 0)
		*--p = '-';
	n = tmp + sizeof tmp - p;
	memcpy(dst, p, n);
	return n;
}

/* A number that re-reads as the same type: 1 becomes "1.0". */
static size_t
ensure_fraction(char *dst, size_t n)
{
	if (strpbrk(dst, ".eEn") == NULL) {
		memcpy(dst + n, ".0", 3);
		n += 2;
	}
	return n;
}

size_t
sdc_json_format_double(char *dst, double d)
{
	int prec, n = 0;

	if (fabs(d) < 9007199254740992.0 && d == (double)(int64_t)d &&
	    !(d == 0 && signbit(d))) {
		n = (int)sdc_json_format_int(dst, (int64_t)d);
		memcpy(dst + n, ".0", 2);
		return n + 2;
	}
	for (prec = 15; prec <= 17; prec++) {
		n = snprintf(dst, SDC_JSON_NUMBER_MAX, "%.*g", prec, d);
		if (strtod(dst, NULL) == d)
			break;
	}
	return ensure_fraction(dst, n);
}

size_t
sdc_json_format_float(char *dst, float f)
{
	int prec, n = 0;

	for (prec = 6; prec <= 9; prec++) {
		n = snprintf(dst, SDC_JSON_NUMBER_MAX, "%.*g", prec, (double)f);
		if (strtof(dst, NULL) == f)
			break;
	}
	return ensure_fraction(dst, n);
}

static void
put_int(struct jw *w, int64_t v)
{
	w->b->len += sdc_json_format_int((char *)w->b->data + w->b->len, v);
}

/* Event versions are unsigned 64-bit. */
static void
put_uint(struct jw *w, uint64_t v)
{
	w->b->len += (size_t)snprintf((char *)w->b->data + w->b->len,
	    SDC_JSON_NUMBER_MAX, "%llu", (unsigned long long)v);
}

/* NaN and the infinities have no JSON number: they become strings. */
static void
put_real(struct jw *w, double d, bool is_float)
{
	char *dst = (char *)w->b->data + w->b->len;

	if (isnan(d))
		PUT_LIT(w, "\"NaN\"");
	else if (isinf(d) && d > 0)
		PUT_LIT(w, "\"Infinity\"");
	else if (isinf(d))
		PUT_LIT(w, "\"-Infinity\"");
	else if (is_float)
		w->b->len += sdc_json_format_float(dst, (float)d);
	else
		w->b->len += sdc_json_format_double(dst, d);
}

static void
put_indent(struct jw *w, int depth)
{
	size_t n = (size_t)depth * 2;

	sdc_buf_putc(w->b, '\n');
	memset(w->b->data + w->b->len, ' ', n);
	w->b->len += n;
}

/* Before item i of a container whose items are at depth+1. */
static void
put_item_sep(struct jw *w, uint32_t i, int depth)
{
	if (i > 0)
		sdc_buf_putc(w->b, ',');
	if (w->st->pretty)
		put_indent(w, depth + 1);
}

static void
put_close(struct jw *w, char c, uint32_t count, int depth)
{
	if (w->st->pretty && count > 0)
		put_indent(w, depth);
	sdc_buf_putc(w->b, (uint8_t)c);
}

static void
put_key(struct jw *w, const char *k, size_t n)
{
	put_string(w, k, n);
	sdc_buf_putc(w->b, ':');
	if (w->st->pretty)
		sdc_buf_putc(w->b, ' ');
}

static void
put_ckey(struct jw *w, uint32_t i, int depth, const char *k)
{
	put_item_sep(w, i, depth);
	put_key(w, k, strlen(k));
}

static void
put_char(struct jw *w, int64_t c)
{
	char tmp[4];

	if (c < 0 || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff)) {
		if (!w->st->lossy && w->why == NULL)
			w->why = "invalid CHAR value";
		c = 0xfffd;
	}
	put_string(w, tmp, sdc_utf8_encode(tmp, (uint32_t)c));
}

static void
put_base64(struct jw *w, const struct sdc_str *s)
{
	sdc_buf_putc(w->b, '"');
	w->b->len += sdc_base64_encode((char *)w->b->data + w->b->len, s->ptr,
	    s->len);
	sdc_buf_putc(w->b, '"');
}

static void
put_decimal(struct jw *w, const struct sdc_str *s)
{
	if (w->st->typed) {
		put_string(w, s->ptr, s->len);
		return;
	}
	if (!sdc_decimal_ok(s->ptr, s->len)) {
		if (!w->st->lossy && w->why == NULL)
			w->why = "DECIMAL text is not a number";
		put_string(w, s->ptr, s->len);
		return;
	}
	sdc_buf_put(w->b, s->ptr, s->len);
}

static void
put_temporal_text(struct jw *w, const char *t, size_t n)
{
	sdc_buf_putc(w->b, '"');
	sdc_buf_put(w->b, t, n);
	sdc_buf_putc(w->b, '"');
}

static void
put_zoned(struct jw *w, const struct sdc_field *f, int depth)
{
	char t[SDC_TEMPORAL_MAX];
	size_t n = sdc_format_zoned(t, f->v.z.us, f->v.z.offset_s);

	if (n > 0) {
		sdc_buf_putc(w->b, '"');
		sdc_buf_put(w->b, t, n);
		if (f->v.z.zone.len > 0) {
			sdc_buf_putc(w->b, '[');
			put_escaped(w, f->v.z.zone.ptr, f->v.z.zone.len);
			sdc_buf_putc(w->b, ']');
		}
		sdc_buf_putc(w->b, '"');
		return;
	}
	sdc_buf_putc(w->b, '{');
	put_ckey(w, 0, depth, "us");
	put_int(w, f->v.z.us);
	put_ckey(w, 1, depth, "offset");
	put_int(w, f->v.z.offset_s);
	put_ckey(w, 2, depth, "zone");
	put_string(w, f->v.z.zone.ptr, f->v.z.zone.len);
	put_close(w, '}', 3, depth);
}

static void
put_temporal(struct jw *w, const struct sdc_field *f, int depth)
{
	char t[SDC_TEMPORAL_MAX];
	size_t n;

	if (f->type == SDC_ZONED_DATETIME) {
		put_zoned(w, f, depth);
		return;
	}
	n = sdc_format_temporal(t, f->type, f->v.i);
	if (n > 0)
		put_temporal_text(w, t, n);
	else
		put_int(w, f->v.i);
}

static void put_field(struct jw *w, const struct sdc_field *f, int depth);

static void
put_list(struct jw *w, const struct sdc_field *f, int depth)
{
	uint32_t i;

	sdc_buf_putc(w->b, '[');
	for (i = 0; i < f->count; i++) {
		put_item_sep(w, i, depth);
		put_field(w, &f->v.items[i], depth + 1);
	}
	put_close(w, ']', f->count, depth);
}

/* A compact map of strings and integers: most records. */
static bool
is_flat(const struct jw *w, const struct sdc_field *f)
{
	if (w->st->pretty || w->st->typed)
		return false;
	for (uint32_t i = 0; i < f->count; i++) {
		const struct sdc_field *v = &f->v.entries[i].value;

		if (v->null || (v->type != SDC_STRING && v->type != SDC_LONG &&
		    v->type != SDC_INTEGER))
			return false;
	}
	return true;
}

static void
put_flat_map(struct jw *w, const struct sdc_field *f)
{
	uint8_t *d = w->b->data + w->b->len;

	*d++ = '{';
	for (uint32_t i = 0; i < f->count; i++) {
		const struct sdc_entry *e = &f->v.entries[i];

		if (i > 0)
			*d++ = ',';
		d = cursor_string(w, d, e->key.ptr, e->key.len);
		*d++ = ':';
		if (e->value.type == SDC_STRING)
			d = cursor_string(w, d, e->value.v.s.ptr,
			    e->value.v.s.len);
		else
			d += sdc_json_format_int((char *)d, e->value.v.i);
	}
	*d++ = '}';
	w->b->len = (size_t)(d - w->b->data);
}

static void
put_map(struct jw *w, const struct sdc_field *f, int depth)
{
	const struct sdc_entry *e;
	uint32_t i;

	if (is_flat(w, f)) {
		put_flat_map(w, f);
		return;
	}
	sdc_buf_putc(w->b, '{');
	for (i = 0; i < f->count; i++) {
		e = &f->v.entries[i];
		put_item_sep(w, i, depth);
		put_key(w, e->key.ptr, e->key.len);
		put_field(w, &e->value, depth + 1);
	}
	put_close(w, '}', f->count, depth);
}

static void
put_value(struct jw *w, const struct sdc_field *f, int depth)
{
	if (f->null) {
		PUT_LIT(w, "null");
		return;
	}
	switch (f->type) {
	case SDC_BOOLEAN:
		if (f->v.b)
			PUT_LIT(w, "true");
		else
			PUT_LIT(w, "false");
		break;
	case SDC_CHAR:
		put_char(w, f->v.i);
		break;
	case SDC_BYTE: case SDC_SHORT: case SDC_INTEGER: case SDC_LONG:
		put_int(w, f->v.i);
		break;
	case SDC_FLOAT:
		put_real(w, f->v.f, true);
		break;
	case SDC_DOUBLE:
		put_real(w, f->v.d, false);
		break;
	case SDC_DECIMAL:
		put_decimal(w, &f->v.s);
		break;
	case SDC_DATE: case SDC_DATETIME: case SDC_TIME:
	case SDC_ZONED_DATETIME:
		put_temporal(w, f, depth);
		break;
	case SDC_STRING:
		put_string(w, f->v.s.ptr, f->v.s.len);
		break;
	case SDC_BYTE_ARRAY:
		put_base64(w, &f->v.s);
		break;
	case SDC_LIST:
		put_list(w, f, depth);
		break;
	default:
		put_map(w, f, depth);
		break;
	}
}

/* An object of strings: header or field attributes. */
static void
put_pairs(struct jw *w, const struct sdc_attr *pairs, uint32_t n, int d)
{
	sdc_buf_putc(w->b, '{');
	for (uint32_t i = 0; i < n; i++) {
		put_item_sep(w, i, d);
		put_key(w, pairs[i].key.ptr, pairs[i].key.len);
		put_string(w, pairs[i].value.ptr, pairs[i].value.len);
	}
	put_close(w, '}', n, d);
}

static void
put_field(struct jw *w, const struct sdc_field *f, int depth)
{
	if (!w->st->typed) {
		put_value(w, f, depth);
		return;
	}
	sdc_buf_putc(w->b, '{');
	put_ckey(w, 0, depth, sdc_type_name(f->type));
	put_value(w, f, depth + 1);
	if (f->attrs == NULL || f->attrs->count == 0) {
		put_close(w, '}', 1, depth);
		return;
	}
	put_ckey(w, 1, depth, "attributes");
	put_pairs(w, f->attrs->items, f->attrs->count, depth + 1);
	put_close(w, '}', 2, depth);
}

const char *
sdc_json_render_field(struct sdc_buf *b, const struct sdc_field *f,
    const struct sdc_json_style *s, int depth)
{
	struct jw w = { b, s, NULL };

	put_field(&w, f, depth);
	return w.why;
}

/*
 * Bounds.  item() is what precedes one item of a container whose items
 * sit at depth+1 (comma, newline, indentation), close() what ends it.
 */
static size_t
item(const struct sdc_json_style *s, int depth)
{
	return 2 + (s->pretty ? 2 * (size_t)(depth + 1) : 0);
}

static size_t
close_cost(const struct sdc_json_style *s, int depth)
{
	return 2 + (s->pretty ? 2 * (size_t)depth : 0);
}

static size_t
str_bound(size_t n)
{
	return 2 + 6 * n;
}

static size_t field_bound(const struct sdc_field *f,
    const struct sdc_json_style *s, int depth);

/* "attributes" of a typed field, with its key. */
static size_t
attrs_bound(const struct sdc_field *f, const struct sdc_json_style *s,
    int depth)
{
	size_t n;

	if (f->attrs == NULL || f->attrs->count == 0)
		return 0;
	n = item(s, depth) + 16 + close_cost(s, depth + 1);
	for (uint32_t i = 0; i < f->attrs->count; i++)
		n += item(s, depth + 1) + 2 +
		    str_bound(f->attrs->items[i].key.len) +
		    str_bound(f->attrs->items[i].value.len);
	return n;
}

static size_t
container_bound(const struct sdc_field *f, const struct sdc_json_style *s,
    int depth)
{
	const struct sdc_field *v;
	size_t n = 1 + close_cost(s, depth), per = item(s, depth) + 4;
	uint32_t i;

	if (f->type == SDC_LIST) {
		for (i = 0; i < f->count; i++)
			n += item(s, depth) +
			    field_bound(&f->v.items[i], s, depth + 1);
		return n;
	}
	for (i = 0; i < f->count; i++) {
		v = &f->v.entries[i].value;
		n += per + 6 * f->v.entries[i].key.len;
		/* Records of strings are the common case: skip the call. */
		if (v->type == SDC_STRING && !v->null && !s->typed)
			n += str_bound(v->v.s.len);
		else
			n += field_bound(v, s, depth + 1);
	}
	return n;
}

static size_t
value_bound(const struct sdc_field *f, const struct sdc_json_style *s,
    int depth)
{
	if (f->null)
		return 4;
	switch (f->type) {
	case SDC_DECIMAL: case SDC_STRING:
		return str_bound(f->v.s.len);
	case SDC_BYTE_ARRAY:
		return 2 + sdc_base64_encoded_len(f->v.s.len);
	case SDC_ZONED_DATETIME:
		return 64 + str_bound(f->v.z.zone.len) + 3 * item(s, depth) +
		    close_cost(s, depth);
	case SDC_LIST: case SDC_MAP: case SDC_LIST_MAP:
		return container_bound(f, s, depth);
	default:
		return SDC_TEMPORAL_MAX + 2;
	}
}

static size_t
field_bound(const struct sdc_field *f, const struct sdc_json_style *s,
    int depth)
{
	if (!s->typed)
		return value_bound(f, s, depth);
	return 1 + item(s, depth) + 20 + value_bound(f, s, depth + 1) +
	    close_cost(s, depth) + attrs_bound(f, s, depth);
}

size_t
sdc_json_field_bound(const struct sdc_field *f,
    const struct sdc_json_style *s, int depth)
{
	return field_bound(f, s, depth);
}

/* Records. */
static size_t
header_bound(const struct sdc_record *r, const struct sdc_json_style *s,
    int depth)
{
	const struct sdc_header *h = &r->h;
	size_t n = 256 + 16 * item(s, depth + 2);
	uint32_t i;

	n += str_bound(h->id.len);
	for (i = 0; i < h->nstages; i++)
		n += item(s, depth + 1) + str_bound(h->stages[i].len);
	for (i = 0; i < h->nattrs; i++)
		n += item(s, depth + 1) + 2 + str_bound(h->attrs[i].key.len) +
		    str_bound(h->attrs[i].value.len);
	if (r->kind == SDC_KIND_ERROR)
		n += str_bound(h->error.code.len) +
		    str_bound(h->error.message.len) +
		    str_bound(h->error.stage.len);
	else if (r->kind == SDC_KIND_EVENT)
		n += str_bound(h->event.type.len);
	return n;
}

size_t
sdc_json_record_bound(const struct sdc_record *r,
    const struct sdc_json_style *s, int depth)
{
	if (r->kind == SDC_KIND_DATA && !s->typed)
		return field_bound(&r->root, s, depth);
	return header_bound(r, s, depth) + field_bound(&r->root, s, depth + 2);
}

static void
put_timestamp_iso(struct jw *w, int64_t ms)
{
	char t[SDC_TEMPORAL_MAX];
	size_t n = sdc_format_datetime_ms(t, ms);

	if (n > 0)
		put_temporal_text(w, t, n);
	else
		put_int(w, ms);
}

/* {"@error":{...}} and {"@event":{...}} around a plain value. */
static void
put_plain_wrapper(struct jw *w, const struct sdc_record *r, int depth)
{
	const struct sdc_header *h = &r->h;
	uint32_t i = 0;
	int d = depth + 1;

	sdc_buf_putc(w->b, '{');
	put_ckey(w, 0, depth, r->kind == SDC_KIND_ERROR ? "@error" : "@event");
	sdc_buf_putc(w->b, '{');
	if (r->kind == SDC_KIND_ERROR) {
		put_ckey(w, i++, d, "code");
		put_string(w, h->error.code.ptr, h->error.code.len);
		put_ckey(w, i++, d, "message");
		put_string(w, h->error.message.ptr, h->error.message.len);
		put_ckey(w, i++, d, "stage");
		put_string(w, h->error.stage.ptr, h->error.stage.len);
		put_ckey(w, i++, d, "timestamp");
		put_timestamp_iso(w, h->error.timestamp_ms);
	} else {
		put_ckey(w, i++, d, "type");
		put_string(w, h->event.type.ptr, h->event.type.len);
		put_ckey(w, i++, d, "version");
		put_uint(w, h->event.version);
		put_ckey(w, i++, d, "timestamp");
		put_timestamp_iso(w, h->event.timestamp_ms);
	}
	put_ckey(w, i++, d, "id");
	put_string(w, h->id.ptr, h->id.len);
	put_ckey(w, i++, d, "record");
	put_field(w, &r->root, d + 1);
	put_close(w, '}', i, d);
	put_close(w, '}', 1, depth);
}

static const char *
kind_name(enum sdc_kind k)
{
	return k == SDC_KIND_ERROR ? "error" : k == SDC_KIND_EVENT ?
	    "event" : "data";
}

static void
put_stages_attrs(struct jw *w, const struct sdc_header *h, int d)
{
	uint32_t i;

	sdc_buf_putc(w->b, '[');
	for (i = 0; i < h->nstages; i++) {
		put_item_sep(w, i, d);
		put_string(w, h->stages[i].ptr, h->stages[i].len);
	}
	put_close(w, ']', h->nstages, d);
	put_ckey(w, 3, d - 1, "attributes");
	put_pairs(w, h->attrs, h->nattrs, d);
}

static void
put_error_info(struct jw *w, const struct sdc_header *h, int d)
{
	sdc_buf_putc(w->b, '{');
	put_ckey(w, 0, d, "code");
	put_string(w, h->error.code.ptr, h->error.code.len);
	put_ckey(w, 1, d, "message");
	put_string(w, h->error.message.ptr, h->error.message.len);
	put_ckey(w, 2, d, "stage");
	put_string(w, h->error.stage.ptr, h->error.stage.len);
	put_ckey(w, 3, d, "timestamp");
	put_int(w, h->error.timestamp_ms);
	put_close(w, '}', 4, d);
}

static void
put_event_info(struct jw *w, const struct sdc_header *h, int d)
{
	sdc_buf_putc(w->b, '{');
	put_ckey(w, 0, d, "type");
	put_string(w, h->event.type.ptr, h->event.type.len);
	put_ckey(w, 1, d, "version");
	put_uint(w, h->event.version);
	put_ckey(w, 2, d, "timestamp");
	put_int(w, h->event.timestamp_ms);
	put_close(w, '}', 3, d);
}

static void
put_typed_record(struct jw *w, const struct sdc_record *r, int depth)
{
	uint32_t i = 4;

	sdc_buf_putc(w->b, '{');
	put_ckey(w, 0, depth, "kind");
	put_cstring(w, kind_name(r->kind));
	put_ckey(w, 1, depth, "id");
	put_string(w, r->h.id.ptr, r->h.id.len);
	put_ckey(w, 2, depth, "stages");
	put_stages_attrs(w, &r->h, depth + 1);
	if (r->kind == SDC_KIND_ERROR) {
		put_ckey(w, i++, depth, "error");
		put_error_info(w, &r->h, depth + 1);
	} else if (r->kind == SDC_KIND_EVENT) {
		put_ckey(w, i++, depth, "event");
		put_event_info(w, &r->h, depth + 1);
	}
	put_ckey(w, i++, depth, "value");
	put_field(w, &r->root, depth + 1);
	put_close(w, '}', i, depth);
}

const char *
sdc_json_render_record(struct sdc_buf *b, const struct sdc_record *r,
    const struct sdc_json_style *s, int depth)
{
	struct jw w = { b, s, NULL };

	if (s->typed)
		put_typed_record(&w, r, depth);
	else if (r->kind == SDC_KIND_DATA)
		put_field(&w, &r->root, depth);
	else
		put_plain_wrapper(&w, r, depth);
	return w.why;
}

size_t
sdc_json_frame_bound(size_t payload_len, const struct sdc_json_style *s,
    int depth)
{
	return 64 + 2 * item(s, depth) + close_cost(s, depth) +
	    sdc_base64_encoded_len(payload_len);
}

void
sdc_json_render_frame(struct sdc_buf *b, uint8_t kind, const void *payload,
    size_t payload_len, const struct sdc_json_style *s, int depth)
{
	struct jw w = { b, s, NULL };
	struct sdc_str p = { payload, payload_len };

	sdc_buf_putc(b, '{');
	put_ckey(&w, 0, depth, "kind");
	if (kind == SDC_KIND_BATCH) {
		PUT_LIT(&w, "\"batch\"");
		put_close(&w, '}', 1, depth);
		return;
	}
	put_int(&w, kind);
	put_ckey(&w, 1, depth, "payload");
	put_base64(&w, &p);
	put_close(&w, '}', 2, depth);
}
