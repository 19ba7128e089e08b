/*
 * log4j:LAYOUT, a log4j PatternLayout read back: each conversion becomes
 * a grok pattern captured under the field name StreamSets' log4j format
 * gives it, and the whole a grok expression (log-grok.c).
 *
 *	%d{...} timestamp (datetime; ISO8601, ABSOLUTE, DATE or a
 *	    SimpleDateFormat pattern)	%p severity	%c category
 *	%C class	%t thread	%m message	%r relativetime (long)
 *	%x ndc	%X{key} key	%L line (long)	%F file	%M method
 *	%l location	%n the end of the line	%% a percent sign
 *
 * Long names (%date, %level, %logger, %thread, %msg, ...) are the same.
 * Padding (%-5p, %20c) allows spaces around the field; truncation
 * (%.30c) is taken as written.  Other text must appear as it is, and the
 * layout matches from the start of the line.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "banned.h"
#include "buf.h"
#include "log.h"

struct conversion {
	const char	*names;		/* "|p|level|" */
	const char	*pattern;	/* grok's; NULL: the timestamp */
	const char	*field;		/* NULL: the {option} names it */
	const char	*type;		/* ":long", or "" */
};

static const struct conversion conversions[] = {
	{ "|d|date|", NULL, "timestamp", "" },
	{ "|p|level|", "LOGLEVEL", "severity", "" },
	{ "|c|logger|lo|", "NOTSPACE", "category", "" },
	{ "|C|class|", "NOTSPACE", "class", "" },
	{ "|t|thread|tn|", "DATA", "thread", "" },
	{ "|m|msg|message|", "GREEDYDATA", "message", "" },
	{ "|r|relative|", "NONNEGINT", "relativetime", ":long" },
	{ "|x|NDC|ndc|", "DATA", "ndc", "" },
	{ "|X|mdc|MDC|", "DATA", NULL, "" },
	{ "|L|line|", "NONNEGINT", "line", ":long" },
	{ "|F|file|", "NOTSPACE", "file", "" },
	{ "|M|method|", "NOTSPACE", "method", "" },
	{ "|l|location|", "DATA", "location", "" },
};

/* The SimpleDateFormat letters, as regular expressions. */
static const struct {
	const char	*letters;
	const char	*re;
} date_parts[] = {
	{ "yyyy", "\\d{4}" }, { "yy", "\\d{2}" }, { "MMMM", "[A-Za-z]+" },
	{ "MMM", "[A-Za-z]{3}" }, { "MM", "\\d{2}" }, { "dd", "\\d{2}" },
	{ "HH", "\\d{2}" }, { "hh", "\\d{2}" }, { "mm", "\\d{2}" },
	{ "ss", "\\d{2}" }, { "SSS", "\\d{3}" }, { "EEE", "[A-Za-z]{3}" },
	{ "a", "[AP]M" }, { "XXX", "(?:Z|[+-]\\d{2}:\\d{2})" },
	{ "Z", "[+-]\\d{4}" }, { "z", "[A-Za-z]+" },
	{ "M", "\\d{1,2}" }, { "d", "\\d{1,2}" }, { "H", "\\d{1,2}" },
	{ "S", "\\d+" },
};

static bool
put(struct sdc_buf *b, const char *s)
{
	return sdc_buf_append(b, s, strlen(s));
}

static void
put_literal(struct sdc_buf *b, char c)
{
	if (strchr("\\^$.|?*+()[]{}", c) != NULL)
		put(b, "\\");
	sdc_buf_append(b, &c, 1);
}

static const char *
date_format(const char *opt)
{
	if (opt == NULL || strcmp(opt, "ISO8601") == 0 || opt[0] == '\0')
		return "yyyy-MM-dd HH:mm:ss,SSS";
	if (strcmp(opt, "ABSOLUTE") == 0)
		return "HH:mm:ss,SSS";
	if (strcmp(opt, "DATE") == 0)
		return "dd MMM yyyy HH:mm:ss,SSS";
	if (strcmp(opt, "ISO8601_BASIC") == 0)
		return "yyyyMMdd'T'HHmmss,SSS";
	return opt;
}

/* Dates that sdc_log_iso_time reads, so typed datetime. */
static bool
iso_like(const char *f)
{
	return strncmp(f, "yyyy-MM-dd HH:mm", 16) == 0 ||
	    strncmp(f, "yyyy-MM-dd'T'HH:mm", 18) == 0;
}

/* A SimpleDateFormat pattern as a regular expression, in re. */
static void
date_regex(struct sdc_buf *re, const char *f)
{
	bool quoted = false;

	while (*f != '\0') {
		size_t i, n = 0;

		if (*f == '\'') {
			quoted = !quoted;
			f++;
			continue;
		}
		for (i = 0; !quoted && i < sizeof(date_parts) /
		    sizeof(*date_parts); i++)
			if (strncmp(f, date_parts[i].letters,
			    (n = strlen(date_parts[i].letters))) == 0)
				break;
		if (!quoted && i < sizeof(date_parts) / sizeof(*date_parts)) {
			put(re, date_parts[i].re);
			f += n;
		} else
			put_literal(re, *f++);
	}
}

