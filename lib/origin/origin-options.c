/* The origins' own options offered by sdc-ingest: see origin-options.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "origin-options.h"
#include "xalloc.h"
#include "banned.h"

/* The val of option j of origin i in the cli's tables. */
#define OPT_VAL(i, j)	((int)((i) << 8 | (j)))
#define OPT_MAX		256

static void
note_used(struct sdc_origin_opts *oo, const char *name)
{
	for (size_t k = 0; k < oo->nused; k++)
		if (oo->used[k] == name)
			return;
	if (oo->nused < SDC_ORIGIN_USED_MAX)
		oo->used[oo->nused++] = name;
}

static void
handle(void *ctx, int val, const char *arg)
{
	struct sdc_origin_opts *oo = ctx;
	size_t i = (size_t)val >> 8, j = (size_t)val & (OPT_MAX - 1);
	const struct sdc_origin_option *o = &sdc_origins[i]->options[j];
	char opt[64];

	snprintf(opt, sizeof opt, "--%s", o->name);
	o->set(oo->blocks[i], opt, o->arg != NULL ? arg : NULL);
	note_used(oo, oo->tables[i][j].name);
}

static struct sdc_option *
cli_table(size_t i, const struct sdc_origin_option *o)
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
add_group(struct sdc_origin_opts *oo, size_t i, struct sdc_option_group *g)
{
	char title[64];

	snprintf(title, sizeof title, "%s origin options",
	    sdc_origins[i]->name);
	oo->titles[i] = sdc_xstrdup(title);
	oo->tables[i] = cli_table(i, sdc_origins[i]->options);
	g->title = oo->titles[i];
	g->options = oo->tables[i];
	g->handle = handle;
	g->ctx = oo;
}

void
sdc_origin_opts_init(struct sdc_origin_opts *oo)
{
	size_t ngroups = 0;

	memset(oo, 0, sizeof(*oo));
	while (sdc_origins[oo->n] != NULL)
		oo->n++;
	oo->blocks = sdc_xcalloc(oo->n + 1, sizeof(*oo->blocks));
	oo->tables = sdc_xcalloc(oo->n + 1, sizeof(*oo->tables));
	oo->titles = sdc_xcalloc(oo->n + 1, sizeof(*oo->titles));
	oo->groups = sdc_xcalloc(oo->n + 1, sizeof(*oo->groups));
	for (size_t i = 0; i < oo->n; i++) {
		const struct sdc_origin *o = sdc_origins[i];

		if (o->opts_size > 0) {
			oo->blocks[i] = sdc_xcalloc(1, o->opts_size);
			if (o->opts_init != NULL)
				o->opts_init(oo->blocks[i]);
		}
		if (o->options != NULL && o->options[0].name != NULL)
			add_group(oo, i, &oo->groups[ngroups++]);
	}
}

void
sdc_origin_opts_release(struct sdc_origin_opts *oo)
{
	for (size_t i = 0; i < oo->n; i++) {
		if (oo->blocks[i] != NULL && sdc_origins[i]->opts_release)
			sdc_origins[i]->opts_release(oo->blocks[i]);
		free(oo->blocks[i]);
		free(oo->tables[i]);
		free(oo->titles[i]);
	}
	free(oo->blocks);
	free(oo->tables);
	free(oo->titles);
	free(oo->groups);
	memset(oo, 0, sizeof(*oo));
}

const struct sdc_option_group *
sdc_origin_opts_groups(const struct sdc_origin_opts *oo)
{
	return oo->groups;
}

const void *
sdc_origin_opts_get(const struct sdc_origin_opts *oo,
    const struct sdc_origin *o)
{
	for (size_t i = 0; i < oo->n; i++)
		if (sdc_origins[i] == o)
			return oo->blocks[i];
	return NULL;
}

static bool
declares(const struct sdc_origin *o, const char *name)
{
	for (const struct sdc_origin_option *p = o->options;
	    p != NULL && p->name != NULL; p++)
		if (strcmp(p->name, name) == 0)
			return true;
	return false;
}

void
sdc_origin_opts_check(const struct sdc_origin_opts *oo,
    const struct sdc_origin *o)
{
	for (size_t k = 0; k < oo->nused; k++)
		if (!declares(o, oo->used[k]))
			sdc_usage_error("--%s is not an option of the %s "
			    "origin", oo->used[k], o->name);
}
