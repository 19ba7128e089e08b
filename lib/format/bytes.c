/*
 * Raw bytes, in the manner of the StreamSets whole-file and binary
 * formats: the whole input as one BYTE_ARRAY record, or one record
 * per --chunk-size bytes, at the root or the field --bytes-field (the
 * binary field path of StreamSets' binary format), which output writes.
 * Nothing past the record limit is ever allocated: a larger input
 * becomes one error record.
 */
#include <stdio.h>
#include <stdlib.h>

#include "banned.h"
#include "cli.h"
#include "delimited.h"
#include "diag.h"
#include "format.h"
#include "wire.h"
#include "xalloc.h"

#define BYTES_READ	(64u << 10)

/* Fill buf[0..cap) as far as the input goes: its length, or -1. */
static ssize_t
fill(struct sdc_input *in, uint8_t *buf, size_t cap)
{
	size_t len = 0;

	while (len < cap) {
		ssize_t n = sdc_input_read(in, buf + len, cap - len);

		if (n < 0)
			return -1;
		if (n == 0)
			break;
		len += (size_t)n;
	}
	return (ssize_t)len;
}

struct reading {
	struct sdc_run		*run;
	struct sdc_input	*in;
	const struct sdc_path	*at;	/* where the bytes go */
	struct sdc_record	 rec;
	struct sdc_idbuf	 id;
};

static void
emit(struct reading *g, uint64_t offset, const uint8_t *p, size_t n)
{
	struct sdc_run *run = g->run;
	struct sdc_record *rec = &g->rec;
	const struct sdc_path *at = g->at;
	const char *s = sdc_idbuf_make(&g->id, offset);
	struct sdc_field *slot = &rec->root;

	sdc_run_new_record(run, rec, s, g->id.len);
	if (at->n > 0) {
		sdc_field_container(&rec->root, SDC_MAP);
		slot = sdc_path_set(&rec->arena, &rec->root, at);
	}
	sdc_field_borrow(slot, SDC_BYTE_ARRAY, p, n);
	run->n.in++;
	sdc_run_emit(run, rec);
}

static void
read_chunks(struct reading *g, size_t chunk)
{
	struct sdc_run *run = g->run;
	struct sdc_input *in = g->in;
	uint8_t *buf = sdc_xmalloc(chunk);
	uint64_t offset = 0;
	ssize_t n;

	while ((n = fill(in, buf, chunk)) > 0) {
		emit(g, offset, buf, (size_t)n);
		offset += (uint64_t)n;
	}
	if (n < 0)
		sdc_run_input_error(run, in);
	free(buf);
}

/* Read and drop the rest of an input that is too large. */
static void
drain(struct sdc_run *run, struct sdc_input *in, uint8_t *buf, size_t cap)
{
	ssize_t n;

	while ((n = sdc_input_read(in, buf, cap)) > 0)
		continue;
	if (n < 0)
		sdc_run_input_error(run, in);
}

/* max is the record limit: one byte more tells that it was passed. */
static void
read_whole(struct reading *g, size_t max)
{
	struct sdc_run *run = g->run;
	struct sdc_input *in = g->in;
	struct sdc_buf b;
	ssize_t n = 0;
	size_t want;

	sdc_buf_init(&b, max + 1);
	while ((want = b.max - b.len) > 0) {
		want = want < BYTES_READ ? want : BYTES_READ;
		sdc_buf_reserve(&b, want);
		if ((n = sdc_input_read(in, b.data + b.len, want)) <= 0)
			break;
		b.len += (size_t)n;
	}
	if (n < 0)
		sdc_run_input_error(run, in);
	else if (b.len > max) {
		drain(run, in, b.data, b.len);
		run->n.in++;
		sdc_run_reject_raw(run, sdc_idbuf_make(&g->id, 0), NULL, 0,
		    "BYTES_TOO_LARGE", "%s: input larger than %zu bytes",
		    in->name, max);
	} else
		emit(g, 0, b.data, b.len);
	sdc_buf_release(&b);
}

