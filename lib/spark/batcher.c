/* Batches of records through a backend, results in batch order. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>

#include "batcher.h"
#include "diag.h"
#include "eval.h"
#include "signals.h"
#include "wire.h"
#include "banned.h"

static void
append_frame(struct sdc_buf *b, const struct sdc_frame *f)
{
	if (!sdc_buf_append(b, f->bytes, f->size))
		sdc_errx(SDC_EXIT_IO, "out of memory for a batch");
}

/* The frames of a buffer of whole frames, one by one. */
static bool
next_buffered(const struct sdc_buf *b, size_t *at, struct sdc_frame *f)
{
	uint32_t len;

	if (*at >= b->len)
		return false;
	memcpy(&len, b->data + *at + 1, 4);
	*f = (struct sdc_frame){ .kind = b->data[*at], .bytes = b->data + *at,
		.size = SDC_FRAME_HEADER_LEN + (size_t)len,
		.payload = b->data + *at + SDC_FRAME_HEADER_LEN,
		.payload_len = len };
	*at += f->size;
	return true;
}

static void
forward_passing(struct sdc_spark_batcher *b)
{
	struct sdc_frame f;
	size_t at = 0;

	while (next_buffered(&b->passing, &at, &f))
		sdc_run_forward(b->run, &f);
	sdc_buf_reset(&b->passing);
}

/* transform raised: every record of the batch becomes an error. */
static void
fail_batch(struct sdc_spark_batcher *b, const char *why)
{
	struct sdc_record *r = &b->scratch;
	struct sdc_frame f;
	const char *reason;
	size_t at = 0;

	while (next_buffered(&b->batch, &at, &f)) {
		if (sdc_wire_decode(r, SDC_KIND_DATA, f.payload, f.payload_len,
		    &reason) != 0)
			sdc_run_reject_raw(b->run, "batch", f.payload,
			    f.payload_len, "SDC_BAD_FRAME", "%s", reason);
		else
			sdc_run_reject(b->run, r, SDC_SPARK_BATCH_FAILED,
			    "the transformer failed on this batch: %s", why);
	}
}

static bool
str_is(const struct sdc_str *s, const char *want)
{
	return s->len == strlen(want) && memcmp(s->ptr, want, s->len) == 0;
}

/* An error frame of the results: the transformer's or a failed batch. */
static void
result_error(struct sdc_spark_batcher *b, const struct sdc_frame *f)
{
	struct sdc_record *r = &b->scratch;
	const char *reason;
	char msg[1024];

	if (sdc_wire_decode(r, SDC_KIND_ERROR, f->payload, f->payload_len,
	    &reason) != 0) {
		sdc_run_reject_raw(b->run, "the Spark driver", f->payload,
		    f->payload_len, "SDC_BAD_FRAME", "%s", reason);
		return;
	}
	snprintf(msg, sizeof msg, "%.*s", (int)r->h.error.message.len,
	    r->h.error.message.ptr);
	if (str_is(&r->h.error.code, SDC_SPARK_BATCH_FAILED))
		fail_batch(b, msg);
	else
		sdc_run_reject_record(b->run, r, msg);
}

/* The results of the batch in flight, up to its batch frame. */
static void
take_results(struct sdc_spark_batcher *b)
{
	struct sdc_frame f;

	for (;;) {
		b->be.next(b->be.ctx, &f);
		if (f.kind == SDC_KIND_BATCH)
			break;
		if (f.kind == SDC_KIND_ERROR)
			result_error(b, &f);
		else
			sdc_run_forward(b->run, &f);
	}
	b->in_flight = false;
	sdc_buf_reset(&b->batch);
	b->records = 0;
	sdc_run_batch(b->run);
	/* A batch's results go out now, not when the buffer fills. */
	sdc_out_flush(&b->run->out);
	if (b->run->opt.errors_path != NULL)
		sdc_out_flush(&b->run->errors);
}

static void
run_batch(struct sdc_spark_batcher *b)
{
	forward_passing(b);
	if (b->records == 0)
		return;
	b->in_flight = true;
	b->be.send(b->be.ctx, b->batch.data, b->batch.len, b->records);
	take_results(b);
}

/*
 * A data frame of the input goes to the batch in its canonical encoding
 * or not at all: the Python tasks pass a record that the transformer
 * does not look at through as its bytes (sdc_spark/codec.py), so these
 * must decode, and be what encoding the record again would give.
 */
static bool
add_checked(struct sdc_spark_batcher *b, const struct sdc_frame_reader *fr,
    const struct sdc_frame *f)
{
	struct sdc_record *r = &b->scratch;
	const char *reason;
	char id[512];

	if (sdc_wire_decode(r, SDC_KIND_DATA, f->payload, f->payload_len,
	    &reason) != 0) {
		snprintf(id, sizeof id, "%s:byte %llu", fr->name,
		    (unsigned long long)f->offset);
		sdc_run_reject_raw(b->run, id, f->payload, f->payload_len,
		    "SDC_BAD_FRAME", "byte %llu: %s",
		    (unsigned long long)f->offset, reason);
		return false;
	}
	sdc_buf_reset(&b->canonical);
	if (!sdc_wire_encode(&b->canonical, r, b->run->opt.max_record,
	    &reason))
		sdc_errx(SDC_EXIT_IO, "re-encoding a record: %s", reason);
	if (b->canonical.len == f->size &&
	    memcmp(b->canonical.data, f->bytes, f->size) == 0)
		append_frame(&b->batch, f);
	else if (!sdc_buf_append(&b->batch, b->canonical.data,
	    b->canonical.len))
		sdc_errx(SDC_EXIT_IO, "out of memory for a batch");
	return true;
}

