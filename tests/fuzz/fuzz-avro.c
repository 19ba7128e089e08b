/*
 * libFuzzer harness for the avro reader.  The first byte chooses what
 * the rest is: a container file, read as it is or resolved to a reader
 * schema; bare datums of a schema of every type, each of which that
 * decodes and encodes again must decode to the same fields; or the text
 * of a schema.  Built by scripts/fuzz.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "avro-format.h"
#include "format.h"
#include "run.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char schema_text[] =
    "{\"type\":\"record\",\"name\":\"R\",\"fields\":["
    "{\"name\":\"b\",\"type\":\"boolean\"},"
    "{\"name\":\"i\",\"type\":[\"null\",\"int\",\"string\"]},"
    "{\"name\":\"l\",\"type\":\"long\"},"
    "{\"name\":\"f\",\"type\":\"float\"},"
    "{\"name\":\"d\",\"type\":\"double\"},"
    "{\"name\":\"y\",\"type\":\"bytes\"},"
    "{\"name\":\"e\",\"type\":{\"type\":\"enum\",\"name\":\"E\","
    "\"symbols\":[\"A\",\"B\"]}},"
    "{\"name\":\"x\",\"type\":{\"type\":\"fixed\",\"name\":\"X\","
    "\"size\":2}},"
    "{\"name\":\"a\",\"type\":{\"type\":\"array\",\"items\":\"long\"}},"
    "{\"name\":\"m\",\"type\":{\"type\":\"map\",\"values\":\"string\"}},"
    "{\"name\":\"dec\",\"type\":{\"type\":\"bytes\",\"logicalType\":"
    "\"decimal\",\"precision\":20,\"scale\":3}},"
    "{\"name\":\"day\",\"type\":{\"type\":\"int\",\"logicalType\":"
    "\"date\"}},"
    "{\"name\":\"ts\",\"type\":{\"type\":\"long\",\"logicalType\":"
    "\"timestamp-micros\"}},"
    "{\"name\":\"t\",\"type\":{\"type\":\"long\",\"logicalType\":"
    "\"time-micros\"}},"
    "{\"name\":\"next\",\"type\":[\"null\",\"R\"]}]}";

static const char reader_text[] =
    "{\"type\":\"record\",\"name\":\"R\",\"fields\":["
    "{\"name\":\"l\",\"type\":\"double\"},"
    "{\"name\":\"i\",\"type\":[\"null\",\"long\",\"bytes\"]},"
    "{\"name\":\"e\",\"type\":{\"type\":\"enum\",\"name\":\"E\","
    "\"symbols\":[\"B\",\"C\"],\"default\":\"C\"}},"
    "{\"name\":\"z\",\"type\":\"string\",\"default\":\"zz\"},"
    "{\"name\":\"next\",\"type\":[\"null\",\"R\"]}]}";

static const struct sdc_avro_schema *check_schema;

/* A record that encodes must decode from its encoding to itself. */
static void
on_record(struct sdc_writer *w, struct sdc_run *run, struct sdc_record *r)
{
	struct sdc_avro_dec d;
	struct sdc_arena arena;
	struct sdc_field back;
	struct sdc_buf b;
	char err[512];

	(void)w, (void)run;
	if (check_schema == NULL)
		return;
	sdc_buf_init(&b, 1u << 28);
	sdc_arena_init(&arena);
	if (sdc_avro_encode(&b, check_schema->root, &r->root, err,
	    sizeof err) == NULL) {
		d = (struct sdc_avro_dec){ b.data, b.data + b.len, &arena,
		    "", 0 };
		if (sdc_avro_decode(&d, check_schema->root,
		    check_schema->root, &back) != SDC_AVRO_OK ||
		    d.p != d.end || !sdc_field_equal(&back, &r->root))
			abort();
	}
	sdc_arena_release(&arena);
	sdc_buf_release(&b);
}

static void
read_avro(const struct sdc_avro_opts *o, const uint8_t *p, size_t n)
{
	static struct sdc_writer w = { .record = on_record };
	struct sdc_options opt;
	struct sdc_input in;
	struct sdc_run run;

	sdc_input_memory(&in, "f", p, n);
	sdc_options_init(&opt);
	opt.progress = 0;
	opt.max_record = 1 << 20;
	sdc_run_start(&run, "fuzz", &opt, &w);
	sdc_avro_read(&run, &in, o);
	sdc_run_finish(&run);
}

static void
parse_schema(const uint8_t *p, size_t n)
{
	struct sdc_avro_schema s;
	char err[256];

	if (sdc_avro_schema_parse(&s, (const char *)p, n, err, sizeof err) ==
	    0) {
		struct sdc_avro_schema again;

		if (sdc_avro_schema_parse(&again, s.json, strlen(s.json), err,
		    sizeof err) != 0)
			abort();	/* its compact text must parse too */
		sdc_avro_schema_release(&again);
	}
	sdc_avro_schema_release(&s);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct sdc_format *f = sdc_format_find("avro");
	struct sdc_avro_opts o;
	char err[256];

	if (size < 1)
		return 0;
	f->opts_init(&o);
	check_schema = NULL;
	switch (data[0] % 4) {
	case 0:
		break;
	case 1:
		sdc_avro_schema_parse(&o.reader, reader_text,
		    sizeof reader_text - 1, err, sizeof err);
		break;
	case 2:
		o.datums = true;
		sdc_avro_schema_parse(&o.schema, schema_text,
		    sizeof schema_text - 1, err, sizeof err);
		check_schema = &o.schema;
		break;
	default:
		parse_schema(data + 1, size - 1);
		f->opts_release(&o);
		return 0;
	}
	read_avro(&o, data + 1, size - 1);
	f->opts_release(&o);
	return 0;
}
