/* The event loop of sdc-ingest: see loop.h. */
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "diag.h"
#include "loop.h"
#include "run.h"
#include "timer-heap.h"
#include "xalloc.h"
#include "banned.h"

#define EVENTS_PER_ROUND	64

struct sdc_watch {
	struct sdc_loop		*loop;
	int			 fd;
	unsigned		 events;
	sdc_watch_fn		 fn;
	void			*ctx;
	struct sdc_watch	*next_dead;	/* freed after the round */
	bool			 dead;
};

struct sdc_timer {
	struct sdc_timer_entry	 e;		/* first: the heap's view */
	struct sdc_loop		*loop;
	sdc_timer_fn		 fn;
	void			*ctx;
};

struct listener {
	void	(*fn)(void);	/* an sdc_pressure_fn or sdc_written_fn */
	void	*ctx;
};

struct listeners {
	struct listener	*v;
	size_t		 n;
};

struct sdc_loop {
	struct sdc_run		*run;
	int			 epfd;
	size_t			 max_buffer;
	struct sdc_timer_heap	 timers;
	struct sdc_watch	*dead;
	struct sdc_watch	*out_watch;	/* NULL: a file, never full */
	struct listeners	 pressure, written;
	uint64_t		 told_written;
	bool			 full;
	bool			 stopped;
	int			 stop_signal;
	double			 now;
	sigset_t		 blocked, wait_mask;
};

static void flush_output(void *ctx, int fd, unsigned events);

static void
take_signals(struct sdc_loop *l)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGUSR1, SIGALRM };

	sigemptyset(&l->blocked);
	for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
		sigaddset(&l->blocked, sigs[i]);
	sigprocmask(SIG_BLOCK, &l->blocked, &l->wait_mask);
	for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
		sigdelset(&l->wait_mask, sigs[i]);
}

struct sdc_loop *
sdc_loop_new(struct sdc_run *run, size_t max_buffer)
{
	struct sdc_loop *l = sdc_xcalloc(1, sizeof(*l));

	l->run = run;
	l->max_buffer = max_buffer;
	l->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (l->epfd < 0)
		sdc_err(SDC_EXIT_IO, "epoll");
	l->now = sdc_uptime();
	take_signals(l);
	sdc_out_defer(&run->out, max_buffer);
	l->out_watch = sdc_loop_watch(l, run->out.fd, 0, flush_output, l);
	l->told_written = run->out.bytes;
	return l;
}

static void
free_dead(struct sdc_loop *l)
{
	while (l->dead != NULL) {
		struct sdc_watch *w = l->dead;

		l->dead = w->next_dead;
		free(w);
	}
}

void
sdc_loop_free(struct sdc_loop *l)
{
	if (l == NULL)
		return;
	if (l->out_watch != NULL)
		sdc_loop_unwatch(l->out_watch);
	free_dead(l);
	sdc_timer_heap_release(&l->timers);
	free(l->pressure.v);
	free(l->written.v);
	close(l->epfd);
	sigprocmask(SIG_UNBLOCK, &l->blocked, NULL);
	free(l);
}

static uint32_t
epoll_bits(unsigned events)
{
	return (events & SDC_LOOP_READ ? EPOLLIN | EPOLLRDHUP : 0) |
	    (events & SDC_LOOP_WRITE ? EPOLLOUT : 0);
}

/* NULL when fd cannot be watched (a regular file: always ready). */
struct sdc_watch *
sdc_loop_watch(struct sdc_loop *l, int fd, unsigned events, sdc_watch_fn fn,
    void *ctx)
{
	struct sdc_watch *w = sdc_xcalloc(1, sizeof(*w));
	struct epoll_event ev = { .events = epoll_bits(events) };

	w->loop = l;
	w->fd = fd;
	w->events = events;
	w->fn = fn;
	w->ctx = ctx;
	ev.data.ptr = w;
	if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, fd, &ev) != 0) {
		if (errno != EPERM)
			sdc_err(SDC_EXIT_IO, "epoll: fd %d", fd);
		free(w);
		return NULL;
	}
	return w;
}