static void
add_record(struct sdc_spark_batcher *b, const struct sdc_frame_reader *fr,
    const struct sdc_frame *f)
{
	if (!add_checked(b, fr, f))
		return;
	if (b->records == 0)
		b->first_at = sdc_uptime();
	b->records++;
	if (b->records >= b->batch_size ||
	    b->batch.len >= SDC_SPARK_MAX_BATCH_BYTES)
		run_batch(b);
}

static void
handle_frame(struct sdc_spark_batcher *b, const struct sdc_frame_reader *fr,
    const struct sdc_frame *f)
{
	b->run->n.bytes_in += f->size;
	if (f->kind == SDC_KIND_DATA) {
		b->run->n.in++;
		add_record(b, fr, f);
	} else if (f->kind == SDC_KIND_BATCH && b->records == 0) {
		forward_passing(b);	/* an empty batch keeps its boundary */
		sdc_run_batch(b->run);
	} else if (f->kind == SDC_KIND_BATCH)
		run_batch(b);
	else if (b->records == 0)
		sdc_run_forward(b->run, f);
	else {
		append_frame(&b->passing, f);
		if (b->passing.len >= SDC_SPARK_MAX_BATCH_BYTES)
			run_batch(b);
	}
}

/*
 * Wait for input: false when the time limit of the records waiting
 * passed first.  The backend's link is watched meanwhile, if it has one.
 */
static bool
input_in_time(struct sdc_spark_batcher *b, const struct sdc_frame_reader *fr)
{
	bool limited = b->batch_seconds > 0 && b->records > 0;
	double deadline = b->first_at + b->batch_seconds, left = 0;
	struct pollfd p[2] = { { fr->fd, POLLIN, 0 },
		{ b->be.watch_fd, POLLIN, 0 } };

	if (sdc_frame_reader_ready(fr) || (!limited && b->be.watch_fd < 0))
		return true;
	while (!limited || (left = deadline - sdc_uptime()) > 0) {
		int n = poll(p, b->be.watch_fd < 0 ? 1 : 2,
		    limited ? (int)(left * 1000) + 1 : -1);

		if (n < 0 && errno == EINTR)
			sdc_signals_poll();
		if (n > 0 && p[1].revents != 0)
			b->be.watch(b->be.ctx);
		else if (n > 0)
			return true;
	}
	return false;
}

void
sdc_spark_batcher_read(struct sdc_spark_batcher *b, const char *path)
{
	struct sdc_frame_reader fr;
	struct sdc_frame f;
	enum sdc_read_status st;

	if (sdc_frame_reader_open(&fr, path, b->run->opt.max_record) != 0) {
		sdc_warn("%s", path);
		sdc_run_fail(b->run, SDC_EXIT_IO);
		return;
	}
	for (;;) {
		while (!input_in_time(b, &fr))
			run_batch(b);
		if ((st = sdc_frame_reader_next(&fr, &f)) != SDC_READ_FRAME)
			break;
		handle_frame(b, &fr, &f);
	}
	if (st != SDC_READ_EOF) {
		sdc_warnx("%s", fr.err);
		sdc_run_fail(b->run, st == SDC_READ_IO ? SDC_EXIT_IO :
		    SDC_EXIT_STREAM);
	}
	sdc_frame_reader_close(&fr);
}

void
sdc_spark_batcher_finish(struct sdc_spark_batcher *b)
{
	if (b->in_flight)
		take_results(b);
	run_batch(b);
	forward_passing(b);
}

void
sdc_spark_batcher_init(struct sdc_spark_batcher *b, struct sdc_run *run,
    const struct sdc_spark_backend *be, unsigned long batch_size,
    double batch_seconds)
{
	size_t max = SDC_SPARK_MAX_BATCH_BYTES + run->opt.max_record +
	    SDC_FRAME_HEADER_LEN;

	memset(b, 0, sizeof(*b));
	b->run = run;
	b->be = *be;
	b->batch_size = batch_size;
	b->batch_seconds = batch_seconds;
	sdc_buf_init(&b->batch, max);
	sdc_buf_init(&b->passing, max);
	sdc_buf_init(&b->canonical, run->opt.max_record + SDC_FRAME_HEADER_LEN);
	sdc_record_init(&b->scratch);
}

void
sdc_spark_batcher_release(struct sdc_spark_batcher *b)
{
	sdc_record_release(&b->scratch);
	sdc_buf_release(&b->batch);
	sdc_buf_release(&b->passing);
	sdc_buf_release(&b->canonical);
}
