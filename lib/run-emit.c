/* Where records go: the output, the --errors file, or a format writer. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "diag.h"
#include "format.h"
#include "run.h"
#include "wire.h"
#include "banned.h"

static void deliver_error(struct sdc_run *, struct sdc_record *);

/* Borrows id and the program name: this runs once per record. */
void
sdc_run_new_record(struct sdc_run *run, struct sdc_record *r, const char *id,
    size_t id_len)
{
	struct sdc_header *h = &r->h;

	sdc_record_clear(r, SDC_KIND_DATA);
	h->id.ptr = id;
	h->id.len = id_len;
	h->cap_stages = 4;
	h->stages = sdc_arena_alloc(&r->arena, 4 * sizeof(*h->stages));
	h->stages[0].ptr = run->prog;
	h->stages[0].len = strlen(run->prog);
	h->nstages = 1;
}

/*
 * A record that cannot be encoded (too large, too deep) travels on as
 * an error record without its body.
 */
static void
encode_failed(struct sdc_run *run, struct sdc_record *r, const char *reason)
{
	char msg[256];

	snprintf(msg, sizeof msg, "%s (limit %zu bytes, see "
	    "--max-record-size)", reason, run->opt.max_record);
	if (r->kind == SDC_KIND_ERROR && r->root.null) {
		sdc_warnx("%.*s: error record dropped: %s", (int)r->h.id.len,
		    r->h.id.ptr, msg);
		sdc_run_fail(run, SDC_EXIT_DATA);
		return;
	}
	sdc_field_null(&r->root, r->root.type);
	if (r->kind != SDC_KIND_ERROR) {
		sdc_run_reject(run, r, "SDC_TOO_LARGE", "%s", msg);
		return;
	}
	r->h.error.message.ptr = msg;
	r->h.error.message.len = strlen(msg);
	deliver_error(run, r);
}

static void
encode(struct sdc_run *run, struct sdc_out *o, uint64_t *frames,
    struct sdc_record *r)
{
	const char *reason;

	if (!sdc_wire_encode(&o->buf, r, run->opt.max_record, &reason)) {
		encode_failed(run, r, reason);
		return;
	}
	(*frames)++;
	sdc_out_commit(o);
}

static void
report_error(struct sdc_run *run, const struct sdc_record *r)
{
	sdc_warnx("error record from %.*s: %.*s",
	    (int)r->h.error.stage.len, r->h.error.stage.ptr,
	    (int)r->h.error.message.len, r->h.error.message.ptr);
}

/* Where the payload came from, as the program said (an origin's). */
static void
stamp(const struct sdc_run *run, struct sdc_record *r)
{
	if (run->nstamp > 0)
		sdc_record_borrow_attrs(r, run->stamp, run->nstamp);
}

static void
deliver_error(struct sdc_run *run, struct sdc_record *r)
{
	stamp(run, r);
	if (run->opt.errors_path != NULL)
		encode(run, &run->errors, &run->err_frames, r);
	else if (run->writer == NULL)
		encode(run, &run->out, &run->out_frames, r);
	else if (run->writer->error != NULL)
		run->writer->error(run->writer, run, r);
	else
		report_error(run, r);
}

static void
deliver_data(struct sdc_run *run, struct sdc_record *r)
{
	uint64_t errors = run->n.errors;

	stamp(run, r);
	if (run->writer == NULL)
		encode(run, &run->out, &run->out_frames, r);
	else
		run->writer->record(run->writer, run, r);
	if (run->n.errors == errors)
		run->n.out++;
}

void
sdc_run_emit(struct sdc_run *run, struct sdc_record *r)
{
	if (sdc_pending_signal)
		sdc_run_poll(run);
	if (run->opt.dry_run)
		return;
	switch (r->kind) {
	case SDC_KIND_DATA:
		deliver_data(run, r);
		break;
	case SDC_KIND_ERROR:
		run->n.passed++;
		deliver_error(run, r);
		break;
	default:
		run->n.passed++;
		if (run->writer == NULL)
			encode(run, &run->out, &run->out_frames, r);
		else if (run->writer->event != NULL)
			run->writer->event(run->writer, run, r);
		break;
	}
}

int
sdc_run_emit_frame(struct sdc_run *run, const struct sdc_frame *f,
    struct sdc_record *scratch, const char **reason)
{
	int rc;

