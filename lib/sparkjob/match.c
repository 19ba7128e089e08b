/* Which events launch an application: see match.h. */
#include <inttypes.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "match.h"
#include "path.h"
#include "xalloc.h"
#include "banned.h"

enum op { OP_EXISTS, OP_EQ, OP_NE, OP_MATCH, OP_NOMATCH, OP_LT, OP_LE,
	OP_GT, OP_GE };

struct condition {
	enum op		 op;
	char		*attr;		/* attr:NAME, or NULL for a path */
	struct sdc_path	 path;
	char		*text;		/* ==, != */
	double		 number;	/* <, <=, >, >= */
	regex_t		 re;		/* =~, !~ */
};

struct sdc_event_match {
	char		**types;
	size_t		  ntypes;
	bool		  any_type;
	struct condition *conds;
	size_t		  nconds;
};

static const struct {
	const char	*text;
	enum op		 op;
} ops[] = {	/* two-character operators first */
	{ "==", OP_EQ }, { "!=", OP_NE }, { "=~", OP_MATCH },
	{ "!~", OP_NOMATCH }, { "<=", OP_LE }, { ">=", OP_GE },
	{ "<", OP_LT }, { ">", OP_GT }
};

struct sdc_event_match *
sdc_event_match_new(void)
{
	return sdc_xcalloc(1, sizeof(struct sdc_event_match));
}

void
sdc_event_match_on(struct sdc_event_match *m, const char *type)
{
	if (strcmp(type, "*") == 0) {
		m->any_type = true;
		return;
	}
	m->types = sdc_xrealloc(m->types, (m->ntypes + 1) * sizeof(char *));
	m->types[m->ntypes++] = sdc_xstrdup(type);
}

/* The first operator in cond, its place and length; OP_EXISTS if none. */
static enum op
find_op(const char *cond, size_t *at, size_t *len)
{
	for (size_t i = 0; cond[i] != '\0'; i++)
		for (size_t k = 0; k < sizeof ops / sizeof ops[0]; k++)
			if (strncmp(cond + i, ops[k].text,
			    strlen(ops[k].text)) == 0) {
				*at = i;
				*len = strlen(ops[k].text);
				return ops[k].op;
			}
	*at = strlen(cond);
	*len = 0;
	return OP_EXISTS;
}

static void
parse_subject(struct condition *c, const char *cond, const char *subject)
{
	char err[160];

	if (strncmp(subject, "attr:", 5) == 0 && subject[5] != '\0') {
		c->attr = sdc_xstrdup(subject + 5);
		return;
	}
	if (sdc_path_parse(&c->path, subject, err, sizeof err) != 0)
		sdc_usage_error("--when '%s': %s", cond, err);
}

static void
parse_operand(struct condition *c, const char *cond, const char *operand)
{
	char *end, err[160];
	int rc;

	switch (c->op) {
	case OP_EQ: case OP_NE:
		c->text = sdc_xstrdup(operand);
		break;
	case OP_MATCH: case OP_NOMATCH:
		rc = regcomp(&c->re, operand, REG_EXTENDED | REG_NOSUB);
		if (rc != 0) {
			regerror(rc, &c->re, err, sizeof err);
			sdc_usage_error("--when '%s': %s", cond, err);
		}
		break;
	case OP_LT: case OP_LE: case OP_GT: case OP_GE:
		c->number = strtod(operand, &end);
		if (*operand == '\0' || *end != '\0')
			sdc_usage_error("--when '%s': '%s' is not a number",
			    cond, operand);
		break;
	case OP_EXISTS:
		break;
	}
}

void
sdc_event_match_when(struct sdc_event_match *m, const char *cond)
{
	struct condition *c;
	size_t at, len;
	char *subject;

	m->conds = sdc_xrealloc(m->conds, (m->nconds + 1) * sizeof(*c));
	c = &m->conds[m->nconds];
	memset(c, 0, sizeof(*c));
	c->op = find_op(cond, &at, &len);
	subject = sdc_xmemdup(cond, at);
	if (*subject == '\0')
		sdc_usage_error("--when '%s': no field path before the "
		    "operator", cond);
	parse_subject(c, cond, subject);
	free(subject);
	parse_operand(c, cond, cond + at + len);
	m->nconds++;
}

