/*
 * regex:RE, a PCRE2 pattern whose named groups are the fields, each a
 * STRING (null when its group took no part in the match), in the order
 * of the groups.  The pattern is compiled once, with JIT when the
 * library has it; it need not match the whole line unless anchored.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <err.h>
#include <errno.h>
#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "banned.h"
#include "log.h"
#include "xalloc.h"

struct name {
	const char	*ptr;
	size_t		 len;
	uint32_t	 group;
	enum sdc_type	 type;		/* what the text is converted to */
	char		*field;		/* owned, when renamed */
};

struct sdc_log_regex {
	pcre2_code	*code;
	struct name	*names;
	uint32_t	 n;
};

struct sdc_log_matcher {
	pcre2_match_data *md;
};

void
sdc_log_regex_free(struct sdc_log_regex *x)
{
	if (x == NULL)
		return;
	pcre2_code_free(x->code);
	for (uint32_t i = 0; i < x->n; i++)
		free(x->names[i].field);
	free(x->names);
	free(x);
}

/* The name table, in group order: that is the order of the fields. */
static int
by_group(const void *a, const void *b)
{
	const struct name *x = a, *y = b;

	return x->group < y->group ? -1 : x->group > y->group;
}

static void
load_names(struct sdc_log_regex *x)
{
	PCRE2_SPTR table;
	uint32_t size;

	pcre2_pattern_info(x->code, PCRE2_INFO_NAMECOUNT, &x->n);
	pcre2_pattern_info(x->code, PCRE2_INFO_NAMEENTRYSIZE, &size);
	pcre2_pattern_info(x->code, PCRE2_INFO_NAMETABLE, &table);
	x->names = sdc_xcalloc(x->n ? x->n : 1, sizeof(*x->names));
	for (uint32_t i = 0; i < x->n; i++) {
		const unsigned char *e = table + (size_t)i * size;

		x->names[i].group = (uint32_t)(e[0] << 8 | e[1]);
		x->names[i].ptr = (const char *)e + 2;
		x->names[i].len = strlen((const char *)e + 2);
		x->names[i].type = SDC_STRING;
	}
	qsort(x->names, x->n, sizeof(*x->names), by_group);
}

struct sdc_log_regex *
sdc_log_regex_compile(const char *re, char *err, size_t errlen)
{
	struct sdc_log_regex *x;
	int code;
	PCRE2_SIZE at;
	unsigned char msg[120];

	x = sdc_xcalloc(1, sizeof(*x));
	x->code = pcre2_compile((PCRE2_SPTR)re, PCRE2_ZERO_TERMINATED,
	    PCRE2_UTF, &code, &at,
	    NULL);
	if (x->code == NULL) {
		pcre2_get_error_message(code, msg, sizeof(msg));
		snprintf(err, errlen, "'%s': at offset %zu: %s", re, (size_t)at,
		    msg);
		free(x);
		return NULL;
	}
	/* Without JIT the interpreter matches the same. */
	(void)pcre2_jit_compile(x->code, PCRE2_JIT_COMPLETE);
	load_names(x);
	if (x->n == 0) {
		snprintf(err, errlen, "'%s': no named group, as (?<name>...)",
		    re);
		sdc_log_regex_free(x);
		return NULL;
	}
	return x;
}

struct sdc_log_matcher *
sdc_log_regex_matcher(const struct sdc_log_regex *x)
{
	struct sdc_log_matcher *m = sdc_xcalloc(1, sizeof(*m));

	m->md = pcre2_match_data_create_from_pattern(x->code, NULL);
	if (m->md == NULL)
		errx(3, "out of memory");
	return m;
}

void
sdc_log_matcher_free(struct sdc_log_matcher *m)
{
	if (m == NULL)
		return;
	pcre2_match_data_free(m->md);
	free(m);
}

