/*
 * Records as SDC Record JSON, in the order and the forms Data
 * Collector's own writer gives them (its Jackson beans RecordJson,
 * HeaderJson and RecordImpl.FieldWithPath): header then value; a
 * field's type, value, sqpath and dqpath; 32-bit and 64-bit integers
 * and floating point as strings, the way Java prints them; dates as
 * epoch milliseconds.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base64.h"
#include "json-escape.h"
#include "json-write.h"
#include "sdcjson.h"
#include "temporal.h"
#include "utf8.h"
#include "xalloc.h"
#include "banned.h"

#define PATH_MAX_BYTES	((size_t)1 << 30)
#define MS_PER_DAY	86400000LL

struct render {
	struct sdc_buf	*b;
	bool		 lossy;
	const char	*why;		/* the first failure */
	struct sdc_buf	 sq, dq;	/* the two paths of the field */
};

static void
fail(struct render *r, const char *why)
{
	if (r->why == NULL)
		r->why = why;
}

static void
put(struct render *r, const void *p, size_t n)
{
	if (!sdc_buf_reserve(r->b, n)) {
		fail(r, "too large to render");
		return;
	}
	sdc_buf_put(r->b, p, n);
}

static void
puts_(struct render *r, const char *s)
{
	put(r, s, strlen(s));
}

static void
put_str(struct render *r, const char *s, size_t n)
{
	if (n > (SIZE_MAX - 2) / 6 || !sdc_buf_reserve(r->b, 6 * n + 2)) {
		fail(r, "too large to render");
		return;
	}
	sdc_buf_putc(r->b, '"');
	if (n > 0 && !sdc_json_put_escaped(r->b, s, n) && !r->lossy)
		fail(r, "a string that is not UTF-8");
	sdc_buf_putc(r->b, '"');
}

static void
put_sdc_str(struct render *r, const struct sdc_str *s)
{
	put_str(r, s->ptr, s->len);
}

static void
put_int(struct render *r, int64_t v)
{
	char num[SDC_JSON_NUMBER_MAX];

	put(r, num, sdc_json_format_int(num, v));
}

/* A signed 128-bit integer's digits. */
static size_t
format_i128(char *dst, __int128 v)
{
	char tmp[48];
	size_t n = 0, len = 0;
	unsigned __int128 u = v < 0 ? -(unsigned __int128)v :
	    (unsigned __int128)v;

	do {
		tmp[n++] = (char)('0' + (int)(u % 10));
		u /= 10;
	} while (u != 0);
	if (v < 0)
		dst[len++] = '-';
	while (n > 0)
		dst[len++] = tmp[--n];
	return len;
}

/* Microseconds as milliseconds, with a fraction only when needed. */
static size_t
format_ms(char *dst, int64_t us)
{
	__int128 v = us;
	unsigned __int128 u = v < 0 ? (unsigned __int128)-v :
	    (unsigned __int128)v;
	unsigned rem = (unsigned)(u % 1000);
	size_t n = 0;

	if (v < 0)
		dst[n++] = '-';
	n += format_i128(dst + n, (__int128)(u / 1000));
	if (rem != 0) {
		dst[n++] = '.';
		dst[n++] = (char)('0' + rem / 100);
		dst[n++] = (char)('0' + rem / 10 % 10);
		dst[n++] = (char)('0' + rem % 10);
		while (dst[n - 1] == '0')
			n--;
	}
	return n;
}

/*
 * Java's Double.toString and Float.toString: the shortest digits that
 * read back, two at least (the closest pair: 4.9E-324, not 5.0E-324),
 * plain from 10^-3 up to 10^7, else d.dddEn.
 */
