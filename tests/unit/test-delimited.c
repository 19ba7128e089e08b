/* The csv, text and bytes formats, and type inference. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "delimited.h"
#include "format.h"
#include "infer.h"
#include "json-write.h"
#include "run.h"
#include "tap.h"

/*
 * A writer that keeps what it is given as text: a data record as its
 * JSON (typed when asked), an error record as "!id|message|raw".
 */
struct capture {
	struct sdc_writer	w;
	bool			typed;
	char			text[1 << 16];
	size_t			len;
};

static struct sdc_run run;
static struct capture cap;

static void
cap_put(const void *p, size_t n)
{
	if (n > sizeof(cap.text) - 1 - cap.len)
		n = sizeof(cap.text) - 1 - cap.len;
	if (n == 0)
		return;
	memcpy(cap.text + cap.len, p, n);
	cap.len += n;
	cap.text[cap.len] = '\0';
}

static void
cap_record(struct sdc_writer *w, struct sdc_run *r, struct sdc_record *rec)
{
	struct sdc_json_style st = { .typed = cap.typed };
	struct sdc_buf b;

	(void)w, (void)r;
	sdc_buf_init(&b, 1 << 20);
	sdc_buf_reserve(&b, sdc_json_field_bound(&rec->root, &st, 0));
	sdc_json_render_field(&b, &rec->root, &st, 0);
	cap_put(b.data, b.len);
	cap_put("\n", 1);
	sdc_buf_release(&b);
}

static void
cap_error(struct sdc_writer *w, struct sdc_run *r, struct sdc_record *rec)
{
	(void)w, (void)r;
	cap_put("!", 1);
	cap_put(rec->h.id.ptr, rec->h.id.len);
	cap_put("|", 1);
	cap_put(rec->h.error.message.ptr, rec->h.error.message.len);
	cap_put("|", 1);
	if (rec->root.type == SDC_BYTE_ARRAY && !rec->root.null)
		cap_put(rec->root.v.s.ptr, rec->root.v.s.len);
	cap_put("\n", 1);
}

static void
start(size_t max_record, struct sdc_writer *w)
{
	struct sdc_options opt;

	sdc_options_init(&opt);
	opt.progress = 0;
	if (max_record)
		opt.max_record = max_record;
	memset(&cap, 0, sizeof(cap));
	cap.w.record = cap_record;
	cap.w.error = cap_error;
	sdc_run_start(&run, "test", &opt, w ? w : &cap.w);
}

/* What the writer put on the output, taken away before it is written. */
static const char *
take_output(void)
{
	static char out[1 << 16];
	size_t n = run.out.buf.len < sizeof(out) - 1 ? run.out.buf.len :
	    sizeof(out) - 1;

	memcpy(out, run.out.buf.data, n);
	out[n] = '\0';
	run.out.buf.len = run.out.committed = 0;
	return out;
}

static void
stop(void)
{
	run.out.buf.len = run.out.committed = 0;
	sdc_run_finish(&run);
}

/* The CSV in, fed piece bytes at a time (0: at once), as captured. */
static const char *
csv_n(const struct sdc_csv_opts *o, const char *in, size_t len,
    size_t piece, size_t max_record)
{
	static char out[sizeof(cap.text)];
	struct sdc_csv_reader *r;

	start(max_record, NULL);
	r = sdc_csv_reader_new(&run, "in.csv", o);
	for (size_t i = 0; i < len; i += piece ? piece : len)
		sdc_csv_reader_feed(r, in + i, piece && piece < len - i ?
		    piece : len - i);
	sdc_csv_reader_finish(r);
	sdc_csv_reader_free(r);
	memcpy(out, cap.text, cap.len + 1);
	stop();
	return out;
}

static const char *
csv(const struct sdc_csv_opts *o, const char *in)
{
	return csv_n(o, in, strlen(in), 0, 0);
}

/* A format's options as its opts_init leaves them. */
static struct sdc_csv_opts
csv_opts(void)
{
	struct sdc_csv_opts o;

	sdc_format_find("csv")->opts_init(&o);
	return o;
}

static struct sdc_text_opts
text_opts(void)
{
	struct sdc_text_opts o;

	sdc_format_find("text")->opts_init(&o);
	return o;
}

static void
text_opts_release(struct sdc_text_opts *o)
{
	sdc_format_find("text")->opts_release(o);
}

static struct sdc_bytes_opts
bytes_opts(void)
{
	struct sdc_bytes_opts o;

	sdc_format_find("bytes")->opts_init(&o);
	return o;
}

