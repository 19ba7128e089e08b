/*
 * The avro format against avro-c, the Apache project's C library:
 * container files it writes, in each codec it has, read by the avro
 * reader; datums the avro encoder writes read by avro-c.
 */
#include <avro.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "avro-format.h"
#include "format.h"
#include "run.h"
#include "tap.h"

#define N	50

static const char schema_json[] =
    "{\"type\":\"record\",\"name\":\"R\",\"fields\":["
    "{\"name\":\"l\",\"type\":\"long\"},"
    "{\"name\":\"s\",\"type\":\"string\"},"
    "{\"name\":\"d\",\"type\":\"double\"},"
    "{\"name\":\"o\",\"type\":[\"null\",\"int\"]},"
    "{\"name\":\"a\",\"type\":{\"type\":\"array\",\"items\":\"int\"}},"
    "{\"name\":\"m\",\"type\":{\"type\":\"map\",\"values\":\"string\"}},"
    "{\"name\":\"e\",\"type\":{\"type\":\"enum\",\"name\":\"E\","
    "\"symbols\":[\"A\",\"B\"]}}]}";

static void
fill(avro_value_t *rec, int i)
{
	avro_value_t f, b;
	char s[32];

	avro_value_get_by_name(rec, "l", &f, NULL);
	avro_value_set_long(&f, (int64_t)i * 1000000007);
	snprintf(s, sizeof s, "s%d", i);
	avro_value_get_by_name(rec, "s", &f, NULL);
	avro_value_set_string(&f, s);
	avro_value_get_by_name(rec, "d", &f, NULL);
	avro_value_set_double(&f, i / 4.0);
	avro_value_get_by_name(rec, "o", &f, NULL);
	if (i % 2)
		avro_value_set_branch(&f, 0, &b), avro_value_set_null(&b);
	else
		avro_value_set_branch(&f, 1, &b), avro_value_set_int(&b, -i);
	avro_value_get_by_name(rec, "a", &f, NULL);
	for (int k = 0; k < i % 4; k++)
		avro_value_append(&f, &b, NULL), avro_value_set_int(&b, k);
	avro_value_get_by_name(rec, "m", &f, NULL);
	if (i % 3 == 0)
		avro_value_add(&f, "k", &b, NULL, NULL),
		    avro_value_set_string(&b, s);
	avro_value_get_by_name(rec, "e", &f, NULL);
	avro_value_set_enum(&f, i % 2);
}

/* avro-c writes N records to path with codec: false when it has none. */
static bool
write_file(const char *path, const char *codec)
{
	avro_schema_t schema;
	avro_file_writer_t w;
	avro_value_iface_t *iface;
	avro_value_t rec;

	avro_schema_from_json_length(schema_json, sizeof schema_json - 1,
	    &schema);
	unlink(path);
	if (avro_file_writer_create_with_codec(path, schema, &w, codec,
	    0) != 0) {
		avro_schema_decref(schema);
		return false;
	}
	iface = avro_generic_class_from_schema(schema);
	avro_generic_value_new(iface, &rec);
	for (int i = 0; i < N; i++) {
		avro_value_reset(&rec);
		fill(&rec, i);
		avro_file_writer_append_value(w, &rec);
	}
	avro_file_writer_close(w);
	avro_value_decref(&rec);
	avro_value_iface_decref(iface);
	avro_schema_decref(schema);
	return true;
}

static int seen, right;

static bool
str_is(const struct sdc_field *f, const char *want)
{
	return f != NULL && !f->null && f->v.s.len == strlen(want) &&
	    memcmp(f->v.s.ptr, want, f->v.s.len) == 0;
}

static bool
record_right(const struct sdc_field *r, int i)
{
	const struct sdc_field *o = sdc_map_get(r, "o", 1);
	const struct sdc_field *a = sdc_map_get(r, "a", 1);
	const struct sdc_field *m = sdc_map_get(r, "m", 1);
	char s[32];

	snprintf(s, sizeof s, "s%d", i);
	return sdc_map_get(r, "l", 1)->v.i == (int64_t)i * 1000000007 &&
	    str_is(sdc_map_get(r, "s", 1), s) &&
	    sdc_map_get(r, "d", 1)->v.d == i / 4.0 &&
	    (i % 2 ? o->null : o->v.i == -i) &&
	    a->count == (uint32_t)(i % 4) &&
	    m->count == (i % 3 == 0) &&
	    str_is(sdc_map_get(r, "e", 1), i % 2 ? "B" : "A");
}

static void
on_record(struct sdc_writer *w, struct sdc_run *run, struct sdc_record *r)
{
	(void)w, (void)run;
	if (r->root.type == SDC_LIST_MAP && r->root.count == 7 &&
	    record_right(&r->root, seen))
		right++;
	seen++;
}

