/*
 * The framework of sdc-sink (sink.h): the record stream on standard
 * input into one destination, what is not data passed through, and
 * every record accounted for as delivered, failed or undelivered.
 */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "condition.h"
#include "diag.h"
#include "frame-reader.h"
#include "latency.h"
#include "sink-internal.h"
#include "sink-run.h"
#include "wire.h"
#include "banned.h"

#define CLOCK_EVERY	16	/* records put between readings of the clock */

enum { C_DELIVERED, C_FAILED, C_RETRIED, C_BYTES, C_EVENTS, C_P50, C_P90,
	C_P99, C_UNDELIVERED, C_SKIPPED, C_COUNT };

struct sdc_sink {
	struct sdc_run			*run;
	const struct sdc_sink_options	*opt;
	uint64_t			 c[C_COUNT];
	struct sdc_counter		 counters[C_COUNT + 1];
	struct sdc_latency		 latency;
	uint64_t			 deliveries;	/* calls, for percentiles */
	uint64_t			 taken;		/* records put */
	bool				 header_only;	/* sdc_sink_header_only */
	bool				 lazy_ok;	/* lazy_records, read */
	struct sdc_record		*lazy;		/* put without fields */
	struct sdc_frame		 lazy_frame;	/* its frame */
	size_t				 lazy_header_len; /* of its payload */
	double				 waiting_since;	/* put, not flushed */
	double				 put_uptime;	/* read_clock's */
	int64_t				 put_ms;
	unsigned			 clock_age;	/* records put since */
	bool				 putting;
	bool				 stopping;
};

static const char *const counter_names[C_COUNT] = {
	"delivered", "failed", "retried", "bytes_delivered", "events",
	"latency_ms_p50", "latency_ms_p90", "latency_ms_p99", "undelivered",
	"skipped"
};

struct sdc_run *
sdc_sink_run(const struct sdc_sink *s)
{
	return s->run;
}

const struct sdc_format *
sdc_sink_format(const struct sdc_sink *s)
{
	return s->opt->format;
}

const void *
sdc_sink_format_opts(const struct sdc_sink *s)
{
	return s->opt->format_opts;
}

size_t
sdc_sink_max_buffer(const struct sdc_sink *s)
{
	return s->opt->max_buffer;
}

const struct sdc_retry_policy *
sdc_sink_retry_policy(const struct sdc_sink *s)
{
	return &s->opt->retry;
}

bool
sdc_sink_checking(const struct sdc_sink *s)
{
	return s->opt->check || s->run->opt.dry_run;
}

void
sdc_sink_header_only(struct sdc_sink *s)
{
	s->header_only = true;
}

/*
 * Whether records go to put with their header alone.  In the record
 * stream their frames are then copied as they came (checked by their
 * CRC, as every program passes frames on).  --time-field and --when
 * need the fields here.
 */
static bool
lazy_records(const struct sdc_sink *s)
{
	return s->header_only && s->opt->ntime_paths == 0 &&
	    s->opt->when == NULL;
}

/* A data record --when leaves out: read, counted, not delivered. */
static bool
skipped(struct sdc_sink *s, const struct sdc_record *r)
{
	if (s->opt->when == NULL || sdc_conditions_hold(s->opt->when, r))
		return false;
	s->run->n.in++;
	s->c[C_SKIPPED]++;
	return true;
}

bool
sdc_sink_fields(struct sdc_sink *s, struct sdc_record *r)
{
	const char *reason;

	if (r != s->lazy)
		return true;
	s->lazy = NULL;
	return sdc_wire_decode(r, SDC_KIND_DATA, s->lazy_frame.payload,
	    s->lazy_frame.payload_len, &reason) == 0;
}

const struct sdc_frame *
sdc_sink_frame_of(const struct sdc_sink *s, const struct sdc_record *r,
    size_t *header_len)
{
	if (r != s->lazy)
		return NULL;
	if (header_len != NULL)
		*header_len = s->lazy_header_len;
	return &s->lazy_frame;
}

void
sdc_sink_note_event(struct sdc_sink *s)
{
	s->c[C_EVENTS]++;
}

/* A stop request, taken from the run so that the destination finishes. */
static void
notice_stop(struct sdc_sink *s)
{
	/* Taken before the poll, which would otherwise exit at once. */
	if (!s->stopping && sdc_run_take_stop(s->run) != 0)
		s->stopping = true;
	if (sdc_pending_signal)
		sdc_run_poll(s->run);
}

bool
sdc_sink_stopping(struct sdc_sink *s)
{
	notice_stop(s);
	return s->stopping;
}

static bool
sink_stopping(void *s)
{
	return sdc_sink_stopping(s);
}

bool
sdc_sink_sleep(struct sdc_sink *s, double seconds)
{
	s->clock_age = 0;
	return sdc_retry_sleep(seconds, sink_stopping, s);
}

/* ---------------------------------------------------------------- outcomes */

/* The latency percentiles of the metrics, brought up to date. */
static void
percentiles(struct sdc_sink *s)
{
	s->c[C_P50] = sdc_latency_ms(&s->latency, 50);
	s->c[C_P90] = sdc_latency_ms(&s->latency, 90);
	s->c[C_P99] = sdc_latency_ms(&s->latency, 99);
}

