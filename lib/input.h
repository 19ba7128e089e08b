#ifndef SDC_INPUT_H
#define SDC_INPUT_H
/*
 * A named byte input for format readers: a file, standard input, or
 * bytes in memory (a message an origin received, a payload).
 */
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct sdc_input {
	int		 fd;		/* -1 for bytes in memory */
	const char	*name;		/* "stdin" or the path, for messages */
	uint64_t	 offset;	/* bytes read so far */
	const uint8_t	*mem;		/* the bytes, when in memory */
	size_t		 mem_len;
	/* Bytes sdc_input_peek read ahead, which _read returns first. */
	uint8_t		 ahead[16];
	size_t		 ahead_len, ahead_at;
};

/* "-" is standard input.  -1 with errno when it cannot be opened. */
int	sdc_input_open(struct sdc_input *in, const char *path);
/* The n bytes at p, which must outlive the input, named name. */
void	sdc_input_memory(struct sdc_input *in, const char *name,
	    const void *p, size_t n);
/*
 * One more read from a file or standard input into ahead, up to want
 * bytes in all (at most sizeof ahead), leaving the offset alone: what
 * read(2) returns, the bytes already ahead being ahead_len.
 */
ssize_t	sdc_input_peek(struct sdc_input *in, size_t want);
/* Like read(2), but retries interrupted reads; -1 with errno. */
ssize_t	sdc_input_read(struct sdc_input *in, void *buf, size_t n);
/*
 * fn is called before a read that would wait for input (a live stream
 * pausing), so that what a run has made goes out meanwhile; NULL: none.
 */
void	sdc_input_on_wait(void (*fn)(void));
void	sdc_input_close(struct sdc_input *in);

#endif
