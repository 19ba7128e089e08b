/* Waits between retries: see backoff.h. */
#include <time.h>
#include <unistd.h>

#include "backoff.h"
#include "banned.h"

void
sdc_backoff_init(struct sdc_backoff *b, double first, double max)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	b->first = first;
	b->max = max < first ? first : max;
	b->ceiling = first;
	b->seed = (uint64_t)ts.tv_nsec ^ (uint64_t)ts.tv_sec << 20 ^
	    (uint64_t)getpid() << 40 ^ 0x9e3779b97f4a7c15ULL;
}

/* xorshift64*: a draw in [0, 1). */
static double
draw(struct sdc_backoff *b)
{
	b->seed ^= b->seed >> 12;
	b->seed ^= b->seed << 25;
	b->seed ^= b->seed >> 27;
	return (double)((b->seed * 0x2545f4914f6cdd1dULL) >> 11) /
	    9007199254740992.0;
}

double
sdc_backoff_next(struct sdc_backoff *b)
{
	double wait = b->ceiling / 2 + draw(b) * b->ceiling / 2;

	b->ceiling = b->ceiling * 2 > b->max ? b->max : b->ceiling * 2;
	return wait;
}

void
sdc_backoff_reset(struct sdc_backoff *b)
{
	b->ceiling = b->first;
}
