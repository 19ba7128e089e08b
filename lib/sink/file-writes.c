/*
 * The writing thread of the file destination (file-writes.h): streams
 * with a buffer to write wait in one queue; the thread takes them in
 * turn.  A stream has at most one write in flight, so its bytes reach
 * the file in order, and its other buffer is the one being filled.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "diag.h"
#include "file-writes.h"
#include "xalloc.h"
#include "banned.h"

#define WRITEBACK	(8u << 20)	/* bytes written between writebacks */

struct sdc_writes {
	int			 fd;
	uint8_t			*job;		/* in flight, or NULL */
	size_t			 job_len;
	uint8_t			*spare;		/* free for the next fill */
	int			 error;
	uint64_t		 written;
	uint64_t		 written_back;	/* the writeback started to here */
	struct sdc_writes	*next;		/* in the queue */
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t queued = PTHREAD_COND_INITIALIZER;
static pthread_cond_t finished = PTHREAD_COND_INITIALIZER;
static struct sdc_writes *head, *tail;
static bool started;

/*
 * Start the disk writing what was written so far, without waiting for
 * it: an advice, whose failure the fsync at publication would report.
 */
static void
start_writeback(struct sdc_writes *w)
{
	if (w->written - w->written_back < WRITEBACK)
		return;
	(void)sync_file_range(w->fd, (off_t)w->written_back,
	    (off_t)(w->written - w->written_back), SYNC_FILE_RANGE_WRITE);
	w->written_back = w->written;
}

/* The job of w, written: 0 or errno.  Only the thread touches written. */
static int
write_job(struct sdc_writes *w)
{
	const uint8_t *p = w->job;
	size_t n = w->job_len;

	while (n > 0) {
		ssize_t k = write(w->fd, p, n);

		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return errno;
		p += k;
		n -= (size_t)k;
		w->written += (uint64_t)k;
	}
	start_writeback(w);
	return 0;
}

static void *
writer(void *unused)
{
	(void)unused;
	pthread_mutex_lock(&lock);
	for (;;) {
		struct sdc_writes *w;
		int e;

		while (head == NULL)
			pthread_cond_wait(&queued, &lock);
		w = head;
		if ((head = w->next) == NULL)
			tail = NULL;
		pthread_mutex_unlock(&lock);
		e = write_job(w);
		pthread_mutex_lock(&lock);
		if (e != 0)
			w->error = e;
		w->spare = w->job;
		w->job = NULL;
		pthread_cond_broadcast(&finished);
	}
	return NULL;
}

/* The thread, started with every signal blocked: they are the main's. */
static void
start(void)
{
	sigset_t all, old;
	pthread_t t;
	int e;

	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	e = pthread_create(&t, NULL, writer, NULL);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (e != 0)
		sdc_errx(SDC_EXIT_IO, "file: cannot start the writing "
		    "thread: %s", strerror(e));
	pthread_detach(t);
	started = true;
}

struct sdc_writes *
sdc_writes_new(int fd)
{
	struct sdc_writes *w = sdc_xcalloc(1, sizeof *w);

	w->fd = fd;
	return w;
}

static void
wait_job(struct sdc_writes *w)
{
	while (w->job != NULL)
		pthread_cond_wait(&finished, &lock);
}

uint8_t *
sdc_writes_put(struct sdc_writes *w, uint8_t *buf, size_t n)
{
	uint8_t *next;

	pthread_mutex_lock(&lock);
	wait_job(w);
	if (n == 0 || w->error != 0) {
		pthread_mutex_unlock(&lock);
		return buf;
	}
	if (!started)
		start();
	w->job = buf;
	w->job_len = n;
	w->next = NULL;
	*(tail != NULL ? &tail->next : &head) = w;
	tail = w;
	pthread_cond_signal(&queued);
	next = w->spare;
	w->spare = NULL;
	pthread_mutex_unlock(&lock);
	return next != NULL ? next : sdc_xmalloc(SDC_WRITES_BUFFER);
}

int
sdc_writes_error(struct sdc_writes *w)
{
	int e;

	pthread_mutex_lock(&lock);
	e = w->error;
	pthread_mutex_unlock(&lock);
	return e;
}

/* Once the write in flight is done: the first error, and the count. */
static int
settle(struct sdc_writes *w, uint64_t *written)
{
	int e;

	pthread_mutex_lock(&lock);
	wait_job(w);
	e = w->error;
	*written = w->written;
	pthread_mutex_unlock(&lock);
	return e;
}

int
sdc_writes_wait(struct sdc_writes *w)
{
	uint64_t unused;

	return settle(w, &unused);
}

uint64_t
sdc_writes_done(struct sdc_writes *w)
{
	uint64_t n;

	settle(w, &n);
	return n;
}

void
sdc_writes_free(struct sdc_writes *w)
{
	if (w == NULL)
		return;
	sdc_writes_wait(w);
	free(w->spare);
	free(w);
}