static void
bytes_read(struct sdc_run *run, struct sdc_input *in, const void *opts)
{
	const struct sdc_bytes_opts *o = opts;
	size_t max = run->opt.max_record ? run->opt.max_record :
	    SDC_DEFAULT_MAX_RECORD;
	struct reading g = { .run = run, .in = in, .at = &o->field };

	if (o->chunk_size > max)
		sdc_errx(SDC_EXIT_USAGE, "chunk size %zu is larger than the "
		    "record limit %zu", o->chunk_size, max);
	sdc_record_init(&g.rec);
	sdc_idbuf_init(&g.id, in->name);
	if (o->chunk_size > 0)
		read_chunks(&g, o->chunk_size);
	else
		read_whole(&g, max);
	sdc_idbuf_release(&g.id);
	sdc_record_release(&g.rec);
}

struct bytes_writer {
	struct sdc_writer	 w;
	const struct sdc_path	*at;
	char			 name[128];	/* of the field, for messages */
};

static void
bytes_record(struct sdc_writer *w, struct sdc_run *run, struct sdc_record *r)
{
	struct bytes_writer *bw = (struct bytes_writer *)w;
	const struct sdc_field *f = sdc_path_get(&r->root, bw->at);

	if (f == NULL) {
		sdc_run_reject(run, r, "BYTES_FIELD", "no field %s: bytes "
		    "output writes it", bw->name);
		return;
	}
	if (f->type != SDC_BYTE_ARRAY && f->type != SDC_STRING) {
		sdc_run_reject(run, r, "BYTES_TYPE", "%s is a %s: bytes "
		    "output takes BYTE_ARRAY or STRING", bw->name,
		    sdc_type_name(f->type));
		return;
	}
	if (f->null) {
		sdc_out_commit(&run->out);
		return;
	}
	if (!sdc_out_reserve(&run->out, f->v.s.len)) {
		sdc_run_reject(run, r, "BYTES_TOO_LARGE",
		    "value larger than the output buffer");
		return;
	}
	sdc_buf_put(&run->out.buf, f->v.s.ptr, f->v.s.len);
	sdc_out_commit(&run->out);
}

static void
bytes_free(struct sdc_writer *w)
{
	free(w);
}

static struct sdc_writer *
bytes_writer(const void *opts)
{
	const struct sdc_bytes_opts *o = opts;
	struct bytes_writer *bw = sdc_xcalloc(1, sizeof(*bw));

	bw->w.record = bytes_record;
	bw->w.free = bytes_free;
	bw->at = &o->field;
	if (o->field.n == 0)
		snprintf(bw->name, sizeof(bw->name), "root");
	else
		sdc_path_text(&o->field, bw->name, sizeof(bw->name));
	return &bw->w;
}

/* Options. */
static void
opts_init(void *opts)
{
	struct sdc_bytes_opts *o = opts;

	o->chunk_size = 0;
	sdc_path_parse(&o->field, "/", NULL, 0);
}

static void
opts_release(void *opts)
{
	sdc_path_release(&((struct sdc_bytes_opts *)opts)->field);
}

static void
set_bytes_field(void *opts, const char *opt, const char *arg)
{
	struct sdc_bytes_opts *o = opts;
	char err[128];

	sdc_path_release(&o->field);
	if (sdc_path_parse(&o->field, arg, err, sizeof err) != 0)
		sdc_usage_error("%s: '%s': %s", opt, arg, err);
}

static void
set_chunk_size(void *o, const char *opt, const char *arg)
{
	((struct sdc_bytes_opts *)o)->chunk_size = sdc_parse_size(opt, arg);
}

static const struct sdc_plugin_option options[] = {
	{ "chunk-size", 0, "SIZE", "one record per SIZE bytes (default: all)",
	  set_chunk_size },
	{ "bytes-field", 0, "PATH", "the field of the bytes (default: root)",
	  set_bytes_field },
	{ NULL, 0, NULL, NULL, NULL }
};

const struct sdc_format sdc_format_bytes = {
	.name = "bytes",
	.summary = "raw bytes: the whole input, or --chunk-size pieces",
	.options = options,
	.opts_size = sizeof(struct sdc_bytes_opts),
	.opts_init = opts_init,
	.opts_release = opts_release,
	.read = bytes_read,
	.writer = bytes_writer,
};