static void
test_csv_basic(void)
{
	struct sdc_csv_opts o = csv_opts();

	is_str(csv(&o, "a,b\n1,2\n3,4\n"),
	    "{\"a\":\"1\",\"b\":\"2\"}\n{\"a\":\"3\",\"b\":\"4\"}\n",
	    "csv: header names the fields");
	is_str(csv(&o, "a,b\n1,2"), "{\"a\":\"1\",\"b\":\"2\"}\n",
	    "csv: a last line without newline is a row");
	is_str(csv(&o, "a,b\r\n1,2\r\n\r\n"), "{\"a\":\"1\",\"b\":\"2\"}\n",
	    "csv: CRLF lines, empty lines are no rows");
	is_str(csv(&o, "\xef\xbb\xbf" "a\nx\n"), "{\"a\":\"x\"}\n",
	    "csv: a BOM is skipped");
	is_str(csv(&o, "a,b\n,\n"), "{\"a\":\"\",\"b\":\"\"}\n",
	    "csv: empty cells are empty strings");
	is_str(csv(&o, "a,b\n x , y\n"), "{\"a\":\" x \",\"b\":\" y\"}\n",
	    "csv: spaces are kept");
	is_str(csv(&o, ""), "", "csv: empty input, no records");
	is_str(csv(&o, "a,b\n"), "", "csv: a header alone, no records");
}

static void
test_csv_quotes(void)
{
	struct sdc_csv_opts o = csv_opts();

	is_str(csv(&o, "a,b\n\"x,y\",\"say \"\"hi\"\"\"\n"),
	    "{\"a\":\"x,y\",\"b\":\"say \\\"hi\\\"\"}\n",
	    "csv: quoted delimiter and doubled quotes");
	o.header = SDC_HEADER_NONE;
	o.infer_types = false;
	is_str(csv(&o, "1,\"two\nlines\"\n3,4\n\"\"\n"),
	    "[\"1\",\"two\\nlines\"]\n[\"3\",\"4\"]\n[\"\"]\n",
	    "csv: a quoted newline stays in the field");
	is_str(csv(&o, "\"a\r\nb\"\r\n"), "[\"a\\r\\nb\"]\n",
	    "csv: a quoted CRLF stays whole");
	o.quote = '\'';
	is_str(csv(&o, "'a,b',\"c\n"), "[\"a,b\",\"\\\"c\"]\n",
	    "csv: another quote character");
	o.quote = '"';
	o.delimiter = '\t';
	is_str(csv(&o, "a b\tc,d\t\"e\tf\"\n"), "[\"a b\",\"c,d\",\"e\\tf\"]\n",
	    "csv: tab-separated");
}

static void
test_csv_escape(void)
{
	struct sdc_csv_opts o = csv_opts();

	o.header = SDC_HEADER_NONE;
	o.escape = '\\';
	is_str(csv(&o, "a\\,b,\"c\\\"d\",e\\x\n"),
	    "[\"a,b\",\"c\\\"d\",\"e\\\\x\"]\n",
	    "csv: escape before a delimiter, a quote, another byte");
	is_str(csv(&o, "\"x\"\"y\",\"1\n2\"\n3\n"),
	    "[\"x\\\"y\",\"1\\n2\"]\n[\"3\"]\n",
	    "csv: with an escape, doubled quotes and newlines still work");
	is_str(csv(&o, "a\\\nb,c\n"), "[\"a\\nb\",\"c\"]\n",
	    "csv: an escaped newline");
	is_str(csv(&o, "x\"y\nok\n"),
	    "!in.csv:1|in.csv:1: quote inside an unquoted field|x\"y\n"
	    "[\"ok\"]\n", "csv: escape mode reports a stray quote");
	is_str(csv(&o, "\"abc\n"),
	    "!in.csv:1|in.csv:1: unterminated quoted field|\"abc\n",
	    "csv: escape mode, unterminated quote");
}

