/* Backoff with jitter: the bounds of each wait, and when it gives up. */
#include <stdio.h>

#include "retry.h"
#include "tap.h"

static void
test_doubling(void)
{
	struct sdc_retry_policy p = { 1, 8, 0, 0 };
	struct sdc_retry r;
	int bad = 0, spread = 0;

	for (int round = 0; round < 200; round++) {
		sdc_retry_init(&r, &p);
		for (unsigned n = 1; n <= 6; n++) {
			double w = sdc_retry_failed(&r, 100, 0);
			double bound = n >= 4 ? 8 : (double)(1u << (n - 1));

			bad += w < 0 || w > bound;
			spread += w < bound / 2;
		}
	}
	ok(bad == 0, "each wait is within initial * 2^n, capped at max");
	ok(spread > 200 && spread < 1000, "waits are jittered over the range");
	sdc_retry_init(&r, &p);
	ok(sdc_retry_failed(&r, 0, 5) >= 5, "a Retry-After longer than the "
	    "backoff is waited out");
	is_int((long long)r.total, 1, "retries are counted");
}

static void
test_bounds(void)
{
	struct sdc_retry_policy p = { 0.1, 1, 3, 0 };
	struct sdc_retry r;
	char why[64];

	sdc_retry_init(&r, &p);
	ok(sdc_retry_failed(&r, 0, 0) >= 0 && sdc_retry_failed(&r, 1, 0) >= 0,
	    "retries while attempts remain");
	ok(sdc_retry_failed(&r, 2, 0) < 0, "gives up at --retry-attempts");
	sdc_retry_describe(&r, 2, why, sizeof why);
	is_str(why, "after 3 attempts over 2.0 s", "and says after what");
	sdc_retry_succeeded(&r);
	ok(sdc_retry_failed(&r, 3, 0) >= 0, "a success starts again");
	p.max_attempts = 0;
	p.max_elapsed = 10;
	sdc_retry_init(&r, &p);
	ok(sdc_retry_failed(&r, 0, 0) >= 0, "a first failure is retried");
	ok(sdc_retry_failed(&r, 9, 30) <= 1.0 + 1e-9,
	    "no wait runs past --retry-time");
	ok(sdc_retry_failed(&r, 10, 0) < 0, "gives up at --retry-time");
}

int
main(void)
{
	test_doubling();
	test_bounds();
	return tap_done();
}
