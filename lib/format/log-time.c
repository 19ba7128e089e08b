/*
 * The timestamps a grok or log4j field typed datetime holds: ISO 8601
 * as logs write it, a T or a space between date and time, seconds and
 * their fraction (after a dot or, as log4j writes it, a comma)
 * optional, and a zone (Z, +hh:mm, +hhmm, +hh) optional; or the Apache
 * CLF time.  With an offset it is a ZONED_DATETIME; with Z or no zone a
 * DATETIME, read as UTC.
 */
#include <limits.h>
#include <stdbool.h>
#include <string.h>

#include "banned.h"
#include "log.h"
#include "temporal.h"

bool
sdc_log_unsigned(const char *p, size_t n, unsigned *v)
{
	int64_t x;

	if (!sdc_log_number(p, n, &x) || x > UINT_MAX)
		return false;
	*v = (unsigned)x;
	return true;
}

bool
sdc_log_civil(unsigned y, unsigned mo, unsigned d, unsigned h, unsigned mi,
    unsigned sec, int64_t *secs)
{
	static const unsigned char mdays[] = { 31, 29, 31, 30, 31, 30, 31,
		31, 30, 31, 30, 31 };

	if (mo == 0 || mo > 12 || d == 0 || d > mdays[mo - 1] || h > 23 ||
	    mi > 59 || sec > 60 || y == 0)
		return false;
	if (mo == 2 && d == 29 && (y % 4 != 0 || (y % 100 == 0 &&
	    y % 400 != 0)))
		return false;
	*secs = sdc_days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 +
	    sec;
	return true;
}

/* The fraction at p[*k] (after '.' or ','), as microseconds. */
static bool
fraction(const char *p, size_t n, size_t *k, unsigned *us)
{
	size_t f = 0;
	unsigned scale = 100000;

	*us = 0;
	if (*k >= n || (p[*k] != '.' && p[*k] != ','))
		return true;
	for (f = 1; *k + f < n && p[*k + f] >= '0' && p[*k + f] <= '9'; f++) {
		*us += (unsigned)(p[*k + f] - '0') * scale;
		scale /= 10;
	}
	if (f == 1 || f > 10)
		return false;
	*k += f;
	return true;
}

/* The zone at p[k..n): false when there is text that is not one. */
static bool
zone(const char *p, size_t n, size_t k, bool *has, int32_t *off)
{
	unsigned h = 0, m = 0;
	size_t left = n - k;

	*has = left > 1;	/* Z is UTC, the zone of a DATETIME */
	*off = 0;
	if (left == 0 || (left == 1 && p[k] == 'Z'))
		return true;
	if (p[k] != '+' && p[k] != '-')
		return false;
	if (!(left == 3 && sdc_log_unsigned(p + k + 1, 2, &h)) &&
	    !(left == 5 && sdc_log_unsigned(p + k + 1, 2, &h) &&
	    sdc_log_unsigned(p + k + 3, 2, &m)) &&
	    !(left == 6 && p[k + 3] == ':' && sdc_log_unsigned(p + k + 1, 2, &h) &&
	    sdc_log_unsigned(p + k + 4, 2, &m)))
		return false;
	if (m > 59 || h * 3600 + m * 60 > SDC_MAX_OFFSET_S)
		return false;
	*off = (int32_t)((p[k] == '-' ? -1 : 1) * (int)(h * 3600 + m * 60));
	return true;
}

bool
sdc_log_iso_time(const char *p, size_t n, int64_t *us, int32_t *offset_s,
    bool *zoned)
{
	unsigned y, mo, d, h, mi, s = 0, frac = 0;
	size_t k = 16;
	int64_t secs;

	if (sdc_log_clf_time(p, n, us, offset_s)) {
		*zoned = true;
		return true;
	}
	if (n < 16 || p[4] != '-' || p[7] != '-' ||
	    (p[10] != 'T' && p[10] != ' ') || p[13] != ':' ||
	    !sdc_log_unsigned(p, 4, &y) || !sdc_log_unsigned(p + 5, 2, &mo) ||
	    !sdc_log_unsigned(p + 8, 2, &d) || !sdc_log_unsigned(p + 11, 2, &h) ||
	    !sdc_log_unsigned(p + 14, 2, &mi))
		return false;
	if (n >= 19 && p[16] == ':') {
		if (!sdc_log_unsigned(p + 17, 2, &s))
			return false;
		k = 19;
		if (!fraction(p, n, &k, &frac))
			return false;
	}
	if (!sdc_log_civil(y, mo, d, h, mi, s, &secs) ||
	    !zone(p, n, k, zoned, offset_s))
		return false;
	*us = (secs - *offset_s) * 1000000LL + frac;
	return true;
}
