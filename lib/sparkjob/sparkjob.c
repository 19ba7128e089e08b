/*
 * The framework of sdc-sparkjob (sparkjob.h): the record stream on
 * standard input passed through, each event that matches launched by
 * the workers, and every launch accounted for.
 */
#define _GNU_SOURCE	/* pipe2 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <curl/curl.h>

#include "diag.h"
#include "frame-reader.h"
#include "match.h"
#include "sparkjob-internal.h"
#include "wire.h"
#include "banned.h"

static const char *const counter_names[C_COUNT] = {
	"launches", "submitted", "succeeded", "failed", "retried", "queued",
	"running"
};

static void
init_counters(struct sdc_sparkjob *j)
{
	for (int i = 0; i < C_COUNT; i++)
		j->counters[i] = (struct sdc_counter){ counter_names[i],
		    &j->c[i] };
	j->counters[C_COUNT] = (struct sdc_counter){ NULL, NULL };
	j->run->counters = j->counters;
}

/* A stop request, taken from the run so that launches end properly. */
static bool
notice_stop(struct sdc_sparkjob *j)
{
	if (!atomic_load(&j->stopping) && sdc_run_take_stop(j->run) != 0) {
		atomic_store(&j->stopping, true);
		pthread_mutex_lock(&j->lock);
		pthread_cond_broadcast(&j->work);
		pthread_mutex_unlock(&j->lock);
	}
	if (sdc_pending_signal)
		sdc_run_poll(j->run);
	return atomic_load(&j->stopping);
}

/*
 * Wait for the workers' reports and, when in is not NULL and the queue
 * has room, for input; write the reports.  At most timeout seconds.
 */
static void
wait_some(struct sdc_sparkjob *j, struct sdc_frame_reader *in,
    double timeout)
{
	struct pollfd p[2] = { { j->wake[0], POLLIN, 0 }, { -1, POLLIN, 0 } };
	char buf[256];
	int rc;

	if (in != NULL)
		p[1].fd = in->fd;
	/* Events wait for no input: an app-submitted goes out now. */
	if (j->run->out.committed > 0)
		sdc_out_flush(&j->run->out);
	rc = poll(p, 2, (int)(timeout * 1000));
	if (rc < 0 && errno != EINTR)
		sdc_err(SDC_EXIT_IO, "poll");
	/* The wake-ups are read here, where they wake, not per frame. */
	if (rc > 0 && (p[0].revents & POLLIN))
		while (read(j->wake[0], buf, sizeof buf) > 0)
			;
	sdc_sparkjob_drain(j);
	if (in != NULL && rc > 0 && (p[1].revents & (POLLIN | POLLHUP)))
		(void)sdc_frame_reader_pump(in);	/* _next says more */
}

/* Wait until a frame can be read without blocking: false at a stop. */
static bool
wait_input(struct sdc_sparkjob *j, struct sdc_frame_reader *fr)
{
	for (;;) {
		if (notice_stop(j))
			return false;
		if (sdc_workers_full(j)) {
			wait_some(j, NULL, 1);
			continue;
		}
		sdc_sparkjob_drain(j);
		if (sdc_frame_reader_ready(fr) || fr->eof)
			return true;
		wait_some(j, fr, 1);
	}
}

static void
bad_frame(struct sdc_sparkjob *j, struct sdc_frame_reader *fr,
    const struct sdc_frame *f, const char *reason)
{
	char id[512];

	snprintf(id, sizeof id, "%s:byte %llu", fr->name,
	    (unsigned long long)f->offset);
	sdc_run_reject_raw(j->run, id, f->payload, f->payload_len,
	    "SDC_BAD_FRAME", "byte %llu: %s", (unsigned long long)f->offset,
	    reason);
}

/* --dry-run: say what the launch would be, and launch nothing. */
static void
describe(struct sdc_sparkjob *j, struct sdc_launch *l)
{
	char *text;

	l->started = sdc_uptime();
	l->started_ms = sdc_now_ms();
	text = j->launcher->describe(j->state, l);
	sdc_launch_note(l, "would launch: %s", text);
	free(text);
	sdc_launch_free(l);
}

static void
one_event(struct sdc_sparkjob *j, struct sdc_frame_reader *fr,
    const struct sdc_frame *f, struct sdc_record *r)
{
	struct sdc_launch *l;
	const char *reason;

	if (sdc_wire_decode(r, SDC_KIND_EVENT, f->payload, f->payload_len,
	    &reason) != 0) {
		bad_frame(j, fr, f, reason);
		return;
	}
	sdc_run_forward(j->run, f);
	if (!sdc_event_match(j->opt->match, r))
		return;
	l = sdc_launch_new(j, ++j->c[C_LAUNCHED], f->payload, f->payload_len);
	if (j->run->opt.dry_run)
		describe(j, l);
	else
		sdc_workers_queue(j, l);
}

