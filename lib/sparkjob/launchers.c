/* The table of launchers (sparkjob.h). */
#include <stdio.h>
#include <string.h>

#include "sparkjob.h"
#include "banned.h"

extern const struct sdc_launcher sdc_launcher_spark_submit;
extern const struct sdc_launcher sdc_launcher_databricks;

const struct sdc_launcher *const sdc_launchers[] = {
	&sdc_launcher_spark_submit,
	&sdc_launcher_databricks,
	NULL
};

const struct sdc_launcher *
sdc_launcher_find(const char *name)
{
	for (size_t i = 0; sdc_launchers[i] != NULL; i++)
		if (strcmp(sdc_launchers[i]->name, name) == 0)
			return sdc_launchers[i];
	return NULL;
}

size_t
sdc_launcher_names(char *dst, size_t len)
{
	return sdc_plugin_names((const void *const *)sdc_launchers,
	    sdc_launcher_view, dst, len);
}

void
sdc_launcher_view(const void *entry, struct sdc_plugin_view *v)
{
	const struct sdc_launcher *l = entry;

	v->name = l->name;
	v->options = l->options;
	v->opts_size = l->opts_size;
	v->opts_init = l->opts_init;
	v->opts_release = l->opts_release;
}