static void
test_csv_headers(void)
{
	struct sdc_csv_opts o = csv_opts();

	o.header = SDC_HEADER_IGNORE;
	is_str(csv(&o, "a,b\n1,2\n"), "[\"1\",\"2\"]\n",
	    "csv: ignore skips the first row");
	o.header = SDC_HEADER_NONE;
	is_str(csv(&o, "a,b\n1,2\n"), "[\"a\",\"b\"]\n[\"1\",\"2\"]\n",
	    "csv: none reads every row as a list");
	o.skip_lines = 2;
	o.header = SDC_HEADER_USE;
	is_str(csv(&o, "# comment\n\"not, csv\nx\n1\n"), "{\"x\":\"1\"}\n",
	    "csv: skip lines counts physical lines");
	o.skip_lines = 0;
	is_str(csv(&o, "\"a\nb\",c\n1,2\n"), "{\"a\\nb\":\"1\",\"c\":\"2\"}\n",
	    "csv: a quoted header name");
	is_str(csv(&o, "a,a\n1,2\n"),
	    "!in.csv:1|in.csv:1: duplicate column 'a' in the header|a,a\n",
	    "csv: a duplicate header name stops the input");
}

static void
test_csv_errors(void)
{
	struct sdc_csv_opts o = csv_opts();

	is_str(csv(&o, "a,b\n1,2,3\n4\n5,6\n"),
	    "!in.csv:2|in.csv:2: 3 columns, header has 2|1,2,3\n"
	    "!in.csv:3|in.csv:3: 1 columns, header has 2|4\n"
	    "{\"a\":\"5\",\"b\":\"6\"}\n", "csv: ragged rows are errors");
	is_str(csv(&o, "a,b\n1,x\"y\n2,3\n"),
	    "!in.csv:2|in.csv:2: quote inside an unquoted field|1,x\"y\n"
	    "{\"a\":\"2\",\"b\":\"3\"}\n",
	    "csv: a stray quote, then the next line");
	is_str(csv(&o, "a,b\n\"1\"x,2\n3,4\n"),
	    "!in.csv:2|in.csv:2: text after a closing quote|\"1\"x,2\n"
	    "{\"a\":\"3\",\"b\":\"4\"}\n", "csv: text after a closing quote");
	is_str(csv(&o, "a,b\n\"1\n2,\"x\"y\n5,6\n"),
	    "!in.csv:2|in.csv:2: text after a closing quote|\"1\n2,\"x\"y\n"
	    "{\"a\":\"5\",\"b\":\"6\"}\n",
	    "csv: an error keeps every line of its record");
	is_str(csv(&o, "a,b\n1,2\n3,\"4\n5\n"),
	    "{\"a\":\"1\",\"b\":\"2\"}\n"
	    "!in.csv:3|in.csv:3: unterminated quoted field|3,\"4\n5\n",
	    "csv: unterminated quote at the end");
	is_str(csv(&o, "a,b\n1,\"x\ny\"\n3,4\n"),
	    "{\"a\":\"1\",\"b\":\"x\\ny\"}\n{\"a\":\"3\",\"b\":\"4\"}\n",
	    "csv: records after a two-line record");
	is_str(csv(&o, "a,b\n\xff,1\n\"\xc3\xa9\",\xe9\n"),
	    "!in.csv:2|in.csv:2: invalid UTF-8 in field 1|\xff,1\n"
	    "!in.csv:3|in.csv:3: invalid UTF-8 in field 2|\"\xc3\xa9\",\xe9\n",
	    "csv: invalid UTF-8");
}

static void
test_csv_ids(void)
{
	struct sdc_csv_opts o = csv_opts();
	struct sdc_csv_reader *r;
	const char *in = "a\n1\n\"2\n\"\n\n3\n";

	start(0, NULL);
	cap.w.record = cap_error;	/* shows the ids */
	r = sdc_csv_reader_new(&run, "f", &o);
	sdc_csv_reader_feed(r, in, strlen(in));
	sdc_csv_reader_finish(r);
	sdc_csv_reader_free(r);
	is_str(cap.text, "!f:2||\n!f:3||\n!f:6||\n",
	    "csv: ids are physical first lines");
	is_int(run.n.in, 3, "csv: records are counted");
	stop();
}

static void
test_csv_too_long(void)
{
	struct sdc_csv_opts o = csv_opts();
	char in[400];

	o.header = SDC_HEADER_NONE;
	memset(in, 'x', sizeof(in));
	memcpy(in, "ok\n", 3);
	memcpy(in + sizeof(in) - 6, "\nend\n", 5);
	in[sizeof(in) - 1] = '\0';
	ok(strstr(csv_n(&o, in, strlen(in), 7, 64),
	    "!in.csv:2|in.csv:2: record longer than 64 bytes|xxx") != NULL,
	    "csv: a record past the limit is an error");
	ok(strstr(csv_n(&o, in, strlen(in), 7, 64), "[\"end\"]\n") != NULL,
	    "csv: the lines after it are read");
	o.skip_lines = 2;
	is_str(csv_n(&o, in, strlen(in), 5, 64), "[\"end\"]\n",
	    "csv: a long line that is skipped is no error");
	is_str(csv_n(&o, in, strlen(in), 0, 64), "[\"end\"]\n",
	    "csv: the same when the input comes at once");
}

