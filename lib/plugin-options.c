/* The options a table of plugins declares: see plugin-options.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "plugin-options.h"
#include "xalloc.h"
#include "banned.h"

/* The val of option j of entry i in the cli's tables. */
#define OPT_VAL(i, j)	((int)((i) << 8 | (j)))
#define OPT_MAX		256

static void
note_used(struct sdc_plugin_opts *po, const char *name)
{
	for (size_t k = 0; k < po->nused; k++)
		if (strcmp(po->used[k], name) == 0)
			return;
	if (po->nused < SDC_PLUGIN_USED_MAX)
		po->used[po->nused++] = name;
}

static void
apply(struct sdc_plugin_opts *po, size_t i, const struct sdc_plugin_option *o,
    const char *arg)
{
	char opt[64];

	snprintf(opt, sizeof opt, "--%s", o->name);
	o->set(po->blocks[i], opt, o->arg != NULL ? arg : NULL);
	note_used(po, o->name);
}

static void
handle(void *ctx, int val, const char *arg)
{
	struct sdc_plugin_opts *po = ctx;
	size_t i = (size_t)val >> 8, j = (size_t)val & (OPT_MAX - 1);

	apply(po, i, &po->views[i].options[j], arg);
}

/* Entry i's options as the cli takes them. */
static struct sdc_option *
cli_table(size_t i, const struct sdc_plugin_option *o)
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
add_group(struct sdc_plugin_opts *po, size_t i, struct sdc_option_group *g)
{
	char title[64];

	snprintf(title, sizeof title, "%s %s options", po->views[i].name,
	    po->kind);
	po->titles[i] = sdc_xstrdup(title);
	po->tables[i] = cli_table(i, po->views[i].options);
	g->title = po->titles[i];
	g->options = po->tables[i];
	g->handle = handle;
	g->ctx = po;
}

static void
new_block(struct sdc_plugin_opts *po, size_t i)
{
	const struct sdc_plugin_view *v = &po->views[i];

	if (v->opts_size == 0)
		return;
	po->blocks[i] = sdc_xcalloc(1, v->opts_size);
	if (v->opts_init != NULL)
		v->opts_init(po->blocks[i]);
}

void
sdc_plugin_opts_init(struct sdc_plugin_opts *po, const char *kind,
    const void *const *entries,
    void (*view)(const void *entry, struct sdc_plugin_view *v))
{
	size_t ngroups = 0;

	memset(po, 0, sizeof(*po));
	po->kind = kind;
	po->entries = entries;
	while (entries[po->n] != NULL)
		po->n++;
	po->views = sdc_xcalloc(po->n + 1, sizeof(*po->views));
	po->blocks = sdc_xcalloc(po->n + 1, sizeof(*po->blocks));
	po->tables = sdc_xcalloc(po->n + 1, sizeof(*po->tables));
	po->titles = sdc_xcalloc(po->n + 1, sizeof(*po->titles));
	po->groups = sdc_xcalloc(po->n + 1, sizeof(*po->groups));
	for (size_t i = 0; i < po->n; i++) {
		view(entries[i], &po->views[i]);
		new_block(po, i);
		if (po->views[i].options != NULL &&
		    po->views[i].options[0].name != NULL)
			add_group(po, i, &po->groups[ngroups++]);
	}
}

void
sdc_plugin_opts_release(struct sdc_plugin_opts *po)
{
	for (size_t i = 0; i < po->n; i++) {
		if (po->blocks[i] != NULL && po->views[i].opts_release)
			po->views[i].opts_release(po->blocks[i]);
		free(po->blocks[i]);
		free(po->tables[i]);
		free(po->titles[i]);
	}
	free(po->views);
	free(po->blocks);
	free(po->tables);
	free(po->titles);
	free(po->groups);
	memset(po, 0, sizeof(*po));
}

const struct sdc_option_group *
sdc_plugin_opts_groups(const struct sdc_plugin_opts *po)
{
	return po->groups;
}

const void *
sdc_plugin_opts_get(const struct sdc_plugin_opts *po, const void *entry)
{
	for (size_t i = 0; i < po->n; i++)
		if (po->entries[i] == entry)
			return po->blocks[i];
	return NULL;
}

bool
sdc_plugin_opts_set(struct sdc_plugin_opts *po, const char *name,
    const char *arg)
{
	bool found = false;

	for (size_t i = 0; i < po->n; i++) {
		const struct sdc_plugin_option *o = po->views[i].options;

		for (; o != NULL && o->name != NULL; o++) {
			if (strcmp(o->name, name) != 0)
				continue;
			if (o->arg != NULL && arg == NULL)
				sdc_usage_error("option '--%s' needs an "
				    "argument", name);
			apply(po, i, o, arg);
			found = true;
		}
	}
	return found;
}

static bool
declares(const struct sdc_plugin_view *v, const char *name)
{
	for (const struct sdc_plugin_option *o = v->options;
	    o != NULL && o->name != NULL; o++)
		if (strcmp(o->name, name) == 0)
			return true;
	return false;
}

void
sdc_plugin_opts_check(const struct sdc_plugin_opts *po, const void *entry)
{
	for (size_t i = 0; i < po->n; i++) {
		if (po->entries[i] != entry)
			continue;
		for (size_t k = 0; k < po->nused; k++)
			if (!declares(&po->views[i], po->used[k]))
				sdc_usage_error("--%s is not an option of the %s "
				    "%s", po->used[k], po->views[i].name,
				    po->kind);
	}
}

struct sdc_option_group *
sdc_option_groups_join(struct sdc_option_group first,
    const struct sdc_option_group *a, const struct sdc_option_group *b)
{
	size_t na = 0, nb = 0;
	struct sdc_option_group *g;

	while (a[na].title != NULL)
		na++;
	while (b[nb].title != NULL)
		nb++;
	g = sdc_xcalloc(na + nb + 2, sizeof(*g));
	g[0] = first;
	memcpy(g + 1, a, na * sizeof(*g));
	memcpy(g + 1 + na, b, nb * sizeof(*g));
	return g;
}

size_t
sdc_plugin_names(const void *const *entries,
    void (*view)(const void *entry, struct sdc_plugin_view *v), char *dst,
    size_t len)
{
	struct sdc_plugin_view v;
	size_t n = 0;

	if (len > 0)
		dst[0] = '\0';
	for (size_t i = 0; entries[i] != NULL; i++) {
		int k;

		view(entries[i], &v);
		k = snprintf(dst + (n < len ? n : len), n < len ? len - n : 0,
		    "%s%s", i > 0 ? ", " : "", v.name);
		if (k > 0)
			n += (size_t)k;
	}
	return n;
}
