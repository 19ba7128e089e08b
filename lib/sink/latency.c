/* Delivery latencies: see latency.h. */
#include <math.h>

#include "latency.h"
#include "banned.h"

#define FLOOR_S	0.0001

static int
bucket(double seconds)
{
	double k = seconds <= FLOOR_S ? 0 : 8 * log2(seconds / FLOOR_S);

	return k >= SDC_LATENCY_BUCKETS - 1 ? SDC_LATENCY_BUCKETS - 1 : (int)k;
}

void
sdc_latency_add(struct sdc_latency *l, double seconds, uint64_t records)
{
	l->n[bucket(seconds)] += records;
	l->total += records;
}

uint64_t
sdc_latency_ms(const struct sdc_latency *l, double p)
{
	double want = ceil(l->total * p / 100), seen = 0;

	if (l->total == 0)
		return 0;
	for (int i = 0; i < SDC_LATENCY_BUCKETS; i++) {
		seen += (double)l->n[i];
		if (seen >= want)	/* the bucket's upper bound */
			return (uint64_t)ceil(1000 * FLOOR_S *
			    exp2((i + 1) / 8.0));
	}
	return 0;
}
