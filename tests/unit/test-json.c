/*
 * The JSON reader (against jansson as the oracle), the writer in plain,
 * pretty and typed form, and typed frames read back.
 */
#include <jansson.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base64.h"
#include "buf.h"
#include "json-read.h"
#include "json-write.h"
#include "record.h"
#include "wire.h"
#include "tap.h"

/* A source that hands out at most step bytes per read. */
struct src {
	const char	*p;
	size_t		 n, step;
};

static ssize_t
src_read(void *ctx, void *buf, size_t n)
{
	struct src *s = ctx;

	if (n > s->step)
		n = s->step;
	if (n > s->n)
		n = s->n;
	memcpy(buf, s->p, n);
	s->p += n;
	s->n -= n;
	return (ssize_t)n;
}

#define MAXV 64

/* Everything a parse of one text produced. */
struct result {
	struct sdc_arena	 a;
	struct sdc_field	 v[MAXV];
	char			 err[MAXV][200];
	uint64_t		 line[MAXV];
	bool			 is_err[MAXV];
	int			 n, nerr;
};

/* Values are deep-copied so they outlive the reader's buffer. */
static void
parse(struct result *res, const char *text, size_t len,
    enum sdc_json_mode mode, bool exact, size_t step, size_t max)
{
	struct sdc_json_reader jr;
	struct src s = { text, len, step };
	struct sdc_field f;
	enum sdc_json_status st;

	memset(res, 0, sizeof *res);
	sdc_arena_init(&res->a);
	sdc_json_reader_init(&jr, mode, exact, max, src_read, &s);
	if (step < 16)
		jr.chunk = 4;
	while ((st = sdc_json_next(&jr, &res->a, &f)) != SDC_JSON_EOF &&
	    res->n < MAXV) {
		if (st == SDC_JSON_ERROR) {
			snprintf(res->err[res->n], sizeof res->err[0],
			    "%llu: %s", (unsigned long long)jr.err_line,
			    jr.err);
			res->is_err[res->n] = true;
			res->nerr++;
			sdc_field_null(&res->v[res->n], SDC_STRING);
		} else
			sdc_field_clone(&res->a, &res->v[res->n], &f);
		res->line[res->n++] = jr.value_line;
	}
	sdc_json_reader_release(&jr);
}

static void
parse_str(struct result *res, const char *text, enum sdc_json_mode mode,
    bool exact, size_t step)
{
	parse(res, text, strlen(text), mode, exact, step, 1 << 20);
}

static void
done(struct result *res)
{
	sdc_arena_release(&res->a);
}

/* Compact plain rendering, for comparing values as text. */
static char *
render(const struct sdc_field *f, bool typed, bool pretty)
{
	static char out[8192];
	struct sdc_json_style st = { typed, pretty, false };
	struct sdc_buf b;
	const char *why;

	sdc_buf_init(&b, 1 << 20);
	sdc_buf_reserve(&b, sdc_json_field_bound(f, &st, 0));
	why = sdc_json_render_field(&b, f, &st, 0);
	snprintf(out, sizeof out, "%s%.*s", why ? "!" : "", (int)b.len,
	    (char *)b.data);
	sdc_buf_release(&b);
	return out;
}

/* Does jansson's value equal ours? */
static bool
same_as_jansson(const json_t *j, const struct sdc_field *f)
{
	const char *k;
	json_t *v;
	size_t i;

	switch (json_typeof(j)) {
	case JSON_OBJECT:
		if (f->type != SDC_LIST_MAP || f->count != json_object_size(j))
			return false;
		i = 0;
		json_object_foreach((json_t *)j, k, v) {
			const struct sdc_entry *e = &f->v.entries[i++];

			if (e->key.len != strlen(k) ||
			    memcmp(e->key.ptr, k, e->key.len) != 0 ||
			    !same_as_jansson(v, &e->value))
				return false;
		}
		return true;
	case JSON_ARRAY:
		if (f->type != SDC_LIST || f->count != json_array_size(j))
			return false;
		for (i = 0; i < f->count; i++)
			if (!same_as_jansson(json_array_get(j, i),
			    &f->v.items[i]))
				return false;
		return true;
	case JSON_STRING:
		return f->type == SDC_STRING && !f->null &&
		    f->v.s.len == json_string_length(j) &&
		    memcmp(f->v.s.ptr, json_string_value(j), f->v.s.len) == 0;
	case JSON_INTEGER:
		return f->type == SDC_LONG && f->v.i == json_integer_value(j);
	case JSON_REAL:
		return f->type == SDC_DOUBLE && f->v.d == json_real_value(j);
	case JSON_TRUE:
	case JSON_FALSE:
		return f->type == SDC_BOOLEAN && f->v.b == json_is_true(j);
	case JSON_NULL:
		return f->type == SDC_STRING && f->null;
	}
	return false;
}

