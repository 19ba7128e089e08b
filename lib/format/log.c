/*
 * Log files, read only, in the manner of the StreamSets "Log" data
 * format: each line is matched by the parser --log-format names
 * (common, combined, error, syslog, cef, leef, log4j[:LAYOUT],
 * apache:FORMAT, regex:RE, grok:EXPR) and becomes a record of its fields.  A line that does not match becomes an error
 * record holding the line and the reason, and reading goes on.  Lines
 * end at LF (a CR before it is dropped); empty lines are no records.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "banned.h"
#include "cli.h"
#include "delimited.h"
#include "file.h"
#include "format.h"
#include "log.h"
#include "temporal.h"
#include "wire.h"
#include "xalloc.h"

#define LOG_CHUNK	(256u << 10)
/* What an error record keeps of a line that is too long. */
#define LOG_RAW_MAX	1024

static const char common_format[] = "%h %l %u %t \"%r\" %>s %b";
/* log4j's TTCCLayout, the default of StreamSets' log4j format. */
static const char log4j_format[] = "%r [%t] %-5p %c %x - %m%n";
static const char combined_format[] =
    "%h %l %u %t \"%r\" %>s %b \"%{Referer}i\" \"%{User-agent}i\"";

struct sdc_log_reader {
	struct sdc_run		*run;
	const char		*name;
	const struct sdc_log_opts *o;
	struct sdc_log_matcher	*matcher;	/* regex only */
	size_t			 max;
	struct sdc_buf		 win;
	size_t			 pos;		/* line start */
	uint64_t		 line;
	bool			 discarding;	/* the rest of a long line */
	struct sdc_record	 rec;
	struct sdc_idbuf	 id;
};

struct sdc_log_reader *
sdc_log_reader_new(struct sdc_run *run, const char *name,
    const struct sdc_log_opts *o)
{
	struct sdc_log_reader *r;

	if (o->kind == SDC_LOG_GROK && o->regex == NULL)
		sdc_usage_error("--log-format: %s", o->grok_err);
	r = sdc_xcalloc(1, sizeof(*r));
	r->run = run;
	r->name = name;
	r->o = o;
	r->max = run->opt.max_record ? run->opt.max_record :
	    SDC_DEFAULT_MAX_RECORD;
	r->line = 1;
	if (o->kind == SDC_LOG_REGEX || o->kind == SDC_LOG_GROK)
		r->matcher = sdc_log_regex_matcher(o->regex);
	/* The reader bounds its window itself: long lines are cut. */
	sdc_buf_init(&r->win, SIZE_MAX / 2);
	sdc_record_init(&r->rec);
	sdc_idbuf_init(&r->id, name);
	return r;
}

void
sdc_log_reader_free(struct sdc_log_reader *r)
{
	if (r == NULL)
		return;
	sdc_log_matcher_free(r->matcher);
	sdc_record_release(&r->rec);
	sdc_idbuf_release(&r->id);
	sdc_buf_release(&r->win);
	free(r);
}

static void
reject(struct sdc_log_reader *r, const char *p, size_t n, const char *code,
    const char *why)
{
	const char *id = sdc_idbuf_make(&r->id, r->line);

	r->run->n.in++;
	sdc_run_reject_raw(r->run, id, p, n, code, "%s:%" PRIu64 ": %s",
	    r->name, r->line, why);
}

static void
too_long(struct sdc_log_reader *r, const char *p)
{
	char why[64];

	snprintf(why, sizeof(why), "line longer than %zu bytes", r->max);
	reject(r, p, r->max < LOG_RAW_MAX ? r->max : LOG_RAW_MAX,
	    "LOG_TOO_LONG", why);
}

static bool
match(struct sdc_log_reader *r, const char *p, size_t n,
    struct sdc_log_why *why)
{
	switch (r->o->kind) {
	case SDC_LOG_APACHE:
		return sdc_log_apache_match(r->o->apache, &r->rec, p, n, why);
	case SDC_LOG_ERROR:
		return sdc_log_error_match(&r->rec, p, n, why);
	case SDC_LOG_REGEX:
	case SDC_LOG_GROK:
		return sdc_log_regex_match(r->o->regex, r->matcher, &r->rec,
		    p, n, why);
	case SDC_LOG_SYSLOG:
		return sdc_log_syslog_match(&r->rec, p, n, r->o->syslog_year,
		    why);
	case SDC_LOG_CEF:
		return sdc_log_cef_match(&r->rec, p, n, why);
	case SDC_LOG_LEEF:
		return sdc_log_leef_match(&r->rec, p, n, why);
	}
	return false;
}