/* Every way of cutting the input gives what reading it whole gives. */
static void
test_csv_pieces(void)
{
	static const char in[] = "\xef\xbb\xbfh1,h2\r\n\"a\"\"\n\",b\r\n"
	    "x\"y,2\n,\n\"p\",\"q\"\n\xc3\xa9,\"\xe2\x82\xac\"\n"
	    "long line with no quote,and more text than eight\nlast,\"li";
	struct sdc_csv_opts o = csv_opts();
	char whole[sizeof(cap.text)];
	bool same = true;

	snprintf(whole, sizeof(whole), "%s", csv(&o, in));
	for (size_t piece = 1; piece < sizeof(in); piece++)
		same &= strcmp(csv_n(&o, in, sizeof(in) - 1, piece, 0),
		    whole) == 0;
	ok(same, "csv: fed in pieces of any size, the same records");
	ok(strstr(whole, "unterminated quoted field|last,\"li") != NULL,
	    "csv: the piece test reaches the end");
}

static void
test_csv_infer(void)
{
	struct sdc_csv_opts o = csv_opts();

	o.header = SDC_HEADER_NONE;
	o.infer_types = true;
	start(0, NULL);
	cap.typed = true;
	{
		struct sdc_csv_reader *r = sdc_csv_reader_new(&run, "i", &o);
		const char *in = "1,-2,3.5,1e3,TRUE,false,,007,x,"
		    "9223372036854775807,-9223372036854775808,"
		    "9223372036854775808,1e999,-,+1\n";

		sdc_csv_reader_feed(r, in, strlen(in));
		sdc_csv_reader_finish(r);
		sdc_csv_reader_free(r);
	}
	is_str(cap.text, "{\"LIST\":[{\"LONG\":1},{\"LONG\":-2},"
	    "{\"DOUBLE\":3.5},{\"DOUBLE\":1000.0},{\"BOOLEAN\":true},"
	    "{\"BOOLEAN\":false},{\"STRING\":\"\"},{\"STRING\":\"007\"},"
	    "{\"STRING\":\"x\"},{\"LONG\":9223372036854775807},"
	    "{\"LONG\":-9223372036854775808},"
	    "{\"DOUBLE\":9.223372036854776e+18},{\"STRING\":\"1e999\"},"
	    "{\"STRING\":\"-\"},{\"STRING\":\"+1\"}]}\n",
	    "csv: inferred types");
	stop();
	is_int(sdc_infer_kind("1.50", 4), SDC_INFER_NUMBER, "infer: 1.50");
	is_int(sdc_infer_kind("1.", 2), SDC_INFER_STRING, "infer: 1.");
	is_int(sdc_infer_kind("0", 1), SDC_INFER_INTEGER, "infer: 0");
	is_int(sdc_infer_kind("trueish", 7), SDC_INFER_STRING,
	    "infer: trueish");
}

/* Records read from in, written by a writer for o: the output. */
static const char *
through(const struct sdc_csv_opts *ro, const struct sdc_csv_opts *wo,
    const char *in)
{
	struct sdc_csv_reader *r;
	const char *out;

	start(0, sdc_csv_writer_new(wo));
	r = sdc_csv_reader_new(&run, "rt", ro);
	sdc_csv_reader_feed(r, in, strlen(in));
	sdc_csv_reader_finish(r);
	sdc_csv_reader_free(r);
	out = take_output();
	stop();
	return out;
}

static void
test_csv_round_trip(void)
{
	static const char in[] = "id,text,note\n"
	    "1,plain,\n2,\"with, comma\",\" padded \"\n"
	    "3,\"say \"\"hi\"\"\",\"two\nlines\"\n4,\"cr\r\",x\n"
	    "5,,\"\"\"\"\n";
	struct sdc_csv_opts o = csv_opts();

	is_str(through(&o, &o, in), in, "csv: read and written back, same");
	o.header = SDC_HEADER_NONE;
	is_str(through(&o, &o, "a\n\"\"\n"), "a\n\"\"\n",
	    "csv: a lone empty cell is quoted, so the row stays");
	o.delimiter = '\t';
	is_str(through(&o, &o, "a\t\"b\tc\"\t,\n"), "a\t\"b\tc\"\t,\n",
	    "csv: tab-separated round trip");
	o.delimiter = ',';
	o.escape = '\\';
	is_str(through(&o, &o, "\"a\\\"b\",\"c\\\\d\"\n"),
	    "\"a\\\"b\",\"c\\\\d\"\n", "csv: with an escape character");
}

