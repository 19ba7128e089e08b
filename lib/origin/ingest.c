/* Payloads to records, with their metadata: see ingest.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "format.h"
#include "ingest.h"
#include "input.h"
#include "loop.h"
#include "xalloc.h"
#include "banned.h"

static void
batch_if_any(struct sdc_ingest_hub *hub)
{
	struct sdc_run *run = hub->run;

	if (run->out_frames == hub->frames_at_batch || run->opt.dry_run)
		return;
	sdc_run_batch(run);
	hub->frames_at_batch = run->out_frames;
}

static void
on_batch_timer(void *ctx)
{
	struct sdc_ingest_hub *hub = ctx;

	batch_if_any(hub);
	sdc_loop_timer_arm(hub->batch_timer, hub->opt.batch_seconds);
}

/* The counts of n as counters, in the order of names. */
static const char *const total_names[] = { "connections", "messages",
	"message_bytes", "refused", "retries", "kernel_drops" };
/* An origin's own: messages first, the one the status line shows. */
static const char *const origin_names[] = { "messages", "message_bytes",
	"connections", "refused", "retries", "kernel_drops" };

static const uint64_t *
count_named(const struct sdc_origin_counts *n, const char *name)
{
	const uint64_t *v[] = { &n->connections, &n->messages, &n->bytes,
		&n->refused, &n->retries, &n->drops };

	for (size_t i = 0; i < SDC_INGEST_COUNTERS; i++)
		if (strcmp(total_names[i], name) == 0)
			return v[i];
	return NULL;
}

static void
set_counters(struct sdc_counter *c, const struct sdc_origin_counts *n,
    const char *const *names)
{
	for (size_t i = 0; i < SDC_INGEST_COUNTERS; i++)
		c[i] = (struct sdc_counter){ names[i], count_named(n, names[i]) };
	c[SDC_INGEST_COUNTERS] = (struct sdc_counter){ NULL, NULL };
}

static void
add_counts(struct sdc_origin_counts *to, const struct sdc_origin_counts *n)
{
	to->connections += n->connections;
	to->messages += n->messages;
	to->bytes += n->bytes;
	to->refused += n->refused;
	to->retries += n->retries;
	to->drops += n->drops;
}

static void
tally(void *ctx)
{
	struct sdc_ingest_hub *hub = ctx;

	memset(&hub->total, 0, sizeof hub->total);
	for (size_t i = 0; i < hub->n; i++)
		add_counts(&hub->total, &hub->origins[i]->n);
}

void
sdc_ingest_hub_init(struct sdc_ingest_hub *hub, struct sdc_run *run,
    const struct sdc_ingest_options *opt)
{
	memset(hub, 0, sizeof(*hub));
	hub->run = run;
	hub->opt = *opt;
	hub->loop = sdc_loop_new(run, opt->max_buffer);
	hub->frames_at_batch = run->out_frames;
	set_counters(hub->counters, &hub->total, total_names);
	run->counters = hub->counters;
	run->tally = tally;
	run->tally_ctx = hub;
	if (opt->batch_seconds > 0) {
		hub->batch_timer = sdc_loop_timer(hub->loop, on_batch_timer,
		    hub);
		sdc_loop_timer_arm(hub->batch_timer, opt->batch_seconds);
	}
}

/* With a second origin, each one's counts are shown as well. */
static void
add_part(struct sdc_ingest_hub *hub, struct sdc_ingest *ing, const char *name)
{
	struct sdc_run *run = hub->run;

	hub->parts = sdc_xreallocarray(hub->parts, hub->n + 2,
	    sizeof(*hub->parts));
	hub->parts[hub->n] = (struct sdc_counter_set){ name, ing->counters };
	hub->parts[hub->n + 1] = (struct sdc_counter_set){ NULL, NULL };
	if (hub->n > 0) {
		run->parts = hub->parts;
		run->parts_key = "origins";
	}
}

void
sdc_ingest_init(struct sdc_ingest *ing, struct sdc_ingest_hub *hub,
    const struct sdc_format *format, const void *format_opts,
    const char *name)
{
	memset(ing, 0, sizeof(*ing));
	ing->hub = hub;
	ing->run = hub->run;
	ing->loop = hub->loop;
	ing->opt = hub->opt;
	ing->opt.format = format;
	ing->opt.format_opts = format_opts;
	set_counters(ing->counters, &ing->n, origin_names);
	add_part(hub, ing, name);
	hub->origins = sdc_xreallocarray(hub->origins, hub->n + 1,
	    sizeof(*hub->origins));
	hub->origins[hub->n++] = ing;
}

void
sdc_ingest_hub_release(struct sdc_ingest_hub *hub)
{
	struct sdc_run *run = hub->run;

	sdc_loop_timer_free(hub->batch_timer);
	sdc_loop_free(hub->loop);
	run->counters = NULL;
	run->parts = NULL;
	run->tally = NULL;
	free(hub->origins);
	free(hub->parts);
	hub->origins = NULL;
	hub->parts = NULL;
	hub->batch_timer = NULL;
	hub->loop = NULL;
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
	struct sdc_ingest_hub *hub = ing->hub;
	struct sdc_run *run = ing->run;

	run->stamp = NULL;
	run->nstamp = 0;
	if (hub->opt.batch_size > 0 &&
	    run->out_frames - hub->frames_at_batch >= hub->opt.batch_size)
		batch_if_any(hub);
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
	struct sdc_ingest_hub *hub = ing->hub;

	if (ing->done)
		return;
	ing->done = true;
	if (++hub->done == hub->n)
		sdc_loop_stop(hub->loop);
}
