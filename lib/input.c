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

ssize_t
sdc_input_read(struct sdc_input *in, void *buf, size_t n)
{
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
