#ifndef SDC_FORMAT_OPTIONS_H
#define SDC_FORMAT_OPTIONS_H
/*
 * The options of every format, for a program that reads or writes
 * them: one block for each entry of sdc_formats, set up by its
 * opts_init, and from the formats' option tables the groups of options
 * that sdc_cli_parse_groups offers, lists in --help (one group a
 * format, in table order) and applies to those blocks.  So every
 * program that takes formats takes the same flags:
 *
 *	sdc_format_opts_init(&fo);
 *	sdc_cli_parse_groups(&cli, sdc_format_opts_groups(&fo), ...);
 *	... f->read(run, in, sdc_format_opts_get(&fo, f)) ...
 *	sdc_format_opts_release(&fo);
 *
 * The set owns the blocks and the tables; what readers and writers are
 * handed stays valid until sdc_format_opts_release.  It is the
 * plugin-options.h set of the format table.
 */
#include <stdbool.h>
#include <stddef.h>

#include "cli.h"
#include "format.h"
#include "plugin-options.h"

struct sdc_format_opts {
	struct sdc_plugin_opts	p;	/* of sdc_formats */
};

void	sdc_format_opts_init(struct sdc_format_opts *fo);
void	sdc_format_opts_release(struct sdc_format_opts *fo);
/* The block of f's options, for its reader and writer. */
const void *sdc_format_opts_get(const struct sdc_format_opts *fo,
	    const struct sdc_format *f);
const struct sdc_option_group *sdc_format_opts_groups(
	    const struct sdc_format_opts *fo);
/*
 * Set the option name (without "--") of every format that declares it,
 * as the command line does: arg is NULL for an option without one, and
 * a bad value a usage error.  False when no format declares it.
 */
bool	sdc_format_opts_set(struct sdc_format_opts *fo, const char *name,
	    const char *arg);

#endif
