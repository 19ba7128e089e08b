/*
 * Reading Avro: container files block by block, or datums one after
 * another (bare, or in Confluent's framing).  A bad block becomes an
 * error record with its byte offset and the reading goes on after the
 * next sync marker; bare datums have no markers, so a bad one ends its
 * input.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "avro-format.h"
#include "delimited.h"
#include "diag.h"
#include "format.h"
#include "run.h"
#include "wire.h"
#include "xalloc.h"
#include "banned.h"

#define READ_CHUNK	(256u << 10)
#define BLOCK_MAX	((size_t)1 << 30)
#define SCHEMAS_MAX	256

struct cached {
	long			 id;
	struct sdc_avro_schema	 s;
};

struct avro_in {
	struct sdc_run			*run;
	struct sdc_input		*in;
	const struct sdc_avro_opts	*o;
	struct sdc_buf			 buf;
	size_t				 pos;
	uint64_t			 base;	/* input offset of buf.data */
	bool				 eof, failed;
	struct sdc_record		 rec;
	struct sdc_idbuf		 id;
	uint64_t			 nrec;
	struct sdc_buf			 block;
	struct sdc_avro_schema		 writer;
	uint8_t				 sync[16];
	enum sdc_avro_codec		 codec;
	struct cached			 cache[SCHEMAS_MAX];
	size_t				 ncache;
};

static uint64_t
offset_of(const struct avro_in *ai, size_t pos)
{
	return ai->base + pos;
}

/* Read more input after what is buffered: false at its end. */
static bool
fill(struct avro_in *ai)
{
	ssize_t n;

	if (ai->eof)
		return false;
	if (ai->pos > 0) {
		memmove(ai->buf.data, ai->buf.data + ai->pos,
		    ai->buf.len - ai->pos);
		ai->buf.len -= ai->pos;
		ai->base += ai->pos;
		ai->pos = 0;
	}
	if (!sdc_buf_reserve(&ai->buf, READ_CHUNK)) {
		ai->eof = true;
		return false;
	}
	n = sdc_input_read(ai->in, ai->buf.data + ai->buf.len,
	    ai->buf.cap - ai->buf.len);
	if (n < 0) {
		sdc_run_input_error(ai->run, ai->in);
		ai->failed = true;
	}
	if (n <= 0) {
		ai->eof = true;
		return false;
	}
	ai->buf.len += (size_t)n;
	return true;
}

static bool
need(struct avro_in *ai, size_t n)
{
	while (ai->buf.len - ai->pos < n)
		if (!fill(ai))
			return false;
	return true;
}

static void
reject(struct avro_in *ai, uint64_t offset, const void *raw, size_t n,
    const char *fmt, ...) SDC_PRINTF(5, 6);

static void
reject(struct avro_in *ai, uint64_t offset, const void *raw, size_t n,
    const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	ai->run->n.in++;
	sdc_run_reject_raw(ai->run, sdc_idbuf_make(&ai->id, ++ai->nrec), raw,
	    n > 4096 ? 4096 : n, "AVRO_READ", "%s: offset %llu: %s",
	    ai->in->name, (unsigned long long)offset, msg);
}

/* Decode one datum at p; SDC_AVRO_OK when emitted. */
static int
datum(struct avro_in *ai, const struct sdc_avro_schema *w,
    const uint8_t **p, const uint8_t *end, char *err, size_t errlen)
{
	const struct sdc_avro_node *r = ai->o->reader.root != NULL ?
	    ai->o->reader.root : w->root;
	struct sdc_avro_dec d = { *p, end, NULL, "", 0 };
	const char *id = sdc_idbuf_make(&ai->id, ai->nrec + 1);
	int rc;

	sdc_run_new_record(ai->run, &ai->rec, id, ai->id.len);
	d.arena = &ai->rec.arena;
	rc = sdc_avro_decode(&d, w->root, r, &ai->rec.root);
	if (rc != SDC_AVRO_OK) {
		snprintf(err, errlen, "%s", rc == SDC_AVRO_SHORT ?
		    "datum runs past the end of its bytes" : d.err);
		return rc;
	}
	ai->nrec++;
	ai->run->n.in++;
	*p = d.p;
	sdc_run_emit(ai->run, &ai->rec);
	return SDC_AVRO_OK;
}

