/* sdc-ingest's command line, a section an origin: see sections.h. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "sections.h"
#include "xalloc.h"
#include "banned.h"

static bool
is_plus(const char *word)
{
	return strcmp(word, "+") == 0;
}

static noreturn void
not_an_origin(const char *word)
{
	char names[160];

	sdc_origin_names(names, sizeof names);
	if (word[0] == '-')
		sdc_usage_error("an origin must follow '+' (one of: %s)",
		    names);
	sdc_usage_error("'%s' is not an origin (one of: %s)", word, names);
}

/* Why section k (from 0) of n, its words empty, cannot be. */
static noreturn void
empty_section(size_t k, size_t n)
{
	if (k == 0)
		sdc_usage_error("'+' with no origin before it: it separates "
		    "two origins' sections");
	if (k == n - 1)
		sdc_usage_error("'+' at the end: an origin must follow it");
	sdc_usage_error("section %zu is empty: an origin must follow '+'",
	    k + 1);
}

static void
set_name(struct sdc_ingest_section *sec)
{
	if (sec->origin != NULL)
		snprintf(sec->name, sizeof sec->name, "section %zu (%s)",
		    sec->number, sec->origin->name);
	else
		snprintf(sec->name, sizeof sec->name, "section %zu",
		    sec->number);
}

/* Messages about sec named after it while there are several sections. */
static void
enter(const struct sdc_ingest_sections *s, const struct sdc_ingest_section *sec)
{
	sdc_set_context(sdc_ingest_section_context(s, sec));
}

/*
 * The words of argv[from..to) as sec's, behind the program name; a
 * later section's first word is its origin.
 */
static void
take_words(struct sdc_ingest_sections *s, struct sdc_ingest_section *sec,
    char **argv, int from, int to)
{
	int n;

	sec->format_name = "bytes";
	set_name(sec);
	if (from == to && s->n > 1)
		empty_section(sec->number - 1, s->n);
	if (sec->number > 1) {
		enter(s, sec);
		if ((sec->origin = sdc_origin_find(argv[from])) == NULL)
			not_an_origin(argv[from]);
		from++;
		set_name(sec);
	}
	n = to - from;
	sec->words = sdc_xcalloc((size_t)n + 2, sizeof(*sec->words));
	sec->words[0] = argv[0];
	memcpy(sec->words + 1, argv + from, (size_t)n * sizeof(*argv));
}

static void
split(struct sdc_ingest_sections *s, int argc, char **argv)
{
	int from = 1;

	s->n = 1;
	for (int i = 1; i < argc; i++)
		s->n += is_plus(argv[i]);
	s->v = sdc_xcalloc(s->n, sizeof(*s->v));
	for (size_t k = 0; k < s->n; k++) {
		int to = from;

		while (to < argc && !is_plus(argv[to]))
			to++;
		s->v[k].number = k + 1;
		take_words(s, &s->v[k], argv, from, to);
		from = to + 1;
	}
}

/* The options given in a section that are the section's own. */
struct parsing {
	struct sdc_ingest_sections	*s;
	const struct sdc_option_group	*own;	/* NULL-title ended */
};

static bool
declared(const struct sdc_option_group *g, const char *name)
{
	for (; g->title != NULL; g++)
		for (const struct sdc_option *o = g->options; o->name != NULL;
		    o++)
			if (strcmp(o->name, name) == 0)
				return true;
	return false;
}

/* Options that set the same thing, by the name that stands for both. */
static const char *
setting(const char *name)
{
	return strcmp(name, "no-progress") == 0 ? "progress" : name;
}

