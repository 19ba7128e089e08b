/*
 * The event loop of sdc-ingest: timers in order, fd watches, output
 * pressure told and lifted as standard output (a pipe this test holds
 * the other end of) fills and drains, and a stop signal ending the loop.
 */
#define _GNU_SOURCE	/* F_SETPIPE_SZ */
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include "backoff.h"
#include "loop.h"
#include "run.h"
#include "tap.h"
#include "timer-heap.h"

static void
test_heap(void)
{
	struct sdc_timer_heap h = { 0 };
	struct sdc_timer_entry e[50];
	double last = -1e9;
	bool sorted = true;

	for (int i = 0; i < 50; i++) {
		e[i].slot = SDC_TIMER_UNARMED;
		sdc_timer_heap_set(&h, &e[i], (double)((i * 37) % 50));
	}
	sdc_timer_heap_remove(&h, &e[10]);
	sdc_timer_heap_set(&h, &e[20], -5);
	is_int(h.n, 49, "heap: 49 armed after a removal");
	ok(sdc_timer_heap_first(&h) == &e[20], "heap: a moved entry first");
	while (h.n > 0) {
		struct sdc_timer_entry *t = sdc_timer_heap_first(&h);

		sorted = sorted && t->due >= last;
		last = t->due;
		sdc_timer_heap_remove(&h, t);
	}
	ok(sorted, "heap: entries come out earliest first");
	sdc_timer_heap_release(&h);
}

static void
test_backoff(void)
{
	struct sdc_backoff b;
	double w[8];
	bool in_range = true;

	sdc_backoff_init(&b, 0.5, 4);
	for (int i = 0; i < 8; i++)
		w[i] = sdc_backoff_next(&b);
	for (int i = 0; i < 8; i++) {
		double ceiling = i < 3 ? 0.5 * (1 << i) : 4;

		in_range = in_range && w[i] >= ceiling / 2 && w[i] <= ceiling;
	}
	ok(in_range, "backoff: each wait in the upper half of 0.5, 1, 2, 4, 4");
	sdc_backoff_reset(&b);
	w[0] = sdc_backoff_next(&b);
	ok(w[0] >= 0.25 && w[0] <= 0.5, "backoff: a reset starts again");
}

struct state {
	struct sdc_loop	*loop;
	struct sdc_run	*run;
	int		 order[4], n;
	int		 pipe_r;		/* the reading end of stdout */
	int		 fulls, resumes;
	struct sdc_timer *drain;
	char		 got[8];
};

static void
tick(void *ctx, int id)
{
	struct state *s = ctx;

	if (s->n < 4)
		s->order[s->n++] = id;
	if (id == 3)
		sdc_loop_stop(s->loop);
}

static void tick1(void *ctx) { tick(ctx, 1); }
static void tick2(void *ctx) { tick(ctx, 2); }
static void tick3(void *ctx) { tick(ctx, 3); }

static void
on_read(void *ctx, int fd, unsigned events)
{
	struct state *s = ctx;

	if (events & SDC_LOOP_READ && read(fd, s->got, sizeof s->got) > 0)
		sdc_loop_stop(s->loop);
}

static void
test_timers_and_watch(struct state *s)
{
	struct sdc_timer *a = sdc_loop_timer(s->loop, tick1, s);
	struct sdc_timer *b = sdc_loop_timer(s->loop, tick2, s);
	struct sdc_timer *c = sdc_loop_timer(s->loop, tick3, s);
	struct sdc_watch *w;
	int p[2];

	sdc_loop_timer_arm(a, 0.03);
	sdc_loop_timer_arm(b, 0.01);
	sdc_loop_timer_arm(c, 0.02);
	sdc_loop_timer_disarm(c);
	if (pipe(p) != 0)
		abort();
	w = sdc_loop_watch(s->loop, p[0], SDC_LOOP_READ, on_read, s);
	if (write(p[1], "hi", 2) != 2)
		abort();
	sdc_loop_timer_arm(c, 0.1);
	/* The pipe is read first; the timers need a second run. */
	sdc_loop_run(s->loop);
	is_str(s->got, "hi", "watch: the pipe's bytes read");
	sdc_loop_unwatch(w);
	close(p[0]);
	close(p[1]);
	sdc_loop_run(s->loop);
	ok(s->order[0] == 2 && s->order[1] == 1 && s->order[2] == 3,
	    "timers fire in order of their time, a disarmed one when re-armed");
	sdc_loop_timer_free(a);
	sdc_loop_timer_free(b);
	sdc_loop_timer_free(c);
}

