/* Exponential backoff with full jitter, and its options. */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "retry.h"
#include "banned.h"

enum { OPT_INITIAL = 1, OPT_MAX, OPT_ATTEMPTS, OPT_TIME };

void
sdc_retry_policy_default(struct sdc_retry_policy *p)
{
	p->initial = 0.5;
	p->max = 30;
	p->max_attempts = 0;
	p->max_elapsed = 600;
}

void
sdc_retry_init(struct sdc_retry *r, const struct sdc_retry_policy *p)
{
	struct timespec ts;

	memset(r, 0, sizeof(*r));
	r->p = *p;
	clock_gettime(CLOCK_REALTIME, &ts);
	r->rng = (uint64_t)ts.tv_nsec * 0x9e3779b97f4a7c15ULL ^
	    (uint64_t)getpid() << 32 ^ (uint64_t)(uintptr_t)r;
	if (r->rng == 0)
		r->rng = 1;
}

/* A uniform double in [0, 1), xorshift64*. */
static double
uniform(struct sdc_retry *r)
{
	r->rng ^= r->rng >> 12;
	r->rng ^= r->rng << 25;
	r->rng ^= r->rng >> 27;
	return (double)((r->rng * 0x2545f4914f6cdd1dULL) >> 11) * 0x1p-53;
}

static bool
exhausted(const struct sdc_retry *r, double now)
{
	return (r->p.max_attempts > 0 && r->failures >= r->p.max_attempts) ||
	    (r->p.max_elapsed > 0 && now - r->first_failure >= r->p.max_elapsed);
}

double
sdc_retry_failed(struct sdc_retry *r, double now, double retry_after)
{
	double bound, wait;

	if (r->failures++ == 0)
		r->first_failure = now;
	if (exhausted(r, now))
		return -1;
	bound = r->p.initial * ldexp(1, (int)(r->failures < 60 ?
	    r->failures - 1 : 59));
	if (bound > r->p.max)
		bound = r->p.max;
	wait = bound * uniform(r);
	if (retry_after > wait)
		wait = retry_after;
	if (r->p.max_elapsed > 0 && now + wait - r->first_failure >
	    r->p.max_elapsed)
		wait = r->first_failure + r->p.max_elapsed - now;
	r->total++;
	return wait > 0 ? wait : 0;
}

void
sdc_retry_succeeded(struct sdc_retry *r)
{
	r->failures = 0;
}

void
sdc_retry_describe(const struct sdc_retry *r, double now, char *dst,
    size_t len)
{
	snprintf(dst, len, "after %u attempt%s over %.1f s", r->failures,
	    r->failures == 1 ? "" : "s", r->failures ? now - r->first_failure :
	    0.0);
}

static const struct sdc_option retry_options[] = {
	{ "retry-initial", 0, OPT_INITIAL, true, "DURATION",
	    "first wait before a retry (0.5s)" },
	{ "retry-max", 0, OPT_MAX, true, "DURATION",
	    "longest wait between retries (30s)" },
	{ "retry-attempts", 0, OPT_ATTEMPTS, true, "N",
	    "give up after N attempts (0: no bound)" },
	{ "retry-time", 0, OPT_TIME, true, "DURATION",
	    "give up after retrying this long (10m; 0: never)" },
	{ NULL, 0, 0, false, NULL, NULL }
};

static void
handle(void *ctx, int val, const char *arg)
{
	struct sdc_retry_policy *p = ctx;
	unsigned long n;

	switch (val) {
	case OPT_INITIAL:
		p->initial = sdc_parse_duration("--retry-initial", arg);
		break;
	case OPT_MAX:
		p->max = sdc_parse_duration("--retry-max", arg);
		break;
	case OPT_ATTEMPTS:
		n = sdc_parse_count("--retry-attempts", arg);
		if (n > UINT_MAX)
			sdc_usage_error("--retry-attempts: %lu is too many", n);
		p->max_attempts = (unsigned)n;
		break;
	default:
		p->max_elapsed = sdc_parse_duration("--retry-time", arg);
		break;
	}
}

struct sdc_option_group
sdc_retry_group(struct sdc_retry_policy *policy)
{
	struct sdc_option_group g = { "Retry options", retry_options, handle,
		policy };

	return g;
}

bool
sdc_retry_sleep(double seconds, bool (*stopping)(void *ctx), void *ctx)
{
	struct timespec ts;
	double until;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	until = (double)ts.tv_sec + ts.tv_nsec / 1e9 + seconds;
	while (!stopping(ctx)) {
		double left;

		clock_gettime(CLOCK_MONOTONIC, &ts);
		left = until - ((double)ts.tv_sec + ts.tv_nsec / 1e9);
		if (left <= 0)
			return true;
		if (left > 0.1)
			left = 0.1;	/* to see a stop soon */
		ts.tv_sec = 0;
		ts.tv_nsec = (long)(left * 1e9);
		nanosleep(&ts, NULL);
	}
	return false;
}