void
sdc_sink_delivered(struct sdc_sink *s, uint64_t records, uint64_t bytes,
    double latency)
{
	s->clock_age = 0;
	s->c[C_DELIVERED] += records;
	s->c[C_BYTES] += bytes;
	s->run->n.out += records;
	sdc_latency_add(&s->latency, latency, records);
	if (++s->deliveries % 256 == 1)
		percentiles(s);
}

void
sdc_sink_failed(struct sdc_sink *s, struct sdc_record *r, const char *code,
    const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	s->c[C_FAILED]++;
	if (r == s->lazy && !sdc_sink_fields(s, r)) {
		sdc_run_reject_raw(s->run, "", s->lazy_frame.payload,
		    s->lazy_frame.payload_len, code, "%s", msg);
		return;
	}
	sdc_run_reject(s->run, r, code, "%s", msg);
}

void
sdc_sink_failed_raw(struct sdc_sink *s, const char *id, const void *payload,
    size_t len, const char *code, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	s->c[C_FAILED]++;
	sdc_run_reject_raw(s->run, id, payload, len, code, "%s", msg);
}

void
sdc_sink_retried(struct sdc_sink *s)
{
	s->clock_age = 0;
	s->c[C_RETRIED]++;
}

/* Now, to the few milliseconds a tick of the coarse clock is, for names. */
static int64_t
coarse_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME_COARSE, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * The coarse clocks for the records put, read again every CLOCK_EVERY
 * records and after whatever may have taken long (a wait for input, a
 * flush, a delivery, a retry, a sleep): they stay within a few of the
 * coarse clock's milliseconds of each record's own reading.
 */
