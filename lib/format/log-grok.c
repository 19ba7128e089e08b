/*
 * grok:EXPR, the patterns of Logstash's grok: %{NAME} is the pattern
 * the library defines as NAME, %{NAME:field} captures it as a field,
 * %{NAME:field:type} converts it (int, long, float, double, boolean,
 * string, datetime).  The expression becomes one PCRE2 pattern with a group for
 * each capture, matched as regex:RE is.  The library is the data file
 * grok-patterns, built in (sdc_grok_library), and the files of
 * --grok-patterns, whose names come first.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "banned.h"
#include "buf.h"
#include "log.h"
#include "xalloc.h"

#define MAX_DEPTH	40

extern const char sdc_grok_library[];

struct capture {
	char		*field;
	enum sdc_type	 type;
};

struct expansion {
	const struct sdc_log_grok_defs *defs;
	struct sdc_buf	 re;
	struct capture	*caps;
	size_t		 ncaps;
	char		*err;
	size_t		 errlen;
};

/* One "NAME PATTERN" line; false when it is not one. */
static bool
add_definition(struct sdc_log_grok_defs *d, const char *line, size_t n)
{
	size_t k = 0, v;

	while (k < n && (isalnum((unsigned char)line[k]) || line[k] == '_'))
		k++;
	if (k == 0 || k == n || (line[k] != ' ' && line[k] != '\t'))
		return false;
	for (v = k; v < n && (line[v] == ' ' || line[v] == '\t'); v++)
		;
	if (v == n)
		return false;
	d->items = sdc_xreallocarray(d->items, d->n + 1, sizeof(*d->items));
	d->items[d->n].name = sdc_xmemdup(line, k);
	d->items[d->n].pattern = sdc_xmemdup(line + v, n - v);
	d->n++;
	return true;
}

/* Definitions from text; the number of the first bad line, or 0. */
size_t
sdc_log_grok_load(struct sdc_log_grok_defs *d, const char *text)
{
	size_t line = 0;

	while (*text != '\0') {
		const char *nl = strchr(text, '\n');
		size_t n = nl ? (size_t)(nl - text) : strlen(text);

		line++;
		if (n > 0 && text[n - 1] == '\r')
			n--;
		if (n > 0 && text[0] != '#' &&
		    strspn(text, " \t") < n && !add_definition(d, text, n))
			return line;
		text += nl ? n + (text[n] == '\r') + 1 : n;
	}
	return 0;
}

void
sdc_log_grok_defs_release(struct sdc_log_grok_defs *d)
{
	for (size_t i = 0; i < d->n; i++) {
		free(d->items[i].name);
		free(d->items[i].pattern);
	}
	free(d->items);
	d->items = NULL;
	d->n = 0;
}

static const char *
lookup(const struct sdc_log_grok_defs *d, const char *name, size_t n)
{
	for (size_t i = d->n; i > 0; i--)
		if (strlen(d->items[i - 1].name) == n &&
		    memcmp(d->items[i - 1].name, name, n) == 0)
			return d->items[i - 1].pattern;
	return NULL;
}

static bool
fail(struct expansion *x, const char *what, const char *a, size_t n)
{
	snprintf(x->err, x->errlen, "grok: '%.*s': %s", (int)(n > 60 ? 60 : n),
	    a, what);
	return false;
}

static bool
type_of(const char *p, size_t n, enum sdc_type *t)
{
	static const struct {
		const char	*name;
		enum sdc_type	 type;
	} types[] = {
		{ "int", SDC_LONG }, { "long", SDC_LONG },
		{ "float", SDC_DOUBLE }, { "double", SDC_DOUBLE },
		{ "boolean", SDC_BOOLEAN }, { "string", SDC_STRING },
		{ "datetime", SDC_DATETIME },
	};

	for (size_t i = 0; i < sizeof(types) / sizeof(*types); i++)
		if (strlen(types[i].name) == n &&
		    memcmp(types[i].name, p, n) == 0) {
			*t = types[i].type;
			return true;
		}
	return false;
}