static bool
convert_time(struct sdc_field *f, const struct name *nm, const char *p,
    size_t n, struct sdc_log_why *why)
{
	int64_t us;
	int32_t off;
	bool zoned;

	if (!sdc_log_iso_time(p, n, &us, &off, &zoned)) {
		snprintf(why->text, sizeof(why->text), "field %.*s: '%.*s' is "
		    "not a time as 2026-03-14 10:27:10,123", (int)nm->len,
		    nm->ptr, n > 40 ? 40 : (int)n, p);
		return false;
	}
	if (!zoned) {
		sdc_field_int(f, SDC_DATETIME, us);
		return true;
	}
	sdc_field_begin(f, SDC_ZONED_DATETIME);
	f->v.z.us = us;
	f->v.z.offset_s = off;
	f->v.z.zone.ptr = "";
	f->v.z.zone.len = 0;
	return true;
}

/* The text of a group as its name's type; false, saying why, if not. */
static bool
convert(struct sdc_field *f, const struct name *nm, const char *p, size_t n,
    struct sdc_log_why *why)
{
	char buf[64], *end;

	if (nm->type == SDC_STRING) {
		sdc_field_borrow(f, SDC_STRING, p, n);
		return true;
	}
	if (nm->type == SDC_DATETIME)
		return convert_time(f, nm, p, n, why);
	if (n > 0 && n < sizeof(buf)) {
		memcpy(buf, p, n);
		buf[n] = '\0';
		errno = 0;
		if (nm->type == SDC_LONG) {
			long long v = strtoll(buf, &end, 10);

			if (*end == '\0' && errno == 0) {
				sdc_field_int(f, SDC_LONG, v);
				return true;
			}
		} else if (nm->type == SDC_DOUBLE) {
			double v = strtod(buf, &end);

			if (*end == '\0' && errno == 0) {
				sdc_field_double(f, v);
				return true;
			}
		} else if (strcmp(buf, "true") == 0 || strcmp(buf, "false") == 0) {
			sdc_field_bool(f, buf[0] == 't');
			return true;
		}
	}
	snprintf(why->text, sizeof(why->text), "field %.*s: '%.*s' is not %s",
	    (int)nm->len, nm->ptr, n > 40 ? 40 : (int)n, p,
	    nm->type == SDC_LONG ? "an integer" : nm->type == SDC_DOUBLE ?
	    "a number" : "true or false");
	return false;
}

bool
sdc_log_regex_match(const struct sdc_log_regex *x, struct sdc_log_matcher *m,
    struct sdc_record *rec, const char *p, size_t n, struct sdc_log_why *why)
{
	/* The reader checked the UTF-8 already. */
	int rc = pcre2_match(x->code, (PCRE2_SPTR)p, n, 0, PCRE2_NO_UTF_CHECK,
	    m->md, NULL);
	PCRE2_SIZE *ov;

	if (rc < 0) {
		unsigned char msg[120];

		if (rc == PCRE2_ERROR_NOMATCH)
			snprintf(why->text, sizeof(why->text),
			    "the regular expression does not match");
		else {
			pcre2_get_error_message(rc, msg, sizeof(msg));
			snprintf(why->text, sizeof(why->text),
			    "regular expression: %s", msg);
		}
		return false;
	}
	ov = pcre2_get_ovector_pointer(m->md);
	sdc_container_reserve(&rec->arena, &rec->root, x->n + 1);
	for (uint32_t i = 0; i < x->n; i++) {
		uint32_t g = x->names[i].group;
		struct sdc_field *f = sdc_map_append(&rec->arena, &rec->root,
		    x->names[i].ptr, x->names[i].len);

		if ((int)g >= rc || ov[2 * g] == PCRE2_UNSET)
			sdc_field_null(f, x->names[i].type);
		else if (!convert(f, &x->names[i], p + ov[2 * g],
		    ov[2 * g + 1] - ov[2 * g], why))
			return false;
	}
	return true;
}

void
sdc_log_regex_rename(struct sdc_log_regex *x, const char *group,
    const char *field, enum sdc_type type)
{
	for (uint32_t i = 0; i < x->n; i++) {
		struct name *nm = &x->names[i];

		if (nm->field == NULL && strlen(group) == nm->len &&
		    memcmp(nm->ptr, group, nm->len) == 0) {
			nm->field = sdc_xstrdup(field);
			nm->ptr = nm->field;
			nm->len = strlen(field);
			nm->type = type;
			return;
		}
	}
}