static void
read_input(struct sdc_sparkjob *j)
{
	struct sdc_frame_reader fr;
	struct sdc_frame f;
	struct sdc_record r;
	enum sdc_read_status st = SDC_READ_EOF;

	if (sdc_frame_reader_open(&fr, "-", j->run->opt.max_record) != 0)
		sdc_err(SDC_EXIT_IO, "stdin");
	sdc_record_init(&r);
	while (wait_input(j, &fr) &&
	    (st = sdc_frame_reader_next(&fr, &f)) == SDC_READ_FRAME) {
		j->run->n.bytes_in += f.size;
		if (f.kind == SDC_KIND_EVENT) {
			one_event(j, &fr, &f, &r);
			continue;
		}
		if (f.kind == SDC_KIND_DATA)
			j->run->n.in++;
		sdc_run_forward(j->run, &f);
	}
	if (st != SDC_READ_EOF && st != SDC_READ_FRAME) {
		sdc_warnx("%s", fr.err);
		sdc_run_fail(j->run, st == SDC_READ_IO ? SDC_EXIT_IO :
		    SDC_EXIT_STREAM);
	}
	sdc_record_release(&r);
	sdc_frame_reader_close(&fr);
}

/* The input ended: let the launches run to their end, writing reports. */
static void
settle(struct sdc_sparkjob *j)
{
	sdc_workers_finish(j);
	while (!sdc_workers_idle(j)) {
		(void)notice_stop(j);
		if (atomic_load(&j->stopping)) {
			pthread_mutex_lock(&j->lock);
			bool running = j->running > 0;
			pthread_mutex_unlock(&j->lock);
			if (!running)
				break;
		}
		wait_some(j, NULL, 0.5);
	}
	sdc_workers_join(j);
	sdc_sparkjob_drain(j);
}

/* Launches a stop left in the queue: failed, so that none is lost. */
static void
fail_queued(struct sdc_sparkjob *j)
{
	struct sdc_launch *l;

	while ((l = j->queue) != NULL) {
		j->queue = l->next;
		sdc_launch_abandon(l, "not launched: the program was stopped "
		    "before its turn");
	}
	j->queue_tail = &j->queue;
	j->queued = 0;
	sdc_sparkjob_drain(j);
}

static void
release(struct sdc_sparkjob *j)
{
	if (j->launcher->close != NULL && j->state != NULL)
		j->launcher->close(j->state);
	for (size_t i = 0; i < j->ntemplates; i++)
		sdc_template_free(j->templates[i]);
	free(j->templates);
	close(j->wake[0]);
	close(j->wake[1]);
	pthread_cond_destroy(&j->work);
	pthread_mutex_destroy(&j->lock);
}

static void
init(struct sdc_sparkjob *j, struct sdc_run *run,
    const struct sdc_launcher *l, const struct sdc_sparkjob_options *so)
{
	memset(j, 0, sizeof(*j));
	j->run = run;
	j->opt = so;
	j->launcher = l;
	pthread_mutex_init(&j->lock, NULL);
	pthread_cond_init(&j->work, NULL);
	j->queue_tail = &j->queue;
	j->reports_tail = &j->reports;
	if (pipe2(j->wake, O_NONBLOCK | O_CLOEXEC) != 0)
		sdc_err(SDC_EXIT_IO, "pipe");
	init_counters(j);
}

int
sdc_sparkjob_main(const struct sdc_launcher *l, const void *lopts,
    int argc, char *const *argv, const struct sdc_options *opt,
    const struct sdc_sparkjob_options *so)
{
	struct sdc_sparkjob j;
	struct sdc_run run;

	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		sdc_errx(SDC_EXIT_IO, "libcurl cannot start");
	sdc_run_start(&run, sdc_progname(), opt, NULL);
	init(&j, &run, l, so);
	j.state = l->open(&j, lopts, argc, argv);
	if (!run.opt.dry_run)
		sdc_workers_start(&j);
	read_input(&j);
	if (!run.opt.dry_run) {
		settle(&j);
		fail_queued(&j);
	}
	release(&j);
	curl_global_cleanup();
	if (j.c[C_FAILED] > 0) {
		sdc_warnx("%llu of %llu launches failed",
		    (unsigned long long)j.c[C_FAILED],
		    (unsigned long long)j.c[C_LAUNCHED]);
		sdc_run_fail(&run, SDC_EXIT_LAUNCH);
	}
	return sdc_run_finish(&run);
}
