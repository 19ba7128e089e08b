#include <stdio.h>
#include <string.h>

#include "origin.h"
#include "banned.h"

extern const struct sdc_origin sdc_origin_file;
extern const struct sdc_origin sdc_origin_tcp;
extern const struct sdc_origin sdc_origin_udp;
extern const struct sdc_origin sdc_origin_mqtt;
extern const struct sdc_origin sdc_origin_http;

/* Every origin, in the order --help lists them; the first is the default. */
const struct sdc_origin *const sdc_origins[] = {
	&sdc_origin_file,
	&sdc_origin_tcp,
	&sdc_origin_udp,
	&sdc_origin_mqtt,
	&sdc_origin_http,
	NULL
};

const struct sdc_origin *
sdc_origin_find(const char *name)
{
	for (size_t i = 0; sdc_origins[i] != NULL; i++)
		if (strcmp(sdc_origins[i]->name, name) == 0)
			return sdc_origins[i];
	return NULL;
}

size_t
sdc_origin_names(char *dst, size_t len)
{
	size_t n = 0;

	if (len > 0)
		dst[0] = '\0';
	for (size_t i = 0; sdc_origins[i] != NULL; i++)
		n += (size_t)snprintf(dst + (n < len ? n : len), n < len ?
		    len - n : 0, "%s%s", n ? ", " : "", sdc_origins[i]->name);
	return n;
}
