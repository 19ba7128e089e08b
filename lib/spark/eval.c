/* The local mode: batches through a Spark driver of our own. */
#include <stdio.h>
#include <string.h>

#include "batcher.h"
#include "eval.h"
#include "banned.h"

struct evaluator {
	struct sdc_run			*run;
	struct sdc_spark_bridge		 bridge;
	bool				 started;
	struct sdc_spark_batcher	 batcher;
};

static void
send_batch(void *ctx, const void *frames, size_t len, unsigned long records)
{
	struct evaluator *e = ctx;

	(void)records;
	sdc_spark_bridge_send(&e->bridge, frames, len);
}

static void
next_result(void *ctx, struct sdc_frame *f)
{
	struct evaluator *e = ctx;

	sdc_spark_bridge_next(&e->bridge, f);
}

static int
results_fd(void *ctx)
{
	struct evaluator *e = ctx;

	return e->bridge.from_driver.fd;
}

static bool
results_buffered(void *ctx)
{
	struct evaluator *e = ctx;

	return sdc_frame_reader_ready(&e->bridge.from_driver);
}

static void
finish(struct evaluator *e)
{
	sdc_spark_batcher_finish(&e->batcher);
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

void
sdc_spark_start(struct sdc_run *run, struct sdc_spark_bridge *b,
    const struct sdc_spark_config *c, bool *started)
{
	double t0 = sdc_uptime();

	snprintf(run->phase, sizeof run->phase, "starting Spark");
	sdc_spark_bridge_start(b, c, run->opt.max_record);
	*started = true;	/* from now on a stop must stop the driver */
	sdc_spark_bridge_wait_ready(b);
	run->ready = sdc_uptime();
	snprintf(run->phase, sizeof run->phase, "Spark started in %.1f s",
	    run->ready - t0);
}

void
sdc_spark_eval(struct sdc_run *run, const struct sdc_spark_eval_options *o,
    const char *const *paths)
{
	struct evaluator e;
	/* The driver works on a batch while the one before is collected. */
	struct sdc_spark_backend be = { .ctx = &e, .send = send_batch,
		.next = next_result, .watch_fd = -1, .max_in_flight = 2,
		.results_fd = results_fd, .results_buffered = results_buffered };

	memset(&e, 0, sizeof e);
	e.run = run;
	sdc_spark_batcher_init(&e.batcher, run, &be, o->batch_size,
	    o->batch_seconds);
	run->on_stop = on_stop;
	run->stop_ctx = &e;
	/* A dry run checks that the transformer starts. */
	sdc_spark_start(run, &e.bridge, &o->spark, &e.started);
	for (; !run->opt.dry_run && *paths != NULL; paths++)
		sdc_spark_batcher_read(&e.batcher, *paths);
	finish(&e);
	run->on_stop = NULL;
	sdc_spark_batcher_release(&e.batcher);
}