/* Container files. */
static int
get_long(const uint8_t **p, const uint8_t *end, int64_t *v)
{
	static struct sdc_avro_node long_node = { .kind = SDC_AVRO_LONG };
	struct sdc_avro_dec d = { *p, end, NULL, "", 0 };
	struct sdc_field f;
	int rc = sdc_avro_decode(&d, &long_node, &long_node, &f);

	*p = d.p;
	*v = f.v.i;
	return rc;
}

static const struct sdc_str *
meta_get(const struct sdc_field *meta, const char *key)
{
	const struct sdc_field *v = sdc_map_get(meta, key, strlen(key));

	return v != NULL && !v->null ? &v->v.s : NULL;
}

static int
header_meta(struct avro_in *ai, const struct sdc_field *meta, char *err,
    size_t errlen)
{
	const struct sdc_str *schema = meta_get(meta, "avro.schema");
	const struct sdc_str *codec = meta_get(meta, "avro.codec");
	int c = codec == NULL ? SDC_AVRO_CODEC_NULL :
	    sdc_avro_codec_find(codec->ptr, codec->len);
	char why[256];

	if (schema == NULL) {
		snprintf(err, errlen, "no avro.schema in the header");
		return -1;
	}
	if (c < 0) {
		snprintf(err, errlen, "unknown codec '%.*s'", (int)codec->len,
		    codec->ptr);
		return -1;
	}
	ai->codec = (enum sdc_avro_codec)c;
	if (sdc_avro_schema_parse(&ai->writer, schema->ptr, schema->len, why,
	    sizeof why) != 0) {
		snprintf(err, errlen, "bad schema in the header: %s", why);
		return -1;
	}
	return 0;
}

static int
header(struct avro_in *ai, char *err, size_t errlen)
{
	static struct sdc_avro_node bytes = { .kind = SDC_AVRO_BYTES };
	static struct sdc_avro_node map = { .kind = SDC_AVRO_MAP,
	    .items = &bytes };
	struct sdc_arena arena;
	struct sdc_field meta;
	int rc;

	if (!need(ai, 4) || memcmp(ai->buf.data + ai->pos, "Obj\1", 4) != 0) {
		snprintf(err, errlen, "not an Avro container file (no "
		    "\"Obj\\1\"; --avro-datums reads bare datums)");
		return -1;
	}
	sdc_arena_init(&arena);
	for (;;) {
		struct sdc_avro_dec d = { ai->buf.data + ai->pos + 4,
		    ai->buf.data + ai->buf.len, &arena, "", 0 };

		rc = sdc_avro_decode(&d, &map, &map, &meta);
		if (rc == SDC_AVRO_OK &&
		    ai->buf.data + ai->buf.len - d.p >= 16) {
			memcpy(ai->sync, d.p, 16);
			rc = header_meta(ai, &meta, err, errlen);
			ai->pos = (size_t)(d.p + 16 - ai->buf.data);
			break;
		}
		if (rc == SDC_AVRO_BAD || !fill(ai)) {
			snprintf(err, errlen, "bad header: %s",
			    rc == SDC_AVRO_BAD ? d.err : "cut short");
			rc = -1;
			break;
		}
	}
	sdc_arena_release(&arena);
	return rc;
}

static const uint8_t *
find_sync(const uint8_t *p, size_t n, const uint8_t *sync)
{
	const uint8_t *end = p + n;

	while (end - p >= 16) {
		p = memchr(p, sync[0], (size_t)(end - p) - 15);
		if (p == NULL)
			return NULL;
		if (memcmp(p, sync, 16) == 0)
			return p;
		p++;
	}
	return NULL;
}

