#ifndef SDC_RETRY_H
#define SDC_RETRY_H
/*
 * Retries with exponential backoff and full jitter, for every program
 * that talks to a broker or a server: the origins of sdc-ingest that
 * reconnect, the destinations of sdc-sink that resend.  The wait
 * before attempt n+1 is drawn uniformly from [0, min(max, initial *
 * 2^n)], or is what the peer asked for (Retry-After) when longer; the
 * retries end after max_attempts attempts or max_elapsed seconds since
 * the first failure, whichever comes first (0: no bound).  A success
 * starts the count again.
 *
 * The options (--retry-initial, --retry-max, --retry-attempts,
 * --retry-time) are one group, sdc_retry_group, that a program hands
 * to sdc_cli_parse_groups with the policy it fills.
 */
#include <stdbool.h>
#include <stdint.h>

#include "cli.h"

struct sdc_retry_policy {
	double		initial;	/* seconds, first wait's bound */
	double		max;		/* seconds, any wait's bound */
	unsigned	max_attempts;	/* 0: no bound */
	double		max_elapsed;	/* seconds; 0: no bound */
};

struct sdc_retry {
	struct sdc_retry_policy	 p;
	unsigned		 failures;	/* since the last success */
	double			 first_failure;	/* monotonic seconds */
	uint64_t		 total;		/* retries ever, for metrics */
	uint64_t		 rng;
};

/* 0.5 s doubling to 30 s, at most 10 minutes, no bound on attempts. */
void	sdc_retry_policy_default(struct sdc_retry_policy *p);
void	sdc_retry_init(struct sdc_retry *r, const struct sdc_retry_policy *p);
/*
 * A failure at now (monotonic seconds): the seconds to wait before
 * trying again, at least retry_after (0 when the peer said nothing),
 * or -1 when the policy says to give up.
 */
double	sdc_retry_failed(struct sdc_retry *r, double now, double retry_after);
void	sdc_retry_succeeded(struct sdc_retry *r);
/* "after 5 attempts over 12.5 s", for the message of giving up. */
void	sdc_retry_describe(const struct sdc_retry *r, double now, char *dst,
	    size_t len);

/*
 * Sleep seconds (a retry's wait), looking every 0.1 s whether stopping
 * says to stop (a stop signal, a timeout): false when it cut the sleep
 * short.
 */
bool	sdc_retry_sleep(double seconds, bool (*stopping)(void *ctx),
	    void *ctx);

/* The group of the retry options, filling policy (which must outlive
 * the parse). */
struct sdc_option_group sdc_retry_group(struct sdc_retry_policy *policy);

#endif