/* Both accept exactly one value, equal; or both reject the text. */
static void
check_oracle(const char *doc, size_t len, const char *what)
{
	struct result res;
	json_error_t e;
	json_t *j;
	size_t steps[] = { 1, 3, 1 << 16 };
	size_t i;

	j = json_loadb(doc, len, JSON_DECODE_ANY | JSON_ALLOW_NUL, &e);
	for (i = 0; i < 3; i++) {
		parse(&res, doc, len, SDC_JSON_LINES, false, steps[i], 1 << 20);
		if (j == NULL)
			ok(res.nerr > 0 || res.n != 1,
			    "rejected like jansson: %s (step %zu)", what,
			    steps[i]);
		else
			ok(res.n == 1 && res.nerr == 0 &&
			    same_as_jansson(j, &res.v[0]),
			    "same value as jansson: %s (step %zu)", what,
			    steps[i]);
		done(&res);
	}
	json_decref(j);
}

static void
test_oracle(void)
{
	static const char *const docs[] = {
		"{}", "[]", "0", "-0", "1", "-1", "123456789", "1.5",
		"-0.0", "1e10", "1E-5", "2.5e+3", "0.1",
		"1.7976931348623157e308", "4.9e-324", "1e-400",
		"9223372036854775807",
		"-9223372036854775808", "true", "false", "null", "\"\"",
		"\"a\\\"b\\\\c\\/d\\b\\f\\n\\r\\t\"",
		"\"\\u0041\\u00e9\\u20ac\"", "\"\\ud83d\\ude00\"",
		"\"h\xc3\xa9llo \xe2\x82\xac \xf0\x9f\x98\x80\"",
		"\"\\u0000\"", "{\"a\":1,\"b\":[1,2,{\"c\":null}],\"d\":{}}",
		"[1,[2,[3,[4]]]]", " \t\r\n[ 1 , 2 ]\n ",
		"{\"a\":1,\"a\":2}", "{\"b\":1,\"a\":2,\"b\":3}",
		"[\"x\",true,false,null,-1.25e-3]",
		/* past the keys a map scans: the index finds the repeats */
		"{\"k0\":0,\"k1\":1,\"k2\":2,\"k3\":3,\"k4\":4,\"k5\":5,\"k6\":6,"
		"\"k7\":7,\"k8\":8,\"k9\":9,\"k10\":10,\"k11\":11,\"k12\":12,"
		"\"k13\":13,\"k14\":14,\"k15\":15,\"k16\":16,\"k17\":17,\"k18\":18,"
		"\"k19\":19,\"k3\":33,\"k17\":77}",
		/* rejected */
		"", " ", "{", "[", "[1,]", "[,1]", "{\"a\"}", "{\"a\":}",
		"{\"a\":1,}", "{a:1}", "{'a':1}", "[1 2]", "01", "1.", ".5",
		"-", "+1", "1e", "1e+", "0x10", "tru", "truex", "nul", "nulll",
		"NaN", "Infinity", "\"abc", "\"\\x\"", "\"\\u12\"",
		"\"\\u12g4\"", "\"\\ud800\"", "\"\\udc00\"",
		"\"\\ud800\\u0041\"",
		"\"a\nb\"", "\"a\tb\"", "\"\xff\"", "\"\xc3\"", "\"\xc0\x80\"",
		"\"\xed\xa0\x80\"", "\"\xf4\x90\x80\x80\"", "\"\xe2\x82\"",
		"[1]]", "{}}", "1 2", "[1] x", "1e400", "-1e400", "\"\x01\"",
		"[\"a\",]", "{\"a\":1 \"b\":2}", "\xef\xbb\xbf{}",
	};
	char name[64];
	size_t i, k;

	for (i = 0; i < sizeof docs / sizeof docs[0]; i++) {
		for (k = 0; docs[i][k] != '\0' && k < sizeof name - 1; k++)
			name[k] = docs[i][k] < 0x20 || docs[i][k] >= 0x7f ||
			    docs[i][k] == '#' ? '.' : docs[i][k];
		name[k] = '\0';
		check_oracle(docs[i], strlen(docs[i]), name);
	}
}

