/*
 * SDC Record JSON: numbers printed as Java prints them, what Data
 * Collector writes read as it means it.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "json-read.h"
#include "record.h"
#include "sdcjson.h"
#include "tap.h"

struct src {
	const char	*p;
	size_t		 n;
};

static ssize_t
src_read(void *ctx, void *buf, size_t n)
{
	struct src *s = ctx;

	if (n > s->n)
		n = s->n;
	memcpy(buf, s->p, n);
	s->p += n;
	s->n -= n;
	return (ssize_t)n;
}

static char err[256];

/* r, cleared by the caller, from one SDC record object. */
static int
decode(struct sdc_record *r, const char *text)
{
	struct src s = { text, strlen(text) };
	struct sdc_json_reader jr;
	struct sdc_field v;
	int rc = -1;

	sdc_json_reader_init(&jr, SDC_JSON_LINES, true, 1 << 20, src_read, &s);
	if (sdc_json_next(&jr, &r->arena, &v) == SDC_JSON_VALUE)
		rc = sdc_sdcjson_decode(&v, r, err, sizeof err);
	sdc_json_reader_release(&jr);
	return rc;
}

static char text[4096], all[8192];

/* The "value" member of the root field of r's rendering. */
static const char *
root_value(const struct sdc_record *r)
{
	struct sdc_buf b;
	const char *p, *q = NULL;

	sdc_buf_init(&b, sizeof all - 1);
	text[0] = '\0';
	if (sdc_sdcjson_render(&b, r, false) == NULL) {
		memcpy(all, b.data, b.len);
		all[b.len] = '\0';
		p = strstr(all, "\"value\":{\"type\"");
		if (p != NULL && (p = strstr(p + 15, "\"value\":")) != NULL)
			q = strstr(p, ",\"sqpath\"");
		if (q != NULL) {
			memcpy(text, p + 8, (size_t)(q - p - 8));
			text[q - p - 8] = '\0';
		}
	}
	sdc_buf_release(&b);
	return text;
}

static void
test_java_numbers(void)
{
	static const struct { double d; const char *want; } dbl[] = {
		{ 1e7, "\"1.0E7\"" }, { 9999999.0, "\"9999999.0\"" },
		{ 0.001, "\"0.001\"" }, { 0.0001, "\"1.0E-4\"" },
		{ 100.0, "\"100.0\"" }, { 123456.789, "\"123456.789\"" },
		{ 1e21, "\"1.0E21\"" }, { -1.5e-7, "\"-1.5E-7\"" },
		{ 2e22, "\"2.0E22\"" }, { 5e-324, "\"4.9E-324\"" },
	};
	struct sdc_record r;

	sdc_record_init(&r);
	for (size_t i = 0; i < sizeof dbl / sizeof dbl[0]; i++) {
		sdc_field_double(&r.root, dbl[i].d);
		is_str(root_value(&r), dbl[i].want, dbl[i].want);
	}
	sdc_field_float(&r.root, 0.3f);
	is_str(root_value(&r), "\"0.3\"", "FLOAT 0.3, not its double");
	sdc_field_float(&r.root, 1e10f);
	is_str(root_value(&r), "\"1.0E10\"", "FLOAT 1.0E10");
	sdc_field_int(&r.root, SDC_DATE, -1);
	is_str(root_value(&r), "-86400000", "DATE as epoch milliseconds");
	sdc_field_int(&r.root, SDC_DATETIME, -1);
	is_str(root_value(&r), "-0.001", "DATETIME below a millisecond");
	sdc_record_release(&r);
}

static void
test_read(void)
{
	struct sdc_record r;

	sdc_record_init(&r);
	ok(decode(&r, "{\"value\":{\"type\":\"LIST_MAP\",\"value\":["
	    "{\"type\":\"LONG\",\"value\":\"1\",\"sqpath\":\"/x/'a b'\"}],"
	    "\"sqpath\":\"/y\"}}") == 0 && r.root.count == 1 &&
	    r.root.v.entries[0].key.len == 3 &&
	    memcmp(r.root.v.entries[0].key.ptr, "a b", 3) == 0,
	    "a LIST_MAP key from the last step of a path not under its own");
	sdc_record_clear(&r, SDC_KIND_DATA);
	ok(decode(&r, "{\"value\":{\"type\":\"DATE\",\"value\":-1}}") == 0 &&
	    r.root.v.i == -1, "DATE: the day of the instant, before 1970");
	sdc_record_clear(&r, SDC_KIND_DATA);
	ok(decode(&r, "{\"value\":{\"type\":\"TIME\",\"value\":-1}}") == 0 &&
	    r.root.v.i == 86399999000LL, "TIME: the time of day");
	sdc_record_clear(&r, SDC_KIND_DATA);
	ok(decode(&r, "{\"value\":{\"type\":\"DOUBLE\",\"value\":2.5}}") == 0 &&
	    r.root.type == SDC_DOUBLE && r.root.v.d == 2.5,
	    "a number where a string is written");
	sdc_record_clear(&r, SDC_KIND_DATA);
	ok(decode(&r, "{\"header\":{\"stageCreator\":\"a\",\"stagesPath\":"
	    "null,\"errorCode\":\"E1\"},\"value\":null}") == 0 &&
	    r.kind == SDC_KIND_ERROR && r.h.nstages == 1 &&
	    r.root.type == SDC_MAP && r.root.null,
	    "an error record with its creator as its stages, a null value");
	sdc_record_clear(&r, SDC_KIND_DATA);
	ok(decode(&r, "{\"value\":{\"type\":\"SHORT\",\"value\":32768}}") != 0 &&
	    strstr(err, "SHORT") != NULL, "SHORT out of its range is refused");
	sdc_record_release(&r);
}

int
main(void)
{
	test_java_numbers();
	test_read();
	return tap_done();
}
