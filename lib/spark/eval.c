/* Batches of records through the Spark driver, results in batch order. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>

#include "diag.h"
#include "eval.h"
#include "signals.h"
#include "wire.h"
#include "banned.h"

struct evaluator {
	struct sdc_run				*run;
	const struct sdc_spark_eval_options	*o;
	struct sdc_spark_bridge			 bridge;
	bool					 started;
	bool					 in_flight;	/* sent, not all back */
	struct sdc_buf				 batch;	/* its data frames */
	unsigned long				 records;
	double					 first_at;	/* uptime */
	struct sdc_buf				 passing;	/* other frames */
	struct sdc_record			 scratch;
};

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
forward_passing(struct evaluator *e)
{
	struct sdc_frame f;
	size_t at = 0;

	while (next_buffered(&e->passing, &at, &f))
		sdc_run_forward(e->run, &f);
	sdc_buf_reset(&e->passing);
}

/* transform raised: every record of the batch becomes an error. */
static void
fail_batch(struct evaluator *e, const char *why)
{
	struct sdc_record *r = &e->scratch;
	struct sdc_frame f;
	const char *reason;
	size_t at = 0;

	while (next_buffered(&e->batch, &at, &f)) {
		if (sdc_wire_decode(r, SDC_KIND_DATA, f.payload, f.payload_len,
		    &reason) != 0)
			sdc_run_reject_raw(e->run, "batch", f.payload,
			    f.payload_len, "SDC_BAD_FRAME", "%s", reason);
		else
			sdc_run_reject(e->run, r, SDC_SPARK_BATCH_FAILED,
			    "the transformer failed on this batch: %s", why);
	}
}

static bool
str_is(const struct sdc_str *s, const char *want)
{
	return s->len == strlen(want) && memcmp(s->ptr, want, s->len) == 0;
}

/* An error frame from the driver: the transformer's or a failed batch. */
static void
result_error(struct evaluator *e, const struct sdc_frame *f)
{
	struct sdc_record *r = &e->scratch;
	const char *reason;
	char msg[1024];

	if (sdc_wire_decode(r, SDC_KIND_ERROR, f->payload, f->payload_len,
	    &reason) != 0) {
		sdc_run_reject_raw(e->run, "the Spark driver", f->payload,
		    f->payload_len, "SDC_BAD_FRAME", "%s", reason);
		return;
	}
	snprintf(msg, sizeof msg, "%.*s", (int)r->h.error.message.len,
	    r->h.error.message.ptr);
	if (str_is(&r->h.error.code, SDC_SPARK_BATCH_FAILED))
		fail_batch(e, msg);
	else
		sdc_run_reject_record(e->run, r, msg);
}

/* The results of the batch in flight, up to its batch frame. */
static void
take_results(struct evaluator *e)
{
	struct sdc_frame f;

	for (;;) {
		sdc_spark_bridge_next(&e->bridge, &f);
		if (f.kind == SDC_KIND_BATCH)
			break;
		if (f.kind == SDC_KIND_ERROR)
			result_error(e, &f);
		else
			sdc_run_forward(e->run, &f);
	}
	e->in_flight = false;
	sdc_buf_reset(&e->batch);
	e->records = 0;
	sdc_run_batch(e->run);
	/* A batch's results go out now, not when the buffer fills. */
	sdc_out_flush(&e->run->out);
	if (e->run->opt.errors_path != NULL)
		sdc_out_flush(&e->run->errors);
}

static void
run_batch(struct evaluator *e)
{
	forward_passing(e);
	if (e->records == 0)
		return;
	e->in_flight = true;
	sdc_spark_bridge_send(&e->bridge, e->batch.data, e->batch.len);
	take_results(e);
}

static void
add_record(struct evaluator *e, const struct sdc_frame *f)
{
	if (e->records == 0)
		e->first_at = sdc_uptime();
	append_frame(&e->batch, f);
	e->records++;
	if (e->records >= e->o->batch_size ||
	    e->batch.len >= SDC_SPARK_MAX_BATCH_BYTES)
		run_batch(e);
}