static void
test_numbers(void)
{
	struct result res;

	parse_str(&res, "9223372036854775807 -9223372036854775808 "
	    "9223372036854775808 -9223372036854775809 "
	    "123456789012345678901234567890 1.50 1e2", SDC_JSON_LINES, false,
	    1 << 16);
	is_int(res.n, 7, "seven numbers");
	ok(res.v[0].type == SDC_LONG && res.v[0].v.i == INT64_MAX,
	    "INT64_MAX is a LONG");
	ok(res.v[1].type == SDC_LONG && res.v[1].v.i == INT64_MIN,
	    "INT64_MIN is a LONG");
	is_str(render(&res.v[2], true, false),
	    "{\"DECIMAL\":\"9223372036854775808\"}", "INT64_MAX+1 is DECIMAL");
	is_str(render(&res.v[3], true, false),
	    "{\"DECIMAL\":\"-9223372036854775809\"}",
	    "INT64_MIN-1 is DECIMAL");
	is_str(render(&res.v[4], false, false),
	    "123456789012345678901234567890", "a big integer stays exact");
	ok(res.v[5].type == SDC_DOUBLE && res.v[5].v.d == 1.5,
	    "1.50 is a DOUBLE");
	ok(res.v[6].type == SDC_DOUBLE && res.v[6].v.d == 100,
	    "1e2 is a DOUBLE");
	done(&res);
	parse_str(&res, "1.50 -0.000 1e400 7", SDC_JSON_LINES, true, 2);
	is_str(render(&res.v[0], true, false), "{\"DECIMAL\":\"1.50\"}",
	    "exact decimals keep the scale");
	is_str(render(&res.v[1], false, false), "-0.000",
	    "exact decimals keep the text");
	is_str(render(&res.v[2], false, false), "1e400",
	    "exact decimals have no range");
	ok(res.v[3].type == SDC_LONG, "integers stay LONG with exact decimals");
	done(&res);
}

static void
test_errors(void)
{
	struct result res;
	char deep[400];
	size_t i;

	parse_str(&res, "{\"a\":1}\n{\"a\":1,,}\n[1,2]\n\"abc\n{\"b\":2}\n",
	    SDC_JSON_LINES, false, 1 << 16);
	is_int(res.n, 5, "a bad line costs only itself");
	ok(res.is_err[1] && res.is_err[3] && !res.is_err[4],
	    "lines 2 and 4 are errors");
	is_str(res.err[1], "2: unexpected ',' at column 8",
	    "the reason names the byte and the column");
	is_str(res.err[3], "4: unterminated string at column 5",
	    "a string cut by the line end");
	is_int(res.line[4], 5, "the record after the errors is line 5");
	done(&res);

	parse_str(&res, "{\"a\":[1,2\n{\"b\":1}\n", SDC_JSON_LINES, false, 1);
	ok(res.n == 2 && res.is_err[0] && !res.is_err[1],
	    "a value cut short: the next line is still read");
	is_str(render(&res.v[1], false, false), "{\"b\":1}",
	    "the next line's value is whole");
	done(&res);

	parse_str(&res, "{\"a\":\n1}\n[1,2", SDC_JSON_LINES, false, 1);
	ok(res.n == 2 && !res.is_err[0] && res.is_err[1],
	    "values may span lines; end of input inside a value");
	is_int(res.line[0], 1, "a value's line is its first line");
	is_str(res.err[1], "3: unexpected end of input",
	    "end of input is reported");
	done(&res);

	for (i = 0; i < 129; i++)
		deep[i] = '[';
	for (; i < 258; i++)
		deep[i] = ']';
	deep[i] = '\0';
	parse_str(&res, deep, SDC_JSON_LINES, false, 1 << 16);
	ok(res.nerr == 1, "129 levels of nesting are an error");
	done(&res);
	deep[257] = '\0';
	parse_str(&res, deep + 1, SDC_JSON_LINES, false, 1 << 16);
	ok(res.n == 1 && res.nerr == 0, "128 levels are fine");
	done(&res);

	parse(&res, "[1,2,3]\n\"0123456789abcdef\"\n4\n", 28, SDC_JSON_LINES,
	    false, 2, 12);
	ok(res.n == 3 && !res.is_err[0] && res.is_err[1] && !res.is_err[2],
	    "a value over the limit is an error, the next is read");
	ok(strstr(res.err[1], "larger than 12 bytes") != NULL,
	    "the limit is named");
	done(&res);
}

