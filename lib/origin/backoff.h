#ifndef SDC_BACKOFF_H
#define SDC_BACKOFF_H
/*
 * How long a client origin waits before it tries a broker or server
 * again: exponential, from first to at most max seconds, each wait
 * drawn at random from its upper half ("equal jitter"), so that many
 * clients cut off at once do not come back at once.  A success resets
 * it.  Count each retry in the ingest's retries.
 */
#include <stdint.h>

struct sdc_backoff {
	double		first, max;	/* seconds */
	double		ceiling;	/* of the next wait */
	uint64_t	seed;
};

void	sdc_backoff_init(struct sdc_backoff *b, double first, double max);
/* The next wait, in seconds; the one after doubles, up to max. */
double	sdc_backoff_next(struct sdc_backoff *b);
void	sdc_backoff_reset(struct sdc_backoff *b);

#endif
