/*
 * Syslog lines, RFC 5424 and RFC 3164 (BSD), told apart by what
 * follows the PRI: a version number and a space, or a month.
 *
 *	<165>1 2003-10-11T22:14:15.003Z host app 42 ID47 [a@1 k="v"] msg
 *	<34>Oct 11 22:14:15 host su[230]: 'su root' failed
 *
 * A NILVALUE "-" becomes a null field.  RFC 3164 has no year and no
 * zone: the year is the one the options give, the time taken as UTC.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "banned.h"
#include "log.h"
#include "temporal.h"
#include "xalloc.h"

struct scan {
	struct sdc_record	*rec;
	const char		*p;
	size_t			 n;
	size_t			 pos;
	struct sdc_log_why	*why;
};

static bool
no_match(struct scan *s, size_t at, const char *what)
{
	snprintf(s->why->text, sizeof(s->why->text), "column %zu: %s",
	    at + 1, what);
	return false;
}

static struct sdc_field *
slot(struct scan *s, const char *name)
{
	return sdc_map_append(&s->rec->arena, &s->rec->root, name,
	    strlen(name));
}

static bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* <PRI>: facility and severity. */
static bool
pri(struct scan *s)
{
	size_t k = 1;
	unsigned v;

	if (s->n == 0 || s->p[0] != '<')
		return no_match(s, 0, "no '<' at the start");
	while (k < s->n && k < 5 && is_digit(s->p[k]))
		k++;
	if (k == 1 || k >= s->n || s->p[k] != '>')
		return no_match(s, k, "no '>' after 1 to 3 digits of PRI");
	if (!sdc_log_unsigned(s->p + 1, k - 1, &v) || v > 191 || k > 4 ||
	    (k > 2 && s->p[1] == '0'))
		return no_match(s, 1, "PRI not a number from 0 to 191");
	sdc_field_int(slot(s, "facility"), SDC_LONG, v / 8);
	sdc_field_int(slot(s, "severity"), SDC_LONG, v % 8);
	s->pos = k + 1;
	return true;
}

/* A word ending at a space or the end; false when empty. */
static bool
word(struct scan *s, const char *what, size_t *start, size_t *len)
{
	const char *sp;

	*start = s->pos;
	sp = memchr(s->p + s->pos, ' ', s->n - s->pos);
	*len = (sp ? (size_t)(sp - s->p) : s->n) - s->pos;
	if (*len == 0) {
		char why[64];

		snprintf(why, sizeof(why), "no %s", what);
		return no_match(s, s->pos, why);
	}
	s->pos += *len;
	return true;
}

static bool
space(struct scan *s, const char *what)
{
	char why[64];

	if (s->pos < s->n && s->p[s->pos] == ' ') {
		s->pos++;
		return true;
	}
	snprintf(why, sizeof(why), "expected ' ' before %s", what);
	return no_match(s, s->pos, why);
}

/* A header word of RFC 5424, "-" as null. */
static bool
header(struct scan *s, const char *name, const char *what)
{
	size_t start, len;
	struct sdc_field *f;

	if (!space(s, what) || !word(s, what, &start, &len))
		return false;
	f = slot(s, name);
	if (len == 1 && s->p[start] == '-')
		return true;	/* a null STRING already */
	sdc_field_borrow(f, SDC_STRING, s->p + start, len);
	return true;
}

/* 2003-10-11T22:14:15[.1-6 digits](Z|+hh:mm|-hh:mm) */
static bool
rfc3339(const char *p, size_t n, int64_t *us, int32_t *off)
{
	unsigned y, mo, d, h, mi, sec, oh, om, frac = 0;
	size_t k = 19, f = 0;
	int64_t secs;

	if (n < 20 || p[4] != '-' || p[7] != '-' || p[10] != 'T' ||
	    p[13] != ':' || p[16] != ':' || !sdc_log_unsigned(p, 4, &y) ||
	    !sdc_log_unsigned(p + 5, 2, &mo) || !sdc_log_unsigned(p + 8, 2, &d) ||
	    !sdc_log_unsigned(p + 11, 2, &h) || !sdc_log_unsigned(p + 14, 2, &mi) ||
	    !sdc_log_unsigned(p + 17, 2, &sec) || !sdc_log_civil(y, mo, d, h, mi, sec, &secs))
		return false;
	if (p[k] == '.') {
		while (k + 1 + f < n && is_digit(p[k + 1 + f]))
			f++;
		if (f == 0 || f > 6 || !sdc_log_unsigned(p + k + 1, f, &frac))
			return false;
		for (size_t i = f; i < 6; i++)
			frac *= 10;
		k += 1 + f;
	}
	if (n == k + 1 && p[k] == 'Z')
		*off = 0;
	else if (n == k + 6 && (p[k] == '+' || p[k] == '-') &&
	    p[k + 3] == ':' && sdc_log_unsigned(p + k + 1, 2, &oh) &&
	    sdc_log_unsigned(p + k + 4, 2, &om) && oh <= 18 && om <= 59 &&
	    oh * 3600 + om * 60 <= SDC_MAX_OFFSET_S)
		*off = (int32_t)((p[k] == '-' ? -1 : 1) * (int)(oh * 3600 +
		    om * 60));
	else
		return false;
	*us = (secs - *off) * 1000000 + frac;
	return true;
}