static void
test_arrays(void)
{
	struct result res;
	const char *doc = " [ {\"a\":1} ,\n [2] , \"three\",4.5,\n null ]\n"
	    "[5]\n";
	size_t steps[] = { 1, 2, 7, 1 << 16 };
	size_t i;

	for (i = 0; i < 4; i++) {
		parse_str(&res, doc, SDC_JSON_AUTO, false, steps[i]);
		ok(res.n == 6 && res.nerr == 0,
		    "array elements are values (step %zu)", steps[i]);
		is_str(render(&res.v[2], false, false), "\"three\"",
		    "third element");
		is_int(res.line[1], 2, "an element's line");
		is_str(render(&res.v[5], false, false), "5",
		    "a second array goes on");
		done(&res);
	}
	parse_str(&res, "[1,2}\n,3]", SDC_JSON_ARRAY, false, 1 << 16);
	ok(res.n == 3 && !res.is_err[1] && res.is_err[2],
	    "an error in an array ends the input");
	done(&res);
	parse_str(&res, "[1,[2,x],3]", SDC_JSON_ARRAY, false, 1);
	ok(res.n == 2 && res.is_err[1], "a bad element ends the input");
	done(&res);
	parse_str(&res, "[1,2", SDC_JSON_ARRAY, false, 1);
	ok(res.n == 3 && res.is_err[2], "an unterminated array is an error");
	done(&res);
	parse_str(&res, "[]  []", SDC_JSON_ARRAY, false, 1);
	ok(res.n == 0, "empty arrays give nothing");
	done(&res);
	parse_str(&res, "[1]", SDC_JSON_LINES, false, 1);
	ok(res.n == 1 && res.v[0].type == SDC_LIST,
	    "lines mode: an array is one value");
	done(&res);
}

/* A large array read in small pieces never holds more than a value. */
static void
test_stream_memory(void)
{
	struct sdc_json_reader jr;
	struct sdc_arena a;
	struct sdc_field f;
	struct src s;
	size_t n = 200000, len, i, count = 0;
	char *doc = malloc(n * 16 + 4), *p = doc;
	bool all = true;

	*p++ = '[';
	for (i = 0; i < n; i++)
		p += snprintf(p, 16, "%s{\"i\":%zu}", i ? "," : "", i);
	*p++ = ']';
	len = p - doc;
	s = (struct src){ doc, len, 4096 };
	sdc_arena_init(&a);
	sdc_json_reader_init(&jr, SDC_JSON_AUTO, false, 1024, src_read, &s);
	while (sdc_json_next(&jr, &a, &f) == SDC_JSON_VALUE) {
		all = all && f.type == SDC_LIST_MAP &&
		    f.v.entries[0].value.v.i == (int64_t)count;
		count++;
		sdc_arena_reset(&a);
	}
	is_int(count, n, "every element of a large array");
	ok(all, "in order");
	ok(jr.cap < 200000, "the buffer stays small (%zu bytes)", jr.cap);
	sdc_json_reader_release(&jr);
	sdc_arena_release(&a);
	free(doc);
}

static void
test_strings(void)
{
	struct result res;

	parse_str(&res, "\"plain\" \"t\\u00e9\\n\\ud83d\\ude00\\\"\" "
	    "{\"k\\u0041\":1}", SDC_JSON_LINES, false, 1);
	is_str(render(&res.v[0], false, false), "\"plain\"", "plain string");
	ok(res.v[1].v.s.len == 9 && memcmp(res.v[1].v.s.ptr,
	    "t\xc3\xa9\n\xf0\x9f\x98\x80\"", 9) == 0, "escapes decoded");
	is_str(render(&res.v[1], false, false),
	    "\"t\xc3\xa9\\n\xf0\x9f\x98\x80\\\"\"", "and encoded again");
	is_str(render(&res.v[2], false, false), "{\"kA\":1}",
	    "escaped keys");
	done(&res);
}

static struct sdc_field
str_field(enum sdc_type t, const char *s, size_t n)
{
	struct sdc_field f;

	sdc_field_borrow(&f, t, s, n);
	return f;
}

