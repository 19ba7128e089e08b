#ifndef SDC_OUT_H
#define SDC_OUT_H
/*
 * Buffered output to a file or standard output.  Writers append to
 * buf and call sdc_out_commit after each whole frame or record, and
 * only committed bytes are ever written, so a stream never ends in
 * half a frame.  A reader that went away (EPIPE) ends the program
 * quietly; any other write failure ends it with status 3.
 */
#include <stdbool.h>
#include <stdint.h>

#include "buf.h"

struct sdc_out {
	int		 fd;
	const char	*name;		/* "stdout" or the path */
	struct sdc_buf	 buf;
	size_t		 committed;	/* bytes of buf that are whole */
	uint64_t	 bytes;		/* written so far */
	size_t		 flush_at;	/* commit writes from this many bytes */
	int		 saved_flags;	/* of fd, before sdc_out_defer */
	bool		 deferred;
	bool		 is_tty;
};

/* "-" is standard output; a path is created or truncated (exit 3). */
void	sdc_out_open(struct sdc_out *o, const char *path, size_t max_buffer);
void	sdc_out_close(struct sdc_out *o);	/* flushes committed bytes */
void	sdc_out_write(struct sdc_out *o, const void *p, size_t n);
/* Room for n more bytes in buf; false past max_buffer. */
bool	sdc_out_reserve(struct sdc_out *o, size_t n);
/* Everything in buf is whole: write it out once enough has piled up. */
void	sdc_out_commit(struct sdc_out *o);
/* Forget what was appended since the last commit. */
void	sdc_out_rollback(struct sdc_out *o);
void	sdc_out_flush(struct sdc_out *o);
/*
 * For a program with an event loop: the fd becomes non-blocking, and
 * commits leave up to limit bytes in buf for the loop to write with
 * sdc_out_flush_ready when the fd is writable; past limit, a commit
 * waits for the fd (that is the backpressure of last resort).  buf may
 * hold limit bytes more than before.  Closing restores the fd.
 */
void	sdc_out_defer(struct sdc_out *o, size_t limit);
/* Write what the fd takes now: true when nothing committed is left. */
bool	sdc_out_flush_ready(struct sdc_out *o);
/* Ask for a 1 MiB buffer when fd is a pipe. */
void	sdc_pipe_widen(int fd);

#endif