static bool
timestamp5424(struct scan *s)
{
	size_t start, len;
	struct sdc_field *f;

	if (!space(s, "the timestamp") || !word(s, "timestamp", &start, &len))
		return false;
	f = slot(s, "timestamp");
	if (len == 1 && s->p[start] == '-') {
		sdc_field_null(f, SDC_ZONED_DATETIME);
		return true;
	}
	sdc_field_begin(f, SDC_ZONED_DATETIME);
	f->v.z.zone.ptr = "";
	f->v.z.zone.len = 0;
	if (!rfc3339(s->p + start, len, &f->v.z.us, &f->v.z.offset_s))
		return no_match(s, start, "not a timestamp as "
		    "2003-10-11T22:14:15.003Z");
	return true;
}

/* The inside of a quoted PARAM-VALUE, \" \\ \] unescaped. */
static bool
param_value(struct scan *s, struct sdc_field *f)
{
	size_t start = s->pos, i, esc = 0;
	char *buf, *w;

	for (i = start; i < s->n && s->p[i] != '"'; i++)
		if (s->p[i] == '\\' && i + 1 < s->n) {
			i++;
			esc++;
		}
	if (i >= s->n)
		return no_match(s, start - 1, "no closing quote");
	s->pos = i + 1;
	if (esc == 0) {
		sdc_field_borrow(f, SDC_STRING, s->p + start, i - start);
		return true;
	}
	w = buf = sdc_xmalloc(i - start);
	for (size_t j = start; j < i; j++) {
		if (s->p[j] == '\\' && (s->p[j + 1] == '"' ||
		    s->p[j + 1] == '\\' || s->p[j + 1] == ']'))
			j++;
		*w++ = s->p[j];
	}
	sdc_field_copy_bytes(&s->rec->arena, f, SDC_STRING, buf,
	    (size_t)(w - buf));
	free(buf);
	return true;
}

/* A name of SD-ID or PARAM-NAME: up to ' ', '=', ']' or '"'. */
static size_t
sd_name(struct scan *s)
{
	size_t i = s->pos;

	while (i < s->n && s->p[i] != ' ' && s->p[i] != '=' &&
	    s->p[i] != ']' && s->p[i] != '"')
		i++;
	return i - s->pos;
}

static bool
sd_element(struct scan *s, struct sdc_field *sd)
{
	struct sdc_arena *a = &s->rec->arena;
	struct sdc_field *el;
	size_t len;

	s->pos++;	/* '[' */
	if ((len = sd_name(s)) == 0)
		return no_match(s, s->pos, "no SD-ID after '['");
	el = sdc_map_put(a, sd, s->p + s->pos, len);
	if (el->null)
		sdc_field_container(el, SDC_MAP);
	s->pos += len;
	while (s->pos < s->n && s->p[s->pos] == ' ') {
		struct sdc_field *v;

		s->pos++;
		if ((len = sd_name(s)) == 0)
			return no_match(s, s->pos, "no PARAM-NAME");
		v = sdc_map_put(a, el, s->p + s->pos, len);
		s->pos += len;
		if (s->n - s->pos < 2 || s->p[s->pos] != '=' ||
		    s->p[s->pos + 1] != '"')
			return no_match(s, s->pos, "expected '=\"' after "
			    "PARAM-NAME");
		s->pos += 2;
		if (!param_value(s, v))
			return false;
	}
	if (s->pos >= s->n || s->p[s->pos] != ']')
		return no_match(s, s->pos, "expected ']' to end the "
		    "SD-ELEMENT");
	s->pos++;
	return true;
}

static bool
structured_data(struct scan *s)
{
	struct sdc_field *sd;

	if (!space(s, "the structured data"))
		return false;
	sd = slot(s, "structuredData");
	if (s->pos < s->n && s->p[s->pos] == '-') {
		sdc_field_null(sd, SDC_MAP);
		s->pos++;
		return true;
	}
	if (s->pos >= s->n || s->p[s->pos] != '[')
		return no_match(s, s->pos, "no structured data, '-' or '['");
	sdc_field_container(sd, SDC_MAP);
	while (s->pos < s->n && s->p[s->pos] == '[')
		if (!sd_element(s, sd))
			return false;
	return true;
}

