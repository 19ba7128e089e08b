/*
 * The workers of sdc-sparkjob: --max-running threads taking launches
 * from the queue in order, no more than --max-launches-per-minute
 * starting in any minute.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "diag.h"
#include "sparkjob-internal.h"
#include "xalloc.h"
#include "banned.h"

/* Seconds until one more launch may start under the per-minute bound. */
static double
rate_wait(struct sdc_sparkjob *j, double now)
{
	unsigned bound = j->opt->per_minute;
	double oldest;

	if (bound == 0 || j->nstarts < bound)
		return 0;
	oldest = j->starts[j->nstarts % bound];
	return oldest + 60 > now ? oldest + 60 - now : 0;
}

static void
note_start(struct sdc_sparkjob *j, double now)
{
	unsigned bound = j->opt->per_minute;

	if (bound == 0)
		return;
	j->starts[j->nstarts % bound] = now;
	j->nstarts++;
}

static void
wait_until(struct sdc_sparkjob *j, double seconds)
{
	struct timespec ts;
	long ns;

	clock_gettime(CLOCK_REALTIME, &ts);
	ns = (long)((seconds - (long)seconds) * 1e9) + ts.tv_nsec;
	ts.tv_sec += (time_t)seconds + ns / 1000000000L;
	ts.tv_nsec = ns % 1000000000L;
	pthread_cond_timedwait(&j->work, &j->lock, &ts);
}

/* The next launch to run, under the lock; NULL when the work is done. */
static struct sdc_launch *
take(struct sdc_sparkjob *j)
{
	struct sdc_launch *l;

	for (;;) {
		double now = sdc_uptime(), wait = rate_wait(j, now);

		if (atomic_load(&j->stopping) ||
		    (j->queue == NULL && j->input_done))
			return NULL;
		if (j->queue != NULL && wait <= 0)
			break;
		wait_until(j, j->queue == NULL ? 1 : wait < 0.2 ? wait : 0.2);
	}
	l = j->queue;
	j->queue = l->next;
	if (j->queue == NULL)
		j->queue_tail = &j->queue;
	j->queued--;
	j->running++;
	note_start(j, sdc_uptime());
	return l;
}

static void *
worker(void *arg)
{
	struct sdc_sparkjob *j = arg;
	struct sdc_launch *l;

	pthread_mutex_lock(&j->lock);
	while ((l = take(j)) != NULL) {
		pthread_mutex_unlock(&j->lock);
		sdc_launch_run(l);
		pthread_mutex_lock(&j->lock);
		j->running--;
		pthread_cond_broadcast(&j->work);
	}
	pthread_mutex_unlock(&j->lock);
	return NULL;
}

void
sdc_workers_start(struct sdc_sparkjob *j)
{
	sigset_t all, old;

	j->queue_tail = &j->queue;
	if (j->opt->per_minute > 0)
		j->starts = sdc_xcalloc(j->opt->per_minute, sizeof(double));
	j->workers = sdc_xcalloc(j->opt->max_running, sizeof(pthread_t));
	/* Signals are the main thread's: workers start with them blocked. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	for (unsigned i = 0; i < j->opt->max_running; i++) {
		int rc = pthread_create(&j->workers[i], NULL, worker, j);

		if (rc != 0) {
			errno = rc;
			sdc_err(SDC_EXIT_IO, "pthread_create");
		}
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
}

void
sdc_workers_queue(struct sdc_sparkjob *j, struct sdc_launch *l)
{
	pthread_mutex_lock(&j->lock);
	*j->queue_tail = l;
	j->queue_tail = &l->next;
	j->queued++;
	pthread_cond_broadcast(&j->work);
	pthread_mutex_unlock(&j->lock);
}

bool
sdc_workers_full(struct sdc_sparkjob *j)
{
	bool full;

	pthread_mutex_lock(&j->lock);
	full = j->queued >= j->opt->max_queued;
	pthread_mutex_unlock(&j->lock);
	return full;
}

bool
sdc_workers_idle(struct sdc_sparkjob *j)
{
	bool idle;

	pthread_mutex_lock(&j->lock);
	idle = j->queued == 0 && j->running == 0;
	pthread_mutex_unlock(&j->lock);
	return idle;
}

void
sdc_workers_finish(struct sdc_sparkjob *j)
{
	pthread_mutex_lock(&j->lock);
	j->input_done = true;
	pthread_cond_broadcast(&j->work);
	pthread_mutex_unlock(&j->lock);
}

void
sdc_workers_join(struct sdc_sparkjob *j)
{
	sdc_workers_finish(j);
	for (unsigned i = 0; i < j->opt->max_running; i++)
		pthread_join(j->workers[i], NULL);
	free(j->workers);
	free(j->starts);
}