static void
test_write_scalars(void)
{
	struct sdc_field f;

	sdc_field_double(&f, 1.0);
	is_str(render(&f, false, false), "1.0", "1.0 stays a double");
	sdc_field_double(&f, 0.1);
	is_str(render(&f, false, false), "0.1", "shortest text of 0.1");
	sdc_field_double(&f, 1.0 / 3);
	is_str(render(&f, false, false), "0.3333333333333333",
	    "1/3 in 16 digits");
	sdc_field_double(&f, 1e300);
	is_str(render(&f, false, false), "1e+300", "exponent");
	sdc_field_double(&f, -0.0);
	is_str(render(&f, false, false), "-0.0", "negative zero");
	sdc_field_double(&f, 1e17);
	is_str(render(&f, false, false), "1e+17", "large integral double");
	sdc_field_double(&f, NAN);
	is_str(render(&f, false, false), "\"NaN\"", "NaN as a string");
	sdc_field_double(&f, -INFINITY);
	is_str(render(&f, true, false), "{\"DOUBLE\":\"-Infinity\"}",
	    "-Infinity typed");
	sdc_field_float(&f, 0.1f);
	is_str(render(&f, false, false), "0.1", "float 0.1 is short");
	sdc_field_float(&f, 16777216.0f);
	is_str(render(&f, true, false), "{\"FLOAT\":16777216.0}",
	    "integral float");
	sdc_field_int(&f, SDC_LONG, INT64_MIN);
	is_str(render(&f, false, false), "-9223372036854775808",
	    "INT64_MIN");
	sdc_field_int(&f, SDC_BYTE, -5);
	is_str(render(&f, true, false), "{\"BYTE\":-5}", "BYTE typed");
	sdc_field_int(&f, SDC_CHAR, 0x20ac);
	is_str(render(&f, true, false), "{\"CHAR\":\"\xe2\x82\xac\"}",
	    "CHAR typed");
	sdc_field_int(&f, SDC_CHAR, 0xd800);
	ok(render(&f, false, false)[0] == '!', "a surrogate CHAR fails");
	sdc_field_bool(&f, true);
	is_str(render(&f, true, false), "{\"BOOLEAN\":true}", "BOOLEAN");
	sdc_field_null(&f, SDC_INTEGER);
	is_str(render(&f, true, false), "{\"INTEGER\":null}", "typed null");
	is_str(render(&f, false, false), "null", "plain null");
	f = str_field(SDC_DECIMAL, "1.50", 4);
	is_str(render(&f, false, false), "1.50", "DECIMAL unquoted");
	is_str(render(&f, true, false), "{\"DECIMAL\":\"1.50\"}",
	    "DECIMAL typed is a string");
	f = str_field(SDC_DECIMAL, "1.5x", 4);
	ok(render(&f, false, false)[0] == '!', "a bad DECIMAL fails");
	f = str_field(SDC_BYTE_ARRAY, "\x00\xff\x10", 3);
	is_str(render(&f, false, false), "\"AP8Q\"", "BYTE_ARRAY base64");
	f = str_field(SDC_STRING, "a\"\\\x01\x1f\t\n/\x7f", 9);
	is_str(render(&f, false, false),
	    "\"a\\\"\\\\\\u0001\\u001f\\t\\n/\x7f\"", "escapes");
	f = str_field(SDC_STRING, "0123456789abcdef\"0123456789", 27);
	is_str(render(&f, false, false),
	    "\"0123456789abcdef\\\"0123456789\"", "escape after a long run");
	f = str_field(SDC_STRING, "ok \xff", 4);
	ok(render(&f, false, false)[0] == '!', "invalid UTF-8 fails");
	f = str_field(SDC_STRING, "12345678\xc3", 9);
	ok(render(&f, false, false)[0] == '!', "a cut sequence fails");
}

