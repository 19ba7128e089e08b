/*
 * Writing Avro: a container file (header with the schema, the codec and
 * a random sync marker, then blocks of --avro-block-records records),
 * or each record a bare datum, or one in Confluent's framing.  The
 * schema is --avro-schema's, or derived from the first record.  A
 * record that does not fit it becomes an error record naming the field.
 * Blocks are compressed on a thread of their own (avro-pack.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "avro-format.h"
#include "diag.h"
#include "format.h"
#include "run.h"
#include "varint.h"
#include "xalloc.h"
#include "banned.h"

#define BLOCK_BYTES	(4u << 20)	/* a block is written past this */
#define DATUM_MAX	((size_t)1 << 30)

struct avro_writer {
	struct sdc_writer		 w;
	const struct sdc_avro_opts	*o;
	struct sdc_avro_schema		 derived;
	const struct sdc_avro_schema	*schema;	/* NULL until known */
	bool				 started;
	uint8_t				 sync[16];
	struct sdc_buf			 block, packed;
	uint64_t			 count;		/* in block */
	struct sdc_avro_packer		*packer;	/* codecs but null */
	char				 err[512];
};

static void
put_long(struct sdc_out *out, int64_t v)
{
	uint8_t tmp[SDC_VARINT_MAX];

	sdc_out_write(out, tmp, sdc_varint_put(tmp, sdc_zigzag(v)));
}

static void
put_string(struct sdc_out *out, const char *s, size_t n)
{
	put_long(out, (int64_t)n);
	sdc_out_write(out, s, n);
}

static void
random_sync(uint8_t *sync)
{
	if (getentropy(sync, 16) != 0) {
		for (int i = 0; i < 16; i++)
			sync[i] = (uint8_t)rand();
	}
}

static void
header(struct avro_writer *aw, struct sdc_run *run)
{
	const char *codec = sdc_avro_codec_name(aw->o->codec);

	sdc_out_write(&run->out, "Obj\1", 4);
	put_long(&run->out, 2);
	put_string(&run->out, "avro.schema", 11);
	put_string(&run->out, aw->schema->json, strlen(aw->schema->json));
	put_string(&run->out, "avro.codec", 10);
	put_string(&run->out, codec, strlen(codec));
	put_long(&run->out, 0);
	random_sync(aw->sync);
	sdc_out_write(&run->out, aw->sync, 16);
	sdc_out_commit(&run->out);
}

static void
start(struct avro_writer *aw, struct sdc_run *run, const struct sdc_field *f)
{
	aw->started = true;
	if (aw->o->schema.root != NULL)
		aw->schema = &aw->o->schema;
	else {
		sdc_avro_schema_derive(&aw->derived, f);
		aw->schema = &aw->derived;
	}
	if (!aw->o->datums && !aw->o->confluent)
		header(aw, run);
}

static void
emit_block(struct avro_writer *aw, struct sdc_run *run,
    const struct sdc_buf *packed, uint64_t count)
{
	put_long(&run->out, (int64_t)count);
	put_long(&run->out, (int64_t)packed->len);
	sdc_out_write(&run->out, packed->data, packed->len);
	sdc_out_write(&run->out, aw->sync, 16);
	sdc_out_commit(&run->out);
}

/* The block compressed on the packer's thread is out: write it. */
static void
emit_packed(struct avro_writer *aw, struct sdc_run *run)
{
	const struct sdc_buf *packed;
	uint64_t count;

	if (aw->packer != NULL &&
	    sdc_avro_packer_take(aw->packer, &packed, &count))
		emit_block(aw, run, packed, count);
}

static void
flush_block(struct avro_writer *aw, struct sdc_run *run)
{
	const char *why;

	if (aw->count == 0)
		return;
	if (aw->o->codec != SDC_AVRO_CODEC_NULL) {
		if (aw->packer == NULL)
			aw->packer = sdc_avro_packer_new(aw->o->codec,
			    DATUM_MAX);
		emit_packed(aw, run);
		sdc_avro_packer_give(aw->packer, &aw->block, aw->count);
		aw->count = 0;
		return;
	}
	why = sdc_avro_compress(aw->o->codec, aw->block.data, aw->block.len,
	    &aw->packed);
	if (why != NULL)
		sdc_errx(SDC_EXIT_IO, "avro: %s", why);
	emit_block(aw, run, &aw->packed, aw->count);
	sdc_buf_reset(&aw->block);
	aw->count = 0;
}

static void
write_datum(struct avro_writer *aw, struct sdc_run *run)
{
	uint8_t frame[5] = { 0 };
	long id = aw->o->schema_id;

	if (aw->o->confluent) {
		for (int i = 0; i < 4; i++)
			frame[1 + i] = (uint8_t)((unsigned long)id >>
			    (24 - 8 * i));
		sdc_out_write(&run->out, frame, 5);
	}
	sdc_out_write(&run->out, aw->block.data, aw->block.len);
	sdc_out_commit(&run->out);
	sdc_buf_reset(&aw->block);
}

static void
write_record(struct sdc_writer *w, struct sdc_run *run, struct sdc_record *r)
{
	struct avro_writer *aw = (struct avro_writer *)w;
	const char *why;

	if (!aw->started)
		start(aw, run, &r->root);
	why = sdc_avro_encode(&aw->block, aw->schema->root, &r->root, aw->err,
	    sizeof aw->err);
	if (why != NULL) {
		sdc_run_reject(run, r, "AVRO_WRITE", "%.*s: %s",
		    (int)r->h.id.len, r->h.id.ptr, why);
		return;
	}
	if (aw->o->datums || aw->o->confluent) {
		write_datum(aw, run);
		return;
	}
	if (++aw->count >= aw->o->block_records ||
	    aw->block.len >= BLOCK_BYTES)
		flush_block(aw, run);
}

/* A container file even without records, when the schema is known. */
static void
write_finish(struct sdc_writer *w, struct sdc_run *run)
{
	struct avro_writer *aw = (struct avro_writer *)w;

	if (!aw->started && aw->o->schema.root != NULL)
		start(aw, run, NULL);
	flush_block(aw, run);
	emit_packed(aw, run);
}

static void
writer_free(struct sdc_writer *w)
{
	struct avro_writer *aw = (struct avro_writer *)w;

	sdc_avro_packer_free(aw->packer);
	sdc_avro_schema_release(&aw->derived);
	sdc_buf_release(&aw->block);
	sdc_buf_release(&aw->packed);
	free(aw);
}

struct sdc_writer *
sdc_avro_writer(const void *opts)
{
	const struct sdc_avro_opts *o = opts;
	struct avro_writer *aw;

	if (o->confluent && o->schema_id < 0)
		sdc_errx(SDC_EXIT_USAGE, "--avro-confluent needs "
		    "--avro-schema-id to write");
	aw = sdc_xcalloc(1, sizeof *aw);
	aw->o = o;
	sdc_buf_init(&aw->block, DATUM_MAX);
	sdc_buf_init(&aw->packed, DATUM_MAX * 2);
	sdc_buf_reserve(&aw->block, 1);	/* empty datums point somewhere */
	sdc_buf_reserve(&aw->packed, 1);
	aw->w.record = write_record;
	aw->w.finish = write_finish;
	aw->w.free = writer_free;
	return &aw->w;
}
