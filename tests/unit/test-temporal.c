/* ISO-8601 text of dates and times: known values and round trips. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "temporal.h"
#include "tap.h"

static char out[SDC_TEMPORAL_MAX + 1];

static const char *
fmt(size_t n)
{
	out[n] = '\0';
	return out;
}

static void
test_civil(void)
{
	int64_t y;
	unsigned m, d;

	is_int(sdc_days_from_civil(1970, 1, 1), 0, "the epoch is day 0");
	is_int(sdc_days_from_civil(1969, 12, 31), -1, "1969-12-31 is day -1");
	is_int(sdc_days_from_civil(2000, 3, 1), 11017, "2000-03-01");
	is_int(sdc_days_from_civil(1, 1, 1), -719162, "0001-01-01");
	is_int(sdc_days_from_civil(9999, 12, 31), 2932896, "9999-12-31");
	sdc_civil_from_days(-719163, &y, &m, &d);
	ok(y == 0 && m == 12 && d == 31, "the day before 0001-01-01");
	sdc_civil_from_days(19782, &y, &m, &d);
	ok(y == 2024 && m == 2 && d == 29, "2024-02-29");
}

static void
test_format(void)
{
	is_str(fmt(sdc_format_date(out, -1)), "1969-12-31", "DATE -1");
	is_str(fmt(sdc_format_date(out, -719162)), "0001-01-01", "DATE min");
	is_str(fmt(sdc_format_date(out, 2932896)), "9999-12-31", "DATE max");
	is_int(sdc_format_date(out, -719163), 0, "year 0 has no text");
	is_int(sdc_format_date(out, 2932897), 0, "year 10000 has no text");
	is_str(fmt(sdc_format_date(out, 11016)), "2000-02-29",
	    "leap day of 2000");
	is_str(fmt(sdc_format_date(out, -25508)), "1900-03-01",
	    "1900 is not a leap year");
	is_str(fmt(sdc_format_datetime(out, 0)), "1970-01-01T00:00:00Z",
	    "no fraction");
	is_str(fmt(sdc_format_datetime(out, -1000)),
	    "1969-12-31T23:59:59.999Z", "3 digits before the epoch");
	is_str(fmt(sdc_format_datetime(out, -1)),
	    "1969-12-31T23:59:59.999999Z", "6 digits");
	is_str(fmt(sdc_format_datetime(out, 1764000000000000LL)),
	    "2025-11-24T16:00:00Z", "a recent instant");
	is_str(fmt(sdc_format_datetime_ms(out, 1764000000000LL)),
	    "2025-11-24T16:00:00.000Z", "milliseconds always shown");
	is_str(fmt(sdc_format_datetime_ms(out, -1)),
	    "1969-12-31T23:59:59.999Z", "milliseconds before the epoch");
	is_str(fmt(sdc_format_time(out, 86399999999LL)), "23:59:59.999999",
	    "last microsecond of the day");
	is_str(fmt(sdc_format_time(out, 45296789000LL)), "12:34:56.789",
	    "TIME with milliseconds");
	is_int(sdc_format_time(out, SDC_US_PER_DAY), 0, "TIME past the day");
	is_int(sdc_format_time(out, -1), 0, "negative TIME");
	is_str(fmt(sdc_format_zoned(out, 0, -18000)),
	    "1969-12-31T19:00:00-05:00", "negative offset, local time");
	is_str(fmt(sdc_format_zoned(out, 0, 0)), "1970-01-01T00:00:00+00:00",
	    "zero offset");
	is_str(fmt(sdc_format_zoned(out, 1500000, 3600 + 30 * 60 + 15)),
	    "1970-01-01T01:30:16.500+01:30:15", "offset with seconds");
	is_int(sdc_format_zoned(out, 0, 64801), 0, "offset out of range");
	is_int(sdc_format_zoned(out, INT64_MAX, 3600), 0, "overflow");
}

static void
test_parse(void)
{
	int64_t v;
	int32_t off;
	struct sdc_str zone;

	ok(sdc_parse_date("2024-02-29", 10, &v) && v == 19782, "leap day");
	ok(!sdc_parse_date("2023-02-29", 10, &v), "not a leap year");
	ok(!sdc_parse_date("2024-13-01", 10, &v), "month 13");
	ok(!sdc_parse_date("0000-01-01", 10, &v), "year 0");
	ok(!sdc_parse_date("2024-1-01", 9, &v), "short month");
	ok(!sdc_parse_date("2024-01-011", 11, &v), "trailing text");
	ok(sdc_parse_datetime("1969-12-31T23:59:59.999999Z", 27, &v) &&
	    v == -1, "datetime before the epoch");
	ok(sdc_parse_datetime("1970-01-01T00:00:00.5Z", 22, &v) &&
	    v == 500000, "one fraction digit");
	ok(!sdc_parse_datetime("1970-01-01T00:00:00", 19, &v), "no Z");
	ok(!sdc_parse_datetime("1970-01-01T00:00:00.1234567Z", 28, &v),
	    "seven fraction digits");
	ok(!sdc_parse_datetime("1970-01-01T24:00:00Z", 20, &v), "hour 24");
	ok(!sdc_parse_time("12:60:00", 8, &v), "minute 60");
	ok(!sdc_parse_time("12:00:00.", 9, &v), "empty fraction");
	ok(sdc_parse_zoned("1970-01-01T01:00:00+01:00[Europe/Paris]", 39, &v,
	    &off, &zone) && v == 0 && off == 3600 && zone.len == 12 &&
	    memcmp(zone.ptr, "Europe/Paris", 12) == 0, "zoned with a zone");
	ok(sdc_parse_zoned("1969-12-31T19:00:00-05:00", 25, &v, &off, &zone) &&
	    v == 0 && off == -18000 && zone.len == 0, "zoned, no zone");
	ok(!sdc_parse_zoned("1970-01-01T00:00:00+19:00", 25, &v, &off, &zone),
	    "offset beyond 18 hours");
	ok(!sdc_parse_zoned("1970-01-01T00:00:00+01:00[]", 27, &v, &off,
	    &zone), "empty zone");
	ok(!sdc_parse_zoned("1970-01-01T00:00:00+01:00[a", 27, &v, &off,
	    &zone), "unclosed zone");
}

/* Format then parse gives the value back, across the whole range. */
static void
test_roundtrip(void)
{
	static const int64_t fracs[] = { 0, 123000, 123456, 999999 };
	int64_t days, us, back;
	int32_t off, off_back;
	struct sdc_str zone;
	size_t n, i;
	bool all = true;

	for (days = -719162; days <= 2932896; days += 997) {
		n = sdc_format_date(out, days);
		all = all && n == 10 && sdc_parse_date(out, n, &back) &&
		    back == days;
		for (i = 0; i < 4; i++) {
			us = days * SDC_US_PER_DAY + 3723000000LL +
			    fracs[i];
			n = sdc_format_datetime(out, us);
			all = all && sdc_parse_datetime(out, n, &back) &&
			    back == us;
			off = (int32_t)(days % 64800);
			n = sdc_format_zoned(out, us, off);
			all = all && (n == 0 || (sdc_parse_zoned(out, n, &back,
			    &off_back, &zone) && back == us &&
			    off_back == off));
		}
	}
	ok(all, "every 997th day from 0001 to 9999 round-trips");
	for (us = 0; us < SDC_US_PER_DAY; us += 7777777) {
		n = sdc_format_time(out, us);
		all = all && sdc_parse_time(out, n, &back) && back == us;
	}
	ok(all, "times of day round-trip");
}

int
main(void)
{
	test_civil();
	test_format();
	test_parse();
	test_roundtrip();
	return tap_done();
}
