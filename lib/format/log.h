#ifndef SDC_LOG_H
#define SDC_LOG_H
/*
 * Private to the log format (log.c): its options, the parsers of each
 * --log-format and the push interface of the reader, for tests and
 * fuzzers.  A parser fills a record from one line, its strings
 * borrowing from the line or copied into the record's arena; the
 * reader owns its buffers and the records it emits.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "field.h"
#include "record.h"
#include "run.h"

enum sdc_log_kind {
	SDC_LOG_APACHE,		/* common, combined, apache:FORMAT */
	SDC_LOG_ERROR,		/* the Apache error log, 2.2 and 2.4 */
	SDC_LOG_REGEX,		/* regex:RE, named groups */
	SDC_LOG_SYSLOG,		/* RFC 5424 and RFC 3164 */
	SDC_LOG_GROK,		/* grok:EXPR, matched as a regex */
	SDC_LOG_CEF,		/* ArcSight Common Event Format */
	SDC_LOG_LEEF		/* QRadar Log Event Extended Format */
};

struct sdc_log_apache;		/* a LogFormat, compiled */
struct sdc_log_regex;		/* a PCRE2 pattern, compiled */

/* grok pattern definitions, later ones replacing earlier ones. */
struct sdc_log_grok_defs {
	struct {
		char	*name;
		char	*pattern;
	}	*items;
	size_t	 n;
};

struct sdc_log_opts {
	enum sdc_log_kind	 kind;
	struct sdc_log_apache	*apache;
	struct sdc_log_regex	*regex;		/* regex: and grok: */
	char			*grok;		/* the grok: expression */
	char			 grok_err[200];	/* why it did not compile */
	struct sdc_log_grok_defs grok_defs;
	bool			 keep_line;	/* /originalLogLine */
	int			 syslog_year;	/* of RFC 3164 times */
};

/* Why a line did not match, for its error record. */
struct sdc_log_why {
	char	text[160];
};

/*
 * Apache LogFormat strings.  _compile returns NULL with the reason in
 * err when the format is bad; names gives the StreamSets names of
 * common and combined (request split into verb, request, httpversion).
 */
struct sdc_log_apache *sdc_log_apache_compile(const char *format,
	    bool names, char *err, size_t errlen);
void	sdc_log_apache_free(struct sdc_log_apache *a);
bool	sdc_log_apache_match(const struct sdc_log_apache *a,
	    struct sdc_record *rec, const char *p, size_t n,
	    struct sdc_log_why *why);

bool	sdc_log_error_match(struct sdc_record *rec, const char *p, size_t n,
	    struct sdc_log_why *why);

/* year is that of RFC 3164 timestamps, which have none. */
bool	sdc_log_syslog_match(struct sdc_record *rec, const char *p, size_t n,
	    int year, struct sdc_log_why *why);

struct sdc_log_regex *sdc_log_regex_compile(const char *re, char *err,
	    size_t errlen);
void	sdc_log_regex_free(struct sdc_log_regex *x);
struct sdc_log_matcher;		/* a reader's match data */
struct sdc_log_matcher *sdc_log_regex_matcher(const struct sdc_log_regex *x);
void	sdc_log_matcher_free(struct sdc_log_matcher *m);
bool	sdc_log_regex_match(const struct sdc_log_regex *x,
	    struct sdc_log_matcher *m, struct sdc_record *rec, const char *p,
	    size_t n, struct sdc_log_why *why);

bool	sdc_log_cef_match(struct sdc_record *rec, const char *p, size_t n,
	    struct sdc_log_why *why);
bool	sdc_log_leef_match(struct sdc_record *rec, const char *p, size_t n,
	    struct sdc_log_why *why);

/* Name the group a field of that type (text converted when matched). */
void	sdc_log_regex_rename(struct sdc_log_regex *x, const char *group,
	    const char *field, enum sdc_type type);

/*
 * grok: the built-in library, more definitions from text (the number
 * of the first bad line, or 0), and an expression compiled to a regex
 * (NULL with the reason in err).
 */
void	sdc_log_grok_builtin(struct sdc_log_grok_defs *d);
size_t	sdc_log_grok_load(struct sdc_log_grok_defs *d, const char *text);
void	sdc_log_grok_defs_release(struct sdc_log_grok_defs *d);
struct sdc_log_regex *sdc_log_grok_compile(const char *expr,
	    const struct sdc_log_grok_defs *defs, char *err, size_t errlen);

/* log4j:LAYOUT, a PatternLayout as the grok expression it writes. */
struct sdc_log_regex *sdc_log_log4j_compile(const char *layout, char *err,
	    size_t errlen);

/* Timestamps, shared by the parsers: false when p is not one. */
bool	sdc_log_clf_time(const char *p, size_t n, int64_t *us,
	    int32_t *offset_s);		/* 10/Oct/2000:13:55:36 -0700 */
bool	sdc_log_ctime(const char *p, size_t n, int64_t *us);
	    /* Wed Oct 11 14:32:52[.123456] 2000, as UTC */
/* ISO 8601 as logs write it, or CLF; zoned when it has an offset. */
bool	sdc_log_iso_time(const char *p, size_t n, int64_t *us,
	    int32_t *offset_s, bool *zoned);
/* n digits as a number; a date and time valid, as seconds since 1970. */
bool	sdc_log_unsigned(const char *p, size_t n, unsigned *v);
bool	sdc_log_civil(unsigned y, unsigned mo, unsigned d, unsigned h,
	    unsigned mi, unsigned sec, int64_t *secs);
/* A decimal number of at most 18 digits. */
bool	sdc_log_number(const char *p, size_t n, int64_t *v);

/*
 * The reader: take room with _space, fill some, hand it over with
 * _commit, and _finish at the end.  name names the input in ids and
 * messages.
 */
struct sdc_log_reader;

struct sdc_log_reader *sdc_log_reader_new(struct sdc_run *run,
	    const char *name, const struct sdc_log_opts *o);
void	*sdc_log_reader_space(struct sdc_log_reader *r, size_t *n);
void	sdc_log_reader_commit(struct sdc_log_reader *r, size_t n);
void	sdc_log_reader_feed(struct sdc_log_reader *r, const void *p,
	    size_t n);
void	sdc_log_reader_finish(struct sdc_log_reader *r);
void	sdc_log_reader_free(struct sdc_log_reader *r);

#endif
