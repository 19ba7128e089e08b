#ifndef SDC_SINK_LATENCY_H
#define SDC_SINK_LATENCY_H
/*
 * Delivery latencies, for their percentiles: a histogram of buckets 1/8
 * of a binary order wide (12 % apart), from 0.1 ms to about 30 minutes.
 */
#include <stdint.h>

#define SDC_LATENCY_BUCKETS	192

struct sdc_latency {
	uint64_t	n[SDC_LATENCY_BUCKETS];
	uint64_t	total;
};

/* records delivered after seconds. */
void	sdc_latency_add(struct sdc_latency *l, double seconds, uint64_t records);
/* The p-th percentile (0 < p <= 100) in milliseconds, rounded up; 0 if none. */
uint64_t sdc_latency_ms(const struct sdc_latency *l, double p);

#endif
