#include <stdio.h>
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
extern const struct sdc_format sdc_format_protobuf;
extern const struct sdc_format sdc_format_xml;
extern const struct sdc_format sdc_format_collectd;
extern const struct sdc_format sdc_format_netflow;

/* Every format, in the order --help lists them. */
const struct sdc_format *const sdc_formats[] = {
	&sdc_format_json,
	&sdc_format_csv,
	&sdc_format_text,
	&sdc_format_bytes,
	&sdc_format_log,
	&sdc_format_sdcjson,
	&sdc_format_avro,
	&sdc_format_protobuf,
	&sdc_format_xml,
	&sdc_format_collectd,
	&sdc_format_netflow,
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

size_t
sdc_format_names(char *dst, size_t len, bool reading)
{
	size_t n = 0;

	if (len > 0)
		dst[0] = '\0';
	for (size_t i = 0; sdc_formats[i] != NULL; i++) {
		const struct sdc_format *f = sdc_formats[i];

		if (reading ? f->read == NULL : f->writer == NULL)
			continue;
		n += (size_t)snprintf(dst + (n < len ? n : len), n < len ?
		    len - n : 0, "%s%s", n ? ", " : "", f->name);
	}
	return n;
}