static size_t
format_java_fp(char *dst, double v, bool single)
{
	char sci[48], digits[24];
	int prec, e, nd = 0, len = 0;
	char *p;

	if (isnan(v))
		return (size_t)snprintf(dst, 16, "NaN");
	if (isinf(v))
		return (size_t)snprintf(dst, 16, v < 0 ? "-Infinity" :
		    "Infinity");
	if (v == 0)
		return (size_t)snprintf(dst, 16, signbit(v) ? "-0.0" : "0.0");
	for (prec = 2; prec <= 17; prec++) {
		snprintf(sci, sizeof sci, "%.*e", prec - 1, v);
		if (single ? strtof(sci, NULL) == (float)v :
		    strtod(sci, NULL) == v)
			break;
	}
	if (v < 0)
		dst[len++] = '-';
	for (p = sci; *p != 'e'; p++)
		if (*p >= '0' && *p <= '9')
			digits[nd++] = *p;
	e = atoi(p + 1);
	while (nd > 1 && digits[nd - 1] == '0')
		nd--;
	if (e >= -3 && e < 7) {
		if (e < 0) {
			len += snprintf(dst + len, 8, "0.");
			for (int i = -1; i > e; i--)
				dst[len++] = '0';
			memcpy(dst + len, digits, (size_t)nd);
			return (size_t)(len + nd);
		}
		for (int i = 0; i <= e; i++)
			dst[len++] = i < nd ? digits[i] : '0';
		dst[len++] = '.';
		if (nd <= e + 1)
			dst[len++] = '0';
		for (int i = e + 1; i < nd; i++)
			dst[len++] = digits[i];
		return (size_t)len;
	}
	dst[len++] = digits[0];
	dst[len++] = '.';
	if (nd == 1)
		dst[len++] = '0';
	memcpy(dst + len, digits + 1, (size_t)(nd - 1));
	len += nd - 1;
	len += snprintf(dst + len, 8, "E%d", e);
	return (size_t)len;
}

static void
put_zoned(struct render *r, const struct sdc_field *f)
{
	char t[SDC_TEMPORAL_MAX];
	size_t n = sdc_format_zoned(t, f->v.z.us, f->v.z.offset_s);
	size_t zl = f->v.z.zone.len;
	char *s;

	if (n == 0) {	/* no ISO text for it: the object of typed JSON */
		puts_(r, "{\"us\":");
		put_int(r, f->v.z.us);
		puts_(r, ",\"offset\":");
		put_int(r, f->v.z.offset_s);
		puts_(r, ",\"zone\":");
		put_sdc_str(r, &f->v.z.zone);
		puts_(r, "}");
		return;
	}
	if (zl == 0) {
		put_str(r, t, n);
		return;
	}
	/* As ZonedDateTime prints it: ...T17:05:09+01:00[Europe/Paris] */
	s = sdc_xmalloc(n + zl + 2);
	memcpy(s, t, n);
	s[n] = '[';
	memcpy(s + n + 1, f->v.z.zone.ptr, zl);
	s[n + 1 + zl] = ']';
	put_str(r, s, n + zl + 2);
	free(s);
}

static void
put_char(struct render *r, int64_t c)
{
	char u[4];

	if (c < 0 || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) {
		fail(r, "a CHAR that is not a Unicode scalar value");
		return;
	}
	put_str(r, u, sdc_utf8_encode(u, (uint32_t)c));
}

static void
put_bytes(struct render *r, const struct sdc_str *s)
{
	size_t n = sdc_base64_encoded_len(s->len);

	if (!sdc_buf_reserve(r->b, n + 2)) {
		fail(r, "too large to render");
		return;
	}
	sdc_buf_putc(r->b, '"');
	r->b->len += sdc_base64_encode((char *)r->b->data + r->b->len,
	    s->ptr, s->len);
	sdc_buf_putc(r->b, '"');
}

static void put_field(struct render *r, const struct sdc_field *f);