/* Skip to just past the next sync marker after start: false at the end. */
static bool
resync(struct avro_in *ai, size_t start)
{
	ai->pos = start;
	for (;;) {
		const uint8_t *hit = find_sync(ai->buf.data + ai->pos,
		    ai->buf.len - ai->pos, ai->sync);

		if (hit != NULL) {
			ai->pos = (size_t)(hit - ai->buf.data) + 16;
			return true;
		}
		if (ai->buf.len - ai->pos > 15)
			ai->pos = ai->buf.len - 15;
		if (!fill(ai))
			return false;
	}
}

static void
block_records(struct avro_in *ai, uint64_t offset, int64_t count)
{
	const uint8_t *p = ai->block.data, *end = p + ai->block.len;
	char err[256];

	for (int64_t i = 0; i < count; i++) {
		const uint8_t *start = p;

		if (datum(ai, &ai->writer, &p, end, err, sizeof err) !=
		    SDC_AVRO_OK) {
			reject(ai, offset, start, (size_t)(end - start),
			    "block record %lld of %lld: %s", (long long)i + 1,
			    (long long)count, err);
			return;
		}
	}
	if (p != end)
		reject(ai, offset, p, (size_t)(end - p), "%zu bytes after the "
		    "block's %lld records", (size_t)(end - p),
		    (long long)count);
}

/* One block at ai->pos: false when the input ends. */
static bool
block(struct avro_in *ai)
{
	size_t start, hdr;
	uint64_t offset;
	const uint8_t *p, *end;
	int64_t count = 0, size = 0;
	const char *why;
	int rc;

	need(ai, 20);
	if (ai->pos == ai->buf.len)
		return false;
	start = ai->pos;	/* filling moves the bytes: ai->pos follows */
	offset = offset_of(ai, start);
	p = ai->buf.data + ai->pos;
	end = ai->buf.data + ai->buf.len;
	rc = get_long(&p, end, &count);
	if (rc == SDC_AVRO_OK)
		rc = get_long(&p, end, &size);
	if (rc == SDC_AVRO_SHORT) {
		reject(ai, offset, NULL, 0, "truncated block header");
		return false;
	}
	if (rc != SDC_AVRO_OK) {
		reject(ai, offset, NULL, 0, "bad varint in the block header; "
		    "skipped to the next sync marker");
		return resync(ai, start + 1);
	}
	if (count < 0 || size < 0 || (uint64_t)size > BLOCK_MAX) {
		reject(ai, offset, NULL, 0, "bad block header (count %lld, "
		    "size %lld); skipped to the next sync marker",
		    (long long)count, (long long)size);
		return resync(ai, start + 1);
	}
	hdr = (size_t)(p - (ai->buf.data + start));
	if (!need(ai, hdr + (size_t)size + 16)) {
		reject(ai, offset, NULL, 0, "truncated block: %zu bytes of "
		    "%lld", ai->buf.len - ai->pos - hdr, (long long)size + 16);
		return false;
	}
	start = ai->pos;
	p = ai->buf.data + start + hdr;
	if (memcmp(p + size, ai->sync, 16) != 0) {
		reject(ai, offset, NULL, 0, "wrong sync marker after the block "
		    "of %lld records; skipped to the next sync marker",
		    (long long)count);
		return resync(ai, start + 1);
	}
	ai->block.len = 0;
	why = sdc_avro_uncompress(ai->codec, p, (size_t)size, &ai->block);
	if (why != NULL)
		reject(ai, offset, p, (size_t)size, "%s", why);
	else
		block_records(ai, offset, count);
	ai->pos = start + hdr + (size_t)size + 16;
	return true;
}

static void
read_container(struct avro_in *ai)
{
	char err[300];

	if (header(ai, err, sizeof err) != 0) {
		if (!ai->failed)
			reject(ai, offset_of(ai, ai->pos), NULL, 0, "%s", err);
		return;
	}
	while (block(ai))
		continue;
}