static void
test_write_temporal(void)
{
	struct sdc_field f;

	sdc_field_int(&f, SDC_DATE, -1);
	is_str(render(&f, false, false), "\"1969-12-31\"", "DATE");
	sdc_field_int(&f, SDC_DATE, 3000000);
	is_str(render(&f, true, false), "{\"DATE\":3000000}",
	    "DATE out of range is a number");
	sdc_field_int(&f, SDC_DATETIME, 1500);
	is_str(render(&f, false, false), "\"1970-01-01T00:00:00.001500Z\"",
	    "DATETIME with microseconds");
	sdc_field_int(&f, SDC_TIME, 3600000000LL);
	is_str(render(&f, false, false), "\"01:00:00\"", "TIME");
	f.type = SDC_ZONED_DATETIME;
	f.v.z.us = 0;
	f.v.z.offset_s = 3600;
	f.v.z.zone.ptr = "Europe/Paris";
	f.v.z.zone.len = 12;
	is_str(render(&f, false, false),
	    "\"1970-01-01T01:00:00+01:00[Europe/Paris]\"", "ZONED_DATETIME");
	f.v.z.us = INT64_MAX;
	is_str(render(&f, true, false),
	    "{\"ZONED_DATETIME\":{\"us\":9223372036854775807,\"offset\":3600,"
	    "\"zone\":\"Europe/Paris\"}}", "ZONED_DATETIME out of range");
}

static void
test_pretty(void)
{
	struct result res;

	parse_str(&res, "{\"a\":[1,{}],\"b\":{\"c\":[]}}", SDC_JSON_LINES,
	    false, 1 << 16);
	is_str(render(&res.v[0], false, true),
	    "{\n  \"a\": [\n    1,\n    {}\n  ],\n  \"b\": {\n    \"c\": []\n"
	    "  }\n}", "pretty, two spaces");
	is_str(render(&res.v[0], true, true),
	    "{\n  \"LIST_MAP\": {\n    \"a\": {\n      \"LIST\": [\n"
	    "        {\n          \"LONG\": 1\n        },\n        {\n"
	    "          \"LIST_MAP\": {}\n        }\n      ]\n    },\n"
	    "    \"b\": {\n      \"LIST_MAP\": {\n        \"c\": {\n"
	    "          \"LIST\": []\n        }\n      }\n    }\n  }\n}",
	    "pretty typed");
	done(&res);
}

/* Render every type typed, read it back, and compare. */
static void
test_typed_roundtrip(void)
{
	struct sdc_json_style st = { true, false, false };
	struct sdc_record r, back;
	struct sdc_field *m, *l;
	struct sdc_buf b;
	struct result res;
	enum sdc_typed_frame what;
	struct sdc_str payload;
	uint8_t kind;
	char err[256] = "", *want;
	int pretty;

	sdc_record_init(&r);
	sdc_record_init(&back);
	sdc_record_clear(&r, SDC_KIND_ERROR);
	sdc_record_set_id(&r, "x.csv:2", 7);
	sdc_record_add_stage(&r, "sdc-convert");
	sdc_record_set_attr(&r, "k", "v");
	r.h.error.code.ptr = "C";
	r.h.error.code.len = 1;
	r.h.error.message.ptr = "M \xe2\x82\xac";
	r.h.error.message.len = 5;
	r.h.error.stage.ptr = "S";
	r.h.error.stage.len = 1;
	r.h.error.timestamp_ms = 1764000000000;
	sdc_field_container(&r.root, SDC_MAP);
#define ADD(k) sdc_map_append(&r.arena, &r.root, k, strlen(k))
	sdc_field_int(ADD("b"), SDC_BYTE, -128);
	sdc_field_int(ADD("s"), SDC_SHORT, 32767);
	sdc_field_int(ADD("i"), SDC_INTEGER, -7);
	sdc_field_int(ADD("c"), SDC_CHAR, 0x1f600);
	sdc_field_float(ADD("f"), 3.4028235e38f);
	sdc_field_double(ADD("d"), 5e-324);
	sdc_field_double(ADD("n"), NAN);
	sdc_field_int(ADD("dt"), SDC_DATETIME, -62135596800000000LL);
	sdc_field_int(ADD("t"), SDC_TIME, 86399999999LL);
	sdc_field_int(ADD("D"), SDC_DATE, -800000);
	m = ADD("z");
	m->type = SDC_ZONED_DATETIME;
	m->null = false;
	m->v.z.us = 1764000000123000;
	m->v.z.offset_s = -(5 * 3600 + 30 * 60 + 15);
	m->v.z.zone.ptr = "";
	m->v.z.zone.len = 0;
	sdc_field_borrow(ADD("y"), SDC_BYTE_ARRAY, "\0\1\2\3\4", 5);
	sdc_field_borrow(ADD("e"), SDC_DECIMAL, "-1.50e+7", 8);
	sdc_field_null(ADD("u"), SDC_LIST);
	l = ADD("l");
#undef ADD
	sdc_field_container(l, SDC_LIST);
	m = sdc_list_append(&r.arena, l);
	sdc_field_container(m, SDC_LIST_MAP);
	sdc_field_borrow(sdc_map_append(&r.arena, m, "q", 1), SDC_STRING,
	    "\"\n", 2);
	for (pretty = 0; pretty < 2; pretty++) {
		st.pretty = pretty;
		sdc_buf_init(&b, 1 << 20);
		sdc_buf_reserve(&b, sdc_json_record_bound(&r, &st, 0));
		ok(sdc_json_render_record(&b, &r, &st, 0) == NULL,
		    "typed error record renders (pretty %d)", pretty);
		ok(b.len <= sdc_json_record_bound(&r, &st, 0),
		    "within its bound");
		parse(&res, (char *)b.data, b.len, SDC_JSON_LINES, true, 5,
		    1 << 20);
		ok(res.n == 1 && res.nerr == 0, "typed JSON parses");
		sdc_record_clear(&back, SDC_KIND_DATA);
		ok(sdc_json_typed_decode(&res.v[0], &back, &what, &kind,
		    &payload, err, sizeof err) == 0,
		    "typed frame decodes %.150s", err);
		ok(what == SDC_TYPED_RECORD && back.kind == SDC_KIND_ERROR,
		    "an error record");
		want = strdup(render(&r.root, true, false));
		is_str(render(&back.root, true, false), want,
		    "every field comes back");
		free(want);
		ok(back.h.error.timestamp_ms == 1764000000000 &&
		    back.h.error.message.len == 5 && back.h.nstages == 1 &&
		    back.h.nattrs == 1 && back.h.id.len == 7,
		    "the header comes back");
		done(&res);
		sdc_buf_release(&b);
	}
	sdc_record_release(&r);
	sdc_record_release(&back);
}