static void
append(struct expansion *x, const char *p, size_t n)
{
	if (!sdc_buf_append(&x->re, p, n))
		abort();	/* the buffer has no cap */
}

static bool expand(struct expansion *x, const char *p, int depth);

/* %{NAME[:field[:type]]}, inner being what is between the braces. */
static bool
reference(struct expansion *x, const char *inner, size_t n, int depth)
{
	const char *colon = memchr(inner, ':', n), *pattern, *type;
	size_t name_n = colon ? (size_t)(colon - inner) : n;
	char group[32];
	struct capture *c;

	if ((pattern = lookup(x->defs, inner, name_n)) == NULL)
		return fail(x, "no such pattern", inner, name_n);
	if (colon == NULL) {
		append(x, "(?:", 3);
		if (!expand(x, pattern, depth + 1))
			return false;
		append(x, ")", 1);
		return true;
	}
	x->caps = sdc_xreallocarray(x->caps, x->ncaps + 1, sizeof(*x->caps));
	c = &x->caps[x->ncaps];
	c->type = SDC_STRING;
	type = memchr(colon + 1, ':', n - name_n - 1);
	c->field = sdc_xmemdup(colon + 1, type ? (size_t)(type - colon - 1) :
	    n - name_n - 1);
	x->ncaps++;
	if (type != NULL && !type_of(type + 1, (size_t)(inner + n - type - 1),
	    &c->type))
		return fail(x, "not a type (int, long, float, double, "
		    "boolean, string, datetime)", type + 1,
		    (size_t)(inner + n - type - 1));
	if (c->field[0] == '\0')
		return fail(x, "an empty field name", inner, n);
	snprintf(group, sizeof(group), "(?<_grok%zu>", x->ncaps);
	append(x, group, strlen(group));
	if (!expand(x, pattern, depth + 1))
		return false;
	append(x, ")", 1);
	return true;
}

static bool
expand(struct expansion *x, const char *p, int depth)
{
	if (depth > MAX_DEPTH)
		return fail(x, "patterns nested more than 40 deep", p,
		    strlen(p));
	for (;;) {
		const char *ref = strstr(p, "%{"), *end;

		if (ref == NULL) {
			append(x, p, strlen(p));
			return true;
		}
		append(x, p, (size_t)(ref - p));
		if ((end = strchr(ref, '}')) == NULL)
			return fail(x, "no '}' closes it", ref, strlen(ref));
		if (!reference(x, ref + 2, (size_t)(end - ref - 2), depth))
			return false;
		p = end + 1;
	}
}

static void
drop_captures(struct expansion *x)
{
	for (size_t i = 0; i < x->ncaps; i++)
		free(x->caps[i].field);
	free(x->caps);
}

struct sdc_log_regex *
sdc_log_grok_compile(const char *expr, const struct sdc_log_grok_defs *defs,
    char *err, size_t errlen)
{
	struct expansion x = { .defs = defs, .err = err, .errlen = errlen };
	struct sdc_log_regex *re = NULL;
	char group[32];

	sdc_buf_init(&x.re, SIZE_MAX / 2);
	if (expand(&x, expr, 0)) {
		append(&x, "", 1);
		re = sdc_log_regex_compile((const char *)x.re.data, err,
		    errlen);
	}
	for (size_t i = 0; re != NULL && i < x.ncaps; i++) {
		snprintf(group, sizeof(group), "_grok%zu", i + 1);
		sdc_log_regex_rename(re, group, x.caps[i].field,
		    x.caps[i].type);
	}
	drop_captures(&x);
	sdc_buf_release(&x.re);
	return re;
}

void
sdc_log_grok_builtin(struct sdc_log_grok_defs *d)
{
	if (sdc_log_grok_load(d, sdc_grok_library) != 0)
		abort();	/* make checks the library */
}