/* The timestamp, a pattern of its own defined in defs. */
static void
put_date(struct sdc_buf *b, const char *opt, struct sdc_buf *defs)
{
	const char *f = date_format(opt);

	put(defs, "L4JTIME ");
	date_regex(defs, f);
	put(defs, "\n");
	put(b, iso_like(f) ? "%{L4JTIME:timestamp:datetime}" :
	    "%{L4JTIME:timestamp}");
}

/* The name of the conversion at p, its length in *n; NULL when none. */
static const struct conversion *
conversion_at(const char *p, size_t *n)
{
	const struct conversion *best = NULL;
	size_t best_n = 0;
	char name[16];

	for (size_t i = 0; i < sizeof(conversions) / sizeof(*conversions);
	    i++) {
		const char *at = conversions[i].names;

		while ((at = strchr(at, '|')) != NULL && at[1] != '\0') {
			size_t k = strcspn(at + 1, "|");

			if (k < sizeof(name) && strncmp(p, at + 1, k) == 0 &&
			    k > best_n) {
				best = &conversions[i];
				best_n = k;
			}
			at += k + 1;
		}
	}
	*n = best_n;
	return best;
}

/* The {option} at *p, copied into opt; false when unterminated. */
static bool
option(const char **p, char *opt, size_t len, bool *has)
{
	const char *end;

	*has = **p == '{';
	opt[0] = '\0';
	if (!*has)
		return true;
	if ((end = strchr(*p, '}')) == NULL || (size_t)(end - *p) > len)
		return false;
	memcpy(opt, *p + 1, (size_t)(end - *p - 1));
	opt[end - *p - 1] = '\0';
	*p = end + 1;
	return true;
}

static bool
field_name_ok(const char *s)
{
	if (*s == '\0')
		return false;
	for (; *s != '\0'; s++)
		if (!isalnum((unsigned char)*s) && *s != '_' && *s != '.' &&
		    *s != '-')
			return false;
	return true;
}

static bool
convert(struct sdc_buf *b, struct sdc_buf *defs, const char **pp, char *err,
    size_t errlen)
{
	const char *p = *pp;
	bool left = *p == '-', padded, has;
	const struct conversion *c;
	char opt[64], grok[128];
	size_t n;

	p += left;
	padded = isdigit((unsigned char)*p);
	while (isdigit((unsigned char)*p) || *p == '.')
		p++;
	if ((c = conversion_at(p, &n)) == NULL) {
		snprintf(err, errlen, "log4j: '%%%.10s': not a conversion this "
		    "reader knows", *pp);
		return false;
	}
	p += n;
	if (!option(&p, opt, sizeof(opt), &has)) {
		snprintf(err, errlen, "log4j: '%%%.20s': no '}' closes it",
		    *pp);
		return false;
	}
	if (padded && !left)
		put(b, " *");
	if (c->pattern == NULL)
		put_date(b, has ? opt : NULL, defs);
	else if (c->field == NULL && !field_name_ok(opt)) {
		snprintf(err, errlen, "log4j: %%X needs a key, as %%X{user}");
		return false;
	} else {
		snprintf(grok, sizeof(grok), "%%{%s:%s%s}", c->pattern,
		    c->field ? c->field : opt, c->type);
		put(b, grok);
	}
	if (padded && left)
		put(b, " *");
	*pp = p;
	return true;
}

/*
 * The grok expression of layout in expr and the definition of its
 * timestamp's pattern, if any, in defs; false with the reason in err.
 */
static bool
translate(const char *layout, struct sdc_buf *expr, struct sdc_buf *defs,
    char *err, size_t errlen)
{
	const char *p = layout;

	put(expr, "^");
	while (*p != '\0') {
		if (*p != '%') {
			put_literal(expr, *p++);
			continue;
		}
		p++;
		if (*p == '%') {
			put(expr, "%");
			p++;
		} else if (*p == 'n')
			p++;
		else if (!convert(expr, defs, &p, err, errlen))
			return false;
	}
	return true;
}

struct sdc_log_regex *
sdc_log_log4j_compile(const char *layout, char *err, size_t errlen)
{
	struct sdc_buf expr, defs;
	struct sdc_log_grok_defs d = { 0 };
	struct sdc_log_regex *re = NULL;

	sdc_buf_init(&expr, SIZE_MAX / 2);
	sdc_buf_init(&defs, SIZE_MAX / 2);
	if (translate(layout, &expr, &defs, err, errlen) &&
	    sdc_buf_append(&expr, "", 1) && sdc_buf_append(&defs, "", 1)) {
		sdc_log_grok_builtin(&d);
		sdc_log_grok_load(&d, (const char *)defs.data);
		re = sdc_log_grok_compile((const char *)expr.data, &d, err,
		    errlen);
	}
	sdc_log_grok_defs_release(&d);
	sdc_buf_release(&expr);
	sdc_buf_release(&defs);
	return re;
}