/* Datums, bare or framed. */
static const struct sdc_avro_schema *
confluent_schema(struct avro_in *ai, long id, char *err, size_t errlen)
{
	struct cached *c;

	for (size_t i = 0; i < ai->ncache; i++)
		if (ai->cache[i].id == id)
			return &ai->cache[i].s;
	if (ai->ncache == SCHEMAS_MAX) {
		snprintf(err, errlen, "more than %d schema ids", SCHEMAS_MAX);
		return NULL;
	}
	c = &ai->cache[ai->ncache];
	if (sdc_avro_schema_fetch(ai->o, id, &c->s, err, errlen) != 0)
		return NULL;
	c->id = id;
	ai->ncache++;
	return &c->s;
}

/* The framing at p: the schema it names, or NULL (err says why). */
static const struct sdc_avro_schema *
frame(struct avro_in *ai, const uint8_t **p, const uint8_t *end, char *err,
    size_t errlen, bool *short_input)
{
	long id;

	if (end - *p < 5) {
		*short_input = true;
		return NULL;
	}
	if ((*p)[0] != 0) {
		snprintf(err, errlen, "magic byte %u, not Confluent's 0",
		    (*p)[0]);
		return NULL;
	}
	id = (long)((uint32_t)(*p)[1] << 24 | (uint32_t)(*p)[2] << 16 |
	    (uint32_t)(*p)[3] << 8 | (*p)[4]);
	*p += 5;
	return confluent_schema(ai, id, err, errlen);
}

/* One datum at ai->pos: false when the input ends. */
static bool
next_datum(struct avro_in *ai)
{
	const struct sdc_avro_schema *w = &ai->o->schema;
	char err[300];

	if (ai->pos == ai->buf.len && !fill(ai))
		return false;
	for (;;) {
		const uint8_t *p = ai->buf.data + ai->pos;
		const uint8_t *end = ai->buf.data + ai->buf.len;
		bool cut = false;
		int rc = SDC_AVRO_SHORT;

		err[0] = '\0';
		if (ai->o->confluent)
			w = frame(ai, &p, end, err, sizeof err, &cut);
		if (w != NULL)
			rc = datum(ai, w, &p, end, err, sizeof err);
		else if (!cut)
			rc = SDC_AVRO_BAD;
		if (rc == SDC_AVRO_OK) {
			ai->pos = (size_t)(p - ai->buf.data);
			return true;
		}
		if (rc == SDC_AVRO_BAD || !fill(ai)) {
			reject(ai, offset_of(ai, ai->pos), ai->buf.data +
			    ai->pos, ai->buf.len - ai->pos, "%s%s",
			    rc == SDC_AVRO_BAD ? err : "datum cut short",
			    "; the rest of the input is skipped");
			return false;
		}
	}
}

void
sdc_avro_read(struct sdc_run *run, struct sdc_input *in, const void *opts)
{
	const struct sdc_avro_opts *o = opts;
	struct avro_in *ai;

	if (o->datums && !o->confluent && o->schema.root == NULL)
		sdc_errx(SDC_EXIT_USAGE, "--avro-datums needs --avro-schema");
	if (o->confluent && o->schema_dir == NULL && o->registry == NULL)
		sdc_errx(SDC_EXIT_USAGE, "--avro-confluent needs "
		    "--avro-schema-dir or --avro-registry to read");
	ai = sdc_xcalloc(1, sizeof *ai);
	ai->run = run;
	ai->in = in;
	ai->o = o;
	sdc_buf_init(&ai->buf, BLOCK_MAX + 64);
	sdc_buf_init(&ai->block, BLOCK_MAX);
	sdc_buf_reserve(&ai->block, 1);	/* empty blocks point somewhere */
	sdc_record_init(&ai->rec);
	sdc_idbuf_init(&ai->id, in->name);
	if (o->datums || o->confluent)
		while (next_datum(ai))
			continue;
	else
		read_container(ai);
	for (size_t i = 0; i < ai->ncache; i++)
		sdc_avro_schema_release(&ai->cache[i].s);
	sdc_avro_schema_release(&ai->writer);
	sdc_idbuf_release(&ai->id);
	sdc_record_release(&ai->rec);
	sdc_buf_release(&ai->block);
	sdc_buf_release(&ai->buf);
	free(ai);
}
