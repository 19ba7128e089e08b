#ifndef SDC_SDCJSON_H
#define SDC_SDCJSON_H
/*
 * "SDC Record" JSON of StreamSets Data Collector (its JSON1 record
 * encoding): the magic byte 0xA1, then one object a record, each
 * {"header":{...},"value":FIELD} and a newline, a field being
 * {"type":T,"value":V,"sqpath":P,"dqpath":Q}.  man/sdc-convert.1 has
 * the mapping of types.  The decoder turns a value of the JSON reader
 * (json-read.h, exact decimals) into a record that borrows from it;
 * the renderer appends a record's object to a buffer.
 */
#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "field.h"
#include "record.h"

#define SDC_SDCJSON_MAGIC	0xA1

/*
 * Rebuild the record v describes into r, cleared by the caller, which
 * borrows from v: 0, or -1 with the reason in err.
 */
int	sdc_sdcjson_decode(const struct sdc_field *v, struct sdc_record *r,
	    char *err, size_t errlen);
/*
 * Append r's object to b, no newline: NULL, or why it has none (a
 * string that is not UTF-8, unless lossy; b's cap reached), leaving
 * partial output for the caller to roll back.
 */
const char *sdc_sdcjson_render(struct sdc_buf *b, const struct sdc_record *r,
	    bool lossy);

#endif
