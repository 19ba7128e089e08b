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
forward_passing(struct sdc_spark_batcher *b, struct sdc_buf *passing)
{
	struct sdc_frame f;
	size_t at = 0;

	while (next_buffered(passing, &at, &f))
		sdc_run_forward(b->run, &f);
	sdc_buf_reset(passing);
}

/* transform raised: every record of the batch becomes an error. */
static void
fail_batch(struct sdc_spark_batcher *b, const struct sdc_buf *batch,
    const char *why)
{
	struct sdc_record *r = &b->scratch;
	struct sdc_frame f;
	const char *reason;
	size_t at = 0;

	while (next_buffered(batch, &at, &f)) {
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
		fail_batch(b, &b->sent[0].batch, msg);
	else
		sdc_run_reject_record(b->run, r, msg);
}

static void
swap_bufs(struct sdc_buf *x, struct sdc_buf *y)
{
	struct sdc_buf t = *x;

	*x = *y;
	*y = t;
}

/* The oldest batch is all back: the next, if any, becomes the oldest. */
static void
retire_oldest(struct sdc_spark_batcher *b)
{
	sdc_buf_reset(&b->sent[0].batch);
	sdc_buf_reset(&b->sent[0].passing);
	for (unsigned i = 1; i < b->in_flight; i++) {
		swap_bufs(&b->sent[i - 1].batch, &b->sent[i].batch);
		swap_bufs(&b->sent[i - 1].passing, &b->sent[i].passing);
	}
	b->in_flight--;
}

/*
 * The results of the oldest batch out, up to its batch frame; then the
 * frames that came with the next one sent, which go ahead of its own.
 */
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
	sdc_run_batch(b->run);
	retire_oldest(b);
	if (b->in_flight > 0)
		forward_passing(b, &b->sent[0].passing);
	/* A batch's results go out now, not when the buffer fills. */
	sdc_out_flush(&b->run->out);
	if (b->run->opt.errors_path != NULL)
		sdc_out_flush(&b->run->errors);
}

static void
take_all_results(struct sdc_spark_batcher *b)
{
	while (b->in_flight > 0)
		take_results(b);
}

static unsigned
max_in_flight(const struct sdc_spark_batcher *b)
{
	unsigned n = b->be.max_in_flight;

	return n < 1 ? 1 : n > SDC_SPARK_MAX_IN_FLIGHT ?
	    SDC_SPARK_MAX_IN_FLIGHT : n;
}

/* The batch read goes out; its other frames once it is the oldest. */
static void
send_batch(struct sdc_spark_batcher *b)
{
	struct sdc_spark_sent *s = &b->sent[b->in_flight++];

	swap_bufs(&s->batch, &b->batch);
	swap_bufs(&s->passing, &b->passing);
	if (b->in_flight == 1)
		forward_passing(b, &s->passing);
	b->be.send(b->be.ctx, s->batch.data, s->batch.len, b->records);
	b->records = 0;
	while (b->in_flight >= max_in_flight(b))
		take_results(b);
}

/* What was read goes on: as a batch, or its other frames after all else. */
static void
run_batch(struct sdc_spark_batcher *b)
{
	if (b->records > 0) {
		send_batch(b);
		return;
	}
	take_all_results(b);
	forward_passing(b, &b->passing);
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
		run_batch(b);	/* an empty batch keeps its boundary */
		sdc_run_batch(b->run);
	} else if (f->kind == SDC_KIND_BATCH)
		run_batch(b);
	else if (b->records == 0 && b->in_flight == 0)
		sdc_run_forward(b->run, f);
	else {
		append_frame(&b->passing, f);
		if (b->passing.len >= SDC_SPARK_MAX_BATCH_BYTES)
			run_batch(b);
	}
}

static bool
results_awaited(const struct sdc_spark_batcher *b)
{
	return b->in_flight > 0 && b->be.results_fd != NULL;
}

/*
 * Wait for input: false when the time limit of the records waiting
 * passed first.  Meanwhile the results of a batch out are taken as they
 * come, and the backend's link is watched, if it has one.
 */
static bool
input_in_time(struct sdc_spark_batcher *b, const struct sdc_frame_reader *fr)
{
	bool limited = b->batch_seconds > 0 && b->records > 0;
	double deadline = b->first_at + b->batch_seconds, left = 0;
	struct pollfd p[3] = { { fr->fd, POLLIN, 0 },
		{ b->be.watch_fd, POLLIN, 0 }, { -1, POLLIN, 0 } };
	int n;

	for (;;) {
		if (sdc_frame_reader_ready(fr))
			return true;
		if (results_awaited(b) && b->be.results_buffered(b->be.ctx)) {
			take_results(b);
			continue;
		}
		if (!limited && !results_awaited(b) && b->be.watch_fd < 0)
			return true;
		if (limited && (left = deadline - sdc_uptime()) <= 0)
			return false;
		p[2].fd = results_awaited(b) ? b->be.results_fd(b->be.ctx) : -1;
		n = poll(p, 3, limited ? (int)(left * 1000) + 1 : -1);
		if (n < 0 && errno == EINTR)
			sdc_signals_poll();
		if (n <= 0)
			continue;
		if (p[2].revents != 0)
			take_results(b);
		else if (p[1].revents != 0)
			b->be.watch(b->be.ctx);
		else
			return true;
	}
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
	run_batch(b);
	take_all_results(b);
	forward_passing(b, &b->passing);
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
	for (unsigned i = 0; i < SDC_SPARK_MAX_IN_FLIGHT; i++) {
		sdc_buf_init(&b->sent[i].batch, max);
		sdc_buf_init(&b->sent[i].passing, max);
	}
	sdc_buf_init(&b->canonical, run->opt.max_record + SDC_FRAME_HEADER_LEN);
	sdc_record_init(&b->scratch);
}

void
sdc_spark_batcher_release(struct sdc_spark_batcher *b)
{
	sdc_record_release(&b->scratch);
	sdc_buf_release(&b->batch);
	sdc_buf_release(&b->passing);
	for (unsigned i = 0; i < SDC_SPARK_MAX_IN_FLIGHT; i++) {
		sdc_buf_release(&b->sent[i].batch);
		sdc_buf_release(&b->sent[i].passing);
	}
	sdc_buf_release(&b->canonical);
}
