#include <errno.h>
#include <fcntl.h>
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

ssize_t
sdc_input_read(struct sdc_input *in, void *buf, size_t n)
{
	if (in->mem != NULL)
		return read_memory(in, buf, n);
	for (;;) {
		ssize_t got = read(in->fd, buf, n);

		if (got >= 0) {
			in->offset += (uint64_t)got;
			return got;
		}
		if (errno != EINTR)
			return -1;
		sdc_signals_poll();
	}
}

void
sdc_input_close(struct sdc_input *in)
{
	if (in->fd > STDIN_FILENO)
		close(in->fd);
	in->fd = -1;
}
