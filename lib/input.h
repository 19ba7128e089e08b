#ifndef SDC_INPUT_H
#define SDC_INPUT_H
/* A named byte input for format readers: a file, or standard input. */
#include <stdint.h>
#include <sys/types.h>

struct sdc_input {
	int		 fd;
	const char	*name;		/* "stdin" or the path, for messages */
	uint64_t	 offset;	/* bytes read so far */
};

/* "-" is standard input.  -1 with errno when it cannot be opened. */
int	sdc_input_open(struct sdc_input *in, const char *path);
/* Like read(2), but retries interrupted reads; -1 with errno. */
ssize_t	sdc_input_read(struct sdc_input *in, void *buf, size_t n);
void	sdc_input_close(struct sdc_input *in);

#endif
