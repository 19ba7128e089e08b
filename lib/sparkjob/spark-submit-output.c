/*
 * spark-submit's output, a line at a time: the application id it
 * prints ("Submitted application application_1700000000000_0001" on
 * YARN, "Connected to Spark cluster with app ID app-..." on a standalone
 * master), the final status of a YARN application's report, and its
 * last lines, for the reason a launch failed.  Lines longer than
 * SUBMIT_LINE_MAX are cut, so that output never grows memory.
 */
#include <ctype.h>
#include <string.h>

#include "spark-submit.h"
#include "banned.h"

static size_t
digits(const char *s)
{
	return strspn(s, "0123456789");
}

/* "application_<ts>_<n>" at s: its length, or 0. */
static size_t
yarn_id(const char *s)
{
	size_t n = strlen("application_"), d;

	if (strncmp(s, "application_", n) != 0 || (d = digits(s + n)) == 0 ||
	    s[n + d] != '_')
		return 0;
	n += d + 1;
	d = digits(s + n);
	return d > 0 ? n + d : 0;
}

/* "app-<time>-<n>", after "app ID ": its length, or 0. */
static size_t
standalone_id(const char *s)
{
	size_t n = 4, d;

	if (strncmp(s, "app-", 4) != 0 || (d = digits(s + n)) == 0 ||
	    s[n + d] != '-')
		return 0;
	n += d + 1;
	d = digits(s + n);
	return d > 0 ? n + d : 0;
}

static void
take_id(struct submit_output *o, const char *s, size_t n)
{
	if (o->app_id[0] == '\0' && n < sizeof o->app_id) {
		memcpy(o->app_id, s, n);
		o->app_id[n] = '\0';
	}
}

static void
scan(struct submit_output *o, const char *line)
{
	const char *p;
	size_t n;

	for (p = strstr(line, "application_"); p != NULL;
	    p = strstr(p + 1, "application_"))
		if ((n = yarn_id(p)) > 0 && !isalnum((unsigned char)p[n])) {
			take_id(o, p, n);
			break;
		}
	if ((p = strstr(line, "app ID ")) != NULL &&
	    (n = standalone_id(p + 7)) > 0)
		take_id(o, p + 7, n);
	if ((p = strstr(line, "final status: ")) != NULL) {
		p += strlen("final status: ");
		n = strspn(p, "ABCDEFGHIJKLMNOPQRSTUVWXYZ_");
		if (n > 0 && n < sizeof o->final_status) {
			memcpy(o->final_status, p, n);
			o->final_status[n] = '\0';
		}
	}
}

static void
whole_line(struct submit_output *o, void (*line)(void *, const char *),
    void *ctx)
{
	o->line[o->len] = '\0';
	if (o->len > 0 && o->line[o->len - 1] == '\r')
		o->line[--o->len] = '\0';
	scan(o, o->line);
	memcpy(o->tail[o->ntail % SUBMIT_TAIL], o->line, o->len + 1);
	o->ntail++;
	if (line != NULL)
		line(ctx, o->line);
	o->len = 0;
	o->overlong = false;
}

void
sdc_submit_output_feed(struct submit_output *o, const char *buf, size_t n,
    void (*line)(void *, const char *), void *ctx)
{
	for (size_t i = 0; i < n; i++) {
		if (buf[i] == '\n') {
			whole_line(o, line, ctx);
			continue;
		}
		if (o->len + 1 < sizeof o->line)
			o->line[o->len++] = buf[i] != '\0' ? buf[i] : ' ';
		else
			o->overlong = true;
	}
}

void
sdc_submit_output_end(struct submit_output *o,
    void (*line)(void *, const char *), void *ctx)
{
	if (o->len > 0)
		whole_line(o, line, ctx);
}

/* Log4j's INFO, DEBUG and WARN lines ("26/12/01 23:24:03 INFO Xyz: ..."). */
static bool
chatter(const char *s)
{
	if (strncmp(s, "WARNING: ", 9) == 0)
		return true;
	if (strlen(s) < 18 || !isdigit((unsigned char)s[0]) || s[2] != '/')
		return false;
	return strncmp(s + 17, " INFO ", 6) == 0 ||
	    strncmp(s + 17, " DEBUG ", 7) == 0 ||
	    strncmp(s + 17, " WARN ", 6) == 0;
}

/* A Java stack frame, "... 12 more", a blank line. */
static bool
trace(const char *s)
{
	s += strspn(s, " \t");
	return *s == '\0' || strncmp(s, "at ", 3) == 0 ||
	    strncmp(s, "... ", 4) == 0;
}

const char *
sdc_submit_output_reason(const struct submit_output *o)
{
	size_t kept = o->ntail < SUBMIT_TAIL ? o->ntail : SUBMIT_TAIL;

	for (size_t i = 1; i <= kept; i++) {
		const char *s = o->tail[(o->ntail - i) % SUBMIT_TAIL];

		if (!chatter(s) && !trace(s))
			return s;
	}
	return o->ntail > 0 ? o->tail[(o->ntail - 1) % SUBMIT_TAIL] : "";
}
