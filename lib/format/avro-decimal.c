/*
 * Avro decimals: the unscaled value as big-endian two's complement
 * bytes, and the scale in the schema.  The record model's DECIMAL is
 * the text, so the value is carried exactly whatever its length.
 */
#include <stdio.h>
#include <string.h>

#include "avro-format.h"
#include "banned.h"

#define DIGITS_MAX	(SDC_AVRO_DECIMAL_MAX * 3 + 2)

/* Divide the magnitude m[0..n) by 10 in place: the remainder. */
static unsigned
div10(uint8_t *m, size_t n)
{
	unsigned rem = 0;

	for (size_t i = 0; i < n; i++) {
		unsigned cur = rem * 256 + m[i];

		m[i] = (uint8_t)(cur / 10);
		rem = cur % 10;
	}
	return rem;
}

static bool
is_zero(const uint8_t *m, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (m[i] != 0)
			return false;
	return true;
}

static void
negate(uint8_t *m, size_t n)
{
	unsigned carry = 1;

	for (size_t i = n; i-- > 0;) {
		unsigned v = (uint8_t)~m[i] + carry;

		m[i] = (uint8_t)v;
		carry = v >> 8;
	}
}

void
sdc_avro_decimal_text(const uint8_t *p, size_t n, int scale,
    struct sdc_arena *a, struct sdc_str *out)
{
	uint8_t m[SDC_AVRO_DECIMAL_MAX];
	char digits[DIGITS_MAX], *s;
	size_t nd = 0, len = 0;
	bool neg = n > 0 && (p[0] & 0x80);

	memcpy(m, p, n);
	if (neg)
		negate(m, n);
	do
		digits[nd++] = (char)('0' + div10(m, n));
	while (!is_zero(m, n));
	while (nd <= (size_t)scale)
		digits[nd++] = '0';
	s = sdc_arena_alloc(a, nd + 3);
	if (neg)
		s[len++] = '-';
	while (nd > 0) {
		if (scale > 0 && nd == (size_t)scale)
			s[len++] = '.';
		s[len++] = digits[--nd];
	}
	out->ptr = s;
	out->len = len;
}

struct parsed {
	bool		 neg;
	const char	*digits[2];	/* integer part, fraction */
	size_t		 ndigits[2];
	long		 exp;
};

static bool
parse_text(const char *s, size_t n, struct parsed *d)
{
	size_t i = 0;
	int part = 0;
	bool eneg = false;

	memset(d, 0, sizeof *d);
	if (i < n && (s[i] == '-' || s[i] == '+'))
		d->neg = s[i++] == '-';
	d->digits[0] = s + i;
	for (; i < n && s[i] != 'e' && s[i] != 'E'; i++) {
		if (s[i] == '.' && part == 0) {
			part = 1;
			d->digits[1] = s + i + 1;
		} else if (s[i] >= '0' && s[i] <= '9')
			d->ndigits[part]++;
		else
			return false;
	}
	if (d->ndigits[0] + d->ndigits[1] == 0)
		return false;
	if (i < n && ++i < n && (s[i] == '-' || s[i] == '+'))
		eneg = s[i++] == '-';
	for (; i < n; i++) {
		if (s[i] < '0' || s[i] > '9' || d->exp > 100000)
			return false;
		d->exp = d->exp * 10 + (s[i] - '0');
	}
	if (eneg)
		d->exp = -d->exp;
	return true;
}

/* m = m * 10 + digit; false on overflow. */
static bool
mul10_add(uint8_t *m, size_t n, unsigned digit)
{
	unsigned carry = digit;

	for (size_t i = n; i-- > 0;) {
		unsigned v = m[i] * 10u + carry;

		m[i] = (uint8_t)v;
		carry = v >> 8;
	}
	return carry == 0 && (m[0] & 0x80) == 0;
}

/* The digits of the unscaled value, past leading zeros. */
static long
digits_of(const struct parsed *d, int scale)
{
	long lead = 0, total = (long)(d->ndigits[0] + d->ndigits[1]);

	for (int part = 0; part < 2; part++)
		for (size_t i = 0; i < d->ndigits[part]; i++) {
			if (d->digits[part][i] != '0')
				return total - lead + d->exp + scale -
				    (long)d->ndigits[1];
			lead++;
		}
	return 0;
}

static const char *
unscaled(const struct parsed *d, int scale, uint8_t *m, size_t n)
{
	long shift = d->exp + scale - (long)d->ndigits[1];

	memset(m, 0, n);
	for (int part = 0; part < 2; part++)
		for (size_t i = 0; i < d->ndigits[part]; i++)
			if (!mul10_add(m, n, (unsigned)(d->digits[part][i] -
			    '0')))
				return "too large for a decimal";
	for (; shift > 0; shift--)
		if (!mul10_add(m, n, 0))
			return "too large for a decimal";
	for (; shift < 0; shift++)
		if (div10(m, n) != 0)
			return "more fractional digits than the scale";
	return NULL;
}

const char *
sdc_avro_decimal_bytes(const char *s, size_t n, int precision, int scale,
    size_t size, uint8_t *dst, size_t *len)
{
	uint8_t m[SDC_AVRO_DECIMAL_MAX];
	struct parsed d;
	const char *why;
	size_t skip = 0;

	if (!parse_text(s, n, &d))
		return "not a decimal number";
	if (precision > 0 && digits_of(&d, scale) > precision)
		return "more digits than the precision";
	if ((why = unscaled(&d, scale, m, sizeof m)) != NULL)
		return why;
	if (d.neg)
		negate(m, sizeof m);
	while (skip + 1 < sizeof m && (m[skip] == 0 || m[skip] == 0xff) &&
	    (m[skip + 1] & 0x80) == (m[skip] & 0x80))
		skip++;
	*len = sizeof m - skip;
	if (size > 0) {
		if (*len > size)
			return "too large for the fixed size";
		skip = sizeof m - size;
		*len = size;
	}
	memcpy(dst, m + skip, *len);
	return NULL;
}

void
sdc_avro_decimal_attrs(struct sdc_arena *a, struct sdc_field *f,
    int precision, int scale)
{
	char text[16];
	int n;

	n = snprintf(text, sizeof text, "%d", precision);
	sdc_field_set_attr(a, f, "precision", 9, text, (size_t)n);
	n = snprintf(text, sizeof text, "%d", scale);
	sdc_field_set_attr(a, f, "scale", 5, text, (size_t)n);
}

/* A small count written in decimal digits, as the attributes hold. */
static bool
attr_int(const struct sdc_field *f, const char *key, int *out)
{
	const struct sdc_str *s = sdc_field_attr(f, key, strlen(key));
	int v = 0;

	if (s == NULL || s->len == 0 || s->len > 4)
		return false;
	for (size_t i = 0; i < s->len; i++) {
		if (s->ptr[i] < '0' || s->ptr[i] > '9')
			return false;
		v = v * 10 + (s->ptr[i] - '0');
	}
	*out = v;
	return true;
}

bool
sdc_avro_decimal_attrs_get(const struct sdc_field *f, int *precision,
    int *scale)
{
	int p, s;

	if (!attr_int(f, "precision", &p) || !attr_int(f, "scale", &s) ||
	    p < 1 || s > p)
		return false;
	*precision = p;
	*scale = s;
	return true;
}