static void
typed_case(const char *doc, int want_ok, const char *what)
{
	struct result res;
	struct sdc_record r;
	enum sdc_typed_frame w;
	struct sdc_str payload;
	uint8_t kind;
	char err[256] = "";
	int rc;

	sdc_record_init(&r);
	parse_str(&res, doc, SDC_JSON_LINES, true, 1 << 16);
	sdc_record_clear(&r, SDC_KIND_DATA);
	rc = res.n == 1 && res.nerr == 0 ? sdc_json_typed_decode(&res.v[0],
	    &r, &w, &kind, &payload, err, sizeof err) : -1;
	ok((rc == 0) == want_ok, "%s%s%.150s", what, err[0] ? ": " : "", err);
	if (want_ok == 1 && rc == 0 && w == SDC_TYPED_OTHER)
		ok(kind == 7 && payload.len == 3 &&
		    memcmp(payload.ptr, "abc", 3) == 0,
		    "unknown frame payload");
	done(&res);
	sdc_record_release(&r);
}

static void
test_typed_errors(void)
{
	typed_case("{\"kind\":\"batch\"}", 1, "batch");
	typed_case("{\"kind\":7,\"payload\":\"YWJj\"}", 1, "unknown kind");
	typed_case("{\"kind\":\"data\",\"value\":{\"STRING\":\"x\"}}", 1,
	    "header keys may be left out");
	typed_case("{\"kind\":\"data\",\"value\":{\"DATE\":\"2024-02-30\"}}",
	    0, "bad date");
	typed_case("{\"kind\":\"data\",\"value\":{\"BYTE\":128}}", 0,
	    "BYTE out of range");
	typed_case("{\"kind\":\"data\",\"value\":{\"LONG\":"
	    "9223372036854775808}}", 0, "LONG out of range");
	typed_case("{\"kind\":\"data\",\"value\":{\"CHAR\":\"ab\"}}", 0,
	    "CHAR of two characters");
	typed_case("{\"kind\":\"data\",\"value\":{\"BYTE_ARRAY\":\"YWJ\"}}", 0,
	    "bad base64");
	typed_case("{\"kind\":\"data\",\"value\":{\"STRING\":1}}", 0,
	    "STRING of a number");
	typed_case("{\"kind\":\"data\",\"value\":{\"WHAT\":1}}", 0,
	    "unknown type");
	typed_case("{\"kind\":\"data\",\"value\":{\"LONG\":1,\"INTEGER\":2}}",
	    0, "two types");
	typed_case("{\"kind\":\"data\"}", 0, "no value");
	typed_case("{\"kind\":\"error\",\"value\":{\"LIST\":[]}}", 0,
	    "error without error info");
	typed_case("{\"kind\":\"data\",\"value\":{\"LIST\":[]},\"x\":1}", 0,
	    "unknown key");
	typed_case("{\"kind\":2,\"payload\":\"\"}", 0, "known kind as number");
	typed_case("{\"kind\":\"event\",\"event\":{\"type\":\"t\","
	    "\"version\":1,\"timestamp\":5},\"value\":{\"MAP\":{}}}", 1,
	    "event");
	typed_case("{\"kind\":\"data\",\"value\":{\"DECIMAL\":\"1.\"}}", 0,
	    "bad DECIMAL");
	typed_case("{\"kind\":\"data\",\"value\":{\"ZONED_DATETIME\":"
	    "\"2024-01-01T00:00:00+01:00[Europe/Paris]\"}}", 1, "zoned");
	typed_case("{\"kind\":\"data\",\"value\":{\"TIME\":86400000000}}", 0,
	    "TIME out of range");
}

