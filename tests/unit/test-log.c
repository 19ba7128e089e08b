/*
 * The log format's pieces: its timestamps and numbers, the compiling
 * of LogFormat strings and regexes, and the matching of lines, each
 * field checked by name, type and value.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "record.h"
#include "tap.h"

static void
test_times(void)
{
	int64_t us;
	int32_t off;

	ok(sdc_log_clf_time("10/Oct/2000:13:55:36 -0700", 26, &us, &off) &&
	    us == 971211336000000LL && off == -25200,
	    "a CLF time: the instant in UTC and the offset");
	ok(sdc_log_clf_time("29/Feb/2024:00:00:00 +0000", 26, &us, &off),
	    "29 February of a leap year");
	ok(!sdc_log_clf_time("29/Feb/2023:00:00:00 +0000", 26, &us, &off),
	    "not of another year");
	ok(!sdc_log_clf_time("10/Foo/2000:13:55:36 -0700", 26, &us, &off),
	    "an unknown month");
	ok(!sdc_log_clf_time("10/Oct/2000:24:00:00 -0700", 26, &us, &off),
	    "hour 24");
	ok(!sdc_log_clf_time("10/Oct/2000:13:55:36 -2400", 26, &us, &off),
	    "an offset past 18 hours");
	ok(!sdc_log_clf_time("10/Oct/2000:13:55:36", 20, &us, &off),
	    "no offset");
	ok(sdc_log_ctime("Wed Oct 11 14:32:52 2000", 24, &us) &&
	    us == 971274772000000LL, "an error log time, as UTC");
	ok(sdc_log_ctime("Wed Oct 11 14:32:52.123456 2000", 31, &us) &&
	    us == 971274772123456LL, "with microseconds");
	ok(sdc_log_ctime("Sun Mar  1 07:00:00 2026", 24, &us),
	    "a day padded with a space");
	ok(!sdc_log_ctime("Wed Oct 11 14:32:52.1234 2000", 29, &us),
	    "a fraction not of six digits");
}

static void
test_numbers(void)
{
	int64_t v;

	ok(sdc_log_number("0", 1, &v) && v == 0, "0");
	ok(sdc_log_number("999999999999999999", 18, &v) &&
	    v == 999999999999999999LL, "18 digits");
	ok(!sdc_log_number("9999999999999999999", 19, &v), "not 19");
	ok(!sdc_log_number("", 0, &v), "not nothing");
	ok(!sdc_log_number("-1", 2, &v), "not a sign");
}

static const char *
compile_error(const char *format)
{
	static char err[160];
	struct sdc_log_apache *a = sdc_log_apache_compile(format, false, err,
	    sizeof err);

	if (a != NULL) {
		sdc_log_apache_free(a);
		return "(compiled)";
	}
	return err;
}

static void
test_compile(void)
{
	is_str(compile_error("%h %l"), "(compiled)", "a good format");
	is_str(compile_error("%h %Z"), "'%Z': an unknown or unsupported "
	    "directive", "an unknown directive");
	is_str(compile_error("%h%u"), "'%h': nothing between it and the "
	    "directive after it", "two directives side by side");
	is_str(compile_error("%h %a %h"), "'%h': its field is another "
	    "directive's too", "a field twice");
	is_str(compile_error("%{Referer"), "'%{Referer': no closing brace",
	    "an open brace");
	is_str(compile_error("plain"), "'plain': no directive",
	    "no directive");
	is_str(compile_error("%h %"), "'%': no directive after '%'",
	    "a lone %");
}

static const struct sdc_field *
get(const struct sdc_record *r, const char *key)
{
	return sdc_map_get(&r->root, key, strlen(key));
}

static bool
is_string(const struct sdc_record *r, const char *key, const char *want)
{
	const struct sdc_field *f = get(r, key);

	return f != NULL && f->type == SDC_STRING && !f->null &&
	    f->v.s.len == strlen(want) && memcmp(f->v.s.ptr, want,
	    f->v.s.len) == 0;
}

static void
test_match(void)
{
	static const char line[] = "1.2.3.4 - - [01/Jan/2026:00:00:00 +0100] "
	    "\"GET /a\\\"b HTTP/1.1\" 200 - \"-\" \"ua \\\\ x\"";
	char err[160];
	struct sdc_log_apache *a = sdc_log_apache_compile("%h %l %u %t \"%r\" "
	    "%>s %b \"%{Referer}i\" \"%{User-agent}i\"", true, err, sizeof err);
	struct sdc_record r;
	struct sdc_log_why why;
	const struct sdc_field *f;

	sdc_record_init(&r);
	sdc_field_container(&r.root, SDC_MAP);
	ok(sdc_log_apache_match(a, &r, line, strlen(line), &why),
	    "a combined line matches");
	ok(is_string(&r, "clientip", "1.2.3.4"), "clientip");
	f = get(&r, "ident");
	ok(f && f->null && f->type == SDC_STRING, "ident '-' is a null STRING");
	f = get(&r, "timestamp");
	ok(f && f->type == SDC_ZONED_DATETIME &&
	    f->v.z.us == 1767222000000000LL && f->v.z.offset_s == 3600,
	    "timestamp: a ZONED_DATETIME");
	ok(is_string(&r, "verb", "GET") && is_string(&r, "request",
	    "/a\"b") && is_string(&r, "httpversion", "1.1"),
	    "the request line split, its \\\" undone");
	f = get(&r, "response");
	ok(f && f->type == SDC_LONG && f->v.i == 200, "response: LONG");
	f = get(&r, "bytes");
	ok(f && f->null && f->type == SDC_LONG, "bytes '-' is a null LONG");
	ok(is_string(&r, "agent", "ua \\ x"), "agent, its \\\\ undone");
	sdc_record_clear(&r, SDC_KIND_DATA);
	sdc_field_container(&r.root, SDC_MAP);
	ok(!sdc_log_apache_match(a, &r, "1.2.3.4 - -", 11, &why),
	    "a short line does not match");
	is_str(why.text, "column 12: expected ' ' after %u", "and says why");
	sdc_record_release(&r);
	sdc_log_apache_free(a);
}

static void
test_regex(void)
{
	char err[160];
	struct sdc_log_regex *x = sdc_log_regex_compile(
	    "^(?<b>\\w+)(?: (?<a>\\d+))?$", err, sizeof err);
	struct sdc_log_matcher *m = sdc_log_regex_matcher(x);
	struct sdc_record r;
	struct sdc_log_why why;
	const struct sdc_field *f;

	sdc_record_init(&r);
	sdc_field_container(&r.root, SDC_MAP);
	ok(sdc_log_regex_match(x, m, &r, "word", 4, &why), "a regex matches");
	ok(r.root.count == 2 && r.root.v.entries[0].key.len == 1 &&
	    r.root.v.entries[0].key.ptr[0] == 'b', "fields in group order");
	f = get(&r, "a");
	ok(f && f->null && f->type == SDC_STRING,
	    "a group that took no part is a null STRING");
	ok(!sdc_log_regex_match(x, m, &r, "two words", 9, &why),
	    "a line it does not match");
	sdc_log_matcher_free(m);
	sdc_log_regex_free(x);
	ok(sdc_log_regex_compile("(\\d+)", err, sizeof err) == NULL &&
	    strstr(err, "no named group") != NULL, "a regex with no name");
	sdc_record_release(&r);
}

static bool
syslog_line(struct sdc_record *r, const char *line, struct sdc_log_why *why)
{
	sdc_record_release(r);
	sdc_record_init(r);
	sdc_field_container(&r->root, SDC_MAP);
	return sdc_log_syslog_match(r, line, strlen(line), 2023, why);
}

static void
test_syslog(void)
{
	struct sdc_record r;
	struct sdc_log_why why;
	const struct sdc_field *f;

	sdc_record_init(&r);
	ok(syslog_line(&r, "<165>1 2003-08-24T05:14:15.000003-07:00 h a 1 m "
	    "[x@1 k=\"\\\"\\]\"] hi", &why), "an RFC 5424 line");
	f = get(&r, "timestamp");
	ok(f && f->type == SDC_ZONED_DATETIME && f->v.z.offset_s == -25200 &&
	    f->v.z.us == 1061727255000003LL, "its time and offset");
	f = get(&r, "structuredData");
	f = f ? sdc_map_get(f, "x@1", 3) : NULL;
	f = f ? sdc_map_get(f, "k", 1) : NULL;
	ok(f && f->v.s.len == 2 && memcmp(f->v.s.ptr, "\"]", 2) == 0,
	    "a parameter unescaped");
	ok(syslog_line(&r, "<13>1 - - - - - -", &why) &&
	    get(&r, "hostname")->null && get(&r, "message")->null &&
	    get(&r, "structuredData")->type == SDC_MAP,
	    "NILVALUEs are nulls of their types");
	ok(syslog_line(&r, "<34>Feb 29 22:14:15 h su[1]: x", &why) == false,
	    "29 February of 2023, from the year given");
	ok(syslog_line(&r, "<34>Oct  1 22:14:15 h su[230]: x", &why) &&
	    is_string(&r, "appName", "su") && is_string(&r, "procId", "230") &&
	    get(&r, "timestamp")->v.i == 1696198455000000LL,
	    "an RFC 3164 line");
	ok(!syslog_line(&r, "<192>Oct  1 22:14:15 h x", &why) &&
	    strcmp(why.text, "column 2: PRI not a number from 0 to 191") == 0,
	    "a PRI past 191");
	sdc_record_release(&r);
}

/* Every pattern of the library compiles, alone and as a capture. */
static void
test_grok_library(void)
{
	struct sdc_log_grok_defs d = { 0 };
	char expr[80], err[200];
	bool all = true;

	sdc_log_grok_builtin(&d);
	ok(d.n > 60, "the library has its patterns (%zu)", d.n);
	for (size_t i = 0; i < d.n; i++) {
		struct sdc_log_regex *x;

		snprintf(expr, sizeof(expr), "%%{%s:f}", d.items[i].name);
		x = sdc_log_grok_compile(expr, &d, err, sizeof(err));
		if (x == NULL)
			printf("# %s: %s\n", d.items[i].name, err);
		all &= x != NULL;
		sdc_log_regex_free(x);
	}
	ok(all, "every pattern compiles");
	ok(sdc_log_grok_load(&d, "# c\n\nA x\n  \nB%{A}\n") == 5,
	    "a definition without a space is refused, by its line");
	sdc_log_grok_load(&d, "LOOP a%{LOOP}\n");
	ok(sdc_log_grok_compile("%{LOOP:f}", &d, err, sizeof(err)) == NULL &&
	    strstr(err, "nested more than 40 deep") != NULL,
	    "a pattern that names itself is refused");
	sdc_log_grok_defs_release(&d);
}

int
main(void)
{
	test_times();
	test_numbers();
	test_compile();
	test_match();
	test_regex();
	test_syslog();
	test_grok_library();
	return tap_done();
}
