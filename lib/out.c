/* F_SETPIPE_SZ is a Linux extension. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "diag.h"
#include "out.h"
#include "banned.h"

#define OUT_FLUSH_AT	(256u << 10)

/*
 * A 64 KiB pipe makes two programs of a pipeline take turns every few
 * hundred records; a larger one lets them run side by side.  Linux
 * only, and a refusal is harmless.
 */
void
sdc_pipe_widen(int fd)
{
#ifdef F_SETPIPE_SZ
	struct stat st;

	if (fstat(fd, &st) == 0 && S_ISFIFO(st.st_mode))
		(void)fcntl(fd, F_SETPIPE_SZ, 1 << 20);
#else
	(void)fd;
#endif
}

void
sdc_out_open(struct sdc_out *o, const char *path, size_t max_buffer)
{
	memset(o, 0, sizeof(*o));
	if (strcmp(path, "-") == 0) {
		o->fd = STDOUT_FILENO;
		o->name = "stdout";
	} else {
		o->fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
		    0666);
		if (o->fd < 0)
			sdc_err(SDC_EXIT_IO, "%s", path);
		o->name = path;
	}
	o->is_tty = isatty(o->fd);
	o->flush_at = OUT_FLUSH_AT;
	sdc_pipe_widen(o->fd);
	sdc_buf_init(&o->buf, max_buffer + OUT_FLUSH_AT);
}

/* The reader went away or the write failed: nothing more goes out. */
static void
write_failed(struct sdc_out *o)
{
	int e = errno;

	o->buf.len = o->committed = 0;
	if (e == EPIPE)
		sdc_exit(SDC_EXIT_OK);
	errno = e;
	sdc_err(SDC_EXIT_IO, "%s", o->name);
}

/*
 * A non-blocking fd that is full: wait until it takes more.  Signals
 * an event loop blocks are let in, so that a stop request is not lost
 * while a reader stalls.
 */
static void
wait_writable(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLOUT };
	sigset_t none;

	sigemptyset(&none);
	while (ppoll(&p, 1, NULL, &none) < 0 && errno == EINTR)
		continue;
}

static void
write_all(struct sdc_out *o, const uint8_t *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(o->fd, p, n);

		/* Signals wait: acting on one here could write twice. */
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			wait_writable(o->fd);
			continue;
		}
		if (w < 0)
			write_failed(o);
		p += w;
		n -= (size_t)w;
		o->bytes += (uint64_t)w;
	}
}

static void
drop_written(struct sdc_out *o, size_t n)
{
	memmove(o->buf.data, o->buf.data + n, o->buf.len - n);
	o->buf.len -= n;
	o->committed -= n;
}

bool
sdc_out_flush_ready(struct sdc_out *o)
{
	size_t done = 0;

	while (done < o->committed) {
		ssize_t w = write(o->fd, o->buf.data + done,
		    o->committed - done);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (w < 0)
			write_failed(o);
		done += (size_t)w;
		o->bytes += (uint64_t)w;
	}
	drop_written(o, done);
	return o->committed == 0;
}

void
sdc_out_defer(struct sdc_out *o, size_t limit)
{
	o->saved_flags = fcntl(o->fd, F_GETFL);
	if (o->saved_flags >= 0)
		(void)fcntl(o->fd, F_SETFL, o->saved_flags | O_NONBLOCK);
	o->deferred = true;
	o->flush_at = limit;
	o->buf.max += limit;
}

void
sdc_out_flush(struct sdc_out *o)
{
	size_t n = o->committed;

	if (n == 0)
		return;
	/* Taken off first, so that a failure inside does not write twice. */
	o->committed = 0;
	write_all(o, o->buf.data, n);
	memmove(o->buf.data, o->buf.data + n, o->buf.len - n);
	o->buf.len -= n;
}

void
sdc_out_close(struct sdc_out *o)
{
	sdc_out_flush(o);
	if (o->deferred && o->saved_flags >= 0)
		(void)fcntl(o->fd, F_SETFL, o->saved_flags);
	o->deferred = false;
	if (o->fd > STDERR_FILENO && close(o->fd) != 0)
		sdc_err(SDC_EXIT_IO, "%s", o->name);
	sdc_buf_release(&o->buf);
	o->fd = -1;
}

bool
sdc_out_reserve(struct sdc_out *o, size_t n)
{
	return sdc_buf_reserve(&o->buf, n);
}

void
sdc_out_write(struct sdc_out *o, const void *p, size_t n)
{
	if (!sdc_buf_append(&o->buf, p, n))
		sdc_errx(SDC_EXIT_IO, "%s: output buffer limit reached", o->name);
}

void
sdc_out_commit(struct sdc_out *o)
{
	o->committed = o->buf.len;
	if (o->committed >= o->flush_at)
		sdc_out_flush(o);
}

void
sdc_out_rollback(struct sdc_out *o)
{
	o->buf.len = o->committed;
}
