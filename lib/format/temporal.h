#ifndef SDC_TEMPORAL_H
#define SDC_TEMPORAL_H
/*
 * ISO-8601 text of DATE, DATETIME, TIME and ZONED_DATETIME values as
 * sdc-record(5) renders them in JSON.  The formatters write into a
 * caller's array of SDC_TEMPORAL_MAX bytes (no NUL) and return the
 * length, or 0 when the year falls outside 0001..9999 (or a TIME is
 * outside the day): the caller then renders the raw number.  The
 * parsers take text that is not NUL-terminated.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "field.h"

/* The longest: 2024-01-02T03:04:05.123456+14:00:00, and room. */
#define SDC_TEMPORAL_MAX	40
#define SDC_US_PER_DAY		86400000000LL
#define SDC_MAX_OFFSET_S	64800

int64_t	sdc_days_from_civil(int64_t y, unsigned m, unsigned d);
void	sdc_civil_from_days(int64_t days, int64_t *y, unsigned *m,
	    unsigned *d);

size_t	sdc_format_date(char *dst, int64_t days);
size_t	sdc_format_datetime(char *dst, int64_t us);	/* ...Z */
size_t	sdc_format_datetime_ms(char *dst, int64_t ms);	/* always .fff */
size_t	sdc_format_time(char *dst, int64_t us);
/* DATE, DATETIME or TIME v by type t; 0 for another type or out of range. */
size_t	sdc_format_temporal(char *dst, enum sdc_type t, int64_t v);
/* Local time and offset; the "[zone]" suffix is the caller's. */
size_t	sdc_format_zoned(char *dst, int64_t us, int32_t offset_s);

bool	sdc_parse_date(const char *s, size_t n, int64_t *days);
bool	sdc_parse_datetime(const char *s, size_t n, int64_t *us);
bool	sdc_parse_time(const char *s, size_t n, int64_t *us);
/* zone points into s (empty when there is no "[zone]"). */
bool	sdc_parse_zoned(const char *s, size_t n, int64_t *us,
	    int32_t *offset_s, struct sdc_str *zone);

#endif