static bool
type_matches(const struct sdc_event_match *m, const struct sdc_record *ev)
{
	const struct sdc_str *t = &ev->h.event.type;

	if (m->any_type)
		return true;
	if (m->ntypes == 0)
		return (t->len == 11 && memcmp(t->ptr, "file-closed", 11) == 0) ||
		    (t->len == 14 && memcmp(t->ptr, "object-written", 14) == 0);
	for (size_t i = 0; i < m->ntypes; i++)
		if (strlen(m->types[i]) == t->len &&
		    memcmp(m->types[i], t->ptr, t->len) == 0)
			return true;
	return false;
}

/* A scalar's value as text into dst; false for a container or null. */
static bool
scalar_text(const struct sdc_field *f, char *dst, size_t len)
{
	if (f == NULL || f->null)
		return false;
	switch (f->type) {
	case SDC_STRING: case SDC_DECIMAL: case SDC_CHAR:
		snprintf(dst, len, "%.*s", (int)f->v.s.len, f->v.s.ptr);
		return true;
	case SDC_BOOLEAN:
		snprintf(dst, len, "%s", f->v.b ? "true" : "false");
		return true;
	case SDC_BYTE: case SDC_SHORT: case SDC_INTEGER: case SDC_LONG:
	case SDC_DATE: case SDC_DATETIME: case SDC_TIME:
		snprintf(dst, len, "%" PRId64, f->v.i);
		return true;
	case SDC_FLOAT:
		snprintf(dst, len, "%.9g", (double)f->v.f);
		return true;
	case SDC_DOUBLE:
		snprintf(dst, len, "%.17g", f->v.d);
		return true;
	default:
		return false;
	}
}

/* The subject's text: false when it is missing, null or a container. */
static bool
subject_text(const struct condition *c, const struct sdc_record *ev,
    char *dst, size_t len)
{
	const struct sdc_str *a;

	if (c->attr != NULL) {
		if ((a = sdc_record_attr(ev, c->attr)) == NULL)
			return false;
		snprintf(dst, len, "%.*s", (int)a->len, a->ptr);
		return true;
	}
	/* sdc_path_get only reads, though its root is not const */
	return scalar_text(sdc_path_get((struct sdc_field *)&ev->root,
	    &c->path), dst, len);
}

static bool
compare(enum op op, double a, double b)
{
	switch (op) {
	case OP_LT: return a < b;
	case OP_LE: return a <= b;
	case OP_GT: return a > b;
	default: return a >= b;
	}
}

static bool
holds(const struct condition *c, const struct sdc_record *ev)
{
	char text[4096], *end;
	double v;

	if (!subject_text(c, ev, text, sizeof text))
		return c->op == OP_NE || c->op == OP_NOMATCH;
	switch (c->op) {
	case OP_EXISTS: return true;
	case OP_EQ: return strcmp(text, c->text) == 0;
	case OP_NE: return strcmp(text, c->text) != 0;
	case OP_MATCH: return regexec(&c->re, text, 0, NULL, 0) == 0;
	case OP_NOMATCH: return regexec(&c->re, text, 0, NULL, 0) != 0;
	default:
		v = strtod(text, &end);
		return *text != '\0' && *end == '\0' && compare(c->op, v,
		    c->number);
	}
}

bool
sdc_event_match(const struct sdc_event_match *m, const struct sdc_record *ev)
{
	if (ev->kind != SDC_KIND_EVENT || !type_matches(m, ev))
		return false;
	for (size_t i = 0; i < m->nconds; i++)
		if (!holds(&m->conds[i], ev))
			return false;
	return true;
}

void
sdc_event_match_free(struct sdc_event_match *m)
{
	if (m == NULL)
		return;
	for (size_t i = 0; i < m->ntypes; i++)
		free(m->types[i]);
	for (size_t i = 0; i < m->nconds; i++) {
		struct condition *c = &m->conds[i];

		if (c->op == OP_MATCH || c->op == OP_NOMATCH)
			regfree(&c->re);
		if (c->attr == NULL)
			sdc_path_release(&c->path);
		free(c->attr);
		free(c->text);
	}
	free(m->types);
	free(m->conds);
	free(m);
}
