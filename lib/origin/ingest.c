/* Payloads to records, with their metadata: see ingest.h. */
#include <stdio.h>
#include <string.h>

#include "diag.h"
#include "format.h"
#include "ingest.h"
#include "input.h"
#include "loop.h"
#include "banned.h"

static void
batch_if_any(struct sdc_ingest *ing)
{
	struct sdc_run *run = ing->run;

	if (run->out_frames == ing->frames_at_batch || run->opt.dry_run)
		return;
	sdc_run_batch(run);
	ing->frames_at_batch = run->out_frames;
}

static void
on_batch_timer(void *ctx)
{
	struct sdc_ingest *ing = ctx;

	batch_if_any(ing);
	sdc_loop_timer_arm(ing->batch_timer, ing->opt.batch_seconds);
}

static void
set_counters(struct sdc_ingest *ing)
{
	struct sdc_counter *c = ing->counters;

	c[0] = (struct sdc_counter){ "connections", &ing->n.connections };
	c[1] = (struct sdc_counter){ "messages", &ing->n.messages };
	c[2] = (struct sdc_counter){ "message_bytes", &ing->n.bytes };
	c[3] = (struct sdc_counter){ "refused", &ing->n.refused };
	c[4] = (struct sdc_counter){ "retries", &ing->n.retries };
	c[5] = (struct sdc_counter){ "kernel_drops", &ing->n.drops };
	c[6] = (struct sdc_counter){ NULL, NULL };
	ing->run->counters = c;
}

void
sdc_ingest_init(struct sdc_ingest *ing, struct sdc_run *run,
    const struct sdc_ingest_options *opt)
{
	memset(ing, 0, sizeof(*ing));
	ing->run = run;
	ing->opt = *opt;
	ing->loop = sdc_loop_new(run, opt->max_buffer);
	ing->frames_at_batch = run->out_frames;
	set_counters(ing);
	if (opt->batch_seconds > 0) {
		ing->batch_timer = sdc_loop_timer(ing->loop, on_batch_timer,
		    ing);
		sdc_loop_timer_arm(ing->batch_timer, opt->batch_seconds);
	}
}

void
sdc_ingest_release(struct sdc_ingest *ing)
{
	sdc_loop_timer_free(ing->batch_timer);
	sdc_loop_free(ing->loop);
	ing->run->counters = NULL;
	ing->batch_timer = NULL;
	ing->loop = NULL;
}

void
sdc_meta_clear(struct sdc_meta *m)
{
	m->n = 0;
	m->used = 0;
}

void
sdc_meta_add(struct sdc_meta *m, const char *key, const char *value)
{
	size_t len = strlen(value) + 1;
	char *at = m->text + m->used;

	if (m->n == SDC_META_MAX || len > sizeof m->text - m->used) {
		sdc_warnx("attribute %s dropped: too much metadata", key);
		return;
	}
	memcpy(at, value, len);
	m->used += len;
	m->attr[m->n].key = (struct sdc_str){ key, strlen(key) };
	m->attr[m->n].value = (struct sdc_str){ at, len - 1 };
	m->n++;
}

void
sdc_meta_addf(struct sdc_meta *m, const char *key, const char *fmt, ...)
{
	char value[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(value, sizeof value, fmt, ap);
	va_end(ap);
	sdc_meta_add(m, key, value);
}

size_t
sdc_u64_text(char *dst, uint64_t v)
{
	char tmp[20];
	size_t n = 0;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v > 0);
	for (size_t i = 0; i < n; i++)
		dst[i] = tmp[n - 1 - i];
	return n;
}

/* Numbers are most of the metadata: no printf for them. */
void
sdc_meta_add_u64(struct sdc_meta *m, const char *key, uint64_t v)
{
	char text[21];

	text[sdc_u64_text(text, v)] = '\0';
	sdc_meta_add(m, key, text);
}

void
sdc_meta_add_now(struct sdc_meta *m)
{
	sdc_meta_add_received(m, sdc_now_ms());
}

void
sdc_meta_add_received(struct sdc_meta *m, int64_t ms)
{
	sdc_meta_add_u64(m, "receivedAt", ms > 0 ? (uint64_t)ms : 0);
}

static void
after_payload(struct sdc_ingest *ing)
{
	struct sdc_run *run = ing->run;

	run->stamp = NULL;
	run->nstamp = 0;
	if (ing->opt.batch_size > 0 &&
	    run->out_frames - ing->frames_at_batch >= ing->opt.batch_size)
		batch_if_any(ing);
}

void
sdc_ingest_input(struct sdc_ingest *ing, struct sdc_input *in,
    const struct sdc_meta *m)
{
	struct sdc_run *run = ing->run;

	ing->n.messages++;
	if (run->opt.dry_run)
		return;
	run->stamp = m != NULL ? m->attr : NULL;
	run->nstamp = m != NULL ? m->n : 0;
	run->input = in;
	ing->opt.format->read(run, in, ing->opt.format_opts);
	run->input = NULL;
	run->n.bytes_in += in->offset;
	ing->n.bytes += in->offset;
	after_payload(ing);
}

void
sdc_ingest_payload(struct sdc_ingest *ing, const char *name,
    const struct sdc_meta *m, const void *p, size_t n)
{
	struct sdc_input in;

	sdc_input_memory(&in, name, p, n);
	sdc_ingest_input(ing, &in, m);
}

void
sdc_ingest_refuse(struct sdc_ingest *ing, const char *name,
    const struct sdc_meta *m, const void *p, size_t n, const char *code,
    const char *fmt, ...)
{
	struct sdc_run *run = ing->run;
	char msg[512];
	va_list ap;

	ing->n.refused++;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	run->stamp = m != NULL ? m->attr : NULL;
	run->nstamp = m != NULL ? m->n : 0;
	run->n.in++;
	sdc_run_reject_raw(run, name, p, n, code, "%s: %s", name, msg);
	after_payload(ing);
}

void
sdc_ingest_done(struct sdc_ingest *ing)
{
	sdc_loop_stop(ing->loop);
}
