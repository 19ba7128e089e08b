#ifndef SDC_SINK_RUN_H
#define SDC_SINK_RUN_H
/*
 * The run of sdc-sink, for its command: the options of the framework and
 * the loop that reads the record stream into one destination.
 */
#include <stddef.h>

#include "condition.h"
#include "path.h"
#include "retry.h"
#include "run.h"
#include "sink.h"

struct sdc_sink_options {
	const struct sdc_format	*format;	/* NULL: the record stream */
	const void		*format_opts;
	size_t			 max_buffer;
	double			 flush_seconds;	/* 0: only at batch frames */
	struct sdc_path		*time_paths;	/* --time-field, in order */
	size_t			 ntime_paths;
	struct sdc_conditions	*when;		/* --when, or NULL: all */
	struct sdc_retry_policy	 retry;
	bool			 check;
};

/* Read standard input into dest, with opt's shared options: the status. */
int	sdc_sink_main(const struct sdc_destination *dest, const void *dest_opts,
	    const struct sdc_options *opt, const struct sdc_sink_options *so);

#endif