static void
on_pressure(void *ctx, bool full)
{
	struct state *s = ctx;

	if (full)
		s->fulls++;
	else {
		s->resumes++;
		sdc_loop_stop(s->loop);
	}
}

/* The test plays the slow reader: it reads stdout when the loop is full. */
static void
drain_stdout(void *ctx)
{
	struct state *s = ctx;
	char buf[65536];

	while (read(s->pipe_r, buf, sizeof buf) > 0)
		continue;
	if (s->drain != NULL && s->resumes == 0)
		sdc_loop_timer_arm(s->drain, 0.01);
}

static void
test_pressure(struct state *s)
{
	struct sdc_timer *t = sdc_loop_timer(s->loop, drain_stdout, s);
	struct sdc_out *o = &s->run->out;
	static char chunk[4096];

	sdc_loop_on_pressure(s->loop, on_pressure, s);
	/* More than the pipe takes and half the 1 MiB limit, not all. */
	for (int i = 0; i < 200; i++) {
		sdc_out_write(o, chunk, sizeof chunk);
		sdc_out_commit(o);
	}
	s->drain = t;
	sdc_loop_timer_arm(t, 0.05);
	sdc_loop_run(s->loop);
	s->drain = NULL;
	is_int(s->fulls, 1, "pressure: told full once");
	is_int(s->resumes, 1, "pressure: told to resume once drained");
	ok(sdc_loop_output_end(s->loop) >= 200 * sizeof chunk &&
	    sdc_loop_output_end(s->loop) - sdc_loop_output_written(s->loop) <=
	    (1u << 20) / 8, "pressure: resumed with an eighth left to write");
	sdc_loop_timer_free(t);
}

static void
send_term(void *ctx)
{
	(void)ctx;
	raise(SIGTERM);
}

static void
test_stop_signal(struct state *s)
{
	struct sdc_timer *t = sdc_loop_timer(s->loop, send_term, s);

	sdc_loop_timer_arm(t, 0);
	sdc_loop_run(s->loop);
	is_int(sdc_loop_stop_signal(s->loop), SIGTERM,
	    "a SIGTERM ends the loop, which tells it");
	sdc_loop_timer_free(t);
}

int
main(void)
{
	struct sdc_options opt;
	struct sdc_run run;
	struct state s = { 0 };
	int p[2];

	test_heap();
	test_backoff();
	if (pipe(p) != 0)
		abort();
	fcntl(p[0], F_SETFL, O_NONBLOCK);
	fcntl(p[0], F_SETPIPE_SZ, 65536);
	sdc_options_init(&opt);
	opt.progress = 0;
	opt.force = true;
	sdc_run_start(&run, "test-loop", &opt, NULL);
	run.out.fd = p[1];	/* the output is the pipe, not the TAP */
	s.run = &run;
	s.pipe_r = p[0];
	s.loop = sdc_loop_new(&run, 1u << 20);
	test_timers_and_watch(&s);
	test_pressure(&s);
	test_stop_signal(&s);
	sdc_loop_free(s.loop);
	drain_stdout(&s);
	sdc_out_rollback(&run.out);
	run.out.buf.len = run.out.committed = 0;
	sdc_run_finish(&run);
	return tap_done();
}