static void
handle_frame(struct evaluator *e, const struct sdc_frame *f)
{
	e->run->n.bytes_in += f->size;
	if (f->kind == SDC_KIND_DATA) {
		e->run->n.in++;
		add_record(e, f);
	} else if (f->kind == SDC_KIND_BATCH && e->records == 0) {
		forward_passing(e);	/* an empty batch keeps its boundary */
		sdc_run_batch(e->run);
	} else if (f->kind == SDC_KIND_BATCH)
		run_batch(e);
	else if (e->records == 0)
		sdc_run_forward(e->run, f);
	else {
		append_frame(&e->passing, f);
		if (e->passing.len >= SDC_SPARK_MAX_BATCH_BYTES)
			run_batch(e);
	}
}

/*
 * With a time limit and records waiting: false when the limit passed
 * before input came.
 */
static bool
input_in_time(struct evaluator *e, const struct sdc_frame_reader *fr)
{
	double deadline = e->first_at + e->o->batch_seconds, left;
	struct pollfd p = { fr->fd, POLLIN, 0 };

	if (e->o->batch_seconds <= 0 || e->records == 0 ||
	    sdc_frame_reader_ready(fr))
		return true;
	while ((left = deadline - sdc_uptime()) > 0) {
		int n = poll(&p, 1, (int)(left * 1000) + 1);

		if (n > 0)
			return true;
		if (n < 0 && errno == EINTR)
			sdc_signals_poll();
	}
	return false;
}

static void
read_input(struct evaluator *e, const char *path)
{
	struct sdc_frame_reader fr;
	struct sdc_frame f;
	enum sdc_read_status st;

	if (sdc_frame_reader_open(&fr, path, e->run->opt.max_record) != 0) {
		sdc_warn("%s", path);
		sdc_run_fail(e->run, SDC_EXIT_IO);
		return;
	}
	for (;;) {
		while (!input_in_time(e, &fr))
			run_batch(e);
		if ((st = sdc_frame_reader_next(&fr, &f)) != SDC_READ_FRAME)
			break;
		handle_frame(e, &f);
	}
	if (st != SDC_READ_EOF) {
		sdc_warnx("%s", fr.err);
		sdc_run_fail(e->run, st == SDC_READ_IO ? SDC_EXIT_IO :
		    SDC_EXIT_STREAM);
	}
	sdc_frame_reader_close(&fr);
}

static void
finish(struct evaluator *e)
{
	if (e->in_flight)
		take_results(e);
	run_batch(e);
	forward_passing(e);
	if (e->started)
		sdc_run_fail(e->run, sdc_spark_bridge_close(&e->bridge));
	e->started = false;
}

/* A stop signal: what was read is still transformed and written. */
static void
on_stop(struct sdc_run *run, void *ctx)
{
	(void)run;
	finish(ctx);
}

static void
start_spark(struct evaluator *e)
{
	double t0 = sdc_uptime();

	snprintf(e->run->phase, sizeof e->run->phase, "starting Spark");
	sdc_spark_bridge_start(&e->bridge, &e->o->spark,
	    e->run->opt.max_record);
	e->started = true;
	sdc_spark_bridge_wait_ready(&e->bridge);
	snprintf(e->run->phase, sizeof e->run->phase, "Spark started in %.1f s",
	    sdc_uptime() - t0);
}

void
sdc_spark_eval(struct sdc_run *run, const struct sdc_spark_eval_options *o,
    const char *const *paths)
{
	struct evaluator e;

	memset(&e, 0, sizeof e);
	e.run = run;
	e.o = o;
	sdc_buf_init(&e.batch, SDC_SPARK_MAX_BATCH_BYTES + run->opt.max_record +
	    SDC_FRAME_HEADER_LEN);
	sdc_buf_init(&e.passing, SDC_SPARK_MAX_BATCH_BYTES +
	    run->opt.max_record + SDC_FRAME_HEADER_LEN);
	sdc_record_init(&e.scratch);
	run->on_stop = on_stop;
	run->stop_ctx = &e;
	start_spark(&e);	/* a dry run checks that the transformer starts */
	for (; !run->opt.dry_run && *paths != NULL; paths++)
		read_input(&e, *paths);
	finish(&e);
	run->on_stop = NULL;
	sdc_record_release(&e.scratch);
	sdc_buf_release(&e.batch);
	sdc_buf_release(&e.passing);
}