static struct sdc_field *
put(struct sdc_record *r, const char *key)
{
	return sdc_map_put(&r->arena, &r->root, key, strlen(key));
}

static void
test_csv_writer(void)
{
	struct sdc_csv_opts o = csv_opts();
	struct sdc_record r;
	struct sdc_field *f;
	static const uint8_t bytes[] = { 0, 1, 2 };

	sdc_record_init(&r);
	start(0, sdc_csv_writer_new(&o));
	sdc_run_new_record(&run, &r, "x", 1);
	sdc_field_container(&r.root, SDC_LIST_MAP);
	sdc_field_copy_bytes(&r.arena, put(&r, "s"), SDC_STRING, "a", 1);
	sdc_field_double(put(&r, "d"), 1.5);
	sdc_field_bool(put(&r, "b"), true);
	sdc_field_int(put(&r, "l"), SDC_LONG, -7);
	sdc_field_borrow(put(&r, "y"), SDC_BYTE_ARRAY, bytes, 3);
	sdc_field_null(put(&r, "n"), SDC_STRING);
	sdc_run_emit(&run, &r);
	sdc_run_new_record(&run, &r, "x", 1);
	sdc_field_container(&r.root, SDC_MAP);
	sdc_field_int(put(&r, "l"), SDC_INTEGER, 3);
	sdc_field_int(put(&r, "s"), SDC_DATE, 0);
	sdc_run_emit(&run, &r);
	is_str(take_output(), "s,d,b,l,y,n\na,1.5,true,-7,AAEC,\n"
	    "1970-01-01,,,3,,\n", "csv writer: header, values, order");
	sdc_run_new_record(&run, &r, "x", 1);
	sdc_field_container(&r.root, SDC_MAP);
	sdc_field_int(put(&r, "zz"), SDC_LONG, 3);
	sdc_run_emit(&run, &r);
	sdc_run_new_record(&run, &r, "x", 1);
	sdc_field_container(&r.root, SDC_MAP);
	f = put(&r, "s");
	sdc_field_container(f, SDC_MAP);
	sdc_run_emit(&run, &r);
	is_int(run.n.errors, 2, "csv writer: unknown key and nested value "
	    "rejected");
	is_str(take_output(), "", "csv writer: rejected rows leave no text");
	sdc_run_new_record(&run, &r, "x", 1);
	sdc_field_copy_bytes(&r.arena, &r.root, SDC_STRING, "a\"b", 3);
	sdc_run_emit(&run, &r);
	is_str(take_output(), "\"a\"\"b\"\n", "csv writer: a scalar root");
	stop();
	sdc_record_release(&r);
}

static const char *
text_n(const struct sdc_text_opts *o, const char *in, size_t len,
    size_t piece)
{
	static char out[sizeof(cap.text)];
	struct sdc_text_reader *r;

	start(0, NULL);
	r = sdc_text_reader_new(&run, "t", o);
	for (size_t i = 0; i < len; i += piece)
		sdc_text_reader_feed(r, in + i, piece < len - i ? piece :
		    len - i);
	sdc_text_reader_finish(r);
	sdc_text_reader_free(r);
	memcpy(out, cap.text, cap.len + 1);
	stop();
	return out;
}

static const char *
text(const struct sdc_text_opts *o, const char *in)
{
	return text_n(o, in, strlen(in), strlen(in) + 1);
}

