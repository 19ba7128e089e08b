/*
 * Records rendered in the sink's --format into memory (sink.h): a run of
 * its own whose output is a buffer that is never written to a file, and
 * whose rejections are noted instead of sent on, since the destination
 * reports them with the record.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "sink.h"
#include "sink-internal.h"
#include "varint.h"
#include "wire.h"
#include "xalloc.h"
#include "banned.h"

struct sdc_render {
	struct sdc_sink	*sink;
	struct sdc_run	 run;
	struct sdc_record scratch;	/* for rendering from frames */
	char		 why[512];
	bool		 finished;
};

struct sdc_render *
sdc_render_new(struct sdc_sink *s)
{
	struct sdc_render *rd = sdc_xcalloc(1, sizeof(*rd));
	const struct sdc_format *f = sdc_sink_format(s);
	struct sdc_out *o = &rd->run.out;

	rd->sink = s;
	sdc_record_init(&rd->scratch);
	rd->run.prog = sdc_sink_run(s)->prog;
	rd->run.opt = sdc_sink_run(s)->opt;
	rd->run.opt.on_error = SDC_ON_ERROR_DISCARD;
	rd->run.opt.errors_path = NULL;
	rd->run.opt.metrics_path = NULL;
	rd->run.opt.dry_run = false;
	rd->run.reject_note = rd->why;
	rd->run.reject_note_len = sizeof rd->why;
	sdc_record_init(&rd->run.scratch);
	o->fd = -1;
	o->name = f != NULL ? f->name : "record stream";
	o->flush_at = SIZE_MAX;		/* the destination takes the bytes */
	sdc_buf_init(&o->buf, 2 * rd->run.opt.max_record +
	    sdc_sink_max_buffer(s));
	if (f != NULL)
		rd->run.writer = f->writer(sdc_sink_format_opts(s));
	else
		sdc_wire_stream_header(&o->buf);
	sdc_out_commit(o);
	return rd;
}

/*
 * A record put without its fields, rendered from its frame by a writer
 * that can: 0 when done, -1 when malformed (why), 1 when not done.
 */
static int
from_frame(struct sdc_render *rd, struct sdc_record *r, const char **why)
{
	size_t checked = 0;
	const struct sdc_frame *f = sdc_sink_frame_of(rd->sink, r, &checked);
	struct sdc_writer *w = rd->run.writer;
	int rc;

	if (f == NULL || w->data_frame == NULL)
		return 1;
	rc = w->data_frame(w, &rd->run, f, checked, &rd->scratch, why);
	if (rc == 0)
		rd->run.n.out++;
	return rc;
}

bool
sdc_render_record(struct sdc_render *rd, struct sdc_record *r,
    const char **why)
{
	struct sdc_out *o = &rd->run.out;
	uint64_t errors = rd->run.n.errors;

	if (rd->run.writer == NULL) {
		const struct sdc_frame *f = sdc_sink_frame_of(rd->sink, r,
		    NULL);

		if (f != NULL) {
			if (!sdc_buf_append(&o->buf, f->bytes, f->size)) {
				*why = "over the render buffer";
				return false;
			}
		} else if (!sdc_wire_encode(&o->buf, r,
		    rd->run.opt.max_record, why)) {
			return false;
		}
		rd->run.out_frames++;
		rd->run.n.out++;
		sdc_out_commit(o);
		return true;
	}
	rd->why[0] = '\0';
	switch (from_frame(rd, r, why)) {
	case 0:
		return true;
	case -1:
		return false;
	}
	if (!sdc_sink_fields(rd->sink, r)) {
		*why = "malformed record";
		return false;
	}
	rd->run.writer->record(rd->run.writer, &rd->run, r);
	if (rd->run.n.errors == errors) {
		rd->run.n.out++;
		return true;
	}
	sdc_out_rollback(o);
	*why = rd->why[0] != '\0' ? rd->why : "cannot be rendered";
	return false;
}

const uint8_t *
sdc_render_bytes(const struct sdc_render *rd, size_t *len)
{
	*len = rd->run.out.committed;
	return rd->run.out.buf.data;
}

void
sdc_render_take(struct sdc_render *rd, size_t n)
{
	struct sdc_out *o = &rd->run.out;

	if (n > o->committed)
		n = o->committed;
	memmove(o->buf.data, o->buf.data + n, o->buf.len - n);
	o->buf.len -= n;
	o->committed -= n;
}

void
sdc_render_finish(struct sdc_render *rd)
{
	struct sdc_out *o = &rd->run.out;
	uint8_t count[SDC_VARINT_MAX];

	if (rd->finished)
		return;
	rd->finished = true;
	if (rd->run.writer == NULL) {
		if (!sdc_wire_frame(&o->buf, SDC_KIND_END, count,
		    sdc_varint_put(count, rd->run.out_frames)))
			sdc_errx(SDC_EXIT_IO, "%s: render buffer limit reached",
			    o->name);
	} else if (rd->run.writer->finish != NULL) {
		rd->run.writer->finish(rd->run.writer, &rd->run);
	}
	sdc_out_commit(o);
}

uint64_t
sdc_render_records(const struct sdc_render *rd)
{
	return rd->run.n.out;
}

void
sdc_render_free(struct sdc_render *rd)
{
	if (rd == NULL)
		return;
	if (rd->run.writer != NULL && rd->run.writer->free != NULL)
		rd->run.writer->free(rd->run.writer);
	sdc_buf_release(&rd->run.out.buf);
	sdc_record_release(&rd->run.scratch);
	sdc_record_release(&rd->scratch);
	free(rd);
}
