#ifndef SDC_WINDOW_H
#define SDC_WINDOW_H
/*
 * Private to the packet formats (collectd, netflow): a window on an
 * input that holds at least the next few kilobytes, so that a reader
 * can look at a whole packet before it consumes it.  Bytes in memory
 * are looked at where they are; a file or a pipe is read in chunks into
 * a buffer the window owns, which never grows past its lookahead.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "input.h"
#include "run.h"

struct sdc_window {
	struct sdc_run		*run;
	struct sdc_input	*in;
	struct sdc_buf		 buf;
	size_t			 pos;	/* next byte, in buf or in->mem */
	uint64_t		 base;	/* input offset of buf.data */
	bool			 eof;
	bool			 failed;	/* a read error, reported */
};

/* Look up to lookahead bytes ahead at most. */
void	sdc_window_init(struct sdc_window *w, struct sdc_run *run,
	    struct sdc_input *in, size_t lookahead);
void	sdc_window_release(struct sdc_window *w);
/*
 * The bytes from the read position on, at least want of them (want is
 * at most the lookahead) unless the input ends first: *have says how
 * many.  Valid until the next call.
 */
const uint8_t *sdc_window_peek(struct sdc_window *w, size_t want,
	    size_t *have);
/* Consume n bytes that peek showed. */
void	sdc_window_skip(struct sdc_window *w, size_t n);
/* The input offset of the read position. */
uint64_t sdc_window_offset(const struct sdc_window *w);

/* Big-endian integers, for packets. */
static inline uint16_t
sdc_be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t
sdc_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

static inline uint64_t
sdc_be64(const uint8_t *p)
{
	return (uint64_t)sdc_be32(p) << 32 | sdc_be32(p + 4);
}

#endif