void
sdc_loop_watch_events(struct sdc_watch *w, unsigned events)
{
	struct epoll_event ev = { .events = epoll_bits(events) };

	if (w->events == events)
		return;
	w->events = events;
	ev.data.ptr = w;
	if (epoll_ctl(w->loop->epfd, EPOLL_CTL_MOD, w->fd, &ev) != 0)
		sdc_err(SDC_EXIT_IO, "epoll: fd %d", w->fd);
}

void
sdc_loop_unwatch(struct sdc_watch *w)
{
	struct sdc_loop *l;

	if (w == NULL)
		return;
	l = w->loop;
	epoll_ctl(l->epfd, EPOLL_CTL_DEL, w->fd, NULL);
	w->dead = true;
	w->next_dead = l->dead;
	l->dead = w;
}

struct sdc_timer *
sdc_loop_timer(struct sdc_loop *l, sdc_timer_fn fn, void *ctx)
{
	struct sdc_timer *t = sdc_xcalloc(1, sizeof(*t));

	t->e.slot = SDC_TIMER_UNARMED;
	t->loop = l;
	t->fn = fn;
	t->ctx = ctx;
	return t;
}

void
sdc_loop_timer_arm(struct sdc_timer *t, double seconds)
{
	sdc_timer_heap_set(&t->loop->timers, &t->e, sdc_uptime() + seconds);
}

void
sdc_loop_timer_disarm(struct sdc_timer *t)
{
	sdc_timer_heap_remove(&t->loop->timers, &t->e);
}

void
sdc_loop_timer_free(struct sdc_timer *t)
{
	if (t == NULL)
		return;
	sdc_loop_timer_disarm(t);
	free(t);
}

static void
add_listener(struct listeners *ls, void (*fn)(void), void *ctx)
{
	ls->v = sdc_xreallocarray(ls->v, ls->n + 1, sizeof(*ls->v));
	ls->v[ls->n].fn = fn;
	ls->v[ls->n].ctx = ctx;
	ls->n++;
}

void
sdc_loop_on_pressure(struct sdc_loop *l, sdc_pressure_fn fn, void *ctx)
{
	add_listener(&l->pressure, (void (*)(void))fn, ctx);
}

void
sdc_loop_on_written(struct sdc_loop *l, sdc_written_fn fn, void *ctx)
{
	add_listener(&l->written, (void (*)(void))fn, ctx);
}

static void
remove_listeners(struct listeners *ls, const void *ctx)
{
	size_t kept = 0;

	for (size_t i = 0; i < ls->n; i++)
		if (ls->v[i].ctx != ctx)
			ls->v[kept++] = ls->v[i];
	ls->n = kept;
}

void
sdc_loop_forget(struct sdc_loop *l, const void *ctx)
{
	remove_listeners(&l->pressure, ctx);
	remove_listeners(&l->written, ctx);
}

bool
sdc_loop_output_full(const struct sdc_loop *l)
{
	return l->full || l->run->out.committed >= l->max_buffer / 2;
}

uint64_t
sdc_loop_output_end(const struct sdc_loop *l)
{
	return l->run->out.bytes + l->run->out.committed;
}

uint64_t
sdc_loop_output_written(const struct sdc_loop *l)
{
	return l->run->out.bytes;
}

static void
tell_written(struct sdc_loop *l)
{
	uint64_t now = l->run->out.bytes;

	if (now == l->told_written)
		return;
	l->told_written = now;
	for (size_t i = 0; i < l->written.n; i++)
		((sdc_written_fn)l->written.v[i].fn)(l->written.v[i].ctx, now);
}

/* Full at half the limit, so that a round's payloads still fit. */
static void
tell_pressure(struct sdc_loop *l)
{
	size_t pending = l->run->out.committed;
	bool full = l->full ? pending > l->max_buffer / 8 :
	    pending >= l->max_buffer / 2;

	if (full == l->full)
		return;
	l->full = full;
	for (size_t i = 0; i < l->pressure.n; i++)
		((sdc_pressure_fn)l->pressure.v[i].fn)(l->pressure.v[i].ctx,
		    full);
}