static void
read_file(const char *path)
{
	static struct sdc_writer w = { .record = on_record,
		.error = on_record };
	const struct sdc_format *f = sdc_format_find("avro");
	struct sdc_avro_opts o;
	struct sdc_options opt;
	struct sdc_input in;
	struct sdc_run run;

	f->opts_init(&o);
	sdc_options_init(&opt);
	opt.progress = 0;
	sdc_run_start(&run, "test", &opt, &w);
	seen = right = 0;
	if (sdc_input_open(&in, path) == 0) {
		sdc_avro_read(&run, &in, &o);
		sdc_input_close(&in);
	}
	sdc_run_finish(&run);
	f->opts_release(&o);
}

static void
test_read(void)
{
	static const char *const codecs[] = { "null", "deflate", "snappy" };
	char path[] = "/tmp/test-avro-c.XXXXXX";
	int fd = mkstemp(path);

	close(fd);
	for (int c = 0; c < 3; c++) {
		if (!write_file(path, codecs[c])) {
			ok(true, "%s: not in this avro-c # SKIP", codecs[c]);
			continue;
		}
		read_file(path);
		ok(seen == N, "%s: avro-c's file, every record read",
		    codecs[c]);
		ok(right == N, "%s: every value right", codecs[c]);
	}
	unlink(path);
}

/* A datum of ours, and what avro-c reads of it. */
static void
test_encode(void)
{
	struct sdc_avro_schema ours;
	struct sdc_record r;
	struct sdc_field *v;
	struct sdc_buf b;
	avro_schema_t schema;
	avro_value_iface_t *iface;
	avro_value_t rec, f, br;
	avro_reader_t reader;
	char err[256];
	const char *s;
	size_t len;
	int64_t l = 0;
	int e = -1, disc = -1;

	sdc_avro_schema_parse(&ours, schema_json, sizeof schema_json - 1,
	    err, sizeof err);
	sdc_record_init(&r);
	sdc_field_container(&r.root, SDC_LIST_MAP);
	sdc_field_int(sdc_map_put(&r.arena, &r.root, "l", 1), SDC_LONG,
	    -1234567890123LL);
	sdc_field_copy_bytes(&r.arena, sdc_map_put(&r.arena, &r.root, "s", 1),
	    SDC_STRING, "h\xc3\xa9", 3);
	sdc_field_double(sdc_map_put(&r.arena, &r.root, "d", 1), 0.125);
	sdc_field_int(sdc_map_put(&r.arena, &r.root, "o", 1), SDC_INTEGER, 9);
	v = sdc_map_put(&r.arena, &r.root, "a", 1);
	sdc_field_container(v, SDC_LIST);
	sdc_field_int(sdc_list_append(&r.arena, v), SDC_INTEGER, 3);
	sdc_field_container(sdc_map_put(&r.arena, &r.root, "m", 1), SDC_MAP);
	sdc_field_copy_bytes(&r.arena, sdc_map_put(&r.arena, &r.root, "e", 1),
	    SDC_STRING, "B", 1);
	sdc_buf_init(&b, 1 << 20);
	ok(sdc_avro_encode(&b, ours.root, &r.root, err, sizeof err) == NULL,
	    "encoded by ours");

	avro_schema_from_json_length(schema_json, sizeof schema_json - 1,
	    &schema);
	iface = avro_generic_class_from_schema(schema);
	avro_generic_value_new(iface, &rec);
	reader = avro_reader_memory((const char *)b.data, (int64_t)b.len);
	is_int(avro_value_read(reader, &rec), 0, "read by avro-c");
	avro_value_get_by_name(&rec, "l", &f, NULL);
	avro_value_get_long(&f, &l);
	ok(l == -1234567890123LL, "avro-c: the long");
	avro_value_get_by_name(&rec, "s", &f, NULL);
	avro_value_get_string(&f, &s, &len);
	ok(len == 4 && memcmp(s, "h\xc3\xa9", 3) == 0, "avro-c: the string");
	avro_value_get_by_name(&rec, "o", &f, NULL);
	avro_value_get_discriminant(&f, &disc);
	avro_value_get_current_branch(&f, &br);
	is_int(disc, 1, "avro-c: the union's int branch");
	avro_value_get_by_name(&rec, "a", &f, NULL);
	avro_value_get_size(&f, &len);
	is_int((int)len, 1, "avro-c: the array");
	avro_value_get_by_name(&rec, "e", &f, NULL);
	avro_value_get_enum(&f, &e);
	is_int(e, 1, "avro-c: the enum");
	avro_reader_free(reader);
	avro_value_decref(&rec);
	avro_value_iface_decref(iface);
	avro_schema_decref(schema);
	sdc_buf_release(&b);
	sdc_record_release(&r);
	sdc_avro_schema_release(&ours);
}

int
main(void)
{
	test_read();
	test_encode();
	return tap_done();
}
