/* The file destination's rules: when a file rolls, what is late. */
#include <stdint.h>

#include "file-rules.h"
#include "banned.h"

enum sdc_roll_reason
sdc_roll_full(const struct sdc_roll_policy *p, const struct sdc_roll_state *st)
{
	if (p->max_records > 0 && st->records >= p->max_records)
		return SDC_ROLL_RECORDS;
	if (p->max_bytes > 0 && st->bytes >= p->max_bytes)
		return SDC_ROLL_BYTES;
	return SDC_ROLL_NO;
}

enum sdc_roll_reason
sdc_roll_expired(const struct sdc_roll_policy *p,
    const struct sdc_roll_state *st, double now)
{
	if (p->max_age > 0 && now - st->opened >= p->max_age)
		return SDC_ROLL_AGE;
	if (p->idle_timeout > 0 && now - st->last_put >= p->idle_timeout)
		return SDC_ROLL_IDLE;
	return SDC_ROLL_NO;
}

double
sdc_roll_due_in(const struct sdc_roll_policy *p,
    const struct sdc_roll_state *st, double now)
{
	double due = -1;

	if (p->max_age > 0)
		due = st->opened + p->max_age - now;
	if (p->idle_timeout > 0) {
		double idle = st->last_put + p->idle_timeout - now;

		due = due < 0 || idle < due ? idle : due;
	}
	return due < 0 && (p->max_age > 0 || p->idle_timeout > 0) ? 0 : due;
}

void
sdc_late_init(struct sdc_late_rule *l, int64_t limit_ms)
{
	l->limit_ms = limit_ms;
	l->newest_ms = INT64_MIN;
}

