#ifndef SDC_SPARKJOB_RUN_H
#define SDC_SPARKJOB_RUN_H
/*
 * The run of sdc-sparkjob, for its command: the options of the
 * framework and the loop that reads the record stream, launching an
 * application for each event that matches.
 */
#include <stdbool.h>
#include <stddef.h>

#include "retry.h"
#include "run.h"
#include "sparkjob.h"

struct sdc_event_match;

struct sdc_sparkjob_options {
	struct sdc_event_match	*match;		/* --on, --when */
	unsigned		 max_running;
	unsigned		 max_queued;
	unsigned		 per_minute;	/* 0: no bound */
	double			 timeout;	/* seconds; 0: none */
	bool			 wait;
	bool			 verbose;
	struct sdc_retry_policy	 retry;
};

/* Read standard input, launching through l: the exit status. */
int	sdc_sparkjob_main(const struct sdc_launcher *l, const void *lopts,
	    int argc, char *const *argv, const struct sdc_options *opt,
	    const struct sdc_sparkjob_options *so);

#endif