static bool
is_word(const struct sdc_str *k)
{
	for (size_t i = 0; i < k->len; i++) {
		unsigned char c = (unsigned char)k->ptr[i];

		if (!(c == '_' || (c >= '0' && c <= '9') ||
		    (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')))
			return false;
	}
	return true;
}

static void
path_put(struct render *r, struct sdc_buf *p, const char *s, size_t n)
{
	if (!sdc_buf_append(p, s, n))
		fail(r, "path too long to render");
}

/*
 * "/key" onto both paths, quoted as Data Collector's EscapeUtil does
 * when the key has anything but [A-Za-z0-9_]: '...' with \\, \" and
 * \\' in the single-quoted one, "..." with \\, \\" and \' in the other.
 */
static void
path_push_key(struct render *r, const struct sdc_str *k)
{
	path_put(r, &r->sq, "/", 1);
	path_put(r, &r->dq, "/", 1);
	if (is_word(k)) {
		path_put(r, &r->sq, k->ptr, k->len);
		path_put(r, &r->dq, k->ptr, k->len);
		return;
	}
	path_put(r, &r->sq, "'", 1);
	path_put(r, &r->dq, "\"", 1);
	for (size_t i = 0; i < k->len; i++) {
		const char *c = k->ptr + i;

		if (*c == '\\') {
			path_put(r, &r->sq, "\\\\", 2);
			path_put(r, &r->dq, "\\\\", 2);
		} else if (*c == '"') {
			path_put(r, &r->sq, "\\\"", 2);
			path_put(r, &r->dq, "\\\\\"", 3);
		} else if (*c == '\'') {
			path_put(r, &r->sq, "\\\\'", 3);
			path_put(r, &r->dq, "\\'", 2);
		} else {
			path_put(r, &r->sq, c, 1);
			path_put(r, &r->dq, c, 1);
		}
	}
	path_put(r, &r->sq, "'", 1);
	path_put(r, &r->dq, "\"", 1);
}

static void
path_push_index(struct render *r, uint32_t i)
{
	char t[16];
	int n = snprintf(t, sizeof t, "[%u]", (unsigned)i);

	path_put(r, &r->sq, t, (size_t)n);
	path_put(r, &r->dq, t, (size_t)n);
}

static void
put_container(struct render *r, const struct sdc_field *f)
{
	size_t sq = r->sq.len, dq = r->dq.len;

	put(r, f->type == SDC_MAP ? "{" : "[", 1);
	for (uint32_t i = 0; i < f->count && r->why == NULL; i++) {
		const struct sdc_field *v;

		if (i > 0)
			put(r, ",", 1);
		if (f->type == SDC_LIST) {
			v = &f->v.items[i];
			path_push_index(r, i);
		} else {
			v = &f->v.entries[i].value;
			path_push_key(r, &f->v.entries[i].key);
			if (f->type == SDC_MAP) {
				put_sdc_str(r, &f->v.entries[i].key);
				put(r, ":", 1);
			}
		}
		put_field(r, v);
		r->sq.len = sq;
		r->dq.len = dq;
	}
	put(r, f->type == SDC_MAP ? "}" : "]", 1);
}

static void
put_value(struct render *r, const struct sdc_field *f)
{
	char num[64];

	switch ((enum sdc_type)f->type) {
	case SDC_BOOLEAN:
		puts_(r, f->v.b ? "true" : "false");
		break;
	case SDC_CHAR:
		put_char(r, f->v.i);
		break;
	case SDC_BYTE:
	case SDC_SHORT:
		put_int(r, f->v.i);
		break;
	case SDC_INTEGER:
	case SDC_LONG:
		put_str(r, num, sdc_json_format_int(num, f->v.i));
		break;
	case SDC_FLOAT:
		put_str(r, num, format_java_fp(num, f->v.f, true));
		break;
	case SDC_DOUBLE:
		put_str(r, num, format_java_fp(num, f->v.d, false));
		break;
	case SDC_DECIMAL:
	case SDC_STRING:
		put_sdc_str(r, &f->v.s);
		break;
	case SDC_DATE:
		put(r, num, format_i128(num, (__int128)f->v.i * MS_PER_DAY));
		break;
	case SDC_DATETIME:
	case SDC_TIME:
		put(r, num, format_ms(num, f->v.i));
		break;
	case SDC_ZONED_DATETIME:
		put_zoned(r, f);
		break;
	case SDC_BYTE_ARRAY:
		put_bytes(r, &f->v.s);
		break;
	case SDC_LIST:
	case SDC_MAP:
	case SDC_LIST_MAP:
		put_container(r, f);
		break;
	}
}

static void
put_field_attrs(struct render *r, const struct sdc_field_attrs *at)
{
	puts_(r, ",\"attributes\":{");
	for (uint32_t i = 0; i < at->count; i++) {
		if (i > 0)
			puts_(r, ",");
		put_sdc_str(r, &at->items[i].key);
		puts_(r, ":");
		put_sdc_str(r, &at->items[i].value);
	}
	puts_(r, "}");
}

static void
put_field(struct render *r, const struct sdc_field *f)
{
	puts_(r, "{\"type\":\"");
	puts_(r, sdc_type_name((enum sdc_type)f->type));
	puts_(r, "\",\"value\":");
	if (f->null)
		puts_(r, "null");
	else
		put_value(r, f);
	puts_(r, ",\"sqpath\":");
	put_str(r, (const char *)r->sq.data, r->sq.len);
	puts_(r, ",\"dqpath\":");
	put_str(r, (const char *)r->dq.data, r->dq.len);
	if (f->attrs != NULL && f->attrs->count > 0)
		put_field_attrs(r, f->attrs);
	puts_(r, "}");
}

static void
put_opt(struct render *r, const char *name, const struct sdc_str *s)
{
	puts_(r, name);
	if (s == NULL)
		puts_(r, "null");
	else
		put_sdc_str(r, s);
}

static bool
is_event_attr(const struct sdc_record *rec, const struct sdc_str *k)
{
	static const char *const names[] = { "sdc.event.type",
	    "sdc.event.version", "sdc.event.creation_timestamp" };

	if (rec->kind != SDC_KIND_EVENT)
		return false;
	for (size_t i = 0; i < 3; i++)
		if (k->len == strlen(names[i]) &&
		    memcmp(k->ptr, names[i], k->len) == 0)
			return true;
	return false;
}

/* The attributes, and an event's type, version and time as SDC's. */
static void
put_values(struct render *r, const struct sdc_record *rec)
{
	const struct sdc_header *h = &rec->h;
	bool first = true;
	char num[32];

	puts_(r, ",\"values\":{");
	for (uint32_t i = 0; i < h->nattrs; i++) {
		if (is_event_attr(rec, &h->attrs[i].key))
			continue;
		if (!first)
			put(r, ",", 1);
		first = false;
		put_sdc_str(r, &h->attrs[i].key);
		put(r, ":", 1);
		put_sdc_str(r, &h->attrs[i].value);
	}
	if (rec->kind == SDC_KIND_EVENT) {
		if (!first)
			put(r, ",", 1);
		puts_(r, "\"sdc.event.type\":");
		put_sdc_str(r, &h->event.type);
		puts_(r, ",\"sdc.event.version\":");
		put_str(r, num, (size_t)snprintf(num, sizeof num, "%llu",
		    (unsigned long long)h->event.version));
		puts_(r, ",\"sdc.event.creation_timestamp\":");
		put_str(r, num, sdc_json_format_int(num,
		    h->event.timestamp_ms));
	}
	puts_(r, "}");
}

static void
put_stages(struct render *r, const struct sdc_header *h)
{
	puts_(r, ",\"stagesPath\":");
	if (h->nstages == 0) {
		puts_(r, "null");
		return;
	}
	put(r, "\"", 1);
	for (uint32_t i = 0; i < h->nstages; i++) {
		struct sdc_buf *b = r->b;
		size_t n = h->stages[i].len;

		if (i > 0)
			put(r, ":", 1);
		if (n > SIZE_MAX / 6 || !sdc_buf_reserve(b, 6 * n)) {
			fail(r, "too large to render");
			return;
		}
		if (n > 0 && !sdc_json_put_escaped(b, h->stages[i].ptr, n) &&
		    !r->lossy)
			fail(r, "a string that is not UTF-8");
	}
	put(r, "\"", 1);
}

/* HeaderJson's properties, in the order of its constructor. */
static void
put_header(struct render *r, const struct sdc_record *rec)
{
	const struct sdc_header *h = &rec->h;
	bool err = rec->kind == SDC_KIND_ERROR;

	put_opt(r, "{\"stageCreator\":", h->nstages > 0 ? &h->stages[0] :
	    NULL);
	put_opt(r, ",\"sourceId\":", &h->id);
	put_stages(r, h);
	puts_(r, ",\"trackingId\":null,\"previousTrackingId\":null"
	    ",\"raw\":null,\"rawMimeType\":null"
	    ",\"errorDataCollectorId\":null,\"errorPipelineName\":null");
	put_opt(r, ",\"errorStage\":", err ? &h->error.stage : NULL);
	put_opt(r, ",\"errorStageLabel\":", err ? &h->error.stage : NULL);
	put_opt(r, ",\"errorCode\":", err ? &h->error.code : NULL);
	put_opt(r, ",\"errorMessage\":", err ? &h->error.message : NULL);
	puts_(r, ",\"errorTimestamp\":");
	put_int(r, err ? h->error.timestamp_ms : 0);
	puts_(r, ",\"errorStackTrace\":null");
	put_values(r, rec);
	puts_(r, "}");
}

const char *
sdc_sdcjson_render(struct sdc_buf *b, const struct sdc_record *rec,
    bool lossy)
{
	struct render r = { .b = b, .lossy = lossy };

	sdc_buf_init(&r.sq, PATH_MAX_BYTES);
	sdc_buf_init(&r.dq, PATH_MAX_BYTES);
	puts_(&r, "{\"header\":");
	put_header(&r, rec);
	puts_(&r, ",\"value\":");
	put_field(&r, &rec->root);
	puts_(&r, "}");
	sdc_buf_release(&r.sq);
	sdc_buf_release(&r.dq);
	return r.why;
}
