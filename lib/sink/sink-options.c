/* The destinations' own options offered by sdc-sink: see sink-options.h. */
#include "sink-options.h"
#include "banned.h"

void
sdc_sink_dest_opts_init(struct sdc_sink_dest_opts *so)
{
	sdc_plugin_opts_init(&so->p, "destination",
	    (const void *const *)sdc_destinations, sdc_destination_view);
}

void
sdc_sink_dest_opts_release(struct sdc_sink_dest_opts *so)
{
	sdc_plugin_opts_release(&so->p);
}

const struct sdc_option_group *
sdc_sink_dest_opts_groups(const struct sdc_sink_dest_opts *so)
{
	return sdc_plugin_opts_groups(&so->p);
}

const void *
sdc_sink_dest_opts_get(const struct sdc_sink_dest_opts *so,
    const struct sdc_destination *d)
{
	return sdc_plugin_opts_get(&so->p, d);
}

void
sdc_sink_dest_opts_check(const struct sdc_sink_dest_opts *so,
    const struct sdc_destination *d)
{
	sdc_plugin_opts_check(&so->p, d);
}
