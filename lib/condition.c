/* Conditions on a record: see condition.h. */
#include <inttypes.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "condition.h"
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

struct sdc_conditions {
	struct condition *v;
	size_t		  n;
};

static const struct {
	const char	*text;
	enum op		 op;
} ops[] = {	/* two-character operators first */
	{ "==", OP_EQ }, { "!=", OP_NE }, { "=~", OP_MATCH },
	{ "!~", OP_NOMATCH }, { "<=", OP_LE }, { ">=", OP_GE },
	{ "<", OP_LT }, { ">", OP_GT }
};

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
subject_text(const struct condition *c, const struct sdc_record *r,
    char *dst, size_t len)
{
	const struct sdc_str *a;

	if (c->attr != NULL) {
		if ((a = sdc_record_attr(r, c->attr)) == NULL)
			return false;
		snprintf(dst, len, "%.*s", (int)a->len, a->ptr);
		return true;
	}
	/* sdc_path_get only reads, though its root is not const */
	return scalar_text(sdc_path_get((struct sdc_field *)&r->root,
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
holds(const struct condition *c, const struct sdc_record *r)
{
	char text[4096], *end;
	double v;

	if (!subject_text(c, r, text, sizeof text))
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

struct sdc_conditions *
sdc_conditions_new(void)
{
	return sdc_xcalloc(1, sizeof(struct sdc_conditions));
}

void
sdc_conditions_add(struct sdc_conditions *cs, const char *cond)
{
	struct condition *c;
	size_t at, len;
	char *subject;

	cs->v = sdc_xrealloc(cs->v, (cs->n + 1) * sizeof(*c));
	c = &cs->v[cs->n];
	memset(c, 0, sizeof(*c));
	c->op = find_op(cond, &at, &len);
	subject = sdc_xmemdup(cond, at);
	if (*subject == '\0')
		sdc_usage_error("--when '%s': no field path before the "
		    "operator", cond);
	parse_subject(c, cond, subject);
	free(subject);
	parse_operand(c, cond, cond + at + len);
	cs->n++;
}

size_t
sdc_conditions_count(const struct sdc_conditions *cs)
{
	return cs->n;
}

bool
sdc_conditions_hold(const struct sdc_conditions *cs,
    const struct sdc_record *r)
{
	for (size_t i = 0; i < cs->n; i++)
		if (!holds(&cs->v[i], r))
			return false;
	return true;
}

void
sdc_conditions_free(struct sdc_conditions *cs)
{
	if (cs == NULL)
		return;
	for (size_t i = 0; i < cs->n; i++) {
		struct condition *c = &cs->v[i];

		if (c->op == OP_MATCH || c->op == OP_NOMATCH)
			regfree(&c->re);
		if (c->attr == NULL)
			sdc_path_release(&c->path);
		free(c->attr);
		free(c->text);
	}
	free(cs->v);
	free(cs);
}
