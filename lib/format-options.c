/* The formats' own options offered by a program: see format-options.h. */
#include "format-options.h"
#include "banned.h"

static void
view(const void *entry, struct sdc_plugin_view *v)
{
	const struct sdc_format *f = entry;

	v->name = f->name;
	v->options = f->options;
	v->opts_size = f->opts_size;
	v->opts_init = f->opts_init;
	v->opts_release = f->opts_release;
}

void
sdc_format_opts_init(struct sdc_format_opts *fo)
{
	sdc_plugin_opts_init(&fo->p, "format",
	    (const void *const *)sdc_formats, view);
}

void
sdc_format_opts_release(struct sdc_format_opts *fo)
{
	sdc_plugin_opts_release(&fo->p);
}

const void *
sdc_format_opts_get(const struct sdc_format_opts *fo,
    const struct sdc_format *f)
{
	return sdc_plugin_opts_get(&fo->p, f);
}

const struct sdc_option_group *
sdc_format_opts_groups(const struct sdc_format_opts *fo)
{
	return sdc_plugin_opts_groups(&fo->p);
}

bool
sdc_format_opts_set(struct sdc_format_opts *fo, const char *name,
    const char *arg)
{
	return sdc_plugin_opts_set(&fo->p, name, arg);
}