static void
test_base64(void)
{
	static const char *const plain[] = { "", "f", "fo", "foo", "foob",
		"fooba", "foobar" };
	static const char *const coded[] = { "", "Zg==", "Zm8=", "Zm9v",
		"Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy" };
	char enc[16];
	uint8_t dec[16];
	size_t i, n;
	bool all = true;

	for (i = 0; i < 7; i++) {
		n = sdc_base64_encode(enc, plain[i], strlen(plain[i]));
		all = all && n == strlen(coded[i]) &&
		    memcmp(enc, coded[i], n) == 0;
		all = all && sdc_base64_decode(dec, &n, coded[i],
		    strlen(coded[i])) && n == strlen(plain[i]) &&
		    memcmp(dec, plain[i], n) == 0;
	}
	ok(all, "RFC 4648 test vectors both ways");
	ok(!sdc_base64_decode(dec, &n, "Zg=", 3), "length not a multiple of 4");
	ok(!sdc_base64_decode(dec, &n, "Zh==", 4), "stray bits");
	ok(!sdc_base64_decode(dec, &n, "Z===", 4), "too much padding");
	ok(!sdc_base64_decode(dec, &n, "Zm=v", 4), "padding inside");
	ok(!sdc_base64_decode(dec, &n, "Zm9v\n", 5), "whitespace");
}

/* Expected plain rendering of s, escaping byte by byte. */
static void
slow_escape(char *out, const char *s, size_t n)
{
	size_t o = 0;

	out[o++] = '"';
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c == '\\') {
			out[o++] = '\\';
			out[o++] = (char)c;
		} else if (c == '\n') {
			out[o++] = '\\';
			out[o++] = 'n';
		} else
			out[o++] = (char)c;
	}
	out[o++] = '"';
	out[o] = '\0';
}

/*
 * Strings are copied in words, overlapping at the end: every length up
 * to 24, with a byte to escape at every position, and none.
 */
static void
test_string_lengths(void)
{
	static const char specials[] = "\"\\\n";
	char text[32], want[80];
	int bad = 0, cases = 0;

	for (size_t n = 0; n <= 24; n++) {
		for (size_t at = 0; at <= n; at++) {
			for (size_t k = 0; k < 3; k++) {
				struct sdc_field f;

				for (size_t i = 0; i < n; i++)
					text[i] = (char)('a' + i);
				if (at < n)
					text[at] = specials[k];
				sdc_field_borrow(&f, SDC_STRING, text, n);
				slow_escape(want, text, n);
				cases++;
				if (strcmp(render(&f, false, false), want) != 0) {
					if (bad++ < 3)
						printf("# len %zu at %zu: %s\n",
						    n, at, render(&f, false,
						    false));
				}
			}
		}
	}
	ok(bad == 0, "%d strings of every length up to 24 render right",
	    cases);
}

int
main(void)
{
	test_oracle();
	test_string_lengths();
	test_numbers();
	test_errors();
	test_arrays();
	test_stream_memory();
	test_strings();
	test_write_scalars();
	test_write_temporal();
	test_pretty();
	test_typed_roundtrip();
	test_typed_errors();
	test_base64();
	return tap_done();
}
