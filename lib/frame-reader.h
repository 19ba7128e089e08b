#ifndef SDC_FRAME_READER_H
#define SDC_FRAME_READER_H
/*
 * Reads the frames of a record stream from a file or standard input,
 * verifying each checksum.  Stream headers (a stream may be several
 * concatenated) and end frames are handled here and never returned.
 * A returned frame stays valid until the next call, and its payload
 * is followed by SDC_PAYLOAD_PAD readable bytes, for readers that load
 * a block at a time.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SDC_PAYLOAD_PAD	16

struct sdc_frame {
	uint8_t		 kind;
	const uint8_t	*bytes;		/* the whole frame, header first */
	size_t		 size;
	const uint8_t	*payload;
	size_t		 payload_len;
	uint64_t	 offset;	/* of the frame in its input */
};

struct sdc_frame_reader {
	int		 fd;
	const char	*name;		/* for messages: path or "stdin" */
	uint8_t		*buf;
	size_t		 cap, start, end;
	uint64_t	 base;		/* input offset of buf[0] */
	size_t		 max_payload;
	bool		 eof;
	bool		 in_member;	/* header seen, end frame not yet */
	uint64_t	 member_frames;
	char		 err[256];	/* why _next returned an error */
};

enum sdc_read_status {
	SDC_READ_EOF = 0,
	SDC_READ_FRAME = 1,
	SDC_READ_BAD_STREAM = -1,	/* err says what and where */
	SDC_READ_IO = -2		/* err says what; errno is set */
};

/* path "-" is standard input.  -1 with errno when it cannot be opened. */
int	sdc_frame_reader_open(struct sdc_frame_reader *r, const char *path,
	    size_t max_payload);
/* An open fd (closed by _close unless it is standard input), named. */
int	sdc_frame_reader_open_fd(struct sdc_frame_reader *r, int fd,
	    const char *name, size_t max_payload);
/* Bytes already read from the fd (a peek at it), to be read first. */
void	sdc_frame_reader_preload(struct sdc_frame_reader *r, const void *p,
	    size_t n);
void	sdc_frame_reader_close(struct sdc_frame_reader *r);
/* Whether _next can return without waiting for more input. */
bool	sdc_frame_reader_ready(const struct sdc_frame_reader *r);
/*
 * For a poll loop, once fd is readable: one read of what has arrived,
 * so that _ready says whether _next can go on without waiting.
 * SDC_READ_IO when the read failed (err says why), else SDC_READ_FRAME,
 * though nothing may have come (EAGAIN, EINTR).
 */
enum sdc_read_status sdc_frame_reader_pump(struct sdc_frame_reader *r);
enum sdc_read_status sdc_frame_reader_next(struct sdc_frame_reader *r,
	    struct sdc_frame *f);

#endif