	if (run->writer == NULL || run->writer->data_frame == NULL)
		return 1;
	if (sdc_pending_signal)
		sdc_run_poll(run);
	if (run->opt.dry_run)
		return 0;
	rc = run->writer->data_frame(run->writer, run, f, 0, scratch, reason);
	if (rc == 0)
		run->n.out++;
	return rc;
}

bool
sdc_run_emit_row(struct sdc_run *run, const struct sdc_row_layout *l,
    const char *id, size_t id_len, const uint8_t *line, const size_t *ends,
    size_t ncells)
{
	if (run->writer != NULL || run->nstamp > 0)
		return false;
	if (sdc_pending_signal)
		sdc_run_poll(run);
	if (run->opt.dry_run)
		return true;
	if (!sdc_wire_encode_row(&run->out.buf, l, id, id_len, line, ends,
	    ncells, run->opt.max_record))
		return false;
	run->out_frames++;
	run->n.out++;
	sdc_out_commit(&run->out);
	return true;
}

static void
copy_frame(struct sdc_out *o, uint64_t *frames, const struct sdc_frame *f)
{
	sdc_out_write(o, f->bytes, f->size);
	(*frames)++;
	sdc_out_commit(o);
}

static void
forward(struct sdc_run *run, const struct sdc_frame *f)
{
	if (run->opt.dry_run)
		return;
	if (f->kind == SDC_KIND_DATA)
		run->n.out++;
	else
		run->n.passed++;
	if (f->kind == SDC_KIND_ERROR && run->opt.errors_path != NULL)
		copy_frame(&run->errors, &run->err_frames, f);
	else if (run->writer == NULL)
		copy_frame(&run->out, &run->out_frames, f);
	else if (run->writer->frame != NULL)
		run->writer->frame(run->writer, run, f);
}

/*
 * A stop is acted on after the frame is out: its handler may read on
 * from where f came (a batch's results), and f must not be lost.
 */
void
sdc_run_forward(struct sdc_run *run, const struct sdc_frame *f)
{
	forward(run, f);
	if (sdc_pending_signal)
		sdc_run_poll(run);
}

void
sdc_run_batch(struct sdc_run *run)
{
	struct sdc_frame f = { .kind = SDC_KIND_BATCH };
	uint8_t bytes[SDC_FRAME_HEADER_LEN];
	struct sdc_buf b = { bytes, 0, sizeof bytes, sizeof bytes };

	sdc_wire_frame(&b, SDC_KIND_BATCH, NULL, 0);
	f.bytes = bytes;
	f.size = sizeof bytes;
	f.payload = bytes + SDC_FRAME_HEADER_LEN;
	forward(run, &f);
	if (!run->opt.dry_run)
		run->n.passed--;	/* made here, not passed through */
	if (sdc_pending_signal)
		sdc_run_poll(run);
}

static void
vreject(struct sdc_run *run, struct sdc_record *r, const char *code,
    const char *fmt, va_list ap)
{
	char msg[1024];

	vsnprintf(msg, sizeof msg, fmt, ap);
	if (run->opt.on_error == SDC_ON_ERROR_PASS && !run->opt.dry_run)
		sdc_record_make_error(r, run->prog, code, msg);
	sdc_run_reject_record(run, r, msg);
}

void
sdc_run_reject_record(struct sdc_run *run, struct sdc_record *r,
    const char *msg)
{
	run->n.errors++;
	if (run->reject_note != NULL)
		snprintf(run->reject_note, run->reject_note_len, "%s", msg);
	if (run->opt.on_error == SDC_ON_ERROR_DISCARD || run->opt.dry_run)
		return;
	if (run->opt.on_error == SDC_ON_ERROR_STOP)
		sdc_errx(SDC_EXIT_DATA, "%s", msg);
	deliver_error(run, r);
}

void
sdc_run_reject(struct sdc_run *run, struct sdc_record *r, const char *code,
    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreject(run, r, code, fmt, ap);
	va_end(ap);
}

void
sdc_run_reject_raw(struct sdc_run *run, const char *id, const void *raw,
    size_t n, const char *code, const char *fmt, ...)
{
	struct sdc_record *r = &run->scratch;
	va_list ap;

	sdc_run_new_record(run, r, id, strlen(id));
	sdc_field_borrow(&r->root, SDC_BYTE_ARRAY, raw, n);
	va_start(ap, fmt);
	vreject(run, r, code, fmt, ap);
	va_end(ap);
}
