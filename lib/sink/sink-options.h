#ifndef SDC_SINK_OPTIONS_H
#define SDC_SINK_OPTIONS_H
/*
 * The options of every destination, for sdc-sink: a block for each
 * entry of sdc_destinations and the groups of options ("NAME destination
 * options"), as origin-options.h does for the origins.  It is the
 * plugin-options.h set of the destination table.
 */
#include "cli.h"
#include "plugin-options.h"
#include "sink.h"

struct sdc_sink_dest_opts {
	struct sdc_plugin_opts	p;	/* of sdc_destinations */
};

void	sdc_sink_dest_opts_init(struct sdc_sink_dest_opts *so);
void	sdc_sink_dest_opts_release(struct sdc_sink_dest_opts *so);
const struct sdc_option_group *sdc_sink_dest_opts_groups(
	    const struct sdc_sink_dest_opts *so);
const void *sdc_sink_dest_opts_get(const struct sdc_sink_dest_opts *so,
	    const struct sdc_destination *d);
/* A usage error when an option given is not one of d's. */
void	sdc_sink_dest_opts_check(const struct sdc_sink_dest_opts *so,
	    const struct sdc_destination *d);

#endif
