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
};

/* "-" is standard input.  -1 with errno when it cannot be opened. */
int	sdc_input_open(struct sdc_input *in, const char *path);
/* The n bytes at p, which must outlive the input, named name. */
void	sdc_input_memory(struct sdc_input *in, const char *name,
	    const void *p, size_t n);
/* Like read(2), but retries interrupted reads; -1 with errno. */
ssize_t	sdc_input_read(struct sdc_input *in, void *buf, size_t n);
void	sdc_input_close(struct sdc_input *in);

#endif
