#ifndef SDC_ORIGIN_OPTIONS_H
#define SDC_ORIGIN_OPTIONS_H
/*
 * The options of every origin, for sdc-ingest: a block for each entry
 * of sdc_origins, set up by its opts_init, and the groups of options
 * that sdc_cli_parse_groups offers (one an origin, titled "NAME origin
 * options"), as format-options.h does for the formats.  After parsing,
 * sdc_origin_opts_check refuses an option that the chosen origin does
 * not declare.  The set owns the blocks.  It is the plugin-options.h
 * set of the origin table.
 */
#include "cli.h"
#include "origin.h"
#include "plugin-options.h"

struct sdc_origin_opts {
	struct sdc_plugin_opts	p;	/* of sdc_origins */
};

void	sdc_origin_opts_init(struct sdc_origin_opts *oo);
void	sdc_origin_opts_release(struct sdc_origin_opts *oo);
const struct sdc_option_group *sdc_origin_opts_groups(
	    const struct sdc_origin_opts *oo);
const void *sdc_origin_opts_get(const struct sdc_origin_opts *oo,
	    const struct sdc_origin *o);
/* A usage error when an option given is not one of o's. */
void	sdc_origin_opts_check(const struct sdc_origin_opts *oo,
	    const struct sdc_origin *o);

#endif