static bool
rfc5424(struct scan *s)
{
	size_t start, len;
	unsigned v;
	struct sdc_field *msg;

	if (!word(s, "version", &start, &len) || !sdc_log_unsigned(s->p + start, len, &v) ||
	    len > 3 || s->p[start] == '0')
		return no_match(s, start, "version not a number from 1 to 999");
	sdc_field_int(slot(s, "version"), SDC_LONG, v);
	if (!timestamp5424(s) ||
	    !header(s, "hostname", "the hostname") ||
	    !header(s, "appName", "the app name") ||
	    !header(s, "procId", "the proc id") ||
	    !header(s, "msgId", "the msg id") || !structured_data(s))
		return false;
	msg = slot(s, "message");
	if (s->pos == s->n)
		return true;
	if (!space(s, "the message"))
		return false;
	if (s->n - s->pos >= 3 && memcmp(s->p + s->pos, "\xef\xbb\xbf", 3) == 0)
		s->pos += 3;
	sdc_field_borrow(msg, SDC_STRING, s->p + s->pos, s->n - s->pos);
	return true;
}

static unsigned
month(const char *p)
{
	static const char names[] = "JanFebMarAprMayJunJulAugSepOctNovDec";

	for (unsigned m = 0; m < 12; m++)
		if (memcmp(names + 3 * m, p, 3) == 0)
			return m + 1;
	return 0;
}

/* "Oct 11 22:14:15", the day maybe padded with a space. */
static bool
timestamp3164(struct scan *s, int year)
{
	const char *p = s->p + s->pos;
	unsigned d, h, mi, sec;
	int64_t secs;

	if (s->n - s->pos < 15 || p[3] != ' ' || p[6] != ' ' ||
	    p[9] != ':' || p[12] != ':' ||
	    !sdc_log_unsigned(p + 4 + (p[4] == ' '), 2 - (p[4] == ' '), &d) ||
	    !sdc_log_unsigned(p + 7, 2, &h) || !sdc_log_unsigned(p + 10, 2, &mi) ||
	    !sdc_log_unsigned(p + 13, 2, &sec) ||
	    !sdc_log_civil((unsigned)year, month(p), d, h, mi, sec, &secs))
		return no_match(s, s->pos, "not a timestamp as "
		    "Oct 11 22:14:15");
	sdc_field_int(slot(s, "timestamp"), SDC_DATETIME, secs * 1000000);
	s->pos += 15;
	return true;
}

/* TAG[PID]: or TAG: before the message; neither leaves both null. */
static void
tag(struct scan *s)
{
	struct sdc_field *app = slot(s, "appName");
	struct sdc_field *pid = slot(s, "procId");
	size_t i = s->pos, end;
	const char *close;

	while (i < s->n && s->p[i] != ' ' && s->p[i] != ':' && s->p[i] != '[')
		i++;
	end = i;
	if (i < s->n && s->p[i] == '[' &&
	    (close = memchr(s->p + i, ']', s->n - i)) != NULL)
		i = (size_t)(close - s->p) + 1;
	if (end == s->pos || i >= s->n || s->p[i] != ':')
		return;
	sdc_field_borrow(app, SDC_STRING, s->p + s->pos, end - s->pos);
	if (i > end)
		sdc_field_borrow(pid, SDC_STRING, s->p + end + 1, i - end - 2);
	s->pos = i + 1;
	s->pos += s->pos < s->n && s->p[s->pos] == ' ';
}

static bool
rfc3164(struct scan *s, int year)
{
	size_t start, len;

	if (!timestamp3164(s, year) || !space(s, "the hostname") ||
	    !word(s, "hostname", &start, &len))
		return false;
	sdc_field_borrow(slot(s, "hostname"), SDC_STRING, s->p + start, len);
	s->pos += s->pos < s->n;
	tag(s);
	sdc_field_borrow(slot(s, "message"), SDC_STRING, s->p + s->pos,
	    s->n - s->pos);
	return true;
}

bool
sdc_log_syslog_match(struct sdc_record *rec, const char *p, size_t n,
    int year, struct sdc_log_why *why)
{
	struct scan s = { .rec = rec, .p = p, .n = n, .why = why };
	size_t k;

	sdc_container_reserve(&rec->arena, &rec->root, 11);
	if (!pri(&s))
		return false;
	for (k = s.pos; k < n && k - s.pos < 3 && is_digit(p[k]); k++)
		;
	if (k > s.pos && k < n && p[k] == ' ')
		return rfc5424(&s);
	if (k > s.pos)
		return no_match(&s, s.pos, "expected ' ' after the version");
	return rfc3164(&s, year);
}
