/* Types from text: see infer.h. */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "banned.h"
#include "infer.h"

static bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Digits from *i on; false when there are none. */
static bool
skip_digits(const char *p, size_t n, size_t *i)
{
	size_t start = *i;

	while (*i < n && is_digit(p[*i]))
		(*i)++;
	return *i > start;
}

static enum sdc_infer_kind
number_kind(const char *p, size_t n)
{
	size_t i = 0;
	bool integer = true;

	if (i < n && p[i] == '-')
		i++;
	if (i < n && p[i] == '0')
		i++;
	else if (!skip_digits(p, n, &i))
		return SDC_INFER_STRING;
	if (i < n && p[i] == '.') {
		i++;
		integer = false;
		if (!skip_digits(p, n, &i))
			return SDC_INFER_STRING;
	}
	if (i < n && (p[i] == 'e' || p[i] == 'E')) {
		i++;
		integer = false;
		if (i < n && (p[i] == '+' || p[i] == '-'))
			i++;
		if (!skip_digits(p, n, &i))
			return SDC_INFER_STRING;
	}
	if (i != n)
		return SDC_INFER_STRING;
	return integer ? SDC_INFER_INTEGER : SDC_INFER_NUMBER;
}

enum sdc_infer_kind
sdc_infer_kind(const char *p, size_t n)
{
	if (n == 0)
		return SDC_INFER_STRING;
	if (is_digit(p[0]) || p[0] == '-')
		return number_kind(p, n);
	if ((n == 4 && strncasecmp(p, "true", 4) == 0) ||
	    (n == 5 && strncasecmp(p, "false", 5) == 0))
		return SDC_INFER_BOOLEAN;
	return SDC_INFER_STRING;
}

/* The integer p[0..n) (already checked), false when past 64 bits. */
static bool
parse_int64(const char *p, size_t n, int64_t *v)
{
	bool neg = p[0] == '-';
	uint64_t limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
	uint64_t acc = 0;

	for (size_t i = neg; i < n; i++) {
		unsigned d = (unsigned)(p[i] - '0');

		if (acc > (limit - d) / 10)
			return false;
		acc = acc * 10 + d;
	}
	*v = neg ? (int64_t)(0 - acc) : (int64_t)acc;
	return true;
}

/* A number too large for a double stays text rather than infinity. */
static void
set_number(struct sdc_arena *a, struct sdc_field *f, const char *p,
    size_t n, bool exact_decimals)
{
	char *copy;
	double d;

	if (exact_decimals) {
		sdc_field_copy_bytes(a, f, SDC_DECIMAL, p, n);
		return;
	}
	copy = sdc_arena_memdup(a, p, n);
	errno = 0;
	d = strtod(copy, NULL);
	if (errno == ERANGE && isinf(d))
		sdc_field_borrow(f, SDC_STRING, copy, n);
	else
		sdc_field_double(f, d);
}

void
sdc_infer_field(struct sdc_arena *a, struct sdc_field *f, const char *p,
    size_t n, bool exact_decimals)
{
	int64_t v;

	switch (sdc_infer_kind(p, n)) {
	case SDC_INFER_INTEGER:
		if (parse_int64(p, n, &v)) {
			sdc_field_int(f, SDC_LONG, v);
			return;
		}
		set_number(a, f, p, n, exact_decimals);
		return;
	case SDC_INFER_NUMBER:
		set_number(a, f, p, n, exact_decimals);
		return;
	case SDC_INFER_BOOLEAN:
		sdc_field_bool(f, p[0] == 't' || p[0] == 'T');
		return;
	case SDC_INFER_STRING:
		break;
	}
	sdc_field_copy_bytes(a, f, SDC_STRING, p, n);
}