static void
parse_line(struct sdc_log_reader *r, const char *p, size_t n)
{
	const char *id;
	struct sdc_log_why why;
	size_t bad;

	if (n > 0 && p[n - 1] == '\r')
		n--;
	if (n == 0)
		return;
	if (n > r->max)
		return too_long(r, p);
	if ((bad = sdc_utf8_check(p, n)) != n) {
		snprintf(why.text, sizeof(why.text),
		    "invalid UTF-8 at column %zu", bad + 1);
		return reject(r, p, n, "LOG_UTF8", why.text);
	}
	id = sdc_idbuf_make(&r->id, r->line);
	sdc_run_new_record(r->run, &r->rec, id, r->id.len);
	sdc_field_container(&r->rec.root, SDC_MAP);
	if (r->o->keep_line)
		sdc_field_borrow(sdc_map_append(&r->rec.arena, &r->rec.root,
		    "originalLogLine", 15), SDC_STRING, p, n);
	if (!match(r, p, n, &why))
		return reject(r, p, n, "LOG_PARSE", why.text);
	r->run->n.in++;
	sdc_run_emit(r->run, &r->rec);
}

static void
parse_lines(struct sdc_log_reader *r, bool eof)
{
	while (r->pos < r->win.len) {
		const char *p = (const char *)r->win.data + r->pos;
		const char *nl = memchr(p, '\n', r->win.len - r->pos);
		size_t n = nl ? (size_t)(nl - p) : r->win.len - r->pos;

		if (nl == NULL && !eof) {
			if (n > r->max && !r->discarding) {
				too_long(r, p);
				r->discarding = true;
			}
			if (r->discarding)
				r->pos = r->win.len;
			return;
		}
		if (!r->discarding)
			parse_line(r, p, n);
		r->discarding = false;
		r->pos += n + (nl != NULL);
		r->line++;
	}
}

void *
sdc_log_reader_space(struct sdc_log_reader *r, size_t *n)
{
	if (r->pos > 0) {
		memmove(r->win.data, r->win.data + r->pos, r->win.len - r->pos);
		r->win.len -= r->pos;
		r->pos = 0;
	}
	if (!sdc_buf_reserve(&r->win, LOG_CHUNK))
		abort();	/* the window has no cap of its own */
	*n = r->win.cap - r->win.len;
	return r->win.data + r->win.len;
}

void
sdc_log_reader_commit(struct sdc_log_reader *r, size_t n)
{
	r->win.len += n;
	parse_lines(r, false);
}

void
sdc_log_reader_feed(struct sdc_log_reader *r, const void *p, size_t n)
{
	const uint8_t *src = p;

	while (n > 0) {
		size_t room, k;
		void *dst = sdc_log_reader_space(r, &room);

		k = n < room ? n : room;
		memcpy(dst, src, k);
		sdc_log_reader_commit(r, k);
		src += k;
		n -= k;
	}
}

void
sdc_log_reader_finish(struct sdc_log_reader *r)
{
	parse_lines(r, true);
}

static void
log_read(struct sdc_run *run, struct sdc_input *in, const void *opts)
{
	struct sdc_log_reader *r = sdc_log_reader_new(run, in->name, opts);

	for (;;) {
		size_t room;
		void *p = sdc_log_reader_space(r, &room);
		ssize_t n = sdc_input_read(in, p, room);

		if (n < 0) {
			sdc_run_input_error(run, in);
			break;
		}
		if (n == 0) {
			sdc_log_reader_finish(r);
			break;
		}
		sdc_log_reader_commit(r, (size_t)n);
	}
	sdc_log_reader_free(r);
}

/* Options. */
static void
drop_parsers(struct sdc_log_opts *o)
{
	sdc_log_apache_free(o->apache);
	sdc_log_regex_free(o->regex);
	free(o->grok);
	o->apache = NULL;
	o->regex = NULL;
	o->grok = NULL;
}

/* Compiled now, and again when --grok-patterns adds definitions. */
static void
compile_grok(struct sdc_log_opts *o)
{
	sdc_log_regex_free(o->regex);
	o->regex = sdc_log_grok_compile(o->grok, &o->grok_defs, o->grok_err,
	    sizeof o->grok_err);
}

static void
use_apache(struct sdc_log_opts *o, const char *opt, const char *format,
    bool names)
{
	char err[160];

	o->kind = SDC_LOG_APACHE;
	o->apache = sdc_log_apache_compile(format, names, err, sizeof err);
	if (o->apache == NULL)
		sdc_usage_error("%s: %s", opt, err);
}

