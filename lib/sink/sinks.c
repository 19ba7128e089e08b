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

void
sdc_destination_view(const void *entry, struct sdc_plugin_view *v)
{
	const struct sdc_destination *d = entry;

	v->name = d->name;
	v->options = d->options;
	v->opts_size = d->opts_size;
	v->opts_init = d->opts_init;
	v->opts_release = d->opts_release;
}

size_t
sdc_destination_names(char *dst, size_t len)
{
	return sdc_plugin_names((const void *const *)sdc_destinations,
	    sdc_destination_view, dst, len);
}