static bool
same_value(const char *a, const char *b)
{
	return a == b || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

static void
describe(char *dst, size_t len, const char *name, const char *value)
{
	if (value != NULL)
		snprintf(dst, len, "--%s=%s", name, value);
	else
		snprintf(dst, len, "--%s", name);
}

static noreturn void
conflict(const struct sdc_ingest_sections *s, size_t k, const char *name,
    const char *value)
{
	const struct sdc_ingest_section *other = &s->v[s->given[k].section - 1];
	char now[160], before[160];

	describe(now, sizeof now, name, value);
	describe(before, sizeof before, s->given[k].name, s->given[k].value);
	sdc_usage_error("%s conflicts with %s of %s: it is an option of the "
	    "whole run, one value for every section", now, before,
	    other->name);
}

/* A program-wide option given: once, or again with the same value. */
static void
note_given(void *ctx, const char *name, const char *value)
{
	struct parsing *p = ctx;
	struct sdc_ingest_sections *s = p->s;
	size_t here = s->current->number, k;

	if (strcmp(name, "format") == 0 || declared(p->own, name))
		return;
	for (k = 0; k < s->ngiven; k++)
		if (strcmp(setting(s->given[k].name), setting(name)) == 0)
			break;
	if (k < s->ngiven && s->given[k].section != here &&
	    (!same_value(s->given[k].value, value) ||
	    strcmp(s->given[k].name, name) != 0))
		conflict(s, k, name, value);
	if (k == s->ngiven && s->ngiven++ == SDC_SECTIONS_GIVEN_MAX)
		sdc_usage_error("too many options");
	s->given[k].name = name;
	s->given[k].value = value;
	s->given[k].section = here;
}

/* The first section's origin: its first operand's, or the default. */
static void
first_origin(struct sdc_ingest_section *sec)
{
	if (sec->argc > 0 &&
	    (sec->origin = sdc_origin_find(sec->argv[0])) != NULL) {
		sec->argc--;
		sec->argv++;
	} else
		sec->origin = sdc_origins[0];
	set_name(sec);
}

static void
parse_section(struct sdc_ingest_sections *s, struct sdc_ingest_section *sec,
    const struct sdc_cli *cli, struct sdc_option_group shared,
    struct sdc_options *common, void *ctx)
{
	struct sdc_option_group *groups;
	struct parsing p = { s, NULL };
	int nwords = 0, first;

	while (sec->words[nwords] != NULL)
		nwords++;
	sdc_origin_opts_init(&sec->oo);
	sdc_format_opts_init(&sec->fo);
	groups = sdc_option_groups_join(shared, sdc_origin_opts_groups(&sec->oo),
	    sdc_format_opts_groups(&sec->fo));
	p.own = groups + 1;
	s->current = sec;
	enter(s, sec);
	first = sdc_cli_parse_noting(cli, groups, common, ctx, nwords,
	    sec->words, note_given, &p);
	free(groups);
	sec->argc = nwords - first;
	sec->argv = sec->words + first;
	if (sec->number == 1)
		first_origin(sec);
}

static void
check_format(struct sdc_ingest_section *sec)
{
	const struct sdc_format *f = sdc_format_find(sec->format_name);
	char names[160];

	if (f == NULL || f->read == NULL) {
		sdc_format_names(names, sizeof names, true);
		sdc_usage_error("--format: unknown format '%s' (one of: %s)",
		    sec->format_name, names);
	}
	sec->format = f;
	sec->format_opts = sdc_format_opts_get(&sec->fo, f);
}

void
sdc_ingest_sections_parse(struct sdc_ingest_sections *s,
    const struct sdc_cli *cli, struct sdc_option_group shared,
    struct sdc_options *common, void *ctx, int argc, char **argv)
{
	memset(s, 0, sizeof(*s));
	sdc_set_progname(argv[0]);
	split(s, argc, argv);
	for (size_t k = 0; k < s->n; k++)
		parse_section(s, &s->v[k], cli, shared, common, ctx);
	for (size_t k = 0; k < s->n; k++) {
		enter(s, &s->v[k]);
		sdc_origin_opts_check(&s->v[k].oo, s->v[k].origin);
		check_format(&s->v[k]);
	}
	s->current = NULL;
	sdc_set_context(NULL);
}

void
sdc_ingest_sections_release(struct sdc_ingest_sections *s)
{
	for (size_t k = 0; k < s->n; k++) {
		sdc_format_opts_release(&s->v[k].fo);
		sdc_origin_opts_release(&s->v[k].oo);
		free(s->v[k].words);
	}
	free(s->v);
	s->v = NULL;
	s->n = 0;
}

void
sdc_ingest_sections_set_format(struct sdc_ingest_sections *s,
    const char *name)
{
	s->current->format_name = name;
}

const char *
sdc_ingest_section_context(const struct sdc_ingest_sections *s,
    const struct sdc_ingest_section *sec)
{
	return s->n > 1 ? sec->name : NULL;
}
