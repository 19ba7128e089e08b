#ifndef SDC_FILE_RULES_H
#define SDC_FILE_RULES_H
/*
 * When the file destination closes a file, and which records are late.
 *
 * A file is closed once it holds --max-records records or --max-bytes
 * bytes as rendered (before compression; a file passes the bound by at
 * most its last record), once it has been open --max-age seconds, or
 * when no record came for it in --idle-timeout seconds; 0 turns a
 * bound off.  A record carrying the roll attribute closes the file it
 * would go to first.
 *
 * A record is late when its time (sdc_sink_record_time) is more than
 * --late-limit before the newest time seen so far in the run.
 */
#include <stdbool.h>
#include <stdint.h>

struct sdc_roll_policy {
	uint64_t	max_records;	/* 0: no bound */
	uint64_t	max_bytes;
	double		max_age;	/* seconds */
	double		idle_timeout;
};

/* What a file has taken so far. */
struct sdc_roll_state {
	uint64_t	records;
	uint64_t	bytes;		/* rendered */
	double		opened;		/* sdc_uptime() */
	double		last_put;
};

enum sdc_roll_reason {
	SDC_ROLL_NO,
	SDC_ROLL_RECORDS,
	SDC_ROLL_BYTES,
	SDC_ROLL_AGE,
	SDC_ROLL_IDLE
};

/* Whether the file is full, after a record went in. */
enum sdc_roll_reason sdc_roll_full(const struct sdc_roll_policy *p,
	    const struct sdc_roll_state *st);
/* Whether it has been open or idle too long at now. */
enum sdc_roll_reason sdc_roll_expired(const struct sdc_roll_policy *p,
	    const struct sdc_roll_state *st, double now);
/* Seconds from now until it would expire; < 0 when it never does. */
double	sdc_roll_due_in(const struct sdc_roll_policy *p,
	    const struct sdc_roll_state *st, double now);

struct sdc_late_rule {
	int64_t		limit_ms;	/* 0: nothing is late */
	int64_t		newest_ms;	/* INT64_MIN until the first record */
};

void	sdc_late_init(struct sdc_late_rule *l, int64_t limit_ms);
/* Whether a record of time ms is late; it counts toward the newest. */
static inline bool
sdc_late_check(struct sdc_late_rule *l, int64_t ms)
{
	if (ms > l->newest_ms)
		l->newest_ms = ms;
	return l->limit_ms > 0 && ms < l->newest_ms - l->limit_ms;
}

#endif
