#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <string.h>
#include <unistd.h>

#include "input.h"
#include "out.h"
#include "signals.h"
#include "banned.h"

int
sdc_input_open(struct sdc_input *in, const char *path)
{
	in->offset = 0;
	in->mem = NULL;
	in->mem_len = 0;
	in->ahead_len = in->ahead_at = 0;
	if (strcmp(path, "-") == 0) {
		in->fd = STDIN_FILENO;
		in->name = "stdin";
		sdc_pipe_widen(in->fd);
		return 0;
	}
	in->name = path;
	in->fd = open(path, O_RDONLY | O_CLOEXEC);
	return in->fd < 0 ? -1 : 0;
}

void
sdc_input_memory(struct sdc_input *in, const char *name, const void *p,
    size_t n)
{
	in->fd = -1;
	in->name = name;
	in->offset = 0;
	in->mem = p;
	in->mem_len = n;
	in->ahead_len = in->ahead_at = 0;
}

static ssize_t
read_memory(struct sdc_input *in, void *buf, size_t n)
{
	size_t left = in->mem_len - (size_t)in->offset;

	if (n > left)
		n = left;
	if (n > 0)
		memcpy(buf, in->mem + in->offset, n);
	in->offset += n;
	return (ssize_t)n;
}

static void (*on_wait)(void);

void
sdc_input_on_wait(void (*fn)(void))
{
	on_wait = fn;
}

/* Whether a read of fd would wait; an error is the read's to report. */
static bool
would_wait(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, 0) == 0;
}

static ssize_t
read_retrying(int fd, void *buf, size_t n)
{
	if (on_wait != NULL && would_wait(fd))
		on_wait();
	for (;;) {
		ssize_t got = read(fd, buf, n);

		if (got >= 0 || errno != EINTR)
			return got;
		sdc_signals_poll();
	}
}

ssize_t
sdc_input_peek(struct sdc_input *in, size_t want)
{
	ssize_t got;

	if (want > sizeof in->ahead)
		want = sizeof in->ahead;
	if (in->ahead_len >= want)
		return 0;
	got = read_retrying(in->fd, in->ahead + in->ahead_len,
	    want - in->ahead_len);
	if (got > 0)
		in->ahead_len += (size_t)got;
	return got;
}

static ssize_t
read_ahead(struct sdc_input *in, void *buf, size_t n)
{
	size_t left = in->ahead_len - in->ahead_at;

	if (n > left)
		n = left;
	memcpy(buf, in->ahead + in->ahead_at, n);
	in->ahead_at += n;
	in->offset += n;
	return (ssize_t)n;
}

ssize_t
sdc_input_read(struct sdc_input *in, void *buf, size_t n)
{
	ssize_t got;

	if (in->mem != NULL)
		return read_memory(in, buf, n);
	if (in->ahead_at < in->ahead_len && n > 0)
		return read_ahead(in, buf, n);
	got = read_retrying(in->fd, buf, n);
	if (got > 0)
		in->offset += (uint64_t)got;
	return got;
}

void
sdc_input_close(struct sdc_input *in)
{
	if (in->fd > STDIN_FILENO)
		close(in->fd);
	in->fd = -1;
}
