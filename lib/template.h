#ifndef SDC_TEMPLATE_H
#define SDC_TEMPLATE_H
/*
 * Names and keys from templates ("/data/%Y/%m/%d/${/zone}/part-${uuid}.json"):
 * %-conversions of the record's time (%Y, %y, %m, %d, %H, %M, %S, %j as
 * strftime has them, and %%) (--time-field, else its
 * receivedAt attribute, else now, in UTC unless --timezone), ${/path}
 * a field's value, ${attr:name} a header attribute, ${uuid} a random
 * UUID, ${seq} a counter of the names made, $$ a dollar.  A field or
 * attribute value is escaped so that no record can name a place outside
 * the template's root: "/", "\", NUL and control characters become
 * "_", and a value that is "." or ".." (or empty) becomes "_".
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "record.h"

struct sdc_template;
/* NULL with the reason in err when text is not a template. */
struct sdc_template *sdc_template_parse(const char *text, char *err,
	    size_t len);
/* Whether it uses the record (fields, attributes, its time). */
bool	sdc_template_uses_record(const struct sdc_template *t);
/* Whether it uses the record's fields (${/path}). */
bool	sdc_template_uses_fields(const struct sdc_template *t);
/*
 * Whether it expands the same for every record of the same second: no
 * fields, attributes, ${uuid} or ${seq}.
 */
bool	sdc_template_time_only(const struct sdc_template *t);
/*
 * Expand t for r (NULL: no record, the time now) at time ms (ms since the
 * epoch) into dst: the length it needed, as snprintf.  A field that is
 * missing or not a scalar expands to "_".
 */
size_t	sdc_template_expand(struct sdc_template *t,
	    const struct sdc_record *r, int64_t ms, char *dst, size_t len);
void	sdc_template_free(struct sdc_template *t);
/*
 * From now on t puts values in as they are (but NUL, as "_"): for
 * parameters that no shell or path reads, as an argv built directly.
 */
void	sdc_template_verbatim(struct sdc_template *t);
/*
 * The zone of the %-conversions from now on, for every template: a TZ
 * name ("Europe/Paris"), or NULL for UTC (the default).
 */
void	sdc_template_timezone(const char *zone);

#endif
