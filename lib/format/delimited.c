/* What the csv, text and bytes formats share: see delimited.h. */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "banned.h"
#include "base64.h"
#include "delimited.h"
#include "json-write.h"
#include "temporal.h"
#include "xalloc.h"

void
sdc_idbuf_init(struct sdc_idbuf *b, const char *name)
{
	size_t n = strlen(name);

	b->cap = n + 24;
	b->buf = sdc_xmalloc(b->cap);
	memcpy(b->buf, name, n);
	b->buf[n] = ':';
	b->prefix = n + 1;
	b->len = 0;
}

void
sdc_idbuf_rename(struct sdc_idbuf *b, const char *name)
{
	size_t n = strlen(name);

	if (n + 24 > b->cap) {
		b->cap = n + 64;
		b->buf = sdc_xrealloc(b->buf, b->cap);
	}
	memcpy(b->buf, name, n);
	b->buf[n] = ':';
	b->prefix = n + 1;
	b->len = 0;
}

void
sdc_idbuf_release(struct sdc_idbuf *b)
{
	free(b->buf);
	b->buf = NULL;
}

/* The next number, in place, when it keeps its number of digits. */
static bool
increment(struct sdc_idbuf *b)
{
	size_t i = b->len;

	while (i > b->prefix && b->buf[i - 1] == '9')
		b->buf[--i] = '0';
	if (i == b->prefix)
		return false;
	b->buf[i - 1]++;
	return true;
}

const char *
sdc_idbuf_make(struct sdc_idbuf *b, uint64_t n)
{
	char digits[20];
	size_t k = sizeof(digits);

	if (b->len > b->prefix && n == b->last + 1 && increment(b)) {
		b->last = n;
		return b->buf;
	}
	b->last = n;
	do {
		digits[--k] = (char)('0' + n % 10);
		n /= 10;
	} while (n != 0);
	memcpy(b->buf + b->prefix, digits + k, sizeof(digits) - k);
	b->len = b->prefix + sizeof(digits) - k;
	b->buf[b->len] = '\0';
	return b->buf;
}

/* As plain JSON has them, but NaN and the infinities bare. */
static size_t
format_real(char *dst, size_t cap, double d, bool is_float)
{
	if (isnan(d))
		return (size_t)snprintf(dst, cap, "NaN");
	if (isinf(d))
		return (size_t)snprintf(dst, cap, "%sInfinity", d < 0 ? "-" :
		    "");
	if (is_float)
		return sdc_json_format_float(dst, (float)d);
	return sdc_json_format_double(dst, d);
}

/* A date or time, or its raw number when out of the ISO range. */
static size_t
format_temporal(char *dst, const struct sdc_field *f)
{
	size_t n = sdc_format_temporal(dst, f->type, f->v.i);

	if (n == 0)
		n = (size_t)snprintf(dst, SDC_TEMPORAL_MAX, "%" PRId64,
		    f->v.i);
	return n;
}

static size_t
format_zoned(char *dst, size_t cap, const struct sdc_field *f)
{
	size_t n = sdc_format_zoned(dst, f->v.z.us, f->v.z.offset_s);

	if (n == 0)
		return (size_t)snprintf(dst, cap, "%" PRId64, f->v.z.us);
	if (f->v.z.zone.len > 0)
		n += (size_t)snprintf(dst + n, cap - n, "[%.*s]",
		    (int)f->v.z.zone.len, f->v.z.zone.ptr);
	return n;
}

/* Numbers, booleans, chars and dates: short text made in dst. */
static size_t
format_small(char *dst, size_t cap, const struct sdc_field *f)
{
	switch (f->type) {
	case SDC_BOOLEAN:
		return (size_t)snprintf(dst, cap, "%s", f->v.b ? "true" :
		    "false");
	case SDC_CHAR:
		return sdc_utf8_encode(dst, (uint32_t)f->v.i);
	case SDC_FLOAT:
		return format_real(dst, cap, f->v.f, true);
	case SDC_DOUBLE:
		return format_real(dst, cap, f->v.d, false);
	case SDC_DATE:
	case SDC_DATETIME:
	case SDC_TIME:
		return format_temporal(dst, f);
	case SDC_ZONED_DATETIME:
		return format_zoned(dst, cap, f);
	default:
		return sdc_json_format_int(dst, f->v.i);
	}
}

bool
sdc_scalar_text(const struct sdc_field *f, struct sdc_buf *scratch,
    struct sdc_str *out)
{
	size_t cap;

	if (sdc_type_is_container(f->type))
		return false;
	sdc_buf_reset(scratch);
	out->ptr = (const char *)scratch->data;
	out->len = 0;
	if (f->null)
		return true;
	if (f->type == SDC_STRING || f->type == SDC_DECIMAL) {
		*out = f->v.s;
		return true;
	}
	if (f->type == SDC_BYTE_ARRAY)
		cap = sdc_base64_encoded_len(f->v.s.len);
	else if (f->type == SDC_ZONED_DATETIME)
		cap = 64 + f->v.z.zone.len;
	else
		cap = 64;
	if (!sdc_buf_reserve(scratch, cap + 1))
		return false;
	out->ptr = (const char *)scratch->data;
	if (f->type == SDC_BYTE_ARRAY)
		out->len = sdc_base64_encode((char *)scratch->data,
		    f->v.s.ptr, f->v.s.len);
	else
		out->len = format_small((char *)scratch->data, cap + 1, f);
	return true;
}

void
sdc_path_text(const struct sdc_path *p, char *dst, size_t len)
{
	size_t used = 0;

	if (len == 0)
		return;
	dst[0] = '\0';
	if (p->n == 0)
		snprintf(dst, len, "/");
	for (size_t i = 0; i < p->n && used < len; i++) {
		const struct sdc_path_step *s = &p->steps[i];
		int w;

		if (s->is_index)
			w = snprintf(dst + used, len - used, "[%" PRIu32 "]",
			    s->index);
		else
			w = snprintf(dst + used, len - used, "/%.*s",
			    (int)s->name.len, s->name.ptr);
		if (w < 0)
			break;
		used += (size_t)w;
	}
}
