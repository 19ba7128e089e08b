/* The table of destinations (sink.h); the first is the default. */
#include <stdio.h>
#include <string.h>

#include "sink.h"
#include "banned.h"

extern const struct sdc_destination sdc_destination_file;
extern const struct sdc_destination sdc_destination_kafka;
extern const struct sdc_destination sdc_destination_s3;
extern const struct sdc_destination sdc_destination_http;

const struct sdc_destination *const sdc_destinations[] = {
	&sdc_destination_file,
	&sdc_destination_kafka,
	&sdc_destination_s3,
	&sdc_destination_http,
	NULL
};

const struct sdc_destination *
sdc_destination_find(const char *name)
{
	for (size_t i = 0; sdc_destinations[i] != NULL; i++)
		if (strcmp(sdc_destinations[i]->name, name) == 0)
			return sdc_destinations[i];
	return NULL;
}

size_t
sdc_destination_names(char *dst, size_t len)
{
	size_t n = 0;

	if (len > 0)
		dst[0] = '\0';
	for (size_t i = 0; sdc_destinations[i] != NULL; i++) {
		int k = snprintf(dst + (n < len ? n : len),
		    n < len ? len - n : 0, "%s%s", i > 0 ? ", " : "",
		    sdc_destinations[i]->name);

		if (k > 0)
			n += (size_t)k;
	}
	return n;
}
