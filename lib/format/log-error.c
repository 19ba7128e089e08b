/*
 * The Apache error log, 2.2 and 2.4, and the timestamps and numbers
 * the log parsers share:
 *
 *	[Wed Oct 11 14:32:52 2000] [error] [client 127.0.0.1] message
 *	[Wed Oct 11 14:32:52.123456 2000] [core:error] [pid 35708:tid 4328]
 *	    [client 72.15.99.187:50000] AH00124: message
 *
 * The fields are StreamSets' (dateTime, severity, clientIpAddress,
 * message) and, from 2.4, module, pid, tid and clientPort.  The time
 * has no zone: it becomes a DATETIME as written, taken as UTC.
 */
#include <stdio.h>
#include <string.h>

#include "banned.h"
#include "log.h"
#include "temporal.h"

bool
sdc_log_number(const char *p, size_t n, int64_t *v)
{
	int64_t x = 0;

	if (n == 0 || n > 18)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return false;
		x = x * 10 + (p[i] - '0');
	}
	*v = x;
	return true;
}

static bool
digits(const char *p, size_t n, unsigned *v)
{
	int64_t x;

	if (!sdc_log_number(p, n, &x))
		return false;
	*v = (unsigned)x;
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

static bool
civil(unsigned y, unsigned mo, unsigned d, unsigned h, unsigned mi,
    unsigned s, int64_t *secs)
{
	static const unsigned char mdays[] = { 31, 29, 31, 30, 31, 30, 31,
		31, 30, 31, 30, 31 };

	if (mo == 0 || d == 0 || d > mdays[mo - 1] || h > 23 || mi > 59 ||
	    s > 60 || y == 0)
		return false;
	if (mo == 2 && d == 29 && (y % 4 != 0 || (y % 100 == 0 &&
	    y % 400 != 0)))
		return false;
	*secs = sdc_days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s;
	return true;
}

static bool
clock_time(const char *p, unsigned *h, unsigned *mi, unsigned *s)
{
	return p[2] == ':' && p[5] == ':' && digits(p, 2, h) &&
	    digits(p + 3, 2, mi) && digits(p + 6, 2, s);
}

bool
sdc_log_clf_time(const char *p, size_t n, int64_t *us, int32_t *offset_s)
{
	unsigned d, y, h, mi, s, oh, om;
	int64_t secs;
	int32_t off;

	if (n != 26 || p[2] != '/' || p[6] != '/' || p[11] != ':' ||
	    p[20] != ' ' || (p[21] != '+' && p[21] != '-'))
		return false;
	if (!digits(p, 2, &d) || !digits(p + 7, 4, &y) ||
	    !clock_time(p + 12, &h, &mi, &s) || !digits(p + 22, 2, &oh) ||
	    !digits(p + 24, 2, &om) || om > 59 ||
	    !civil(y, month(p + 3), d, h, mi, s, &secs))
		return false;
	off = (int32_t)(oh * 3600 + om * 60);
	if (off > SDC_MAX_OFFSET_S)
		return false;
	*offset_s = p[21] == '-' ? -off : off;
	*us = (secs - *offset_s) * 1000000;
	return true;
}

bool
sdc_log_ctime(const char *p, size_t n, int64_t *us)
{
	unsigned d, y, h, mi, s, frac = 0;
	size_t k = 0;
	int64_t secs;

	/* "Wed Oct 11 14:32:52" then ".123456" or nothing, " 2000" */
	if (n < 24 || p[3] != ' ' || p[7] != ' ' || p[10] != ' ')
		return false;
	if (p[19] == '.') {
		while (20 + k < n && p[20 + k] >= '0' && p[20 + k] <= '9')
			k++;
		if (k != 6 || !digits(p + 20, 6, &frac))
			return false;
		k = 7;
	}
	if (n != 24 + k || p[19 + k] != ' ' ||
	    !digits(p + 8 + (p[8] == ' '), 2 - (p[8] == ' '), &d) ||
	    !clock_time(p + 11, &h, &mi, &s) || !digits(p + 20 + k, 4, &y) ||
	    !civil(y, month(p + 4), d, h, mi, s, &secs))
		return false;
	*us = secs * 1000000 + frac;
	return true;
}

/* Matching. */
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

/* "[...]" at pos: its inside; false when there is none. */
static bool
bracket(struct scan *s, size_t *start, size_t *len)
{
	const char *close;

	if (s->pos >= s->n || s->p[s->pos] != '[')
		return false;
	close = memchr(s->p + s->pos, ']', s->n - s->pos);
	if (close == NULL)
		return false;
	*start = s->pos + 1;
	*len = (size_t)(close - s->p) - *start;
	s->pos = (size_t)(close - s->p) + 1;
	return true;
}

/* " [" next: step over the space. */
static bool
next_bracket(struct scan *s, const char *word)
{
	size_t w = strlen(word);

	if (s->n - s->pos < 2 + w || s->p[s->pos] != ' ' ||
	    s->p[s->pos + 1] != '[' || memcmp(s->p + s->pos + 2, word, w) != 0)
		return false;
	s->pos++;
	return true;
}

static void
set_string(struct scan *s, const char *name, size_t start, size_t len)
{
	sdc_field_borrow(slot(s, name), SDC_STRING, s->p + start, len);
}

static bool
set_number(struct scan *s, const char *name, size_t start, size_t len)
{
	int64_t v;

	if (!sdc_log_number(s->p + start, len, &v))
		return no_match(s, start, "not a number");
	sdc_field_int(slot(s, name), SDC_LONG, v);
	return true;
}

static bool
level(struct scan *s, bool *v24)
{
	size_t start, len;
	const char *colon;

	if (!next_bracket(s, "") || !bracket(s, &start, &len) || len == 0)
		return no_match(s, s->pos, "no [level] after the time");
	colon = memchr(s->p + start, ':', len);
	*v24 = colon != NULL;
	if (colon != NULL) {
		size_t m = (size_t)(colon - (s->p + start));

		set_string(s, "module", start, m);
		start += m + 1;
		len -= m + 1;
	}
	set_string(s, "severity", start, len);
	return true;
}

/* [pid N] or [pid N:tid N] */
static bool
pid(struct scan *s)
{
	size_t start, len;
	const char *colon;

	if (!next_bracket(s, "pid "))
		return true;
	if (!bracket(s, &start, &len))
		return no_match(s, s->pos, "no ']' after pid");
	start += 4, len -= 4;
	colon = memchr(s->p + start, ':', len);
	if (colon == NULL)
		return set_number(s, "pid", start, len);
	if (!set_number(s, "pid", start, (size_t)(colon - (s->p + start))))
		return false;
	len -= (size_t)(colon + 1 - (s->p + start));
	start = (size_t)(colon + 1 - s->p);
	if (len < 4 || memcmp(s->p + start, "tid ", 4) != 0)
		return no_match(s, start, "no tid after pid");
	return set_number(s, "tid", start + 4, len - 4);
}

/* [client IP] in 2.2, [client IP:PORT] in 2.4 */
static bool
client(struct scan *s, bool v24)
{
	size_t start, len, i;

	if (!next_bracket(s, "client "))
		return true;
	if (!bracket(s, &start, &len))
		return no_match(s, s->pos, "no ']' after client");
	start += 7, len -= 7;
	i = len;
	while (v24 && i > 0 && s->p[start + i - 1] != ':')
		i--;
	if (!v24 || i == 0 || i == len) {
		set_string(s, "clientIpAddress", start, len);
		return true;
	}
	set_string(s, "clientIpAddress", start, i - 1);
	return set_number(s, "clientPort", start + i, len - i);
}

bool
sdc_log_error_match(struct sdc_record *rec, const char *p, size_t n,
    struct sdc_log_why *why)
{
	struct scan s = { .rec = rec, .p = p, .n = n, .why = why };
	size_t start, len;
	bool v24;
	int64_t us;

	sdc_container_reserve(&rec->arena, &rec->root, 9);
	if (!bracket(&s, &start, &len))
		return no_match(&s, 0, "no [time] at the start");
	if (!sdc_log_ctime(p + start, len, &us))
		return no_match(&s, start, "not a time as "
		    "[Wed Oct 11 14:32:52 2000]");
	sdc_field_int(slot(&s, "dateTime"), SDC_DATETIME, us);
	if (!level(&s, &v24) || !pid(&s) || !client(&s, v24))
		return false;
	if (s.pos < n && p[s.pos] != ' ')
		return no_match(&s, s.pos, "expected ' ' before the message");
	s.pos += s.pos < n;
	set_string(&s, "message", s.pos, n - s.pos);
	return true;
}
