#ifndef SDC_LOOP_H
#define SDC_LOOP_H
/*
 * The event loop of a program that serves many sources at once
 * (sdc-ingest), one per process, over epoll.  It watches fds, its
 * origins' and those an outside library hands out (an epoll fd, a
 * queue's pipe, a client's socket), runs one-shot timers, and writes
 * the run's output whenever standard output takes it.  While the
 * output holds more than half of its limit, whoever asked
 * (sdc_loop_on_pressure) is told to stop reading, and told again when
 * it has drained, so that nothing is read that cannot be written.
 *
 * Signals are taken only while the loop waits (epoll_pwait), never in
 * the middle of a payload: a stop request (SIGINT, SIGTERM) ends
 * sdc_loop_run, the others of run.h (progress, metrics) are acted on.
 *
 * The loop owns the watches and timers it returns; callbacks may add
 * and remove any of them, their own included.  Fds stay the caller's.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum {
	SDC_LOOP_READ = 1,
	SDC_LOOP_WRITE = 2,
	SDC_LOOP_HANGUP = 4	/* reported only: error or hang-up */
};

struct sdc_run;
struct sdc_loop;
struct sdc_watch;
struct sdc_timer;

typedef void (*sdc_watch_fn)(void *ctx, int fd, unsigned events);
typedef void (*sdc_timer_fn)(void *ctx);
/* full: stop taking data; !full: take it again. */
typedef void (*sdc_pressure_fn)(void *ctx, bool full);
/* Every byte of the output up to written has reached the fd. */
typedef void (*sdc_written_fn)(void *ctx, uint64_t written);

/* The loop of run, whose output may hold max_buffer bytes. */
struct sdc_loop *sdc_loop_new(struct sdc_run *run, size_t max_buffer);
void	sdc_loop_free(struct sdc_loop *l);

/*
 * Watch fd for events (SDC_LOOP_READ, _WRITE, both, or none yet);
 * NULL when fd is one epoll cannot watch (a regular file, always ready).
 */
struct sdc_watch *sdc_loop_watch(struct sdc_loop *l, int fd, unsigned events,
	    sdc_watch_fn fn, void *ctx);
void	sdc_loop_watch_events(struct sdc_watch *w, unsigned events);
/* Stop watching (before closing the fd); w is gone. */
void	sdc_loop_unwatch(struct sdc_watch *w);

struct sdc_timer *sdc_loop_timer(struct sdc_loop *l, sdc_timer_fn fn,
	    void *ctx);
/* Fire once, seconds from now; arming again moves it. */
void	sdc_loop_timer_arm(struct sdc_timer *t, double seconds);
void	sdc_loop_timer_disarm(struct sdc_timer *t);
void	sdc_loop_timer_free(struct sdc_timer *t);

void	sdc_loop_on_pressure(struct sdc_loop *l, sdc_pressure_fn fn, void *ctx);
/* Now, not as of the last round: for an origin that can stop between
 * messages it has already read. */
bool	sdc_loop_output_full(const struct sdc_loop *l);
/*
 * Acknowledgements after output (MQTT's PUBACK, HTTP's 200): the
 * position just past what has been committed, and a callback each time
 * more of it has been written.
 */
uint64_t sdc_loop_output_end(const struct sdc_loop *l);
uint64_t sdc_loop_output_written(const struct sdc_loop *l);
void	sdc_loop_on_written(struct sdc_loop *l, sdc_written_fn fn, void *ctx);
/* No more callbacks to ctx: an origin stopped, before it frees itself. */
void	sdc_loop_forget(struct sdc_loop *l, const void *ctx);

/*
 * Let signals in outside the wait, or no longer: around a long job of
 * one callback (a whole file through its reader), so that a stop request
 * acts as in any program (run.h), between records.
 */
void	sdc_loop_signals_open(struct sdc_loop *l, bool open);

/* Dispatch events until sdc_loop_stop or a stop request. */
void	sdc_loop_run(struct sdc_loop *l);
void	sdc_loop_stop(struct sdc_loop *l);
/* The signal that stopped the loop, or 0. */
int	sdc_loop_stop_signal(const struct sdc_loop *l);
/* Write out everything committed, waiting for the fd as long as needed. */
void	sdc_loop_drain(struct sdc_loop *l);
/* Seconds on the monotonic clock, as of this round of events. */
double	sdc_loop_now(const struct sdc_loop *l);

#endif