static void
test_text(void)
{
	struct sdc_text_opts o = text_opts();
	char long_in[300];
	bool same = true;

	is_str(text(&o, "a\n\nb\r\nc"),
	    "{\"text\":\"a\"}\n{\"text\":\"\"}\n{\"text\":\"b\\r\"}\n"
	    "{\"text\":\"c\"}\n", "text: lines, empty ones, CR kept");
	is_str(text(&o, "a\n"), "{\"text\":\"a\"}\n",
	    "text: a final delimiter makes no empty record");
	is_str(text(&o, "ok\nb\xc3\x28x\n"), "{\"text\":\"ok\"}\n"
	    "!t:2|t:2: invalid UTF-8 at column 2|b\xc3(x\n",
	    "text: invalid UTF-8");
	o.line_delimiter = "||";
	is_str(text(&o, "a||b|c||||d|"),
	    "{\"text\":\"a\"}\n{\"text\":\"b|c\"}\n{\"text\":\"\"}\n"
	    "{\"text\":\"d|\"}\n", "text: a two-byte delimiter");
	for (size_t piece = 1; piece < 12; piece++)
		same &= strcmp(text_n(&o, "a||b|c||||d|", 12, piece),
		    "{\"text\":\"a\"}\n{\"text\":\"b|c\"}\n{\"text\":\"\"}\n"
		    "{\"text\":\"d|\"}\n") == 0;
	ok(same, "text: a delimiter cut between pieces");
	o.line_delimiter = "\n";
	o.max_line = 4;
	is_str(text(&o, "1234\n12345\nok\n"),
	    "{\"text\":\"1234\"}\n!t:2|t:2: line longer than 4 bytes|1234\n"
	    "{\"text\":\"ok\"}\n", "text: a line over the limit");
	memset(long_in, 'y', sizeof(long_in));
	memcpy(long_in + sizeof(long_in) - 4, "\nz\n", 4);
	is_str(text_n(&o, long_in, strlen(long_in), 3),
	    "!t:1|t:1: line longer than 4 bytes|yyyy\n{\"text\":\"z\"}\n",
	    "text: a long line in pieces is reported once");
	o.max_line = 0;
	sdc_path_release(&o.text_field);
	sdc_path_parse(&o.text_field, "/a/b", NULL, 0);
	is_str(text(&o, "x\n"), "{\"a\":{\"b\":\"x\"}}\n",
	    "text: another text field");
	text_opts_release(&o);
}

static void
test_text_writer(void)
{
	struct sdc_text_opts o = text_opts();
	const struct sdc_format *fmt = sdc_format_find("text");
	struct sdc_record r;

	sdc_record_init(&r);
	o.line_delimiter = "\r\n";
	start(0, fmt->writer(&o));
	sdc_run_new_record(&run, &r, "x", 1);
	sdc_field_container(&r.root, SDC_MAP);
	sdc_field_copy_bytes(&r.arena, put(&r, "text"), SDC_STRING, "hi", 2);
	sdc_run_emit(&run, &r);
	sdc_run_new_record(&run, &r, "x", 1);
	sdc_field_container(&r.root, SDC_MAP);
	sdc_field_int(put(&r, "text"), SDC_LONG, 42);
	sdc_run_emit(&run, &r);
	sdc_run_new_record(&run, &r, "x", 1);
	sdc_field_container(&r.root, SDC_MAP);
	sdc_field_int(put(&r, "other"), SDC_LONG, 42);
	sdc_run_emit(&run, &r);
	is_str(take_output(), "hi\r\n42\r\n", "text writer: lines");
	is_int(run.n.errors, 1, "text writer: a record without the field");
	stop();
	sdc_record_release(&r);
	text_opts_release(&o);
}

/* The bytes format reads an input: bytes in memory here. */
static const char *
bytes(const struct sdc_bytes_opts *o, const char *in, size_t max_record)
{
	static char out[sizeof(cap.text)];
	struct sdc_input input;

	start(max_record, NULL);
	cap.w.record = cap_error;	/* id and raw bytes */
	sdc_input_memory(&input, "b", in, strlen(in));
	sdc_format_find("bytes")->read(&run, &input, o);
	sdc_input_close(&input);
	memcpy(out, cap.text, cap.len + 1);
	stop();
	return out;
}

static void
test_bytes(void)
{
	struct sdc_bytes_opts o = bytes_opts();

	is_str(bytes(&o, "abc\ndef", 0), "!b:0||abc\ndef\n",
	    "bytes: the whole input");
	o.chunk_size = 3;
	is_str(bytes(&o, "abcdefg", 0), "!b:0||abc\n!b:3||def\n!b:6||g\n",
	    "bytes: chunks");
	o.chunk_size = 0;
	is_str(bytes(&o, "0123456789", 4), "!b:0|b: input larger than 4 "
	    "bytes|\n", "bytes: over the limit");
	is_str(bytes(&o, "0123", 4), "!b:0||0123\n", "bytes: at the limit");
	sdc_format_find("bytes")->opts_release(&o);
}

int
main(void)
{
	test_csv_basic();
	test_csv_quotes();
	test_csv_escape();
	test_csv_headers();
	test_csv_errors();
	test_csv_ids();
	test_csv_too_long();
	test_csv_pieces();
	test_csv_infer();
	test_csv_round_trip();
	test_csv_writer();
	test_text();
	test_text_writer();
	test_bytes();
	return tap_done();
}