static void
read_clock(struct sdc_sink *s)
{
	struct timespec ts;

	if (s->clock_age-- > 0)
		return;
	s->clock_age = CLOCK_EVERY - 1;
	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	s->put_uptime = (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
	s->put_ms = coarse_now_ms();
}

double
sdc_sink_put_uptime(const struct sdc_sink *s)
{
	return s->put_uptime;
}

/* A time field's milliseconds since the epoch: false for another field. */
static bool
field_time(const struct sdc_field *f, int64_t *ms)
{
	if (f == NULL || f->null)
		return false;
	switch (f->type) {
	case SDC_LONG: *ms = f->v.i; return true;
	case SDC_DATETIME: *ms = f->v.i / 1000; return true;	/* from us */
	case SDC_DATE: *ms = f->v.i * 86400000; return true;	/* from days */
	case SDC_ZONED_DATETIME: *ms = f->v.z.us / 1000; return true;
	default: return false;
	}
}

int64_t
sdc_sink_record_time(const struct sdc_sink *s, const struct sdc_record *r)
{
	const struct sdc_str *a;
	int64_t ms = 0;

	for (size_t i = 0; r != NULL && i < s->opt->ntime_paths; i++)
		if (field_time(sdc_path_get((struct sdc_field *)&r->root,
		    &s->opt->time_paths[i]), &ms))	/* it only reads */
			return ms;
	if (r != NULL && r->h.nattrs > 0 &&
	    (a = sdc_record_attr(r, "receivedAt")) != NULL) {
		size_t i;

		ms = 0;
		for (i = 0; i < a->len && a->ptr[i] >= '0' && a->ptr[i] <= '9' &&
		    ms < INT64_MAX / 10 - 10; i++)
			ms = ms * 10 + (a->ptr[i] - '0');
		if (i == a->len && i > 0)
			return ms;
	}
	return s->putting ? s->put_ms : coarse_now_ms();
}

/* ------------------------------------------------------------------- loop */

static void
bad_frame(struct sdc_sink *s, struct sdc_frame_reader *fr,
    const struct sdc_frame *f, const char *reason)
{
	char id[512];

	snprintf(id, sizeof id, "%s:byte %llu", fr->name,
	    (unsigned long long)f->offset);
	s->run->n.in++;
	sdc_run_reject_raw(s->run, id, f->payload, f->payload_len,
	    "SDC_BAD_FRAME", "byte %llu: %s", (unsigned long long)f->offset,
	    reason);
}

static void
flush(struct sdc_sink *s, const struct sdc_destination *d, void *state)
{
	s->waiting_since = 0;
	s->clock_age = 0;
	if (d->flush != NULL)
		d->flush(state);
}

static void
one_frame(struct sdc_sink *s, const struct sdc_destination *d, void *state,
    struct sdc_frame_reader *fr, const struct sdc_frame *f,
    struct sdc_record *r)
{
	const char *reason;

	s->run->n.bytes_in += f->size;
	if (f->kind == SDC_KIND_BATCH) {
		flush(s, d, state);
		sdc_run_forward(s->run, f);
		return;
	}
	if (f->kind != SDC_KIND_DATA) {
		sdc_run_forward(s->run, f);
		return;
	}
	if ((s->lazy_ok ? sdc_wire_decode_header(r, SDC_KIND_DATA, f->payload,
	    f->payload_len, &s->lazy_header_len, &reason) :
	    sdc_wire_decode(r, SDC_KIND_DATA, f->payload, f->payload_len,
	    &reason)) != 0) {
		bad_frame(s, fr, f, reason);
		return;
	}
	if (skipped(s, r))
		return;
	if (s->lazy_ok) {
		s->lazy = r;
		s->lazy_frame = *f;
	}
	s->run->n.in++;
	s->taken++;
	if (s->waiting_since == 0)
		s->waiting_since = sdc_uptime();
	read_clock(s);
	s->putting = true;
	d->put(state, r);
	s->putting = false;
	s->lazy = NULL;		/* the frame is gone with the next read */
}

/*
 * Seconds until a flush is due, for --flush-ms and what was put or for
 * the destination's own clock (due); -1 when none is.
 */
static double
flush_due(const struct sdc_sink *s, const struct sdc_destination *d,
    void *state)
{
	double due = -1, own = d->due != NULL ? d->due(state) : -1;

	if (s->opt->flush_seconds > 0 && s->waiting_since != 0)
		due = s->waiting_since + s->opt->flush_seconds - sdc_uptime();
	if (due < 0 && s->opt->flush_seconds > 0 && s->waiting_since != 0)
		due = 0;
	if (own >= 0 && (due < 0 || own < due))
		due = own;
	return due;
}

/* Wait for input, flushing when due: false at a stop. */
static bool
wait_input(struct sdc_sink *s, const struct sdc_destination *d, void *state,
    struct sdc_frame_reader *fr)
{
	while (!sdc_frame_reader_ready(fr) && !fr->eof) {
		struct pollfd p = { fr->fd, POLLIN, 0 };
		double due = flush_due(s, d, state);
		int rc;

		if (sdc_sink_stopping(s))
			return false;
		if (due >= 0 && due < 0.001) {
			flush(s, d, state);
			continue;
		}
		/* Events wait for no input: a file-closed starts a job now. */
		if (s->run->out.committed > 0)
			sdc_out_flush(&s->run->out);
		s->clock_age = 0;
		rc = poll(&p, 1, due < 0 ? 1000 : (int)(due * 1000) + 1);
		if (rc < 0 && errno != EINTR)
			sdc_err(SDC_EXIT_IO, "poll");
		if (rc > 0 && sdc_frame_reader_pump(fr) == SDC_READ_IO)
			return true;	/* _next says what */
	}
	return !sdc_sink_stopping(s);
}

static void
read_input(struct sdc_sink *s, const struct sdc_destination *d, void *state)
{
	struct sdc_frame_reader fr;
	struct sdc_frame f;
	struct sdc_record r;
	enum sdc_read_status st = SDC_READ_EOF;

	if (sdc_frame_reader_open(&fr, "-", s->run->opt.max_record) != 0)
		sdc_err(SDC_EXIT_IO, "stdin");
	s->lazy_ok = lazy_records(s);
	sdc_record_init(&r);
	while (wait_input(s, d, state, &fr) &&
	    (st = sdc_frame_reader_next(&fr, &f)) == SDC_READ_FRAME)
		one_frame(s, d, state, &fr, &f, &r);
	if (st != SDC_READ_EOF && st != SDC_READ_FRAME) {
		sdc_warnx("%s", fr.err);
		sdc_run_fail(s->run, st == SDC_READ_IO ? SDC_EXIT_IO :
		    SDC_EXIT_STREAM);
	}
	sdc_record_release(&r);
	sdc_frame_reader_close(&fr);
}

static void
init_counters(struct sdc_sink *s)
{
	for (int i = 0; i < C_COUNT; i++)
		s->counters[i] = (struct sdc_counter){ counter_names[i],
		    &s->c[i] };
	s->counters[C_COUNT] = (struct sdc_counter){ NULL, NULL };
	s->run->counters = s->counters;
}

/* Every record put is delivered or failed, or said to be neither. */
static void
account(struct sdc_sink *s, const char *dest)
{
	uint64_t settled = s->c[C_DELIVERED] + s->c[C_FAILED];

	percentiles(s);
	if (s->taken <= settled)
		return;
	s->c[C_UNDELIVERED] = s->taken - settled;
	sdc_warnx("%s: %llu of %llu records were not delivered", dest,
	    (unsigned long long)s->c[C_UNDELIVERED],
	    (unsigned long long)s->taken);
	sdc_run_fail(s->run, SDC_EXIT_IO);
}

int
sdc_sink_main(const struct sdc_destination *dest, const void *dest_opts,
    const struct sdc_options *opt, const struct sdc_sink_options *so)
{
	struct sdc_sink s;
	struct sdc_run run;
	void *state;

	memset(&s, 0, sizeof s);
	s.opt = so;
	s.run = &run;
	sdc_run_start(&run, sdc_progname(), opt, NULL);
	init_counters(&s);
	state = dest->open(&s, dest_opts);
	if (state != NULL) {
		if (!sdc_sink_checking(&s))
			read_input(&s, dest, state);
		dest->close(state);
	}
	account(&s, dest->name);
	return sdc_run_finish(&run);
}