static void
service_output(struct sdc_loop *l)
{
	struct sdc_out *o = &l->run->out;
	bool drained = true;

	if (o->committed > 0) {
		if (l->out_watch != NULL)
			drained = sdc_out_flush_ready(o);
		else
			sdc_out_flush(o);
	}
	tell_written(l);
	tell_pressure(l);
	/* After the listeners, who may have committed more. */
	if (l->out_watch != NULL)
		sdc_loop_watch_events(l->out_watch, drained &&
		    o->committed == 0 ? 0 : SDC_LOOP_WRITE);
}

/* A reader that went away ends the program quietly, as EPIPE does. */
static void
flush_output(void *ctx, int fd, unsigned events)
{
	struct sdc_loop *l = ctx;
	struct sdc_out *o = &l->run->out;

	(void)fd;
	if (events & SDC_LOOP_HANGUP) {
		o->buf.len = o->committed = 0;
		sdc_exit(SDC_EXIT_OK);
	}
	service_output(l);
}

static int
next_timeout_ms(const struct sdc_loop *l)
{
	const struct sdc_timer_entry *e = sdc_timer_heap_first(&l->timers);
	double ms;

	if (e == NULL)
		return -1;
	ms = ceil((e->due - sdc_uptime()) * 1000);
	return ms <= 0 ? 0 : ms > 86400000 ? 86400000 : (int)ms;
}

/* Those due by the start of the round, each once. */
static void
run_timers(struct sdc_loop *l)
{
	size_t budget = l->timers.n;
	struct sdc_timer_entry *e;

	while (budget-- > 0 && (e = sdc_timer_heap_first(&l->timers)) !=
	    NULL && e->due <= l->now) {
		struct sdc_timer *t = (struct sdc_timer *)e;

		sdc_timer_heap_remove(&l->timers, e);
		t->fn(t->ctx);
	}
}

static void
act_on_signals(struct sdc_loop *l)
{
	int sig = sdc_run_take_stop(l->run);

	if (sig != 0) {
		l->stop_signal = sig;
		l->stopped = true;
	}
	if (sdc_pending_signal)
		sdc_run_poll(l->run);
}

static void
dispatch(const struct epoll_event *ev)
{
	struct sdc_watch *w = ev->data.ptr;
	unsigned events = 0;

	if (w->dead)
		return;
	if (ev->events & (EPOLLIN | EPOLLRDHUP))
		events |= SDC_LOOP_READ;
	if (ev->events & EPOLLOUT)
		events |= SDC_LOOP_WRITE;
	if (ev->events & (EPOLLERR | EPOLLHUP))
		events |= SDC_LOOP_HANGUP;
	w->fn(w->ctx, w->fd, events);
}

void
sdc_loop_signals_open(struct sdc_loop *l, bool open)
{
	sigprocmask(open ? SIG_UNBLOCK : SIG_BLOCK, &l->blocked, NULL);
}

void
sdc_loop_run(struct sdc_loop *l)
{
	struct epoll_event evs[EVENTS_PER_ROUND];

	l->stopped = false;
	while (!l->stopped) {
		int n;

		service_output(l);
		n = epoll_pwait(l->epfd, evs, EVENTS_PER_ROUND,
		    next_timeout_ms(l), &l->wait_mask);
		if (n < 0 && errno != EINTR)
			sdc_err(SDC_EXIT_IO, "epoll_wait");
		l->now = sdc_uptime();
		act_on_signals(l);
		for (int i = 0; i < n && !l->stopped; i++)
			dispatch(&evs[i]);
		if (!l->stopped)
			run_timers(l);
		free_dead(l);
	}
	service_output(l);
}

void
sdc_loop_stop(struct sdc_loop *l)
{
	l->stopped = true;
}

int
sdc_loop_stop_signal(const struct sdc_loop *l)
{
	return l->stop_signal;
}

void
sdc_loop_drain(struct sdc_loop *l)
{
	sdc_out_flush(&l->run->out);
	tell_written(l);
}

double
sdc_loop_now(const struct sdc_loop *l)
{
	return l->now;
}
