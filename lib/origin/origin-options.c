/* The origins' own options offered by sdc-ingest: see origin-options.h. */
#include "origin-options.h"
#include "banned.h"

static void
view(const void *entry, struct sdc_plugin_view *v)
{
	const struct sdc_origin *o = entry;

	v->name = o->name;
	v->options = o->options;
	v->opts_size = o->opts_size;
	v->opts_init = o->opts_init;
	v->opts_release = o->opts_release;
}

void
sdc_origin_opts_init(struct sdc_origin_opts *oo)
{
	sdc_plugin_opts_init(&oo->p, "origin",
	    (const void *const *)sdc_origins, view);
}

void
sdc_origin_opts_release(struct sdc_origin_opts *oo)
{
	sdc_plugin_opts_release(&oo->p);
}

const struct sdc_option_group *
sdc_origin_opts_groups(const struct sdc_origin_opts *oo)
{
	return sdc_plugin_opts_groups(&oo->p);
}

const void *
sdc_origin_opts_get(const struct sdc_origin_opts *oo,
    const struct sdc_origin *o)
{
	return sdc_plugin_opts_get(&oo->p, o);
}

void
sdc_origin_opts_check(const struct sdc_origin_opts *oo,
    const struct sdc_origin *o)
{
	sdc_plugin_opts_check(&oo->p, o);
}
