/* The formats' own options offered by a program: see format-options.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "format-options.h"
#include "xalloc.h"
#include "banned.h"

/* The val of option j of format i in the cli's tables. */
#define OPT_VAL(i, j)	((int)((i) << 8 | (j)))
#define OPT_MAX		256

static void
apply(struct sdc_format_opts *fo, size_t i, const struct sdc_format_option *o,
    const char *arg)
{
	char opt[64];

	snprintf(opt, sizeof opt, "--%s", o->name);
	o->set(fo->blocks[i], opt, o->arg != NULL ? arg : NULL);
}

static void
handle(void *ctx, int val, const char *arg)
{
	struct sdc_format_opts *fo = ctx;
	size_t i = (size_t)val >> 8, j = (size_t)val & (OPT_MAX - 1);

	apply(fo, i, &sdc_formats[i]->options[j], arg);
}

/* Format i's options as the cli takes them. */
static struct sdc_option *
cli_table(size_t i, const struct sdc_format_option *o)
{
	struct sdc_option *t;
	size_t n = 0;

	while (o[n].name != NULL)
		n++;
	if (n >= OPT_MAX)
		sdc_errx(SDC_EXIT_USAGE, "internal: too many options");
	t = sdc_xcalloc(n + 1, sizeof(*t));
	for (size_t j = 0; j < n; j++) {
		t[j].name = o[j].name;
		t[j].short_name = o[j].short_name;
		t[j].val = OPT_VAL(i, j);
		t[j].has_arg = o[j].arg != NULL;
		t[j].arg = o[j].arg;
		t[j].help = o[j].help;
	}
	return t;
}

static void
add_group(struct sdc_format_opts *fo, size_t i, struct sdc_option_group *g)
{
	const struct sdc_format *f = sdc_formats[i];
	char title[64];

	snprintf(title, sizeof title, "%s format options", f->name);
	fo->titles[i] = sdc_xstrdup(title);
	fo->tables[i] = cli_table(i, f->options);
	g->title = fo->titles[i];
	g->options = fo->tables[i];
	g->handle = handle;
	g->ctx = fo;
}

void
sdc_format_opts_init(struct sdc_format_opts *fo)
{
	size_t ngroups = 0;

	for (fo->n = 0; sdc_formats[fo->n] != NULL; fo->n++)
		continue;
	fo->blocks = sdc_xcalloc(fo->n + 1, sizeof(*fo->blocks));
	fo->tables = sdc_xcalloc(fo->n + 1, sizeof(*fo->tables));
	fo->titles = sdc_xcalloc(fo->n + 1, sizeof(*fo->titles));
	fo->groups = sdc_xcalloc(fo->n + 1, sizeof(*fo->groups));
	for (size_t i = 0; i < fo->n; i++) {
		const struct sdc_format *f = sdc_formats[i];

		if (f->opts_size > 0) {
			fo->blocks[i] = sdc_xcalloc(1, f->opts_size);
			if (f->opts_init != NULL)
				f->opts_init(fo->blocks[i]);
		}
		if (f->options != NULL && f->options[0].name != NULL)
			add_group(fo, i, &fo->groups[ngroups++]);
	}
}

void
sdc_format_opts_release(struct sdc_format_opts *fo)
{
	for (size_t i = 0; i < fo->n; i++) {
		if (fo->blocks[i] != NULL && sdc_formats[i]->opts_release)
			sdc_formats[i]->opts_release(fo->blocks[i]);
		free(fo->blocks[i]);
		free(fo->tables[i]);
		free(fo->titles[i]);
	}
	free(fo->blocks);
	free(fo->tables);
	free(fo->titles);
	free(fo->groups);
	memset(fo, 0, sizeof(*fo));
}

const void *
sdc_format_opts_get(const struct sdc_format_opts *fo,
    const struct sdc_format *f)
{
	for (size_t i = 0; i < fo->n; i++)
		if (sdc_formats[i] == f)
			return fo->blocks[i];
	return NULL;
}

const struct sdc_option_group *
sdc_format_opts_groups(const struct sdc_format_opts *fo)
{
	return fo->groups;
}

bool
sdc_format_opts_set(struct sdc_format_opts *fo, const char *name,
    const char *arg)
{
	bool found = false;

	for (size_t i = 0; i < fo->n; i++) {
		const struct sdc_format_option *o = sdc_formats[i]->options;

		for (; o != NULL && o->name != NULL; o++) {
			if (strcmp(o->name, name) != 0)
				continue;
			if (o->arg != NULL && arg == NULL)
				sdc_usage_error("option '--%s' needs an "
				    "argument", name);
			apply(fo, i, o, arg);
			found = true;
		}
	}
	return found;
}
