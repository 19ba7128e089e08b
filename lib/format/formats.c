#include <string.h>

#include "format.h"
#include "banned.h"

extern const struct sdc_format sdc_format_json;
extern const struct sdc_format sdc_format_csv;
extern const struct sdc_format sdc_format_text;
extern const struct sdc_format sdc_format_bytes;
extern const struct sdc_format sdc_format_log;
extern const struct sdc_format sdc_format_sdcjson;
extern const struct sdc_format sdc_format_avro;

/* Every format, in the order --help lists them. */
const struct sdc_format *const sdc_formats[] = {
	&sdc_format_json,
	&sdc_format_csv,
	&sdc_format_text,
	&sdc_format_bytes,
	&sdc_format_log,
	&sdc_format_sdcjson,
	&sdc_format_avro,
	NULL
};

const struct sdc_format *
sdc_format_find(const char *name)
{
	for (size_t i = 0; sdc_formats[i] != NULL; i++)
		if (strcmp(sdc_formats[i]->name, name) == 0)
			return sdc_formats[i];
	return NULL;
}
