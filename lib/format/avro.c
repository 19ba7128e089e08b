/*
 * avro: Apache Avro, as object container files (the writer's schema in
 * the header, blocks compressed by a codec, sync markers between them),
 * bare binary datums of a given schema, or datums in Confluent's wire
 * framing (magic byte 0, big-endian schema id) as on Kafka.  Reading is
 * avro-read.c, writing avro-write.c, the schema tree avro-schema.c.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "avro-format.h"
#include "cli.h"
#include "format.h"
#include "banned.h"

static void
opts_init(void *opts)
{
	struct sdc_avro_opts *o = opts;

	memset(o, 0, sizeof *o);
	o->schema_id = -1;
	o->codec = SDC_AVRO_CODEC_NULL;
	o->block_records = 1000;
}

static void
opts_release(void *opts)
{
	struct sdc_avro_opts *o = opts;

	sdc_avro_schema_release(&o->schema);
	sdc_avro_schema_release(&o->reader);
}

static void
load(struct sdc_avro_schema *s, const char *opt, const char *arg)
{
	char err[256];

	sdc_avro_schema_release(s);
	if (sdc_avro_schema_load(s, arg, err, sizeof err) != 0)
		sdc_usage_error("%s: '%s': %s", opt, arg, err);
}

static void
set_schema(void *o, const char *opt, const char *arg)
{
	load(&((struct sdc_avro_opts *)o)->schema, opt, arg);
}

static void
set_reader_schema(void *o, const char *opt, const char *arg)
{
	load(&((struct sdc_avro_opts *)o)->reader, opt, arg);
}

static void
set_datums(void *o, const char *opt, const char *arg)
{
	((struct sdc_avro_opts *)o)->datums = true;
}

static void
set_confluent(void *o, const char *opt, const char *arg)
{
	((struct sdc_avro_opts *)o)->confluent = true;
}

static void
set_schema_dir(void *o, const char *opt, const char *arg)
{
	if (arg[0] == '\0')
		sdc_usage_error("%s: must not be empty", opt);
	((struct sdc_avro_opts *)o)->schema_dir = arg;
}

static void
set_registry(void *o, const char *opt, const char *arg)
{
	if (strncmp(arg, "http://", 7) != 0 && strncmp(arg, "https://", 8) != 0)
		sdc_usage_error("%s: '%s' is not an http:// or https:// URL",
		    opt, arg);
	((struct sdc_avro_opts *)o)->registry = arg;
}

static void
set_schema_id(void *o, const char *opt, const char *arg)
{
	unsigned long id = sdc_parse_count(opt, arg);

	if (id > INT32_MAX)
		sdc_usage_error("%s: '%s' is past 2147483647", opt, arg);
	((struct sdc_avro_opts *)o)->schema_id = (long)id;
}

static void
set_codec(void *o, const char *opt, const char *arg)
{
	static const char *const words[] = {
		"null", "deflate", "snappy", "zstandard", NULL
	};

	((struct sdc_avro_opts *)o)->codec =
	    (enum sdc_avro_codec)sdc_parse_word(opt, arg, words);
}

static void
set_block_records(void *o, const char *opt, const char *arg)
{
	unsigned long n = sdc_parse_count(opt, arg);

	if (n == 0)
		sdc_usage_error("%s: must be at least 1", opt);
	((struct sdc_avro_opts *)o)->block_records = n;
}

static const struct sdc_plugin_option options[] = {
	{ "avro-schema", 0, "FILE",
	  "the schema to write with, or of bare datums", set_schema },
	{ "avro-reader-schema", 0, "FILE",
	  "resolve the writer's schema to this one",
	  set_reader_schema },
	{ "avro-datums", 0, NULL,
	  "bare binary datums, without a container file",
	  set_datums },
	{ "avro-confluent", 0, NULL,
	  "datums framed as Confluent's: byte 0, schema id",
	  set_confluent },
	{ "avro-schema-dir", 0, "DIR",
	  "the schemas of Confluent ids, as DIR/ID.avsc", set_schema_dir },
	{ "avro-registry", 0, "URL",
	  "the schemas of Confluent ids from a registry",
	  set_registry },
	{ "avro-schema-id", 0, "ID",
	  "the Confluent schema id to write",
	  set_schema_id },
	{ "avro-codec", 0, "CODEC",
	  "null, deflate, snappy, zstandard (default null)", set_codec },
	{ "avro-block-records", 0, "N",
	  "records in a container block (default 1000)",
	  set_block_records },
	{ NULL, 0, NULL, NULL, NULL }
};

const struct sdc_format sdc_format_avro = {
	.name = "avro",
	.summary = "Apache Avro container files, bare or Confluent datums",
	.options = options,
	.opts_size = sizeof(struct sdc_avro_opts),
	.opts_init = opts_init,
	.opts_release = opts_release,
	.read = sdc_avro_read,
	.writer = sdc_avro_writer,
};