static int
this_year(void)
{
	int64_t y;
	unsigned m, d;

	sdc_civil_from_days((int64_t)time(NULL) / 86400, &y, &m, &d);
	return (int)y;
}

static void
opts_init(void *opts)
{
	struct sdc_log_opts *o = opts;

	memset(o, 0, sizeof(*o));
	o->syslog_year = this_year();
	sdc_log_grok_builtin(&o->grok_defs);
	use_apache(o, "--log-format", common_format, true);
}

static void
opts_release(void *opts)
{
	drop_parsers(opts);
	sdc_log_grok_defs_release(&((struct sdc_log_opts *)opts)->grok_defs);
}

static void
set_log_format(void *opts, const char *opt, const char *arg)
{
	struct sdc_log_opts *o = opts;
	char err[160];

	drop_parsers(o);
	if (strcmp(arg, "common") == 0)
		use_apache(o, opt, common_format, true);
	else if (strcmp(arg, "combined") == 0)
		use_apache(o, opt, combined_format, true);
	else if (strcmp(arg, "error") == 0)
		o->kind = SDC_LOG_ERROR;
	else if (strcmp(arg, "syslog") == 0)
		o->kind = SDC_LOG_SYSLOG;
	else if (strcmp(arg, "cef") == 0)
		o->kind = SDC_LOG_CEF;
	else if (strcmp(arg, "leef") == 0)
		o->kind = SDC_LOG_LEEF;
	else if (strcmp(arg, "log4j") == 0 || strncmp(arg, "log4j:", 6) == 0) {
		o->kind = SDC_LOG_REGEX;
		o->regex = sdc_log_log4j_compile(arg[5] ? arg + 6 :
		    log4j_format, err, sizeof err);
		if (o->regex == NULL)
			sdc_usage_error("%s: %s", opt, err);
	} else if (strncmp(arg, "grok:", 5) == 0) {
		o->kind = SDC_LOG_GROK;
		o->grok = sdc_xstrdup(arg + 5);
		compile_grok(o);
	}
	else if (strncmp(arg, "apache:", 7) == 0)
		use_apache(o, opt, arg + 7, false);
	else if (strncmp(arg, "regex:", 6) == 0) {
		o->kind = SDC_LOG_REGEX;
		o->regex = sdc_log_regex_compile(arg + 6, err, sizeof err);
		if (o->regex == NULL)
			sdc_usage_error("%s: %s", opt, err);
	} else
		sdc_usage_error("%s: '%s': not common, combined, error, "
		    "syslog, cef, leef, log4j[:LAYOUT], apache:FORMAT, regex:RE "
		    "or grok:EXPR", opt, arg);
}

static void
set_keep_line(void *o, const char *opt, const char *arg)
{
	((struct sdc_log_opts *)o)->keep_line = true;
}

static void
set_syslog_year(void *opts, const char *opt, const char *arg)
{
	int64_t y;

	if (strlen(arg) != 4 || !sdc_log_number(arg, 4, &y) || y == 0)
		sdc_usage_error("%s: '%s': not a year as YYYY", opt, arg);
	((struct sdc_log_opts *)opts)->syslog_year = (int)y;
}

static void
set_grok_patterns(void *opts, const char *opt, const char *arg)
{
	struct sdc_log_opts *o = opts;
	size_t len, bad;
	char *text = sdc_file_read(arg, 16u << 20, &len);

	if (text == NULL)
		sdc_usage_error("%s: %s: %s", opt, arg, strerror(errno));
	bad = sdc_log_grok_load(&o->grok_defs, text);
	free(text);
	if (bad != 0)
		sdc_usage_error("%s: %s:%zu: not NAME PATTERN", opt, arg, bad);
	if (o->kind == SDC_LOG_GROK)
		compile_grok(o);
}

static const struct sdc_plugin_option options[] = {
	{ "log-format", 0, "FORMAT",
	  "a layout's name, apache:FMT, regex:RE, grok:EXPR",
	  set_log_format },
	{ "grok-patterns", 0, "FILE", "more grok patterns, as NAME PATTERN",
	  set_grok_patterns },
	{ "syslog-year", 0, "YYYY", "the year of RFC 3164 syslog times",
	  set_syslog_year },
	{ "keep-line", 0, NULL, "the line itself in /originalLogLine",
	  set_keep_line },
	{ NULL, 0, NULL, NULL, NULL }
};

const struct sdc_format sdc_format_log = {
	.name = "log",
	.summary = "log lines: Apache access and error logs, syslog, regex "
	    "(read only)",
	.options = options,
	.opts_size = sizeof(struct sdc_log_opts),
	.opts_init = opts_init,
	.opts_release = opts_release,
	.read = log_read,
};
