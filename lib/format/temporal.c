/*
 * Calendar arithmetic on the proleptic Gregorian calendar, counted in
 * 400-year eras of 146097 days so that no table or libc time function
 * (and no time zone or locale) is involved.
 */
#include <string.h>

#include "temporal.h"
#include "banned.h"

#define DAY_MIN	(-719162)	/* 0001-01-01 */
#define DAY_MAX	2932896		/* 9999-12-31 */
#define US_PER_S 1000000LL

static int64_t
floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;

	return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

int64_t
sdc_days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = floor_div(y, 400);
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

void
sdc_civil_from_days(int64_t days, int64_t *y, unsigned *m, unsigned *d)
{
	int64_t z, era, doe, yoe, doy, mp;

	z = days + 719468;
	era = floor_div(z, 146097);
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
	*m = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

static char *
put_digits(char *p, int64_t v, int width)
{
	int i;

	for (i = width - 1; i >= 0; i--) {
		p[i] = (char)('0' + v % 10);
		v /= 10;
	}
	return p + width;
}

static char *
put_date(char *p, int64_t days)
{
	int64_t y;
	unsigned m, d;

	sdc_civil_from_days(days, &y, &m, &d);
	p = put_digits(p, y, 4);
	*p++ = '-';
	p = put_digits(p, m, 2);
	*p++ = '-';
	return put_digits(p, d, 2);
}

/* HH:MM:SS and the fraction the spec asks for: none, 3 or 6 digits. */
static char *
put_time(char *p, int64_t us)
{
	int64_t s = us / US_PER_S, frac = us % US_PER_S;

	p = put_digits(p, s / 3600, 2);
	*p++ = ':';
	p = put_digits(p, s / 60 % 60, 2);
	*p++ = ':';
	p = put_digits(p, s % 60, 2);
	if (frac == 0)
		return p;
	*p++ = '.';
	if (frac % 1000 == 0)
		return put_digits(p, frac / 1000, 3);
	return put_digits(p, frac, 6);
}

size_t
sdc_format_date(char *dst, int64_t days)
{
	if (days < DAY_MIN || days > DAY_MAX)
		return 0;
	return put_date(dst, days) - dst;
}

size_t
sdc_format_datetime(char *dst, int64_t us)
{
	int64_t days = floor_div(us, SDC_US_PER_DAY);
	char *p;

	if (days < DAY_MIN || days > DAY_MAX)
		return 0;
	p = put_date(dst, days);
	*p++ = 'T';
	p = put_time(p, us - days * SDC_US_PER_DAY);
	*p++ = 'Z';
	return p - dst;
}

size_t
sdc_format_datetime_ms(char *dst, int64_t ms)
{
	int64_t days = floor_div(ms, 86400000), rest;
	char *p;

	if (days < DAY_MIN || days > DAY_MAX)
		return 0;
	rest = ms - days * 86400000;
	p = put_date(dst, days);
	*p++ = 'T';
	p = put_time(p, rest / 1000 * US_PER_S);
	*p++ = '.';
	p = put_digits(p, rest % 1000, 3);
	*p++ = 'Z';
	return p - dst;
}

size_t
sdc_format_time(char *dst, int64_t us)
{
	if (us < 0 || us >= SDC_US_PER_DAY)
		return 0;
	return put_time(dst, us) - dst;
}

size_t
sdc_format_zoned(char *dst, int64_t us, int32_t offset_s)
{
	int64_t local, days;
	int32_t a = offset_s < 0 ? -offset_s : offset_s;
	char *p;

	if (a > SDC_MAX_OFFSET_S ||
	    __builtin_add_overflow(us, (int64_t)offset_s * US_PER_S, &local))
		return 0;
	days = floor_div(local, SDC_US_PER_DAY);
	if (days < DAY_MIN || days > DAY_MAX)
		return 0;
	p = put_date(dst, days);
	*p++ = 'T';
	p = put_time(p, local - days * SDC_US_PER_DAY);
	*p++ = offset_s < 0 ? '-' : '+';
	p = put_digits(p, a / 3600, 2);
	*p++ = ':';
	p = put_digits(p, a / 60 % 60, 2);
	if (a % 60 != 0) {
		*p++ = ':';
		p = put_digits(p, a % 60, 2);
	}
	return p - dst;
}

/* Parsing: a cursor over text that is not NUL-terminated. */
struct cur {
	const char	*p, *end;
};

static bool
get_digits(struct cur *c, int width, int64_t *v)
{
	int i;

	if (c->end - c->p < width)
		return false;
	*v = 0;
	for (i = 0; i < width; i++) {
		if (c->p[i] < '0' || c->p[i] > '9')
			return false;
		*v = *v * 10 + (c->p[i] - '0');
	}
	c->p += width;
	return true;
}

static bool
get_char(struct cur *c, char ch)
{
	if (c->p == c->end || *c->p != ch)
		return false;
	c->p++;
	return true;
}

static bool
is_leap(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static bool
get_date(struct cur *c, int64_t *days)
{
	static const unsigned mdays[] =
	    { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int64_t y, m, d;

	if (!get_digits(c, 4, &y) || !get_char(c, '-') ||
	    !get_digits(c, 2, &m) || !get_char(c, '-') ||
	    !get_digits(c, 2, &d))
		return false;
	if (y < 1 || m < 1 || m > 12 || d < 1 ||
	    d > mdays[m - 1] + (m == 2 && is_leap(y)))
		return false;
	*days = sdc_days_from_civil(y, (unsigned)m, (unsigned)d);
	return true;
}

/* HH:MM:SS with an optional fraction of 1 to 6 digits. */
static bool
get_time(struct cur *c, int64_t *us)
{
	int64_t h, m, s, frac = 0, scale = US_PER_S;

	if (!get_digits(c, 2, &h) || !get_char(c, ':') ||
	    !get_digits(c, 2, &m) || !get_char(c, ':') ||
	    !get_digits(c, 2, &s))
		return false;
	if (h > 23 || m > 59 || s > 59)
		return false;
	if (get_char(c, '.')) {
		if (c->p == c->end || *c->p < '0' || *c->p > '9')
			return false;
		while (c->p < c->end && *c->p >= '0' && *c->p <= '9') {
			if (scale == 1)
				return false;
			scale /= 10;
			frac += (*c->p++ - '0') * scale;
		}
	}
	*us = ((h * 60 + m) * 60 + s) * US_PER_S + frac;
	return true;
}

static bool
get_offset(struct cur *c, int32_t *offset_s)
{
	int64_t h, m, s = 0;
	int sign;

	if (get_char(c, 'Z')) {
		*offset_s = 0;
		return true;
	}
	if (get_char(c, '+'))
		sign = 1;
	else if (get_char(c, '-'))
		sign = -1;
	else
		return false;
	if (!get_digits(c, 2, &h) || !get_char(c, ':') ||
	    !get_digits(c, 2, &m))
		return false;
	if (get_char(c, ':') && !get_digits(c, 2, &s))
		return false;
	if (m > 59 || s > 59 || h * 3600 + m * 60 + s > SDC_MAX_OFFSET_S)
		return false;
	*offset_s = (int32_t)(sign * (h * 3600 + m * 60 + s));
	return true;
}

bool
sdc_parse_date(const char *s, size_t n, int64_t *days)
{
	struct cur c = { s, s + n };

	return get_date(&c, days) && c.p == c.end;
}

bool
sdc_parse_time(const char *s, size_t n, int64_t *us)
{
	struct cur c = { s, s + n };

	return get_time(&c, us) && c.p == c.end;
}

bool
sdc_parse_datetime(const char *s, size_t n, int64_t *us)
{
	struct cur c = { s, s + n };
	int64_t days, t;

	if (!get_date(&c, &days) || !get_char(&c, 'T') ||
	    !get_time(&c, &t) || !get_char(&c, 'Z') || c.p != c.end)
		return false;
	*us = days * SDC_US_PER_DAY + t;
	return true;
}

bool
sdc_parse_zoned(const char *s, size_t n, int64_t *us, int32_t *offset_s,
    struct sdc_str *zone)
{
	struct cur c = { s, s + n };
	int64_t days, t;

	if (!get_date(&c, &days) || !get_char(&c, 'T') ||
	    !get_time(&c, &t) || !get_offset(&c, offset_s))
		return false;
	zone->ptr = c.p;
	zone->len = 0;
	if (c.p != c.end) {
		if (*c.p != '[' || c.end - c.p < 3 || c.end[-1] != ']' ||
		    memchr(c.p + 1, ']', c.end - c.p - 2) != NULL)
			return false;
		zone->ptr = c.p + 1;
		zone->len = c.end - c.p - 2;
	}
	*us = days * SDC_US_PER_DAY + t - (int64_t)*offset_s * US_PER_S;
	return true;
}

size_t
sdc_format_temporal(char *dst, enum sdc_type t, int64_t v)
{
	switch (t) {
	case SDC_DATE:
		return sdc_format_date(dst, v);
	case SDC_DATETIME:
		return sdc_format_datetime(dst, v);
	case SDC_TIME:
		return sdc_format_time(dst, v);
	default:
		return 0;
	}
}
